#include "check/search.h"

#include <algorithm>
#include <unordered_set>

namespace faaskeeper::check::detail {

namespace {

constexpr uint32_t kNil = 0xffffffffu;

struct Event {
  Nanos time;
  bool response;
  uint32_t op;
};

// A memo entry is a 128-bit fingerprint of the linearized set (compressed: the index of the
// first word that is not all ones, then the words up to the last non-zero one) and the state.
// Storing fingerprints keeps an entry at ~50 bytes whatever the state size; two configurations
// collide with probability ~2^-128 per pair (below 1e-20 for a whole run), and a collision could
// only make the search miss a linearization, never invent one.
struct Fingerprint {
  uint64_t a, b;
  bool operator==(const Fingerprint& o) const { return a == o.a && b == o.b; }
};
struct FingerprintHash {
  size_t operator()(const Fingerprint& f) const { return f.a; }
};

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}
uint64_t mix2(uint64_t h, uint64_t v) {
  h = (h ^ (v * 0xc2b2ae3d27d4eb4fULL)) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

Fingerprint fingerprint(const std::vector<uint64_t>& bits, const std::vector<int64_t>& state) {
  size_t lo = 0, hi = bits.size();
  while (lo < bits.size() && bits[lo] == ~0ULL) ++lo;
  while (hi > lo && bits[hi - 1] == 0) --hi;
  uint64_t a = 0x243f6a8885a308d3ULL ^ lo, b = 0x13198a2e03707344ULL ^ (hi - lo);
  for (size_t i = lo; i < hi; ++i) {
    a = mix(a, bits[i]);
    b = mix2(b, bits[i]);
  }
  for (int64_t w : state) {
    a = mix(a, static_cast<uint64_t>(w));
    b = mix2(b, static_cast<uint64_t>(w));
  }
  return {a, b};
}

}  // namespace

SearchResult linearize(const std::vector<SearchOp>& ops, std::vector<int64_t> initial,
                       const SearchModel& model, const SearchBudget& budget) {
  SearchResult res;
  const uint32_t n = static_cast<uint32_t>(ops.size());
  if (n == 0) return res;

  // Determinate operations go into the event list. Operations that never complete "float":
  // they are only tried once every determinate candidate of a configuration has failed.
  std::vector<Event> ev;
  std::vector<uint32_t> floats;
  for (uint32_t i = 0; i < n; ++i) {
    if (ops[i].complete == kNever) {
      floats.push_back(i);
      continue;
    }
    ev.push_back({ops[i].invoke, false, i});
    ev.push_back({ops[i].complete, true, i});
  }
  // At equal times invocations come first: operations that touch at an instant are concurrent.
  std::sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.response != b.response) return !a.response;
    return a.op < b.op;
  });
  std::stable_sort(floats.begin(), floats.end(),
                   [&](uint32_t a, uint32_t b) { return ops[a].invoke < ops[b].invoke; });
  const uint32_t m = static_cast<uint32_t>(ev.size());
  const uint32_t head = m;
  std::vector<uint32_t> next(m + 1), prev(m + 1), call_at(n, kNil), response_at(n, kNil);
  for (uint32_t e = 0; e < m; ++e) {
    (ev[e].response ? response_at : call_at)[ev[e].op] = e;
    prev[e] = e == 0 ? head : e - 1;
    next[e] = e + 1 == m ? kNil : e + 1;
  }
  next[head] = m == 0 ? kNil : 0;
  prev[head] = kNil;
  auto unlink = [&](uint32_t e) {
    next[prev[e]] = next[e];
    if (next[e] != kNil) prev[next[e]] = prev[e];
  };
  auto relink = [&](uint32_t e) {
    next[prev[e]] = e;
    if (next[e] != kNil) prev[next[e]] = e;
  };

  std::vector<uint64_t> bits((n + 63) / 64, 0);
  auto has_bit = [&](uint32_t op) { return (bits[op / 64] >> (op % 64)) & 1; };
  auto set_bit = [&](uint32_t op) { bits[op / 64] |= 1ULL << (op % 64); };
  auto clear_bit = [&](uint32_t op) { bits[op / 64] &= ~(1ULL << (op % 64)); };

  struct Frame {
    uint32_t op;
    std::vector<int64_t> state;  // before op
    bool forced;                 // greedily linearized pure op: not a choice point
    bool floating;
    uint32_t cursor;             // event index (determinate) or index into floats
    Nanos limit;                 // floating: latest invocation eligible at that point
  };
  std::vector<Frame> stack;
  std::unordered_set<Fingerprint, FingerprintHash> memo;
  std::vector<int64_t> state = std::move(initial);
  int64_t best_depth = -1;

  // Partial-order reduction: the floating operations worth trying at a stuck point are those
  // in the conflict closure of the pending determinate operations.
  uint32_t nkeys = 0;
  for (const SearchOp& o : ops)
    for (const auto* v : {&o.obs, &o.mod, &o.cmod})
      for (uint32_t key : *v) nkeys = std::max(nkeys, key + 1);
  std::vector<uint8_t> candidate(floats.size(), 0);
  std::unordered_set<uint32_t> seen_classes;
  std::vector<uint8_t> kobs(nkeys), kmod(nkeys), kcmod(nkeys);
  auto absorb = [&](const SearchOp& o) {
    for (uint32_t key : o.obs) kobs[key] = 1;
    for (uint32_t key : o.mod) kmod[key] = 1;
    for (uint32_t key : o.cmod) kcmod[key] = 1;
  };
  auto conflicts = [&](const SearchOp& o) {
    for (uint32_t key : o.obs)
      if (kmod[key] || kcmod[key]) return true;
    for (uint32_t key : o.mod)
      if (kobs[key] || kmod[key] || kcmod[key]) return true;
    for (uint32_t key : o.cmod)
      if (kobs[key] || kmod[key]) return true;
    return false;
  };
  auto choose_candidates = [&](Nanos until) {
    std::fill(kobs.begin(), kobs.end(), 0);
    std::fill(kmod.begin(), kmod.end(), 0);
    std::fill(kcmod.begin(), kcmod.end(), 0);
    std::fill(candidate.begin(), candidate.end(), 0);
    for (uint32_t x = next[head]; x != kNil && !ev[x].response; x = next[x]) absorb(ops[ev[x].op]);
    // A pending operation whose call is not before the stuck response cannot come first;
    // the stuck operation itself is pending (its call precedes its response).
    for (bool grew = true; grew;) {
      grew = false;
      for (size_t j = 0; j < floats.size() && ops[floats[j]].invoke <= until; ++j) {
        if (candidate[j] || has_bit(floats[j]) || !conflicts(ops[floats[j]])) continue;
        candidate[j] = 1;
        absorb(ops[floats[j]]);
        grew = true;
      }
    }
    // Symmetry: of interchangeable operations, only the earliest unlinearized one.
    seen_classes.clear();
    for (size_t j = 0; j < floats.size() && ops[floats[j]].invoke <= until; ++j) {
      const uint32_t cls = ops[floats[j]].symmetry;
      if (!candidate[j] || cls == 0xffffffffu) continue;
      if (!seen_classes.insert(cls).second) candidate[j] = 0;
    }
  };

  // Whether, after `op`, some other pending determinate operation can never fit again.
  auto dooms_pending = [&](uint32_t op, const std::vector<int64_t>& after) {
    for (uint32_t x = next[head]; x != kNil && !ev[x].response; x = next[x]) {
      uint32_t o = ev[x].op;
      if (o != op && model.dead(o, after)) return true;
    }
    return false;
  };
  // Tries `op` in the current state; on success pushes the frame and moves to the new state.
  auto try_op = [&](uint32_t op, bool floating, uint32_t cursor, Nanos limit, bool& backtrack) {
    std::vector<int64_t> after = state;
    if (!model.step(op, after)) return false;
    const bool forced = ops[op].pure && after == state;
    set_bit(op);
    if (memo.insert(fingerprint(bits, after)).second && !dooms_pending(op, after)) {
      stack.push_back({op, std::move(state), forced, floating, cursor, limit});
      state = std::move(after);
      if (!floating) {
        unlink(call_at[op]);
        unlink(response_at[op]);
      }
      return true;
    }
    clear_bit(op);
    // (linearized + op, state) failed or is doomed; for a forced op, so does this configuration.
    backtrack = forced;
    return false;
  };

  bool floating = false;  // scanning the floating candidates rather than the event list
  uint32_t e = next[head];
  size_t k = 0;
  Nanos limit = 0;
  while (true) {
    if (next[head] == kNil) return res;  // every determinate operation is linearized
    ++res.steps;
    if ((budget.max_steps && res.steps > budget.max_steps) ||
        ((res.steps & 1023) == 0 && std::chrono::steady_clock::now() > budget.deadline)) {
      res.verdict = SearchVerdict::BudgetExhausted;
      return res;
    }

    bool backtrack = false;
    if (!floating) {
      if (!ev[e].response) {
        if (try_op(ev[e].op, false, e, 0, backtrack)) {
          e = next[head];
          continue;
        }
        if (!backtrack) e = next[e];
      } else {
        // The operation of this response is not linearized: record how far we got, then try
        // the floating operations invoked by now.
        if (static_cast<int64_t>(stack.size()) > best_depth) {
          best_depth = static_cast<int64_t>(stack.size());
          res.prefix.clear();
          for (const Frame& f : stack) res.prefix.push_back(f.op);
          res.stuck = ev[e].op;
          res.stuck_state = state;
        }
        floating = true;
        k = 0;
        limit = ev[e].time;
        choose_candidates(limit);
      }
      if (!backtrack) continue;
    } else {
      while (k < floats.size() && ops[floats[k]].invoke <= limit && (has_bit(floats[k]) || !candidate[k])) ++k;
      if (k < floats.size() && ops[floats[k]].invoke <= limit) {
        if (try_op(floats[k], true, static_cast<uint32_t>(k), limit, backtrack)) {
          floating = false;
          e = next[head];
        } else {
          ++k;
        }
        continue;
      }
      backtrack = true;  // no candidate left here
    }

    // Undo the most recent choice and try the next candidate after it.
    while (true) {
      if (stack.empty()) {
        res.verdict = SearchVerdict::NotLinearizable;
        return res;
      }
      Frame f = std::move(stack.back());
      stack.pop_back();
      clear_bit(f.op);
      state = std::move(f.state);
      if (!f.floating) {
        relink(response_at[f.op]);
        relink(call_at[f.op]);
      }
      if (f.forced) continue;
      floating = f.floating;
      if (floating) {
        k = f.cursor + 1;
        limit = f.limit;
        choose_candidates(limit);  // the configuration is the one f was chosen in
      } else {
        e = next[call_at[f.op]];
      }
      break;
    }
  }
}

}  // namespace faaskeeper::check::detail
