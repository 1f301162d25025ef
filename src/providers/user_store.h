// UserStore: the cheap, directly readable store clients read znodes from (S3 objects,
// DynamoDB items, or files of the local deployment).
//
// It stores whole node objects as opaque bytes keyed by path; the byte layout is defined in
// src/core/node_object.h (docs/node-object-format.md). Only the distributor writes it, in
// txid order; any number of clients read it. Reads must observe every completed put
// (read-after-write consistency, as S3 and consistent DynamoDB reads give).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper {

struct UserWrite {
  std::string path;
  std::optional<std::string> object;  // nullopt: delete the object at `path`
};

class UserStore {
 public:
  virtual ~UserStore() = default;

  // The object stored at `path`, nullopt when there is none.
  virtual Result<std::optional<std::string>> get(const std::string& path) = 0;

  // Applies the writes in order. On return every write is durable and visible to get().
  // Stores that can (the local one) make the whole batch atomic and pay one sync for it;
  // others apply the writes one by one (each put/delete is idempotent, so a crash midway is
  // repaired by the distributor redoing the batch).
  virtual Status write(const std::vector<UserWrite>& writes) = 0;
};

}  // namespace faaskeeper
