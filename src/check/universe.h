// Internal: a History prepared for checking. Every path the history can observe gets an id, every
// piece of state the model tracks gets a key, data values are interned, and each operation is
// normalised into model steps with resolved ids. Built once; read-only afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "check/history.h"

namespace faaskeeper::check::detail {

inline constexpr uint32_t kNone = 0xffffffffu;

// Kinds of model state. Each key owns a fixed number of 64-bit words (its "slot").
enum class KeyKind : uint8_t {
  Node,     // node(P): existence, owner, data, version, czxid, mzxid
  Kids,     // kids(P): stored child counter, numChildren, pzxid
  Session,  // session(S): closed?  (only for sessions with a SessionEnd)
  Phantom,  // phantom(Q,S): ephemeral children of Q created by S whose names the history never shows
};

// Word layout of each slot. Unknown zxids are value -1 with a lower bound ("floor"); a known zxid
// has floor 0, so equal states are equal word for word (the memo cache relies on it).
enum NodeWord { kFlags, kOwner, kData, kVersion, kCzxid, kCzxidFloor, kMzxid, kMzxidFloor, kNodeWords };
enum KidsWord { kCounter, kNumChildren, kPzxid, kPzxidFloor, kKidsWords };
inline constexpr int64_t kExists = 1, kEphemeral = 2;
inline constexpr int64_t kUnknownZxid = -1;

struct KeyInfo {
  KeyKind kind;
  uint32_t path = kNone;  // Node, Kids, Phantom
  int64_t session = 0;    // Session, Phantom
  std::vector<int64_t> initial;
};

// One model step: a whole single operation, or one sub-operation of a multi.
struct Step {
  OpType type = OpType::GetData;
  uint32_t path = kNone;    // target path id (create: the requested path unless sequential)
  uint32_t parent = kNone;  // parent path id (create, delete)
  bool sequential = false, ephemeral = false;
  std::string seq_prefix;   // sequential create: the requested path (name prefix)
  uint32_t created = kNone;  // sequential create: the reported created path, if reported
  bool created_reported = false;
  std::vector<uint32_t> candidates;  // sequential create with unreported name: possible paths
  int32_t data = 0;          // interned data (create, setData)
  int32_t version = -1;
  // What the client was told for this step (Ok outcomes only).
  const ObservedStat* stat = nullptr;
  int32_t read_data = 0;                        // getData
  std::vector<uint32_t> read_children;          // getChildren, as path ids
  bool has_children = false;
};

enum class PKind : uint8_t { Single, Multi, SessionEnd };

// A normalised operation.
struct POp {
  PKind kind = PKind::Single;
  uint32_t history_index = kNone;  // into History::ops (kNone for session ends)
  uint32_t end_index = kNone;      // into History::session_ends
  uint64_t id = 0;                 // Operation::id, for reports
  int64_t session = 0;
  OutcomeKind outcome = OutcomeKind::Unknown;  // after treating indeterminate errors as Unknown
  Error error = Error::Ok;                     // Failed: the code the model must reproduce
  bool rejected = false;   // failed with a code the model cannot produce: no effect, not checked
  bool pure = false;       // determinate and can never change the state (reads, failures)
  bool read = false;       // getData / exists / getChildren
  Nanos invoke = 0, complete = kNever;
  int64_t zxid = -1;       // the write's own zxid when the outcome reports it
  std::vector<Step> steps;  // one for Single, one per sub-op for Multi, none for SessionEnd
  int failing_step = -1;   // Failed multi: index of the failing sub-op if the results say, else -1
  // An unanswered write that a later read proves took effect (it returned data only this write
  // wrote): for the search it is Ok, with the zxid the read revealed, completing no later than
  // that read (and than any write with a larger zxid). The session rules still treat it as
  // unanswered, since the client never saw its answer.
  bool confirmed = false;
  uint64_t confirmed_by = 0;  // id of the read that proved it
};

class Universe {
 public:
  // Builds the universe. Problems that make the history unusable go to `problems`; likely
  // mistakes in recording (which the checks will then report as anomalies) go to `notes`.
  Universe(const History& h, std::vector<std::string>& problems, std::vector<std::string>& notes);

