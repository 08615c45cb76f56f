// linearizability.h — histories of concurrent map operations and a
// linearizability checker for them against a sequential map.
//
// History: one Op per completed operation, with its invocation and response
// stamped by the TSC (call < ret). Op a precedes op b in real time when
// a.ret < b.call; otherwise they overlap and may linearize in either order.
// Values written are unique per write (write_value(thread, index)), so a
// read names the write it observed.
//
// Locality: every operation touches exactly one key, and a map is a product
// of independent per-key registers, so a history is linearizable iff each
// key's sub-history is (Herlihy & Wing's locality; Porcupine partitions the
// same way). check_history() therefore checks key by key.
//
// Per key: Wing & Gong's search with Lowe's memoisation, in Porcupine's
// form. The call and return events sit in one doubly linked list in time
// order (ties: calls first, so equal stamps count as overlapping). Walking
// it, a call event is an op that may linearize next: apply it to the model;
// if its result matches and (linearized set ∪ {op}, new state) was never
// seen, lift the op's two events out of the list, push, and restart from the
// head. A return event met before its op was linearized means no pending op
// can go first: pop the last choice, put its events back, and try the next
// candidate after it. Empty list: linearizable. Empty stack at a return:
// not. The cache of (linearized bitset, state) pairs prunes every
// configuration already explored from a different order.
//
// Model state per key: absent, or present with a value. For witnesses
// (shrink()), a third initial state "unknown" stands for every initial state
// at once: the first op applied to it fixes it to whatever the op's result
// requires (get -> v: it held v; update -> true: it held something; ...),
// which is exact because only the state after that op is ever observed.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/common.h"

namespace lin {

enum class Kind : std::uint8_t { kGet, kInsert, kUpdate, kErase };

struct Op {
  std::uint64_t call = 0;  // TSC at invocation
  std::uint64_t ret = 0;   // TSC at response
  std::uint64_t key = 0;
  std::uint64_t arg = 0;   // insert/update: the value written
  std::uint64_t out = 0;   // get: the value returned (status kOk only)
  Kind kind = Kind::kGet;
  mapbench::Status status = mapbench::Status::kOk;
  std::uint16_t thread = 0;
  std::uint32_t index = 0;  // position in its thread's op sequence
};

// The value thread `t`'s op number `i` writes: unique per write, never a
// reserved value, and readable back in a witness as vT.I.
inline constexpr std::uint64_t write_value(std::uint32_t thread, std::uint32_t index) {
  return (std::uint64_t{thread} + 1) << 32 | index;
}

inline std::string show_value(std::uint64_t v) {
  char buf[48];
  const std::uint64_t hi = v >> 32;
  if (hi >= 1 && hi <= 65536)
    std::snprintf(buf, sizeof buf, "v%" PRIu64 ".%" PRIu64, hi - 1, v & 0xffffffffu);
  else
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

inline const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kGet: return "get";
    case Kind::kInsert: return "insert";
    case Kind::kUpdate: return "update";
    case Kind::kErase: return "erase";
  }
  return "?";
}

// "insert(k, v1.7) -> assigned", "get(k) -> v0.3", "erase(k) -> false".
inline std::string show_op(const Op& op) {
  using mapbench::Status;
  std::string s = kind_name(op.kind);
  s += (op.kind == Kind::kInsert || op.kind == Kind::kUpdate) ? "(k, " + show_value(op.arg) + ")" : "(k)";
  s += " -> ";
  switch (op.kind) {
    case Kind::kGet:
      if (op.status == Status::kOk) s += show_value(op.out);
      else if (op.status == Status::kNotFound) s += "absent";
      else s += mapbench::status_name(op.status);
      break;
    case Kind::kInsert: s += mapbench::status_name(op.status); break;
    case Kind::kUpdate:
    case Kind::kErase:
      if (op.status == Status::kOk) s += "true";
      else if (op.status == Status::kNotFound) s += "false";
      else s += mapbench::status_name(op.status);
      break;
  }
  return s;
}

// ---- the sequential model of one key ----

struct State {
  enum Tag : std::uint8_t { kAbsent, kPresent, kUnknown };
  Tag tag = kAbsent;
  std::uint64_t value = 0;  // kPresent only
  bool operator==(const State& o) const { return tag == o.tag && (tag != kPresent || value == o.value); }
};

enum class Initial { kAbsent, kAny };

