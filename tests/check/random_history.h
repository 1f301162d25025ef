// Test helper: random histories that are correct by construction.
//
// A sequential execution of a small reference model of the tree (independent of the checker's
// model) is generated first, one operation every 1000 ns; then each operation gets a session and
// an interval that contains its point, so the intervals overlap at random but every real-time
// and session-order constraint agrees with the sequential order. Some writes become
// indeterminate: half of them took effect, half did not.
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include "builder.h"

namespace faaskeeper::check::testing {

struct RandomSpec {
  uint32_t seed = 1;
  int ops = 300;
  int keys = 4;
  int sessions = 6;
  Nanos spread = 3000;        // max distance from an op's point to its invoke and to its complete
  double indeterminate = 0.05;  // fraction of writes whose answer is lost
  bool stats = true;          // writes report their stat (and so their zxid)
};

struct RandomHistory {
  History h;
  // For Ok getData ops: the state before the latest setData that completed before it was
  // invoked, i.e. a result it must not return ("" data means none).
  struct Stale {
    uint64_t op;
    std::string data;
    ObservedStat stat;
  };
  std::vector<Stale> stale_candidates;
};

inline RandomHistory random_history(const RandomSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

  struct Ref {
    bool exists = false;
    std::string data;
    int32_t version = 0;
    int64_t czxid = 0, mzxid = 0;
  };
  std::map<std::string, Ref> tree;
  // Last completed setData per key: (complete time, state before it).
  std::map<std::string, std::vector<std::pair<Nanos, Ref>>> before_set;
  HistoryBuilder b;
  b.node("/r", "", 0, 1, spec.keys / 2, spec.keys / 2);
  for (int k = 0; k < spec.keys; ++k) {
    std::string path = "/r/k" + std::to_string(k);
    if (k < spec.keys / 2) {
      b.node(path, "init" + std::to_string(k));
      tree[path] = Ref{true, "init" + std::to_string(k), 0, 1, 1};
    } else {
      tree[path] = Ref{};
    }
  }
  int64_t zxid = 1;
  std::vector<Nanos> last_invoke(spec.sessions, 0);
  RandomHistory result;
  auto stat_of = [&](const Ref& r) {
    return spec.stats ? std::optional<ObservedStat>(leaf(r.version, r.czxid, r.mzxid, static_cast<int32_t>(r.data.size())))
                      : std::nullopt;
  };

  for (int i = 0; i < spec.ops; ++i) {
    const Nanos point = 1000 * (i + 1);
    const int s = static_cast<int>(uni(0, spec.sessions - 1));
    const Nanos invoke = std::max(last_invoke[s] + 1, point - uni(0, spec.spread));
    const Nanos complete = point + uni(0, spec.spread);
    last_invoke[s] = invoke;
    const std::string path = "/r/k" + std::to_string(uni(0, spec.keys - 1));
    const std::string value = "v" + std::to_string(i);
    const int kind = static_cast<int>(uni(0, 99));
    const bool lost = kind >= 50 && chance(spec.indeterminate);  // a write whose answer is lost
    const bool happens = !lost || chance(0.5);                   // ...which may not have happened
    Ref& cur = tree[path];
    Ref n = cur;  // the state after this op
    int64_t z = zxid;
    Request req;
    Outcome o;
    if (kind < 40) {
      req = get(path);
      o = !n.exists ? fail(Error::NoNode)
                    : ok_data(n.data, leaf(n.version, n.czxid, n.mzxid, static_cast<int32_t>(n.data.size())));
    } else if (kind < 50) {
      req = exists(path);
      o = n.exists ? ok_stat(leaf(n.version, n.czxid, n.mzxid, static_cast<int32_t>(n.data.size()))) : ok();
    } else if (kind < 75) {
      int32_t version = chance(0.5) ? -1 : chance(0.7) ? n.version : n.version + 1;
      req = set(path, value, version);
      if (!n.exists) o = fail(Error::NoNode);
      else if (version != -1 && version != n.version) o = fail(Error::BadVersion);
      else {
        n.data = value;
        ++n.version;
        n.mzxid = ++z;
        o = Outcome::ok();
        o.stat = stat_of(n);
        if (!lost) before_set[path].push_back({complete, cur});
      }
    } else if (kind < 88) {
      req = create(path, value);
      if (n.exists) o = fail(Error::NodeExists);
      else {
        ++z;
        n = Ref{true, value, 0, z, z};
        o = ok_created(path, stat_of(n));
      }
    } else {
      int32_t version = chance(0.7) ? -1 : n.version;
      req = del(path, version);
      if (!n.exists) o = fail(Error::NoNode);
      else if (version != -1 && version != n.version) o = fail(Error::BadVersion);
      else {
        n = Ref{};
        ++z;
        o = Outcome::ok();
      }
    }
    if (lost) o = unknown();
    if (happens) {
      cur = n;
      zxid = z;
    }
    uint64_t id = b.op(s, invoke, complete, req, o);
    if (req.type == OpType::GetData && o.kind == OutcomeKind::Ok) {
      auto it = before_set.find(path);
      const Ref* pre = nullptr;
      if (it != before_set.end())
        for (const auto& [t, ref] : it->second)
          if (t < invoke) pre = &ref;  // the state before the latest set completed by now
      if (pre && pre->exists && pre->mzxid != cur.mzxid && pre->czxid == cur.czxid)
        result.stale_candidates.push_back(
            {id, pre->data, leaf(pre->version, pre->czxid, pre->mzxid, static_cast<int32_t>(pre->data.size()))});
    }
  }
  result.h = std::move(b.h);
  return result;
}

}  // namespace faaskeeper::check::testing
