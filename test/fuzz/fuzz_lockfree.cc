// fuzz_lockfree.cc — libFuzzer target: the input bytes are a sequence of map
// operations, applied single-threaded through AnyMap (make_map) to a map of
// small capacity and mirrored on a reference model with the same
// fixed-capacity rules. Any disagreement, or a broken diagnostics()
// invariant, traps (after printing what disagreed to stderr).
//
// Input layout
//   byte 0   design: bits 4-5 pick the group; in group 0 the value mod 8
//            picks 0-3 lockfree, 4 mutex, 5 rwlock, 6 spin, 7 sharded;
//            group 1: a growing table (initial capacity = the capacity
//            below, so it grows within a few inserts) — lockfree (lock-free
//            migration), lockfree-freeze, mutex or sharded by value mod 4;
//            group 2: chained or chained-pool (bit 0); group 3: readmostly;
//            bit 6: string keys (str:1-12) where the design has them
//   byte 1   capacity: 8 + 4 * (b % 7) slots (8..32); for sharded also
//            the lock, (b / 7) % 3 (mutex, spin, rw), and the shards,
//            1 << ((b / 21) % 3) (1, 2, 4); bit 3 of byte 0 picks pad 128
//   then ops, each an op byte followed by its operands (missing operand
//   bytes read as 0):
//     op % 8:  0 get K          1 insert K V      2 update K V     3 erase K
//              4 insert K V     5 check (every key of the alphabet)
//              6 erase K, then insert K V (reinsert)
//              7 run N K V: insert (op bit 3 clear) or erase (set) the
//                N = 1 + (op >> 4) keys of the alphabet from K on
//   K        a key index into a 64-key alphabet: the reserved keys 0 and 1,
//            the keys next to the sentinels (2, 3, 4, 2^64-1, 2^64-2, ...)
//            and small and scattered keys
//   V        a value: < 16 picks a table entry (0, 1, the largest legal
//            2^63-3, the reserved 2^63-2 and 2^64-1, ...); otherwise a
//            byte-derived 64-bit value (reserved when bit 63 is set)
//
// The model (see native/maps/lockfree_map.h invariant 4 and native/maps/open_table.h
// invariant 1):
//   lockfree  never frees a claimed key slot: insert of a key that never
//             held a slot returns kFull once `capacity` distinct keys have
//             been claimed; entries + tombstones == claimed keys.
//   mutex, rwlock, spin   keep one slot empty: insert of an absent key
//             returns kFull when capacity - 1 keys are live; tombstones are
//             purged once they reach capacity / 16 (at these sizes: at 1 or 2).
//   sharded   shards grow: never kFull.
//   growing tables, chained, readmostly   never kFull; only what holds for
//             every map is checked (sizes, entries, and for open addressing
//             entries + tombstones <= capacity).
// A kFull insert must leave the map unchanged. Reserved keys (0, 1) and
// reserved values (above 2^63-3) give kReservedKey and change nothing.
//
// Replay: ./fuzz_lockfree <file> runs one input; MAPBENCH_FUZZ_TRACE=1 also
// prints every operation and its result.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "runtime/common.h"
#include "catalogue/catalogue.h"

using mapbench::AnyMap;
using mapbench::Status;

namespace {

constexpr std::uint64_t kMax = ~std::uint64_t{0};

const std::uint64_t* key_alphabet() {
  // The reserved keys (kEmptyKey, kTombstoneKey) first, then the keys next
  // to the sentinels and at the edges of the 64-bit range.
  // clang-format off
  static std::uint64_t keys[64] = {
      0, 1,
      2, 3, 4, 5, kMax, kMax - 1, kMax - 2, kMax - 3,
      1ULL << 63, (1ULL << 63) - 1, (1ULL << 63) + 1, 1ULL << 32, (1ULL << 32) - 1, (1ULL << 32) + 1,
      0xff, 0x100, 0x101, 0xdeadbeef};
  // clang-format on
  static bool init = [] {
    // The rest: small consecutive keys (dense, many share a home slot in a
    // tiny table), then scattered ones.
    std::size_t i = 20;
    for (std::uint64_t k = 6; i < 48; ++k) keys[i++] = k;
    for (std::uint64_t s = 1; i < 64; ++s) keys[i++] = mapbench::hash_key(s) | 2;
    return true;
  }();
  (void)init;
  return keys;
}

std::uint64_t value_of_byte(std::uint8_t b) {
  // Values above kMaxUserValue (2^63-3) are reserved; kMaxUserValue is the
  // largest legal one (a migrating lock-free cell holds it + 2, just below
  // the frozen bit).
  constexpr std::uint64_t kTop = mapbench::kMaxUserValue;
  // clang-format off
  static constexpr std::uint64_t table[16] = {
      0, 1, 2, kTop, kMax, kTop - 1, 1ULL << 63, 42,
      0xffffffff, 0x100000000, 7, kTop + 1, (1ULL << 63) - 1, 3, 1000, kTop};
  // clang-format on
  if (b < 16) return table[b];
  return (static_cast<std::uint64_t>(b) * 0x9e3779b97f4a7c15ULL) ^ (static_cast<std::uint64_t>(b) << 56);
}

bool trace_enabled() {
  static const bool on = [] {
    const char* s = std::getenv("MAPBENCH_FUZZ_TRACE");
    return s && *s && *s != '0';
  }();
  return on;
}

struct Reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  bool done() const { return pos >= size; }
  std::uint8_t next() { return pos < size ? data[pos++] : 0; }
};

