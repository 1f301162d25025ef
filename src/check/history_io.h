// Serialisation of a History as JSON lines: one JSON object per line, so a recorder can append as
// it goes and a crash leaves a loadable file. docs/checker.md documents every field.
//
//   {"type":"header","format":"fk-history","version":1}
//   {"type":"initial","path":"/fk","data":"x","stat":{"version":0,"cversion":0,"numChildren":0}}
//   {"type":"op","id":3,"session":1,"seq":0,"invoke":10,"complete":20,"op":"setData",
//    "path":"/fk/a","data":"v1","version":-1,"result":{"status":"ok","stat":{"mzxid":7,...}}}
//   {"type":"invoke",...same fields as "op" without complete/result...}
//   {"type":"complete","id":3,"complete":20,"result":{...}}
//   {"type":"watch","session":1,"path":"/fk/a","event":"NodeDataChanged","zxid":9,"time":30}
//   {"type":"session_end","id":0,"session":1,"invoke":40,"complete":50}
//   {"type":"session_end_complete","id":0,"complete":50}
//
// Data is a JSON string when it is valid UTF-8, {"hex":"..."} otherwise, null for null data.
// Error codes are written as ZooKeeper names ("NONODE"); numbers are accepted on input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/history.h"
#include "faaskeeper/error.h"

namespace faaskeeper::check {

// The whole history as JSON lines (header first, then initial nodes, ops, notifications, ends).
std::string write_history(const History& h);
Status save_history(const History& h, const std::string& path);

// Parses JSON lines. "invoke" lines without a "complete" line become ops with an Unknown outcome
// and complete = kNever. Blank lines and a truncated last line (a crash mid-write) are ignored;
// any other malformed line is an error naming its line number.
Result<History> parse_history(std::string_view text);
Result<History> load_history(const std::string& path);
// Loads several files (e.g. one per campaign process) into one history. Operation ids are
// renumbered 0..n-1 in file order when there is more than one file; session ids must be
// distinct across files.
Result<History> load_histories(const std::vector<std::string>& paths);

// Single-line encoders (no trailing newline), used by the streaming recorder.
std::string encode_header_line();
std::string encode_initial_line(const InitialNode& n);
std::string encode_op_line(const Operation& op);
std::string encode_invoke_line(const Operation& op);
std::string encode_complete_line(uint64_t id, Nanos complete, const Outcome& outcome);
std::string encode_notification_line(const WatchNotification& n);
std::string encode_session_end_line(uint64_t id, const SessionEnd& e);
std::string encode_session_end_complete_line(uint64_t id, Nanos complete);

}  // namespace faaskeeper::check
