// test_differential.cc — every map design, single-threaded, against
// std::unordered_map: random get/insert/update/erase over a key universe
// that includes the keys next to the sentinels, the reserved keys and value,
// erase-then-reinsert storms, and a full-table case.
//
// Op count: kOps random ops per map (>= 1,000,000), multiplied by
// MAPBENCH_TEST_SCALE (test/native/run.sh sets 0.25 for the sanitizer
// builds; the release build always runs the full count).
//
// Long runs (scripts/differential-long.sh) set, all unset by default:
//   MAPBENCH_DIFF_OPS     random ops per map in the medium-table case, used
//                         as given (not scaled); the tiny-table case runs
//                         1/50 of it (at least 5,000)
//   MAPBENCH_DIFF_STORMS  erase/reinsert storms per medium-table run
//                         (default 8)
//   MAPBENCH_TEST_SEED    seeds the random cases (default: 42 medium, 7
//                         tiny) and shifts the full-table cases' key set
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check.h"
#include "maps.h"
#include "runtime/workload.h"

using mapbench::AnyMap;
using mapbench::Status;

namespace {

constexpr std::uint64_t kOps = 1'000'000;
constexpr std::uint64_t kMax = ~std::uint64_t{0};

// An unsigned environment variable, or `dflt` when unset or empty.
std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* s = std::getenv(name);
  return s && *s ? std::strtoull(s, nullptr, 0) : dflt;
}
const bool kSeedSet = [] {
  const char* s = std::getenv("MAPBENCH_TEST_SEED");
  return s && *s;
}();
const std::uint64_t kSeed = env_u64("MAPBENCH_TEST_SEED", 0);
const std::uint64_t kStorms = env_u64("MAPBENCH_DIFF_STORMS", 8);

// A map under test plus the reference it must agree with.
struct Differ {
  AnyMap& map;
  std::string label;
  std::unordered_map<std::uint64_t, std::uint64_t> ref;
  std::unordered_set<std::uint64_t> ever;  // distinct keys ever inserted
  std::uint64_t ops = 0;

  void get(std::uint64_t k) {
    std::uint64_t v = 0xdeadbeef;
    const Status s = map.get(k, &v);
    auto it = ref.find(k);
    if (it == ref.end()) {
      CHECK_EQ(s, Status::kNotFound, label, ": get(", k, ") at op ", ops);
    } else {
      CHECK_EQ(s, Status::kOk, label, ": get(", k, ") at op ", ops);
      CHECK_EQ(v, it->second, label, ": get(", k, ") value at op ", ops);
    }
    ++ops;
  }
  void insert(std::uint64_t k, std::uint64_t v) {
    const Status s = map.insert(k, v);
    auto [it, fresh] = ref.insert_or_assign(k, v);
    (void)it;
    CHECK_EQ(s, fresh ? Status::kInserted : Status::kAssigned, label, ": insert(", k, ") at op ", ops);
    ever.insert(k);
    ++ops;
  }
  void update(std::uint64_t k, std::uint64_t v) {
    const Status s = map.update(k, v);
    auto it = ref.find(k);
    if (it == ref.end()) {
      CHECK_EQ(s, Status::kNotFound, label, ": update(", k, ") at op ", ops);
    } else {
      CHECK_EQ(s, Status::kOk, label, ": update(", k, ") at op ", ops);
      it->second = v;
    }
    ++ops;
  }
  void erase(std::uint64_t k) {
    const Status s = map.erase(k);
    const bool had = ref.erase(k) == 1;
    CHECK_EQ(s, had ? Status::kOk : Status::kNotFound, label, ": erase(", k, ") at op ", ops);
    ++ops;
  }
  // Reserved keys and the reserved value: rejected, and the map unchanged.
  void reserved(mapbench::Rng& rng, const std::vector<std::uint64_t>& universe) {
    const std::uint64_t bad_key = rng.below(2);  // 0 or 1
    const std::uint64_t good_key = universe[rng.below(universe.size())];
    std::uint64_t v = 12345;
    switch (rng.below(7)) {
      case 0: CHECK_EQ(map.get(bad_key, &v), Status::kReservedKey, label); CHECK_EQ(v, 12345u, label); break;
      case 1: CHECK_EQ(map.insert(bad_key, 7), Status::kReservedKey, label); break;
      case 2: CHECK_EQ(map.update(bad_key, 7), Status::kReservedKey, label); break;
      case 3: CHECK_EQ(map.erase(bad_key), Status::kReservedKey, label); break;
      case 4: CHECK_EQ(map.insert(good_key, kMax), Status::kReservedKey, label, ": insert value 2^64-1");
              CHECK_EQ(map.insert(good_key, mapbench::kMaxUserValue + 1), Status::kReservedKey, label, ": insert 2^63-2");
              break;
      case 5: CHECK_EQ(map.update(good_key, kMax), Status::kReservedKey, label, ": update value 2^64-1"); break;
      case 6: CHECK_EQ(map.insert(bad_key, kMax), Status::kReservedKey, label); break;
    }
    get(good_key);  // unchanged by the rejected call
  }
  // Every universe key agrees with the reference; size and diagnostics hold.
  void full_check(const std::vector<std::uint64_t>& universe, const std::string& when) {
    for (std::uint64_t k : universe) get(k);
    mbtest::check_invariants(map, ref.size(), ever.size(), label + " " + when);
  }
};