enum class Family { kLockFree, kLocked, kSharded, kUnbounded };

class Harness {
 public:
  Harness(std::unique_ptr<AnyMap> map, Family family) : map_(std::move(map)), family_(family) {
    cap_ = map_->capacity();
    label_ = map_->options().design;
    const std::string& design = map_->options().design;
    if (design == "sharded" || design.rfind("chained", 0) == 0)
      label_ += ":lock" + std::to_string(static_cast<int>(map_->options().lock)) + " x" +
                std::to_string(map_->options().shards);
    label_ += " cap " + std::to_string(cap_);
  }

  // A key the map takes: a user key, or for a string key type a word of
  // its arena (catalogue/string_keyed.h), the rest rejected like sentinels.
  bool user_key(std::uint64_t k) const {
    const mapbench::KeyArena* a = map_->arena();
    return a ? k >= mapbench::kFirstUserKey && k - mapbench::kFirstUserKey < a->size() : mapbench::is_user_key(k);
  }

  void get(std::uint64_t k) {
    std::uint64_t v = 0x5eed;
    const Status s = map_->get(k, &v);
    trace("get", k, 0, s);
    if (!user_key(k)) {
      expect(s == Status::kReservedKey, "get of a reserved key", k, s);
      expect(v == 0x5eed, "get of a reserved key wrote the value", k, s);
      return;
    }
    auto it = live_.find(k);
    if (it == live_.end()) {
      expect(s == Status::kNotFound, "get of an absent key", k, s);
      expect(v == 0x5eed, "get miss wrote the value", k, s);
    } else {
      expect(s == Status::kOk, "get of a present key", k, s);
      expect(v == it->second, "get returned the wrong value", k, s, v, it->second);
    }
  }

  void insert(std::uint64_t k, std::uint64_t v) {
    const Status s = map_->insert(k, v);
    trace("insert", k, v, s);
    if (!user_key(k) || !mapbench::is_user_value(v)) {
      expect(s == Status::kReservedKey, "insert of a reserved key or value", k, s);
      return;
    }
    auto it = live_.find(k);
    if (it != live_.end()) {
      expect(s == Status::kAssigned, "insert of a present key", k, s);
      it->second = v;
      return;
    }
    if (would_be_full(k)) {
      expect(s == Status::kFull, "insert into a full table", k, s);
      // Unchanged: the key is still absent (checked by get) and the
      // invariants (checked after every op) still hold.
      get(k);
      return;
    }
    expect(s == Status::kInserted, "insert of an absent key", k, s);
    live_.emplace(k, v);
    claimed_.insert(k);
  }

  void update(std::uint64_t k, std::uint64_t v) {
    const Status s = map_->update(k, v);
    trace("update", k, v, s);
    if (!user_key(k) || !mapbench::is_user_value(v)) {
      expect(s == Status::kReservedKey, "update with a reserved key or value", k, s);
      return;
    }
    auto it = live_.find(k);
    if (it == live_.end()) {
      expect(s == Status::kNotFound, "update of an absent key", k, s);
    } else {
      expect(s == Status::kOk, "update of a present key", k, s);
      it->second = v;
    }
  }

  void erase(std::uint64_t k) {
    const Status s = map_->erase(k);
    trace("erase", k, 0, s);
    if (!user_key(k)) {
      expect(s == Status::kReservedKey, "erase of a reserved key", k, s);
      return;
    }
    const bool had = live_.erase(k) == 1;
    expect(s == (had ? Status::kOk : Status::kNotFound), had ? "erase of a present key" : "erase of an absent key", k,
           s);
  }

