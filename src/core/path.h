// ZooKeeper path rules (PathUtils.validatePath) and path arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faaskeeper/error.h"

namespace faaskeeper {

// OK iff `path` is a valid ZooKeeper path: non-empty, absolute, no trailing '/' (except "/"),
// no empty, "." or ".." component, none of the forbidden code points (U+0000, U+0001-U+001F,
// U+007F-U+009F, U+D800-U+F8FF, U+FFF0-U+FFFF). Otherwise BadArguments naming the reason.
Status validate_path(std::string_view path);

// As validate_path, for the path a sequential create names before its suffix is appended:
// a trailing '/' is allowed (ZooKeeper validates path + "1").
Status validate_sequential_prefix(std::string_view path);

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "" (the root has no parent).
std::string parent_of(std::string_view path);

// "/a/b" -> "b"; "/" -> "".
std::string basename_of(std::string_view path);

// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b".
std::string join_path(std::string_view parent, std::string_view name);

// The suffix ZooKeeper appends to a sequential node: the counter as %010d (a negative counter,
// after int32 overflow, gives "-2147483648").
std::string sequential_suffix(int32_t counter);

// Whether `path` is one of ZooKeeper's system nodes that may not be deleted.
bool is_protected_path(std::string_view path);

}  // namespace faaskeeper