std::uint64_t random_value(mapbench::Rng& rng) {
  switch (rng.below(16)) {
    case 0: return 0;
    case 1: return mapbench::kMaxUserValue;  // the largest legal value (a migrating lockfree cell: + 2 = 2^63-1)
    case 2: return mapbench::kMaxUserValue - 1;
    case 3: return 1;
    default: {
      const std::uint64_t v = rng.next() >> 1;
      return v > mapbench::kMaxUserValue ? v - 2 : v;
    }
  }
}

// Keys next to the sentinels and other edges of the 64-bit range.
std::vector<std::uint64_t> edge_keys() {
  return {2,           3,           4,           5,           kMax,        kMax - 1,    kMax - 2,
          kMax - 3,    1ULL << 63,  (1ULL << 63) - 1, (1ULL << 63) + 1, 1ULL << 32, (1ULL << 32) + 1,
          (1ULL << 32) - 1, 0x100,  0xff,        mapbench::key_of(0), mapbench::key_of(1)};
}

std::vector<std::uint64_t> make_universe(std::uint64_t n, std::uint64_t seed) {
  std::vector<std::uint64_t> u = edge_keys();
  if (u.size() > n) u.resize(n);
  std::unordered_set<std::uint64_t> seen(u.begin(), u.end());
  mapbench::Rng rng(seed);
  while (u.size() < n) {
    std::uint64_t k = rng.next();
    // Half random 64-bit keys, half small integers (dense, collide in low bits).
    if (rng.below(2)) k = 2 + rng.below(4 * n);
    if (!mapbench::is_user_key(k) || !seen.insert(k).second) continue;
    u.push_back(k);
  }
  return u;
}