  // size() and diagnostics() against the model; cheap at these capacities,
  // so it runs after every op.
  void check_invariants() {
    const std::uint64_t size = map_->size();
    expect_eq(size, live_.size(), "size() vs the model");
    const mapbench::Diagnostics d = map_->diagnostics();
    expect_eq(d.entries, size, "diagnostics().entries vs size()");
    expect(d.design == map_->options().design, "diagnostics().design", 0, Status::kOk);
    const mapbench::Design* info = mapbench::find_design(map_->options().design);
    if (info && info->open_addressing)
      expect(d.entries + d.tombstones <= d.capacity, "entries + tombstones > capacity", 0, Status::kOk, d.tombstones,
             d.capacity);
    std::uint64_t probed = 0;
    for (auto c : d.probes.counts) probed += c;
    switch (family_) {
      case Family::kLockFree:
        expect_eq(d.capacity, cap_, "lockfree diagnostics().capacity");
        expect_eq(d.entries + d.tombstones, claimed_.size(), "lockfree entries + tombstones vs claimed slots");
        expect_eq(probed, d.entries + d.tombstones, "lockfree probe histogram vs claimed slots");
        break;
      case Family::kLocked: {
        expect_eq(d.capacity, cap_, "locked diagnostics().capacity");
        expect(d.entries + d.tombstones <= cap_ - 1, "locked table left no empty slot", 0, Status::kOk, d.tombstones,
               d.entries);
        const std::uint64_t purge_at = cap_ / 16 > 0 ? cap_ / 16 : 1;
        expect(d.tombstones < purge_at, "tombstones not purged at capacity / 16", 0, Status::kOk, d.tombstones,
               purge_at);
        expect_eq(probed, d.entries, "locked probe histogram vs entries");
        break;
      }
      case Family::kSharded: {
        expect(d.capacity >= cap_, "sharded capacity shrank", 0, Status::kOk, d.capacity, cap_);
        expect_eq(probed, d.entries, "sharded probe histogram vs entries");
        std::uint64_t se = 0, sc = 0;
        for (auto v : d.shard_entries) se += v;
        for (auto v : d.shard_capacity) sc += v;
        expect_eq(d.shard_entries.size(), map_->options().shards, "sharded shard count");
        expect_eq(se, d.entries, "shard entries sum");
        expect_eq(sc, d.capacity, "shard capacities sum");
        break;
      }
      case Family::kUnbounded:
        expect(d.capacity >= 1, "capacity", 0, Status::kOk, d.capacity);
        break;
    }
    if (probed > 0) expect(d.max_probe >= 1 && d.mean_probe >= 1.0, "probe summary", 0, Status::kOk);
  }

  void check_all() {
    const std::uint64_t* keys = key_alphabet();
    for (int i = 0; i < 64; ++i) get(keys[i]);
  }

 private:
  bool would_be_full(std::uint64_t k) const {
    switch (family_) {
      case Family::kLockFree:
        return !claimed_.count(k) && claimed_.size() >= cap_;
      case Family::kLocked:
        return live_.size() >= cap_ - 1;
      case Family::kSharded:
      case Family::kUnbounded:
        return false;
    }
    return false;
  }

  void trace(const char* op, std::uint64_t k, std::uint64_t v, Status s) {
    ++ops_;
    if (trace_enabled())
      std::fprintf(stderr, "  #%llu %s(%llu, %llu) -> %s\n", static_cast<unsigned long long>(ops_), op,
                   static_cast<unsigned long long>(k), static_cast<unsigned long long>(v), mapbench::status_name(s));
  }

  void expect(bool ok, const char* what, std::uint64_t k, Status s, std::uint64_t a = 0, std::uint64_t b = 0) {
    if (ok) return;
    std::fprintf(stderr,
                 "fuzz_lockfree: %s: %s at op %llu (key %llu, status %s, %llu vs %llu; model: %zu live, %zu "
                 "claimed)\n",
                 label_.c_str(), what, static_cast<unsigned long long>(ops_), static_cast<unsigned long long>(k),
                 mapbench::status_name(s), static_cast<unsigned long long>(a), static_cast<unsigned long long>(b),
                 live_.size(), claimed_.size());
    std::fflush(stderr);
    __builtin_trap();
  }
  void expect_eq(std::uint64_t a, std::uint64_t b, const char* what) { expect(a == b, what, 0, Status::kOk, a, b); }

