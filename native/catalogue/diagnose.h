// diagnose.h — what each design family reports about itself
// (Diagnostics), one overload per family. MapAdapter<M> (map_adapter.h)
// finds them by argument-dependent lookup when a catalogue factory
// instantiates it; they are more specialised than its fallback for maps
// that diagnose themselves (the peers).
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>

#include "catalogue/any_map.h"
#include "maps/chained_map.h"
#include "maps/locked_map.h"
#include "maps/lockfree_map.h"
#include "maps/migrating_lockfree_map.h"
#include "maps/pseudo_maps.h"
#include "maps/readmostly_map.h"
#include "maps/sharded_map.h"
#include "maps/str_lockfree_map.h"

namespace mapbench {

// Mean and maximum of d.probes, and entries / capacity (0 when unknown).
inline void finish_probe_summary(Diagnostics& d) {
  std::uint64_t n = 0, sum = 0;
  for (std::size_t i = 0; i < ProbeHistogram::kBuckets; ++i) {
    n += d.probes.counts[i];
    sum += d.probes.counts[i] * (i + 1);
    if (d.probes.counts[i]) d.max_probe = i + 1;
  }
  d.mean_probe = n ? static_cast<double>(sum) / static_cast<double>(n) : 0.0;
  d.load_factor = d.capacity ? static_cast<double>(d.entries) / static_cast<double>(d.capacity) : 0.0;
}

template <class P>
void fill_from_table(const BasicOpenTable<P>& t, Diagnostics& d) {
  d.entries += t.size();
  d.capacity += t.capacity();
  d.tombstones += t.tombstones();
  d.rehashes += t.rehashes();
  d.table_bytes += t.bytes();
  d.migrations += t.rehashes();
  d.migration_ticks_total += t.migration_ticks_total();
  d.migration_ticks_max = std::max(d.migration_ticks_max, t.migration_ticks_max());
  d.peak_table_bytes += t.peak_bytes();
  d.key_bytes += t.key_bytes();
  t.probe_lengths(&d.probes);
}

template <class Lock, class P>
void diagnose(LockedMap<Lock, P>& m, Diagnostics& d) {
  m.inspect([&](const auto& t) { fill_from_table(t, d); });
}

template <class Lock, std::size_t Pad, class P>
void diagnose(ShardedMap<Lock, Pad, P>& m, Diagnostics& d) {
  for (std::size_t i = 0; i < m.shard_count(); ++i) {
    m.inspect_shard(i, [&](const auto& t, std::uint64_t ops, std::uint64_t contended) {
      fill_from_table(t, d);
      d.shard_entries.push_back(t.size());
      d.shard_capacity.push_back(t.capacity());
      d.shard_ops.push_back(ops);
      d.shard_contended.push_back(contended);
    });
  }
}

// Both lock-free table families: for_each_slot gives (key, live) with
// live = false for a tombstone, and the slots are LockFreeMap's.
template <class M>
void diagnose_lockfree(M& m, Diagnostics& d) {
  d.capacity = m.capacity();
  d.table_bytes = m.capacity() * sizeof(LockFreeMap::Slot);
  m.for_each_slot([&](std::uint64_t, auto live, auto...) {
    if (live)
      d.entries += 1;
    else
      d.tombstones += 1;
  });
  m.for_each_displacement([&](std::size_t disp) { d.probes.add(disp + 1); });
  MigrationStats ms = m.migration_stats();
  d.migrations = ms.migrations;
  d.rehashes = ms.migrations;
  d.migration_ticks_total = ms.ticks_total;
  d.migration_ticks_max = ms.ticks_max;
  d.migration_ticks_each = std::move(ms.ticks_each);
  d.peak_table_bytes = ms.peak_table_bytes;
}
template <bool kGrowable>
void diagnose(BasicLockFreeMap<kGrowable>& m, Diagnostics& d) {
  diagnose_lockfree(m, d);
}
template <class Hooks>
void diagnose(BasicMigratingLockFreeMap<Hooks>& m, Diagnostics& d) {
  diagnose_lockfree(m, d);
}

// The lock-free string table: entries, tombstones (claimed keys whose cell
// is 0), probe lengths, and the records of every claimed key (erased ones
// keep theirs: invariant 1 of str_lockfree_map.h).
template <class P>
void diagnose(BasicStrLockFreeMap<P>& m, Diagnostics& d) {
  d.capacity = m.capacity();
  d.table_bytes = m.capacity() * sizeof(typename BasicStrLockFreeMap<P>::Slot);
  m.for_each_slot([&](std::uint64_t word, std::uint64_t cell, std::size_t i) {
    if (cell != 0)
      d.entries += 1;
    else
      d.tombstones += 1;
    d.key_bytes += P::key_bytes(word);
    const std::size_t home = m.home_of(word);
    d.probes.add((i >= home ? i - home : i + m.capacity() - home) + 1);
  });
}

// Chained maps: capacity is the bucket count; the probe histogram holds
// each linked node's position in its chain (1 = head), which is what a
// successful lookup of it walks; `entries` is the stripes' count and
// `nodes` what a walk of every bucket reaches, so a lost or doubly linked
// node shows as a difference between them.
template <class Lock, class Nodes, class P>
void diagnose(ChainedMap<Lock, Nodes, P>& m, Diagnostics& d) {
  d.entries = m.size();
  d.capacity = m.bucket_count();
  d.table_bytes = m.bucket_bytes();
  m.for_each_node([&](std::size_t, std::uint64_t pos, const ChainNode& n) {
    d.nodes += 1;
    d.probes.add(pos);
    d.key_bytes += P::key_bytes(n.key);
  });
  if constexpr (std::is_same_v<Nodes, NodePool<ChainNode>>) {
    d.pooled_nodes = m.nodes().free_nodes();
    d.table_bytes += m.nodes().bytes();
  } else {
    d.table_bytes += d.nodes * sizeof(ChainNode);
  }
}

// Read-mostly: capacity is the snapshot's slots plus the dirty map's;
// `nodes` the entry cells still reachable, of which `tombstones` are
// deleted (kNil, not yet dropped by a promotion); the probe histogram is
// the snapshot's, the table lock-free reads search.
inline void diagnose(ReadMostlyMap& m, Diagnostics& d) {
  const ReadMostlyMap::Snapshot s = m.inspect([&](const OpenTable& t) { t.probe_lengths(&d.probes); });
  d.entries = s.live;
  d.nodes = s.cells;
  d.tombstones = s.cells - s.live;
  d.capacity = s.read_slots + s.dirty_slots;
  d.rehashes = s.dirty_growths;
  d.table_bytes = s.bytes;
  d.promotions = s.promotions;
  d.misses = s.misses;
  d.dirty_copies = s.dirty_copies;
  d.promotion_ticks_total = s.promotion_ticks_total;
  d.promotion_ticks_max = s.promotion_ticks_max;
  d.dirty_copy_ticks_total = s.copy_ticks_total;
  d.dirty_copy_ticks_max = s.copy_ticks_max;
  d.dirty_pending = s.dirty;
}

inline void diagnose(FloorMap& m, Diagnostics& d) {
  d.capacity = m.capacity();
  d.table_bytes = m.capacity() * sizeof(FloorMap::Slot);
}

inline void diagnose(NullMap&, Diagnostics&) {}

// The calibration counters: one "shard" per counter, its count as its ops.
template <std::size_t Pad>
void diagnose(ShardCounters<Pad>& m, Diagnostics& d) {
  for (std::size_t i = 0; i < m.shard_count(); ++i) {
    d.shard_entries.push_back(0);
    d.shard_capacity.push_back(0);
    d.shard_ops.push_back(m.count(i));
    d.shard_contended.push_back(0);
  }
  d.table_bytes = m.shard_count() * sizeof(typename ShardCounters<Pad>::Counter);
}

}  // namespace mapbench