// Applies `op` to `s`; false when the op's recorded result is not what the
// sequential map would return from `s` (then `next` is unspecified).
inline bool step(const State& s, const Op& op, State* next) {
  using mapbench::Status;
  const bool unknown = s.tag == State::kUnknown;
  const bool present = s.tag == State::kPresent;
  switch (op.kind) {
    case Kind::kGet:
      if (op.status == Status::kOk) {
        if (!unknown && !(present && s.value == op.out)) return false;
        *next = {State::kPresent, op.out};
        return true;
      }
      if (op.status == Status::kNotFound) {
        if (present) return false;
        *next = {State::kAbsent, 0};
        return true;
      }
      return false;
    case Kind::kInsert:
      if (op.status == Status::kInserted) {
        if (present) return false;
      } else if (op.status == Status::kAssigned) {
        if (!unknown && !present) return false;
      } else {
        return false;
      }
      *next = {State::kPresent, op.arg};
      return true;
    case Kind::kUpdate:
      if (op.status == Status::kOk) {
        if (!unknown && !present) return false;
        *next = {State::kPresent, op.arg};
        return true;
      }
      if (op.status == Status::kNotFound) {
        if (present) return false;
        *next = {State::kAbsent, 0};
        return true;
      }
      return false;
    case Kind::kErase:
      if (op.status == Status::kOk) {
        if (!unknown && !present) return false;
      } else if (op.status == Status::kNotFound) {
        if (present) return false;
      } else {
        return false;
      }
      *next = {State::kAbsent, 0};
      return true;
  }
  return false;
}

// ---- Wing–Gong search with memoisation, for one key ----

enum class Verdict { kLinearizable, kViolation, kGaveUp };

struct SearchStats {
  std::uint64_t steps = 0;   // list entries visited
  std::uint64_t states = 0;  // distinct (linearized set, state) pairs cached
};

namespace detail {

inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct CacheEntry {
  std::uint64_t hash;  // Zobrist hash of the bitset, mixed with the state
  State state;
  std::vector<std::uint64_t> bits;
  bool operator==(const CacheEntry& o) const { return hash == o.hash && state == o.state && bits == o.bits; }
};
struct CacheHash {
  std::size_t operator()(const CacheEntry& e) const { return static_cast<std::size_t>(e.hash); }
};

inline std::uint64_t state_hash(const State& s) {
  return s.tag == State::kPresent ? mix64(s.value ^ 0x5bd1e995u) : mix64(0x1234567u + s.tag);
}

}  // namespace detail

// Checks one key's ops (any order) from `init`. Gives up after `max_steps`
// list visits (0: never), which memoisation makes unreachable for the
// small, few-thread histories this project records.
inline Verdict check_key(const std::vector<Op>& ops, Initial init, std::uint64_t max_steps = 0,
                         SearchStats* stats = nullptr) {
  const std::size_t n = ops.size();
  if (n == 0) return Verdict::kLinearizable;
  // Events: 2i = call of op i, 2i+1 = its return. Sorted by time, calls
  // before returns on equal stamps.
  std::vector<std::uint32_t> order(2 * n);
  for (std::uint32_t i = 0; i < 2 * n; ++i) order[i] = i;
  auto stamp = [&](std::uint32_t e) { return (e & 1) ? ops[e >> 1].ret : ops[e >> 1].call; };
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t ta = stamp(a), tb = stamp(b);
    if (ta != tb) return ta < tb;
    if ((a & 1) != (b & 1)) return (a & 1) == 0;
    return a < b;
  });
  // Doubly linked list over event ids; node 2n is the head sentinel.
  const std::uint32_t head = static_cast<std::uint32_t>(2 * n), nil = head + 1;
  std::vector<std::uint32_t> next(2 * n + 1, nil), prev(2 * n + 1, nil);
  std::uint32_t last = head;
  for (std::uint32_t e : order) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  next[last] = nil;
  auto unlink = [&](std::uint32_t e) {
    next[prev[e]] = next[e];
    if (next[e] != nil) prev[next[e]] = prev[e];
  };
  auto relink = [&](std::uint32_t e) {
    next[prev[e]] = e;
    if (next[e] != nil) prev[next[e]] = e;
  };

  std::vector<std::uint64_t> zobrist(n);
  for (std::size_t i = 0; i < n; ++i) zobrist[i] = detail::mix64(i * 0x2545f4914f6cdd1dULL + 1);
  std::vector<std::uint64_t> bits((n + 63) / 64, 0);
  std::uint64_t bits_hash = 0;
  std::unordered_set<detail::CacheEntry, detail::CacheHash> cache;

  struct Frame {
    std::uint32_t call_event;
    State state;  // before the op
  };
  std::vector<Frame> stack;
  stack.reserve(n);
  State state = init == Initial::kAny ? State{State::kUnknown, 0} : State{State::kAbsent, 0};

  std::uint64_t steps = 0;
  Verdict verdict = Verdict::kLinearizable;
  std::uint32_t e = next[head];
  while (next[head] != nil) {
    if (max_steps && ++steps > max_steps) {
      verdict = Verdict::kGaveUp;
      break;
    }
    if (e == nil) {  // cannot happen: a return event always ends the scan
      verdict = Verdict::kViolation;
      break;
    }
    const std::uint32_t op = e >> 1;
    if ((e & 1) == 0) {
      State after;
      bool advanced = false;
      if (step(state, ops[op], &after)) {
        bits[op / 64] |= std::uint64_t{1} << (op % 64);
        const std::uint64_t h = bits_hash ^ zobrist[op];
        detail::CacheEntry entry{h ^ detail::state_hash(after), after, bits};
        if (cache.insert(std::move(entry)).second) {
          stack.push_back({e, state});
          state = after;
          bits_hash = h;
          unlink(e);
          unlink(e + 1);
          e = next[head];
          advanced = true;
        } else {
          bits[op / 64] &= ~(std::uint64_t{1} << (op % 64));
        }
      }
      if (!advanced) e = next[e];
    } else {
      if (stack.empty()) {
        verdict = Verdict::kViolation;
        break;
      }
      const Frame f = stack.back();
      stack.pop_back();
      const std::uint32_t back = f.call_event >> 1;
      state = f.state;
      bits[back / 64] &= ~(std::uint64_t{1} << (back % 64));
      bits_hash ^= zobrist[back];
      relink(f.call_event + 1);
      relink(f.call_event);
      e = next[f.call_event];
    }
  }
  if (stats) {
    stats->steps += steps;
    stats->states += cache.size();
  }
  return verdict;
}