// Random ops, then erase/reinsert storms, with periodic full checks.
void differential(const mbtest::MapConfig& cfg, std::uint64_t universe_size, std::uint64_t ops, std::uint64_t seed) {
  auto map = mbtest::make(cfg);
  // Fixed-capacity designs never see kFull here: the universe leaves at
  // least one slot free even when every key is live (or claimed, lockfree).
  // Growing ones (initial_capacity set) start small and grow past it.
  if (cfg.options.initial_capacity == 0) CHECK_LT(universe_size, map->capacity(), cfg.label);
  Differ t{*map, cfg.label, {}, {}, 0};
  const std::vector<std::uint64_t> universe = make_universe(universe_size, seed);
  mapbench::Rng rng(seed * 7 + 1);
  t.full_check(universe, "empty");

  const std::uint64_t storm_every = kStorms == 0 ? ops + 1 : ops / kStorms > 0 ? ops / kStorms : 1;
  for (std::uint64_t random_ops = 1; random_ops <= ops; ++random_ops) {
    const std::uint64_t k = universe[rng.below(universe.size())];
    const std::uint64_t r = rng.below(100);
    if (r < 30) t.get(k);
    else if (r < 60) t.insert(k, random_value(rng));
    else if (r < 74) t.update(k, random_value(rng));
    else if (r < 99) t.erase(k);
    else t.reserved(rng, universe);

    if (random_ops % storm_every == 0) {
      // Storm: erase a contiguous run of the universe, reinsert it, repeat;
      // drives tombstone purges in the locked tables and slot reuse in
      // lockfree.
      const std::size_t run = universe.size() / 4 + 1;
      for (int round = 0; round < 8; ++round) {
        const std::size_t from = rng.below(universe.size() - run + 1);
        for (std::size_t i = from; i < from + run; ++i) t.erase(universe[i]);
        if (round % 2 == 0) t.full_check(universe, "after storm erase");
        for (std::size_t i = from; i < from + run; ++i) t.insert(universe[i], random_value(rng));
      }
      t.full_check(universe, "after storm at op " + std::to_string(t.ops));
    }
  }
  // Erase everything, then fill everything.
  for (std::uint64_t k : universe) t.erase(k);
  t.full_check(universe, "after erasing all");
  for (std::uint64_t k : universe) t.insert(k, mapbench::value_of(k));
  t.full_check(universe, "after refilling all");
  const mapbench::Diagnostics d = map->diagnostics();
  std::printf("    %s: %llu random ops (%llu in all), size %zu, capacity %llu -> %llu, %llu rehashes, %llu tombstones\n",
              cfg.label.c_str(), static_cast<unsigned long long>(ops), static_cast<unsigned long long>(t.ops),
              t.ref.size(), static_cast<unsigned long long>(map->capacity()),
              static_cast<unsigned long long>(d.capacity), static_cast<unsigned long long>(d.rehashes),
              static_cast<unsigned long long>(d.tombstones));
}

