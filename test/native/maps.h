// maps.h — what the native map tests share: every map configuration to run
// (derived from mapbench::designs(), so a new design is tested without
// editing a test) and the structural invariant check run after each phase.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "peers/peers.h"

namespace mbtest {

struct MapConfig {
  std::string label;  // "mutex", "sharded:spin:128", ...
  mapbench::MapOptions options;
  const mapbench::Design* design;
};

inline const char* lock_name(mapbench::LockKind k) {
  switch (k) {
    case mapbench::LockKind::kMutex: return "mutex";
    case mapbench::LockKind::kSpin: return "spin";
    case mapbench::LockKind::kRw: return "rw";
  }
  return "?";
}

// Every design whose kind is "map", sized for `expected_entries` at
// `load_factor`. Sharded designs are expanded over every lock kind and every
// pad (0 = packed, 64, 128), with the largest power-of-two shard count <=
// max_shards that the size allows; chained designs over the mutex and spin
// stripe locks, with max_shards stripes. MAPBENCH_TEST_FILTER=substring
// keeps only matching labels.
inline std::vector<MapConfig> map_configs(std::uint64_t expected_entries, double load_factor,
                                          std::uint32_t max_shards = 16) {
  const char* filter = std::getenv("MAPBENCH_TEST_FILTER");
  std::vector<MapConfig> out;
  auto add = [&](MapConfig c) {
    if (filter && *filter && c.label.find(filter) == std::string::npos) return;
    out.push_back(std::move(c));
  };
  for (const auto& d : mapbench::designs()) {
    if (d.kind != mapbench::DesignKind::kMap) continue;
    mapbench::MapOptions o;
    o.design = d.name;
    o.expected_entries = expected_entries;
    o.load_factor = load_factor;
    o.huge_pages = false;
    if (d.name == "chained" || d.name == "chained-pool") {
      for (auto lock : {mapbench::LockKind::kMutex, mapbench::LockKind::kSpin}) {
        mapbench::MapOptions co = o;
        co.lock = lock;
        co.shards = max_shards;
        add({d.name + ":" + lock_name(lock) + " x" + std::to_string(co.shards), co, &d});
      }
      continue;
    }
    if (!d.sharded) {
      add({d.name, o, &d});
      continue;
    }
    for (auto lock : {mapbench::LockKind::kMutex, mapbench::LockKind::kSpin, mapbench::LockKind::kRw}) {
      for (std::uint32_t pad : {64u, 128u, 0u}) {
        mapbench::MapOptions so = o;
        so.lock = lock;
        so.pad = pad;
        so.shards = max_shards;
        while (so.shards > 1 && !mapbench::validate(so).empty()) so.shards /= 2;
        add({d.name + ":" + lock_name(lock) + ":" + (pad ? std::to_string(pad) : std::string("packed")) + " x" +
                 std::to_string(so.shards),
             so, &d});
      }
    }
  }
  return out;
}

inline std::unique_ptr<mapbench::AnyMap> make(const MapConfig& c) {
  const std::string bad = mapbench::validate(c.options);
  CHECK(bad.empty(), c.label, ": ", bad);
  auto m = mapbench::make_map(c.options);
  CHECK(m != nullptr, c.label);
  return m;
}

// Structural invariants of a quiescent map that should hold `entries` live
// keys, after `ever_inserted` distinct keys have been inserted into it over
// its life (pass ~0 when unknown):
//   size() and diagnostics().entries both equal `entries`;
// then, by design family (DesignInfo::open_addressing):
// chained (check_chained): the bucket count is a power of two, at least the
//   configured one and the stripe count, and never changes; every node
//   reached walking the buckets is counted by its stripe (nodes == entries),
//   the chain-position histogram counts each exactly once, no tombstones;
// readmostly (check_readmostly): entry cells reachable = live entries +
//   deleted cells still held (tombstones); capacity covers the live entries;
// open addressing (the rest):
//   entries + tombstones <= capacity, and tombstones <= keys that were
//   inserted and are now absent (an erase leaves at most one tombstone, and
//   re-inserting a key reuses one); for lockfree without migrations, whose claimed slots are
//   never freed, entries + tombstones == ever_inserted exactly;
//   load factor == entries / capacity; the probe histogram counts every live
//   key (and at most the tombstones besides); per-shard figures sum up.
// Peers (native/peers/) report what their library exposes: no probe
// lengths and no tombstones; a chained peer's capacity is its bucket count
// (its load factor may pass 1); urcu keeps its bucket count private and
// reports capacity 0 (unknown). What a peer does report must hold together.
inline void check_peer(mapbench::AnyMap& m, const mapbench::Diagnostics& d, const mapbench::Design& p,
                       const std::string& ctx) {
  CHECK(p.built(), ctx);
  CHECK_EQ(d.tombstones, 0u, ctx);
  std::uint64_t probed = 0;
  for (auto c : d.probes.counts) probed += c;
  CHECK_EQ(probed, 0u, ctx, ": a peer has no probe lengths to report");
  CHECK_GE(d.table_bytes, d.entries * 16, ctx, ": fewer than 16 bytes per entry");
  CHECK(d.shard_entries.empty(), ctx);
  if (d.capacity == 0) {
    CHECK_EQ(std::string(p.name), std::string("urcu"), ctx, ": only urcu hides its capacity");
    CHECK_EQ(d.rehashes, 0u, ctx);
    CHECK_EQ(d.load_factor, 0.0, ctx);
    return;
  }
  CHECK_GE(d.capacity, m.capacity(), ctx, ": capacity below the hint the map was built with");
  if (!p.chained) CHECK_LE(d.entries, d.capacity, ctx, ": more entries than slots");
  CHECK_NEAR(d.load_factor, static_cast<double>(d.entries) / static_cast<double>(d.capacity), 1e-12, ctx);
  CHECK_GE(d.table_bytes, d.capacity * 16, ctx, ": table bytes below 16 per slot or bucket");
}

inline void check_chained(mapbench::AnyMap& m, const mapbench::Diagnostics& d, const std::string& ctx) {
  CHECK_EQ(d.capacity, m.capacity(), ctx, ": a chained map's bucket count never changes");
  CHECK_EQ(d.capacity & (d.capacity - 1), 0u, ctx, ": bucket count is a power of two");
  CHECK_GE(d.capacity, static_cast<std::uint64_t>(m.options().shards), ctx, ": fewer buckets than stripes");
  CHECK_EQ(mapbench::capacity_for(m.options()), d.capacity, ctx);
  CHECK_EQ(d.nodes, d.entries, ctx, ": nodes reachable from the buckets vs the stripes' counts");
  CHECK_EQ(d.tombstones, 0u, ctx);
  CHECK_EQ(d.rehashes, 0u, ctx);
  std::uint64_t positions = 0;
  for (auto c : d.probes.counts) positions += c;
  CHECK_EQ(positions, d.nodes, ctx, ": chain-position histogram vs nodes");
  CHECK_NEAR(d.load_factor, static_cast<double>(d.entries) / static_cast<double>(d.capacity), 1e-12, ctx);
  CHECK_GE(d.table_bytes, d.capacity * 8 + d.nodes * 24, ctx, ": bucket array and nodes");
  if (m.options().design == "chained") CHECK_EQ(d.pooled_nodes, 0u, ctx);
  CHECK(d.shard_entries.empty(), ctx);
}

inline void check_readmostly(const mapbench::Diagnostics& d, const std::string& ctx) {
  CHECK_EQ(d.nodes, d.entries + d.tombstones, ctx, ": entry cells vs live + deleted entries");
  CHECK_GT(d.capacity, 0u, ctx);
  CHECK_LE(d.entries, d.capacity, ctx, ": more live entries than slots");
  CHECK_NEAR(d.load_factor, static_cast<double>(d.entries) / static_cast<double>(d.capacity), 1e-12, ctx);
  CHECK_GE(d.table_bytes, d.capacity * 16 + d.nodes * 16, ctx, ": tables and entry cells");
}

inline void check_invariants(mapbench::AnyMap& m, std::uint64_t entries, std::uint64_t ever_inserted,
                             const std::string& ctx) {
  const std::uint64_t size = m.size();
  CHECK_EQ(size, entries, ctx, ": size()");
  const mapbench::Diagnostics d = m.diagnostics();
  CHECK_EQ(d.design, m.options().design, ctx);
  CHECK_EQ(d.entries, size, ctx, ": diagnostics().entries vs size()");
  if (const mapbench::Design* peer = mapbench::find_design(m.options().design); peer && peer->peer) {
    check_peer(m, d, *peer, ctx);
    return;
  }
  const mapbench::Design* info = mapbench::find_design(m.options().design);
  CHECK(info != nullptr, ctx);
  if (!info->open_addressing) {
    if (m.options().design == "readmostly") check_readmostly(d, ctx);
    else check_chained(m, d, ctx);
    return;
  }
  CHECK_GE(d.capacity, m.capacity(), ctx, ": diagnostics().capacity below the configured capacity");
  CHECK_GT(d.capacity, 0u, ctx);
  CHECK_LE(d.entries + d.tombstones, d.capacity, ctx, ": entries + tombstones exceed capacity");
  if (ever_inserted != ~std::uint64_t{0}) {
    CHECK_LE(entries, ever_inserted, ctx);
    CHECK_LE(d.tombstones, ever_inserted - entries, ctx, ": more tombstones than erased keys");
    // Exact only until a migration: a move drops the tombstones.
    if (m.options().design == "lockfree" && d.migrations == 0)
      CHECK_EQ(d.entries + d.tombstones, ever_inserted, ctx, ": lockfree claimed slots vs distinct keys inserted");
  }
  CHECK_NEAR(d.load_factor, static_cast<double>(d.entries) / static_cast<double>(d.capacity), 1e-12, ctx);
  std::uint64_t probed = 0;
  for (auto c : d.probes.counts) probed += c;
  CHECK_GE(probed, d.entries, ctx, ": probe histogram misses live keys");
  CHECK_LE(probed, d.entries + d.tombstones, ctx, ": probe histogram counts phantom keys");
  if (probed > 0) {
    CHECK_GE(d.mean_probe, 1.0, ctx);
    CHECK_GE(d.max_probe, 1u, ctx);
  }
  CHECK_GE(d.table_bytes, d.capacity * 16, ctx, ": table bytes below 16 per slot");
  if (!d.shard_entries.empty()) {
    std::uint64_t se = 0, sc = 0;
    for (auto v : d.shard_entries) se += v;
    for (auto v : d.shard_capacity) sc += v;
    CHECK_EQ(d.shard_entries.size(), static_cast<std::size_t>(m.options().shards), ctx);
    CHECK_EQ(se, d.entries, ctx, ": shard entries do not sum to entries");
    CHECK_EQ(sc, d.capacity, ctx, ": shard capacities do not sum to capacity");
  }
}

}  // namespace mbtest