// ---- whole histories ----

struct KeyFailure {
  std::uint64_t key = 0;
  Verdict verdict = Verdict::kViolation;
  std::vector<Op> ops;  // the key's whole sub-history, by call time
};

struct HistoryReport {
  std::size_t keys = 0;  // distinct keys checked
  SearchStats stats;
  std::vector<KeyFailure> failures;  // empty: linearizable
};

// Partitions `history` by key and checks each sub-history from an empty map.
inline HistoryReport check_history(const std::vector<Op>& history, std::uint64_t max_steps_per_key = 0) {
  std::unordered_map<std::uint64_t, std::vector<Op>> by_key;
  for (const Op& op : history) by_key[op.key].push_back(op);
  std::vector<std::uint64_t> keys;
  keys.reserve(by_key.size());
  for (const auto& kv : by_key) keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end());
  HistoryReport r;
  r.keys = keys.size();
  for (std::uint64_t k : keys) {
    std::vector<Op>& ops = by_key[k];
    const Verdict v = check_key(ops, Initial::kAbsent, max_steps_per_key, &r.stats);
    if (v == Verdict::kLinearizable) continue;
    std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) { return a.call < b.call; });
    r.failures.push_back({k, v, std::move(ops)});
  }
  return r;
}

// ---- witnesses ----

struct Witness {
  Initial init = Initial::kAbsent;  // the initial states it fails from
  std::vector<Op> ops;              // by call time
};

// Whether `op`, given its recorded result, changes its key's state: insert,
// and update or erase that returned true. A get, or an update or erase that
// found nothing, leaves it as it was in every valid linearization.
inline bool mutates(const Op& op) {
  if (op.kind == Kind::kGet) return false;
  if (op.kind == Kind::kInsert) return true;
  return op.status != mapbench::Status::kNotFound;
}