// The batched forms (AnyMap::get_batch, ...) against the same reference,
// applied op by op in batch order: random batches of one kind, 1..70 keys
// (so groups of 16 split and keys repeat inside a batch), and batches with
// one sentinel, which must be rejected whole. A map that batches must give
// exactly the per-op answers.
void differential_batched(const mbtest::MapConfig& cfg, std::uint64_t universe_size, std::uint64_t ops,
                          std::uint64_t seed) {
  auto map = mbtest::make(cfg);
  CHECK_LT(universe_size, map->capacity(), cfg.label);
  Differ t{*map, cfg.label + " (batched)", {}, {}, 0};
  const std::vector<std::uint64_t> universe = make_universe(universe_size, seed);
  mapbench::Rng rng(seed * 13 + 5);
  std::vector<std::uint64_t> keys, values, got;
  std::vector<Status> st;
  while (t.ops < ops) {
    const std::size_t n = 1 + rng.below(70);
    keys.resize(n);
    values.resize(n);
    got.assign(n, 0);
    st.assign(n, Status::kOk);
    for (std::size_t i = 0; i < n; ++i) {
      keys[i] = universe[rng.below(universe.size())];
      values[i] = random_value(rng);
    }
    const std::uint64_t kind = rng.below(4);
    if (rng.below(50) == 0) {  // one sentinel: nothing happens
      const std::size_t bad = rng.below(n);
      const bool bad_value = kind != 0 && kind != 3 && rng.below(2);
      if (bad_value)
        values[bad] = kMax;
      else
        keys[bad] = rng.below(2);
      const Status r = kind == 0   ? map->get_batch(keys.data(), n, got.data())
                       : kind == 1 ? map->insert_batch(keys.data(), values.data(), n, st.data())
                       : kind == 2 ? map->update_batch(keys.data(), values.data(), n, st.data())
                                   : map->erase_batch(keys.data(), n, st.data());
      CHECK_EQ(r, Status::kReservedKey, t.label, ": batch with a sentinel");
      t.full_check(universe, "after a rejected batch");
      continue;
    }
    switch (kind) {
      case 0: {
        CHECK_EQ(map->get_batch(keys.data(), n, got.data()), Status::kOk, t.label);
        for (std::size_t i = 0; i < n; ++i) {
          auto it = t.ref.find(keys[i]);
          CHECK_EQ(got[i], it == t.ref.end() ? kMax : it->second, t.label, ": get_batch[", i, "] at op ", t.ops);
          ++t.ops;
        }
        break;
      }
      case 1: {
        CHECK_EQ(map->insert_batch(keys.data(), values.data(), n, st.data()), Status::kOk, t.label);
        for (std::size_t i = 0; i < n; ++i) {
          const bool fresh = t.ref.insert_or_assign(keys[i], values[i]).second;
          t.ever.insert(keys[i]);
          CHECK_EQ(st[i], fresh ? Status::kInserted : Status::kAssigned, t.label, ": insert_batch[", i, "] at op ",
                   t.ops);
          ++t.ops;
        }
        break;
      }
      case 2: {
        CHECK_EQ(map->update_batch(keys.data(), values.data(), n, st.data()), Status::kOk, t.label);
        for (std::size_t i = 0; i < n; ++i) {
          auto it = t.ref.find(keys[i]);
          CHECK_EQ(st[i], it == t.ref.end() ? Status::kNotFound : Status::kOk, t.label, ": update_batch[", i,
                   "] at op ", t.ops);
          if (it != t.ref.end()) it->second = values[i];
          ++t.ops;
        }
        break;
      }
      default: {
        CHECK_EQ(map->erase_batch(keys.data(), n, st.data()), Status::kOk, t.label);
        for (std::size_t i = 0; i < n; ++i) {
          const bool had = t.ref.erase(keys[i]) == 1;
          CHECK_EQ(st[i], had ? Status::kOk : Status::kNotFound, t.label, ": erase_batch[", i, "] at op ", t.ops);
          ++t.ops;
        }
        break;
      }
    }
  }
  t.full_check(universe, "after batches");
  std::printf("    %s: %llu batched ops, %s\n", cfg.label.c_str(), static_cast<unsigned long long>(t.ops),
              map->batches() ? "prefetching groups" : "op by op");
}

