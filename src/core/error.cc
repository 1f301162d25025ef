#include "faaskeeper/error.h"

#include <cstdio>
#include <cstdlib>

namespace faaskeeper {

namespace {
struct Named {
  Error code;
  const char* name;
};
constexpr Named kNames[] = {
    {Error::Ok, "OK"},
    {Error::SystemError, "SYSTEMERROR"},
    {Error::RuntimeInconsistency, "RUNTIMEINCONSISTENCY"},
    {Error::DataInconsistency, "DATAINCONSISTENCY"},
    {Error::ConnectionLoss, "CONNECTIONLOSS"},
    {Error::MarshallingError, "MARSHALLINGERROR"},
    {Error::Unimplemented, "UNIMPLEMENTED"},
    {Error::OperationTimeout, "OPERATIONTIMEOUT"},
    {Error::BadArguments, "BADARGUMENTS"},
    {Error::UnknownSession, "UNKNOWNSESSION"},
    {Error::ApiError, "APIERROR"},
    {Error::NoNode, "NONODE"},
    {Error::NoAuth, "NOAUTH"},
    {Error::BadVersion, "BADVERSION"},
    {Error::NoChildrenForEphemerals, "NOCHILDRENFOREPHEMERALS"},
    {Error::NodeExists, "NODEEXISTS"},
    {Error::NotEmpty, "NOTEMPTY"},
    {Error::SessionExpired, "SESSIONEXPIRED"},
    {Error::InvalidCallback, "INVALIDCALLBACK"},
    {Error::InvalidAcl, "INVALIDACL"},
    {Error::AuthFailed, "AUTHFAILED"},
    {Error::Closing, "CLOSING"},
    {Error::SessionMoved, "SESSIONMOVED"},
    {Error::NotReadOnly, "NOTREADONLY"},
    {Error::NoWatcher, "NOWATCHER"},
    {Error::RequestTimeout, "REQUESTTIMEOUT"},
    {Error::QuotaExceeded, "QUOTAEXCEEDED"},
    {Error::Throttled, "THROTTLEDOP"},
};
}  // namespace

std::string error_name(Error e) {
  for (const auto& n : kNames)
    if (n.code == e) return n.name;
  return "UNKNOWN(" + std::to_string(static_cast<int32_t>(e)) + ")";
}

bool is_known_error(int32_t code) {
  for (const auto& n : kNames)
    if (static_cast<int32_t>(n.code) == code) return true;
  return false;
}

std::string Status::to_string() const {
  if (message_.empty()) return error_name(code_);
  return error_name(code_) + ": " + message_;
}

namespace detail {
void result_misuse(const char* what) {
  std::fprintf(stderr, "faaskeeper: Result misuse: %s\n", what);
  std::abort();
}
}  // namespace detail

}  // namespace faaskeeper