  std::unique_ptr<AnyMap> map_;
  Family family_;
  std::uint64_t cap_ = 0;
  std::string label_;
  std::unordered_map<std::uint64_t, std::uint64_t> live_;
  std::unordered_set<std::uint64_t> claimed_;  // lockfree: keys that ever held a slot
  std::uint64_t ops_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Reader in{data, size};
  const std::uint8_t design_byte = in.next();
  const std::uint8_t cap_byte = in.next();

  mapbench::MapOptions o;
  o.huge_pages = false;
  const std::uint64_t cap = 8 + 4 * (cap_byte % 7);
  // capacity_for(cap / 2, 0.5) == cap: cap is a whole number of lines.
  o.expected_entries = cap / 2;
  o.load_factor = 0.5;
  Family family = Family::kLockFree;
  static constexpr mapbench::LockKind locks[3] = {mapbench::LockKind::kMutex, mapbench::LockKind::kSpin,
                                                  mapbench::LockKind::kRw};
  const unsigned group = (design_byte >> 4) & 3;
  if (group == 1) {
    static const char* growing[4] = {"lockfree", "lockfree-freeze", "mutex", "sharded"};
    o.design = growing[design_byte % 4];
    o.initial_capacity = cap;
    if (o.design == "sharded") {
      o.lock = locks[(cap_byte / 7) % 3];
      o.shards = 1u << ((cap_byte / 21) % 3);
    }
    family = Family::kUnbounded;
  } else if (group == 2) {
    o.design = (design_byte & 1) ? "chained-pool" : "chained";
    o.lock = locks[(cap_byte / 7) % 3];
    o.shards = 1u << ((cap_byte / 21) % 3);
    family = Family::kUnbounded;
  } else if (group == 3) {
    o.design = "readmostly";
    family = Family::kUnbounded;
  } else switch (design_byte % 8) {
    case 4:
      o.design = "mutex";
      family = Family::kLocked;
      break;
    case 5:
      o.design = "rwlock";
      family = Family::kLocked;
      break;
    case 6:
      o.design = "spin";
      family = Family::kLocked;
      break;
    case 7: {
      o.design = "sharded";
      family = Family::kSharded;
      o.lock = locks[(cap_byte / 7) % 3];
      o.shards = 1u << ((cap_byte / 21) % 3);
      o.pad = (design_byte & 8) ? 128 : 64;
      break;
    }
    default:
      o.design = "lockfree";
      break;
  }
  // Bit 6: string keys (str:1-12, an arena of 2 x expected_entries keys:
  // alphabet words 2.. up to it are keys, the rest are refused), where the
  // design has a string form that grows as asked.
  const mapbench::Design* chosen = mapbench::find_design(o.design);
  if ((design_byte & 0x40) && mapbench::kHaveStringKeys && chosen && chosen->string_keys &&
      (o.initial_capacity == 0 || chosen->string_growable))
    mapbench::parse_key_type("str:1-12", &o.key_type);
  if (!mapbench::validate(o).empty()) __builtin_trap();  // every choice above is valid
  Harness h(mapbench::make_map(o), family);
  if (trace_enabled())
    std::fprintf(stderr, "fuzz_lockfree: design %s, keys %s, capacity %llu, shards %u\n", o.design.c_str(),
                 o.key_type.name().c_str(), static_cast<unsigned long long>(cap), o.shards);

  const std::uint64_t* keys = key_alphabet();
  h.check_invariants();
  while (!in.done()) {
    const std::uint8_t op = in.next();
    switch (op % 8) {
      case 0:
        h.get(keys[in.next() % 64]);
        break;
      case 1:
      case 4: {
        const std::uint64_t k = keys[in.next() % 64];
        h.insert(k, value_of_byte(in.next()));
        break;
      }
      case 2: {
        const std::uint64_t k = keys[in.next() % 64];
        h.update(k, value_of_byte(in.next()));
        break;
      }
      case 3:
        h.erase(keys[in.next() % 64]);
        break;
      case 5:
        h.check_all();
        break;
      case 6: {
        const std::uint64_t k = keys[in.next() % 64];
        h.erase(k);
        h.insert(k, value_of_byte(in.next()));
        break;
      }
      case 7: {
        const unsigned n = 1 + (op >> 4);
        const unsigned from = in.next() % 64;
        const std::uint64_t v = value_of_byte(in.next());
        for (unsigned i = 0; i < n; ++i) {
          const std::uint64_t k = keys[(from + i) % 64];
          if (op & 8)
            h.erase(k);
          else
            h.insert(k, v + i);
        }
        break;
      }
    }
    h.check_invariants();
  }
  h.check_all();
  h.check_invariants();
  return 0;
}