// Fills a small map with distinct keys until insert says kFull (or 4x the
// capacity went in, for designs that grow), then checks nothing was lost.
// Keys are key_of(key_base + i), i = 0, 1, ...
void full_table(const mbtest::MapConfig& cfg, std::uint64_t key_base) {
  auto map = mbtest::make(cfg);
  const std::uint64_t cap = map->capacity();
  Differ t{*map, cfg.label, {}, {}, 0};
  std::vector<std::uint64_t> keys;
  bool full = false;
  for (std::uint64_t i = 0; i < 4 * cap; ++i) {
    const std::uint64_t k = mapbench::key_of(key_base + i);
    const std::uint64_t v = mapbench::value_of(k);
    const Status s = map->insert(k, v);
    if (s == Status::kFull) {
      full = true;
      // A kFull insert leaves the map as it was, and keeps saying kFull.
      std::uint64_t got;
      CHECK_EQ(map->get(k, &got), Status::kNotFound, cfg.label, ": a rejected key became visible");
      CHECK_EQ(map->insert(k, v), Status::kFull, cfg.label);
      CHECK_EQ(map->insert(mapbench::key_of(key_base + i + 1), v), Status::kFull, cfg.label);
      break;
    }
    CHECK_EQ(s, Status::kInserted, cfg.label, ": key ", i);
    t.ref[k] = v;
    t.ever.insert(k);
    keys.push_back(k);
  }
  const bool sharded = cfg.design->sharded;
  const bool known_fixed = cfg.design->name == "mutex" || cfg.design->name == "rwlock" ||
                           cfg.design->name == "spin" || cfg.design->name == "lockfree";
  if (sharded) CHECK(!full, cfg.label, ": sharded shards grow, yet insert returned kFull");
  // Node-based designs (chains, read-mostly entry cells) have no slot limit.
  if (!cfg.design->open_addressing) CHECK(!full, cfg.label, ": a node-based design returned kFull");
  if (known_fixed) CHECK(full, cfg.label, ": a fixed-capacity design took ", keys.size(), " keys into ", cap, " slots");
  std::vector<std::uint64_t> absent;
  for (std::uint64_t i = keys.size() + 1; i < keys.size() + 200; ++i) absent.push_back(mapbench::key_of(key_base + i));

  if (full) {
    // Locked tables keep one slot empty (capacity - 1 keys); lockfree can
    // claim every slot.
    CHECK_GE(keys.size() + 1, cap, cfg.label, ": kFull before the table was full");
    CHECK_LE(keys.size(), cap, cfg.label);
    t.full_check(keys, "full");
    for (std::uint64_t k : absent) t.get(k);  // misses on a full table terminate
    // Assign and update still work when full.
    for (std::size_t i = 0; i < keys.size(); i += 3) t.insert(keys[i], i);
    for (std::size_t i = 1; i < keys.size(); i += 3) t.update(keys[i], i * 2);
    t.full_check(keys, "full, after assign/update");
    // Erase one key: it can come back.
    t.erase(keys[0]);
    t.get(keys[0]);
    t.insert(keys[0], 99);
    // Erase a quarter, reinsert them, and everything still reads back.
    for (std::size_t i = 0; i < keys.size(); i += 4) t.erase(keys[i]);
    t.full_check(keys, "full, after erasing a quarter");
    for (std::size_t i = 0; i < keys.size(); i += 4) t.insert(keys[i], i + 7);
    t.full_check(keys, "full again");
    for (std::uint64_t k : absent) t.get(k);
  } else if (!cfg.design->open_addressing) {
    // 4 x capacity keys went in: chains four long on average (chained keeps
    // its bucket count; check_invariants pins it).
    t.full_check(keys, "with " + std::to_string(keys.size()) + " keys");
    for (std::uint64_t k : absent) t.get(k);
    for (std::size_t i = 0; i < keys.size(); i += 2) t.erase(keys[i]);
    t.full_check(keys, "after erasing half");
  } else {
    const mapbench::Diagnostics d = map->diagnostics();
    // A peer whose library keeps its bucket count private (urcu) reports
    // capacity 0: its growth cannot be seen from outside.
    if (d.capacity != 0 || !cfg.design->peer) {
      CHECK_GT(d.capacity, cap, cfg.label, ": took ", keys.size(), " keys without growing");
      CHECK_GT(d.rehashes, 0u, cfg.label);
    }
    t.full_check(keys, "grown to " + std::to_string(d.capacity));
    for (std::uint64_t k : absent) t.get(k);
  }
  std::printf("    %s: capacity %llu, %s after %zu keys\n", cfg.label.c_str(), static_cast<unsigned long long>(cap),
              full ? "kFull" : cfg.design->open_addressing ? "grew" : "no limit", keys.size());
}

}  // namespace