// Shrinks a non-linearizable key history to a small witness that is still
// a proof about the whole history. Dropping ops blindly is not: a witness
// could then fail only because it lost the write that explains one of its
// reads ("erase -> true, then get -> v" with v's writer dropped). An op may
// leave the witness when its removal cannot change what the remaining ops
// observe in any linearization of the history: it leaves the key unchanged
// (get, or update/erase that found nothing), or it lies wholly before every
// op kept (in any linearization it then goes before them all, into the
// initial value — so the witness is checked from every initial value) or
// wholly after them.
//
//  1. Window: the smallest run of the key's ops (by call time), closed
//     under overlap (every op overlapping the window's span joins it, and
//     the span grows), that is non-linearizable on its own from any
//     initial value.
//  2. Greedy: drop single ops from it while it stays non-linearizable and
//     the rule above allows, until no single op can go.
//
// When the history fails only from an empty map (e.g. a read of a value no
// write could have produced yet), windows start at the first op and
// nothing that changes the key may leave from before the witness.
inline Witness shrink(std::vector<Op> ops, std::uint64_t max_steps = 0) {
  Witness w;
  std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) { return a.call < b.call; });
  w.init = check_key(ops, Initial::kAny, max_steps) == Verdict::kViolation ? Initial::kAny : Initial::kAbsent;
  const std::size_t n = ops.size();

  // 1. The smallest failing overlap-closed window.
  auto window = [&](std::size_t i, std::size_t j, std::vector<Op>& out) {
    std::uint64_t lo = w.init == Initial::kAny ? ops[i].call : 0, hi = 0;
    for (std::size_t k = i; k <= j; ++k) hi = std::max(hi, ops[k].ret);
    for (bool grew = true; grew;) {
      grew = false;
      for (const Op& op : ops) {
        if (op.call > hi || op.ret < lo) continue;
        if (op.call < lo) lo = op.call, grew = true;
        if (op.ret > hi) hi = op.ret, grew = true;
      }
    }
    out.clear();
    for (const Op& op : ops)
      if (op.call <= hi && op.ret >= lo) out.push_back(op);
  };
  std::vector<Op> best = ops, cand;
  for (std::size_t i = 0; i < n && (i == 0 || w.init == Initial::kAny); ++i) {
    for (std::size_t j = i; j < n; ++j) {
      window(i, j, cand);
      if (cand.size() >= best.size()) break;
      if (check_key(cand, w.init, max_steps) == Verdict::kViolation) {
        best = cand;
        break;
      }
    }
  }
  ops = std::move(best);

  // 2. Greedy single-op removal.
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t i = ops.size(); i-- > 0;) {
      std::vector<Op> fewer;
      fewer.reserve(ops.size() - 1);
      std::uint64_t first_call = ~std::uint64_t{0}, last_ret = 0;
      for (std::size_t j = 0; j < ops.size(); ++j) {
        if (j == i) continue;
        fewer.push_back(ops[j]);
        first_call = std::min(first_call, ops[j].call);
        last_ret = std::max(last_ret, ops[j].ret);
      }
      const Op& gone = ops[i];
      if (mutates(gone) && !fewer.empty()) {
        const bool before = gone.ret < first_call && w.init == Initial::kAny;
        const bool after = gone.call > last_ret;
        if (!before && !after) continue;
      }
      if (check_key(fewer, w.init, max_steps) == Verdict::kViolation) {
        ops = std::move(fewer);
        changed = true;
      }
    }
  }
  w.ops = std::move(ops);
  return w;
}

// The witness as a table: each op's thread and position, the rank of its
// invocation and response among the witness's 2n events (by TSC), and the
// op with its arguments and result; every line starts with `indent`.
inline std::string describe(const Witness& w, std::uint64_t key, const std::string& indent = "") {
  const std::size_t n = w.ops.size();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> ev;
  for (std::uint32_t i = 0; i < n; ++i) {
    ev.push_back({w.ops[i].call, 2 * i});
    ev.push_back({w.ops[i].ret, 2 * i + 1});
  }
  std::sort(ev.begin(), ev.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if ((a.second & 1) != (b.second & 1)) return (a.second & 1) == 0;
    return a.second < b.second;
  });
  std::vector<std::size_t> rank(2 * n);
  for (std::size_t r = 0; r < ev.size(); ++r) rank[ev[r].second] = r + 1;
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "witness: key %" PRIu64 ", %zu ops, not linearizable %s\n", key, n,
                w.init == Initial::kAny ? "from any initial value of the key" : "from an empty map");
  out += line;
  std::snprintf(line, sizeof line, "    %-8s %-7s %-9s %s\n", "op", "called", "returned", "operation -> result");
  out += line;
  for (std::size_t i = 0; i < n; ++i) {
    const Op& op = w.ops[i];
    char id[32];
    std::snprintf(id, sizeof id, "T%u#%u", static_cast<unsigned>(op.thread), op.index);
    std::snprintf(line, sizeof line, "    %-8s %-7zu %-9zu %s\n", id, rank[2 * i], rank[2 * i + 1],
                  show_op(op).c_str());
    out += line;
  }
  std::snprintf(line, sizeof line,
                "    called/returned: order of these %zu invocation and response events by TSC; vT.I: the value\n"
                "    written by thread T's op I. Every other op on the key leaves it unchanged or lies wholly\n"
                "    %s these ops.\n",
                2 * n, w.init == Initial::kAny ? "before or after" : "after");
  out += line;
  if (indent.empty()) return out;
  std::string indented;
  for (std::size_t at = 0; at < out.size();) {
    const std::size_t eol = out.find('\n', at);
    indented += indent + out.substr(at, eol - at + 1);
    at = eol + 1;
  }
  return indented;
}

}  // namespace lin
