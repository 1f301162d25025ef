// Error codes and the Status / Result value types used across the public API.
//
// Every code has the numeric value ZooKeeper uses (KeeperException.Code, C ZOO_ERRORS),
// so a value can travel unchanged through the ZooKeeper wire protocol.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace faaskeeper {

enum class Error : int32_t {
  Ok = 0,
  SystemError = -1,
  RuntimeInconsistency = -2,
  DataInconsistency = -3,
  ConnectionLoss = -4,
  MarshallingError = -5,
  Unimplemented = -6,
  OperationTimeout = -7,
  BadArguments = -8,
  UnknownSession = -12,
  ApiError = -100,
  NoNode = -101,
  NoAuth = -102,
  BadVersion = -103,
  NoChildrenForEphemerals = -108,
  NodeExists = -110,
  NotEmpty = -111,
  SessionExpired = -112,
  InvalidCallback = -113,
  InvalidAcl = -114,
  AuthFailed = -115,
  Closing = -116,
  SessionMoved = -118,
  NotReadOnly = -119,
  NoWatcher = -121,
  RequestTimeout = -122,
  QuotaExceeded = -125,
  Throttled = -127,
};

// The ZooKeeper constant name of a code ("NONODE", "BADVERSION", ...); "UNKNOWN(n)" otherwise.
std::string error_name(Error e);

// Whether `code` is one of the values above.
bool is_known_error(int32_t code);

// An error code plus a human-readable message. A default-constructed Status is OK.
class Status {
 public:
  Status() = default;
  Status(Error code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == Error::Ok; }
  Error code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NONODE: /a/b does not exist" style rendering for logs and CLIs.
  std::string to_string() const;

  bool operator==(Error e) const { return code_ == e; }

 private:
  Error code_ = Error::Ok;
  std::string message_;
};

// Either a value or a non-OK Status. Accessing value() of an error is a programming error
// (it aborts), so callers check ok() first.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                       // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { check_error(); }  // NOLINT
  Result(Error code, std::string message) : v_(Status(code, std::move(message))) { check_error(); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { must_be_ok(); return std::get<0>(v_); }
  T& value() & { must_be_ok(); return std::get<0>(v_); }
  T&& value() && { must_be_ok(); return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // OK status when holding a value.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }
  Error code() const { return ok() ? Error::Ok : std::get<1>(v_).code(); }

 private:
  void check_error() const;
  void must_be_ok() const;
  std::variant<T, Status> v_;
};

namespace detail {
[[noreturn]] void result_misuse(const char* what);
}

template <class T>
void Result<T>::check_error() const {
  if (std::get<1>(v_).ok()) detail::result_misuse("Result constructed from an OK Status");
}
template <class T>
void Result<T>::must_be_ok() const {
  if (!ok()) detail::result_misuse(std::get<1>(v_).to_string().c_str());
}

}  // namespace faaskeeper