  const History& history() const { return *h_; }
  const std::vector<POp>& ops() const { return ops_; }
  const std::vector<KeyInfo>& keys() const { return keys_; }
  size_t num_paths() const { return paths_.size(); }
  const std::string& path(uint32_t id) const { return paths_[id]; }
  uint32_t path_id(const std::string& p) const;  // kNone if unknown
  uint32_t parent(uint32_t path) const { return parent_[path]; }
  const std::vector<uint32_t>& children(uint32_t path) const { return children_[path]; }
  uint32_t node_key(uint32_t path) const { return path; }
  uint32_t kids_key(uint32_t path) const { return static_cast<uint32_t>(paths_.size()) + path; }
  uint32_t session_key(int64_t session) const;           // kNone if the session never ends
  uint32_t phantom_key(uint32_t parent, int64_t session) const;  // kNone if none
  // Phantom keys of a session (session ends clear them).
  std::vector<uint32_t> phantom_keys_of(int64_t session) const;
  // Paths the history shows being created as ephemeral by `session` (or declared as its).
  const std::vector<uint32_t>& ephemerals_of(int64_t session) const;
  // Interned data. Data that no read of its path ever returns is replaced in write steps by a
  // per-(path, length) stand-in: states that differ only in unread data become equal, which
  // lets the memo and the symmetry of floating writes (search.h) do their work.
  const std::string& data(int32_t id) const { return data_[id]; }
  bool data_is_null(int32_t id) const { return id == 0; }
  bool data_is_stand_in(int32_t id) const { return stand_in_.count(id) != 0; }
  int64_t initial_zmax() const { return initial_zmax_; }
  // Whether some operation or session end that may take effect can delete `path`.
  bool deletable(uint32_t path) const { return deletable_[path]; }
  // Whether `path` exists initially or some operation that may take effect can create it.
  bool can_exist(uint32_t path) const { return can_exist_[path]; }
  // Whether `data` is the initial data of `path` or written to it by an operation that may take
  // effect.
  bool can_hold(uint32_t path, int32_t data) const;
  // The largest version `path` can reach: its initial version plus the setData operations on it
  // that may take effect (a re-created node starts again at 0).
  int64_t max_version(uint32_t path) const { return max_version_[path]; }
  std::string describe_key(uint32_t key) const;

 private:
  uint32_t add_path(const std::string& p);
  int32_t intern(const Data& d);
  void prepare_op(const Operation& op, uint32_t index);
  Step make_step(const Request& r);
  void confirm_indeterminate_writes();
  void stand_in_unread_data();

  const History* h_;
  std::vector<std::string> paths_;
  std::unordered_map<std::string, uint32_t> path_ids_;
  std::vector<uint32_t> parent_;
  std::vector<std::vector<uint32_t>> children_;
  std::vector<std::string> data_;  // id 0 is null data
  std::unordered_map<std::string, int32_t> data_ids_;
  std::vector<KeyInfo> keys_;
  std::map<int64_t, uint32_t> session_keys_;
  std::map<std::pair<uint32_t, int64_t>, uint32_t> phantom_keys_;
  std::map<int64_t, std::vector<uint32_t>> ephemerals_;
  std::vector<POp> ops_;
  int64_t initial_zmax_ = 0;
  std::vector<bool> deletable_, can_exist_;
  std::vector<int64_t> max_version_;
  std::vector<std::vector<int32_t>> writable_data_;  // by path, sorted
  std::set<int32_t> stand_in_;
};

// Formats a sequential name suffix exactly as ZooKeeper does ("%010d" of the signed counter).
std::string sequence_suffix(int64_t counter);

}  // namespace faaskeeper::check::detail