int main() {
  mbtest::Suite suite("test_differential");
  const char* ops_env = std::getenv("MAPBENCH_DIFF_OPS");
  const bool ops_set = ops_env && *ops_env;
  const std::uint64_t ops = ops_set ? env_u64("MAPBENCH_DIFF_OPS", kOps) : mbtest::scaled(kOps, 50'000);
  const std::uint64_t tiny_ops = ops_set ? (ops / 50 > 5'000 ? ops / 50 : 5'000) : mbtest::scaled(20'000, 5'000);
  const std::uint64_t medium_seed = kSeedSet ? kSeed : 42;
  const std::uint64_t tiny_seed = kSeedSet ? kSeed * 31 + 7 : 7;
  // The full-table cases' keys: key_of(0, 1, ...) by default, a seed-dependent run of indices otherwise.
  const std::uint64_t key_base = kSeedSet ? (kSeed % 1'000'003) * 1'000'000 : 0;
  std::printf("ops per map: %llu (MAPBENCH_TEST_SCALE scales the 1,000,000 default)\n",
              static_cast<unsigned long long>(ops));
  if (ops_set || kSeedSet || kStorms != 8)
    std::printf(
        "long form: MAPBENCH_DIFF_OPS=%llu (tiny table %llu), MAPBENCH_DIFF_STORMS=%llu, seeds %llu/%llu, "
        "full-table key base %llu\n",
        static_cast<unsigned long long>(ops), static_cast<unsigned long long>(tiny_ops),
        static_cast<unsigned long long>(kStorms), static_cast<unsigned long long>(medium_seed),
        static_cast<unsigned long long>(tiny_seed), static_cast<unsigned long long>(key_base));

  // Medium table at 0.75 load: the universe nearly fills it.
  for (const auto& cfg : mbtest::map_configs(6000, 0.75))
    suite.run(cfg.label + ": " + std::to_string(ops) + " random ops vs std::unordered_map",
              [&] { differential(cfg, 7500, ops, medium_seed); });
  // The batched forms, medium and tiny tables (a tiny table's probe runs wrap inside a group).
  for (const auto& cfg : mbtest::map_configs(6000, 0.75))
    suite.run(cfg.label + ": batched ops vs std::unordered_map",
              [&] { differential_batched(cfg, 7500, ops / 4, medium_seed); });
  for (const auto& cfg : mbtest::map_configs(10, 0.9, 2))
    suite.run(cfg.label + ": tiny table, batched ops", [&] { differential_batched(cfg, 10, tiny_ops, tiny_seed); });
  // Tiny table: every probe wraps, every erase purges.
  for (const auto& cfg : mbtest::map_configs(10, 0.9, 2))
    suite.run(cfg.label + ": tiny table, " + (ops_set ? std::to_string(tiny_ops) + " ops" : std::string("20k ops")),
              [&] { differential(cfg, 10, tiny_ops, tiny_seed); });
  // Growing lock-free tables from 8 slots: the universe makes them migrate
  // (grow, and rehash in place through the storms) many times.
  for (auto cfg : mbtest::map_configs(6000, 0.75)) {
    if (cfg.options.design != "lockfree" && cfg.options.design != "lockfree-freeze") continue;
    cfg.options.initial_capacity = 8;
    cfg.options.max_load_factor = 0.75;
    cfg.label += " grow-from-8";
    suite.run(cfg.label + ": " + std::to_string(ops) + " random ops vs std::unordered_map",
              [&, cfg] { differential(cfg, 7500, ops, medium_seed); });
  }
  // Full table.
  for (const auto& cfg : mbtest::map_configs(100, 0.5, 4))
    suite.run(cfg.label + ": insert until full", [&] { full_table(cfg, key_base); });
  // A full large table (several lines per probe run, huge-page sized allocation).
  for (const auto& cfg : mbtest::map_configs(10000, 0.95, 4))
    suite.run(cfg.label + ": insert until full (large)", [&] { full_table(cfg, key_base); });

  // The catalogue itself: every map design was exercised.
  suite.run("every map design is covered", [&] {
    int maps = 0;
    for (const auto& d : mapbench::designs()) maps += d.kind == mapbench::DesignKind::kMap;
    CHECK_GE(maps, 5, "expected at least mutex, rwlock, spin, sharded, lockfree");
    std::printf("    %d map designs, %zu configurations\n", maps, mbtest::map_configs(6000, 0.75).size());
  });
  return suite.finish();
}
