#include "check/partition.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace faaskeeper::check::detail {

namespace {

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void unite(size_t a, size_t b) { parent_[find(a)] = find(b); }

 private:
  std::vector<size_t> parent_;
};

bool may_take_effect(const POp& op) {
  return !op.rejected && !op.pure && op.outcome != OutcomeKind::Failed;
}

}  // namespace

Partitioning make_partitions(const Universe& u) {
  const auto& ops = u.ops();
  const size_t nkeys = u.keys().size();
  Partitioning out;
  Layout& L = out.layout;

  std::vector<Touch> touch(ops.size());
  std::vector<bool> observed(nkeys, false), modified(nkeys, false);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].rejected) continue;
    touch[i] = touches(u, ops[i]);
    for (const auto* list : {&touch[i].obs, &touch[i].counter_obs})
      for (uint32_t k : *list) observed[k] = true;
    if (may_take_effect(ops[i]))
      for (const auto* list : {&touch[i].mod, &touch[i].cmod, &touch[i].counter_mod, &touch[i].counter_cmod})
        for (uint32_t k : *list) modified[k] = true;
  }
  L.live.assign(nkeys, false);
  for (size_t k = 0; k < nkeys; ++k) L.live[k] = observed[k] && modified[k];

  // Union-find over operations (0..n-1) and keys (n..n+nkeys-1).
  const size_t n = ops.size();
  UnionFind uf(n + nkeys);
  std::vector<bool> in_footprint(nkeys, false);
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].rejected) {
      ++out.skipped_ops;
      continue;
    }
    auto join = [&](uint32_t key) {
      in_footprint[key] = true;
      uf.unite(i, n + key);
    };
    for (const Step& s : ops[i].steps) {
      if (s.path != kNone) join(u.node_key(s.path));
      if (s.created != kNone) join(u.node_key(s.created));
    }
    const Touch& t = touch[i];
    for (const auto* list : {&t.obs, &t.mod, &t.cmod, &t.counter_obs, &t.counter_mod, &t.counter_cmod})
      for (uint32_t k : *list)
        if (L.live[k]) join(k);
  }

  std::map<size_t, size_t> part_of_root;
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].rejected) continue;
    auto [it, fresh] = part_of_root.emplace(uf.find(i), out.parts.size());
    if (fresh) out.parts.emplace_back();
    out.parts[it->second].ops.push_back(static_cast<uint32_t>(i));
  }
  L.partition.assign(nkeys, kNone);
  L.offset.assign(nkeys, -1);
  std::vector<int32_t> next_offset(out.parts.size(), 1);  // word 0 is zmax
  for (size_t k = 0; k < nkeys; ++k) {
    if (!in_footprint[k]) continue;
    size_t p = part_of_root.at(uf.find(n + k));
    L.partition[k] = static_cast<uint32_t>(p);
    L.offset[k] = next_offset[p];
    next_offset[p] += static_cast<int32_t>(u.keys()[k].initial.size());
    out.parts[p].keys.push_back(static_cast<uint32_t>(k));
  }

  for (Partition& p : out.parts) {
    std::set<std::string> paths;
    for (uint32_t k : p.keys)
      if (u.keys()[k].kind == KeyKind::Node) paths.insert(u.path(u.keys()[k].path));
    size_t shown = 0;
    for (const auto& path : paths) {
      if (shown == 4) {
        p.name += " (+" + std::to_string(paths.size() - 4) + " more)";
        break;
      }
      p.name += (shown++ ? ", " : "") + path;
    }
    if (p.name.empty()) p.name = "session ends";
  }
  return out;
}

}  // namespace faaskeeper::check::detail
