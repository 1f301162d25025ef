#include "check/history.h"

#include <cstdio>
#include <sstream>

namespace faaskeeper::check {

namespace {
constexpr const char* kOpNames[] = {"create", "delete", "setData", "getData",
                                    "exists", "getChildren", "check", "multi"};
constexpr size_t kDataPreview = 40;
}  // namespace

const char* op_type_name(OpType t) { return kOpNames[static_cast<size_t>(t)]; }

std::optional<OpType> parse_op_type(const std::string& name) {
  for (size_t i = 0; i < std::size(kOpNames); ++i)
    if (name == kOpNames[i]) return static_cast<OpType>(i);
  return std::nullopt;
}

bool is_read(OpType t) {
  return t == OpType::GetData || t == OpType::Exists || t == OpType::GetChildren;
}

bool is_indeterminate_error(Error e) {
  switch (e) {
    case Error::ConnectionLoss:
    case Error::OperationTimeout:
    case Error::RequestTimeout:
    case Error::SessionExpired:
    case Error::SessionMoved:
    case Error::Closing:
    case Error::SystemError:
      return true;
    default:
      return false;
  }
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string describe_data(const Data& d) {
  if (!d) return "null";
  std::string out = "\"";
  size_t n = 0;
  for (unsigned char c : *d) {
    if (n++ == kDataPreview) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

namespace {
std::string describe_stat(const ObservedStat& s) {
  std::ostringstream o;
  const char* sep = "";
  auto field = [&](uint32_t bit, const char* name, int64_t v) {
    if (!s.has(bit)) return;
    o << sep << name << "=" << v;
    sep = " ";
  };
  field(kStatCzxid, "czxid", s.stat.czxid);
  field(kStatMzxid, "mzxid", s.stat.mzxid);
  field(kStatPzxid, "pzxid", s.stat.pzxid);
  field(kStatVersion, "version", s.stat.version);
  field(kStatCversion, "cversion", s.stat.cversion);
  field(kStatNumChildren, "numChildren", s.stat.num_children);
  field(kStatEphemeralOwner, "ephemeralOwner", s.stat.ephemeral_owner);
  return "{" + o.str() + "}";
}
}  // namespace

std::string describe(const Request& r) {
  std::ostringstream o;
  o << op_type_name(r.type);
  if (r.type == OpType::Multi) {
    o << "[";
    for (size_t i = 0; i < r.ops.size(); ++i) o << (i ? "; " : "") << describe(r.ops[i]);
    o << "]";
    return o.str();
  }
  o << " " << r.path;
  switch (r.type) {
    case OpType::Create:
      o << " " << describe_data(r.data);
      if (is_sequential(r.mode)) o << " sequential";
      if (is_ephemeral(r.mode)) o << " ephemeral";
      break;
    case OpType::SetData:
      o << " " << describe_data(r.data) << " v=" << r.version;
      break;
    case OpType::Delete:
    case OpType::Check:
      o << " v=" << r.version;
      break;
    default:
      if (r.watch) o << " watch";
      break;
  }
  return o.str();
}

namespace {
// `shows_data`: the request returns data (getData), so null data is worth printing.
std::string describe_outcome(const Outcome& out, bool shows_data) {
  std::ostringstream o;
  switch (out.kind) {
    case OutcomeKind::Unknown:
      return "unknown";
    case OutcomeKind::Failed:
      o << error_name(out.error);
      if (is_indeterminate_error(out.error)) o << " (indeterminate)";
      break;
    case OutcomeKind::Ok:
      o << "ok";
      if (!out.path.empty()) o << " path=" << out.path;
      if (out.data || shows_data) o << " data=" << describe_data(out.data);
      if (out.children) {
        o << " children=[";
        for (size_t i = 0; i < out.children->size(); ++i)
          o << (i ? "," : "") << (*out.children)[i];
        o << "]";
      }
      if (out.stat) o << " stat=" << describe_stat(*out.stat);
      for (size_t i = 0; i < out.results.size(); ++i) {
        const auto& r = out.results[i];
        o << (i ? "; " : " results=[") << error_name(r.error);
        if (!r.path.empty()) o << " " << r.path;
        if (r.stat) o << " " << describe_stat(*r.stat);
        if (i + 1 == out.results.size()) o << "]";
      }
      break;
  }
  if (out.zxid >= 0) o << " zxid=" << out.zxid;
  return o.str();
}
}  // namespace

std::string describe(const Outcome& out) { return describe_outcome(out, false); }

std::string describe(const Operation& op) {
  std::ostringstream o;
  o << "#" << op.id << " s" << op.session << "/" << op.seq << " " << describe(op.request) << " -> "
    << describe_outcome(op.outcome, op.request.type == OpType::GetData);
  return o.str();
}

}  // namespace faaskeeper::check
