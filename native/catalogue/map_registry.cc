#include "catalogue/map_registry.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <type_traits>
#include <unordered_map>

#include "maps/chained_map.h"
#include "maps/locked_map.h"
#include "catalogue/map_adapter.h"
#include "maps/lockfree_map.h"
#include "peers/peers.h"
#include "maps/pseudo_maps.h"
#include "maps/readmostly_map.h"
#include "maps/sharded_map.h"

namespace mapbench {

// ---- diagnostics, one overload per design family ----
// Outside the anonymous namespace: MapAdapter (map_adapter.h) finds them by
// argument-dependent lookup, and they are more specialised than its
// fallback for maps that diagnose themselves (the peers).

void finish_probe_summary(Diagnostics& d) {
  std::uint64_t n = 0, sum = 0;
  for (std::size_t i = 0; i < ProbeHistogram::kBuckets; ++i) {
    n += d.probes.counts[i];
    sum += d.probes.counts[i] * (i + 1);
    if (d.probes.counts[i]) d.max_probe = i + 1;
  }
  d.mean_probe = n ? static_cast<double>(sum) / static_cast<double>(n) : 0.0;
  d.load_factor = d.capacity ? static_cast<double>(d.entries) / static_cast<double>(d.capacity) : 0.0;
}

static void fill_from_table(const OpenTable& t, Diagnostics& d) {
  d.entries += t.size();
  d.capacity += t.capacity();
  d.tombstones += t.tombstones();
  d.rehashes += t.rehashes();
  d.table_bytes += t.bytes();
  d.migrations += t.rehashes();
  d.migration_ticks_total += t.migration_ticks_total();
  d.migration_ticks_max = std::max(d.migration_ticks_max, t.migration_ticks_max());
  d.peak_table_bytes += t.peak_bytes();
}

template <class Lock>
void diagnose(LockedMap<Lock>& m, Diagnostics& d) {
  m.inspect([&](const OpenTable& t) {
    fill_from_table(t, d);
    t.probe_lengths([](std::uint64_t k) { return hash_key(k); }, &d.probes);
  });
}

template <class Lock, std::size_t Pad>
void diagnose(ShardedMap<Lock, Pad>& m, Diagnostics& d) {
  for (std::size_t i = 0; i < m.shard_count(); ++i) {
    m.inspect_shard(i, [&](const OpenTable& t, std::uint64_t ops, std::uint64_t contended) {
      fill_from_table(t, d);
      t.probe_lengths([&](std::uint64_t k) { return m.slot_hash(hash_key(k)); }, &d.probes);
      d.shard_entries.push_back(t.size());
      d.shard_capacity.push_back(t.capacity());
      d.shard_ops.push_back(ops);
      d.shard_contended.push_back(contended);
    });
  }
}

template <bool kGrowable>
void diagnose(BasicLockFreeMap<kGrowable>& m, Diagnostics& d) {
  d.capacity = m.capacity();
  d.table_bytes = m.capacity() * sizeof(LockFreeMap::Slot);
  m.for_each_slot([&](std::uint64_t, std::uint64_t cell) {
    if (cell) d.entries += 1; else d.tombstones += 1;
  });
  m.for_each_displacement([&](std::size_t disp) { d.probes.add(disp + 1); });
  const MigrationStats ms = m.migration_stats();
  d.migrations = ms.migrations;
  d.rehashes = ms.migrations;
  d.migration_ticks_total = ms.ticks_total;
  d.migration_ticks_max = ms.ticks_max;
  d.peak_table_bytes = ms.peak_table_bytes;
}

// Chained maps: capacity is the bucket count; the probe histogram holds
// each linked node's position in its chain (1 = head), which is what a
// successful lookup of it walks; `entries` is the stripes' count and
// `nodes` what a walk of every bucket reaches, so a lost or doubly linked
// node shows as a difference between them.
template <class Lock, class Nodes>
void diagnose(ChainedMap<Lock, Nodes>& m, Diagnostics& d) {
  d.entries = m.size();
  d.capacity = m.bucket_count();
  d.table_bytes = m.bucket_bytes();
  m.for_each_node([&](std::size_t, std::uint64_t pos, const ChainNode&) {
    d.nodes += 1;
    d.probes.add(pos);
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
void diagnose(ReadMostlyMap& m, Diagnostics& d) {
  const ReadMostlyMap::Snapshot s =
      m.inspect([&](const OpenTable& t) { t.probe_lengths([](std::uint64_t k) { return hash_key(k); }, &d.probes); });
  d.entries = s.live;
  d.nodes = s.cells;
  d.tombstones = s.cells - s.live;
  d.capacity = s.read_slots + s.dirty_slots;
  d.rehashes = s.dirty_growths;
  d.table_bytes = s.bytes;
  d.promotions = s.promotions;
  d.misses = s.misses;
}

void diagnose(FloorMap& m, Diagnostics& d) {
  d.capacity = m.capacity();
  d.table_bytes = m.capacity() * sizeof(FloorMap::Slot);
}

void diagnose(NullMap&, Diagnostics&) {}

namespace {

// Maps that grow by threshold (MapOptions::initial_capacity or
// max_load_factor set): the open-addressing designs, with their first
// capacity and threshold.
template <class Lock>
std::unique_ptr<AnyMap> make_growing_sharded(const MapOptions& o, std::uint64_t cap, double lf) {
  if (o.pad == 128)
    return std::make_unique<MapAdapter<ShardedMap<Lock, 128>>>(o, cap, cap, o.shards, lf);
  return std::make_unique<MapAdapter<ShardedMap<Lock, 64>>>(o, cap, cap, o.shards, lf);
}

std::unique_ptr<AnyMap> make_growing(const MapOptions& o) {
  const std::uint64_t cap = o.initial_capacity > 0 ? capacity_for(o.initial_capacity, 1.0)
                                                   : capacity_for(o.expected_entries, o.load_factor);
  const double lf = growth_threshold(o);
  if (o.design == "mutex") return std::make_unique<MapAdapter<MutexMap>>(o, cap, cap, lf);
  if (o.design == "rwlock") return std::make_unique<MapAdapter<RwLockMap>>(o, cap, cap, lf);
  if (o.design == "spin") return std::make_unique<MapAdapter<SpinMap>>(o, cap, cap, lf);
  if (o.design == "lockfree") return std::make_unique<MapAdapter<GrowingLockFreeMap>>(o, cap, cap, lf);
  switch (o.lock) {
    case LockKind::kSpin: return make_growing_sharded<SpinLock>(o, cap, lf);
    case LockKind::kRw: return make_growing_sharded<RwLock>(o, cap, lf);
    case LockKind::kMutex: break;
  }
  return make_growing_sharded<MutexLock>(o, cap, lf);
}

bool can_grow(const std::string& design) {
  return design == "mutex" || design == "rwlock" || design == "spin" || design == "lockfree" || design == "sharded";
}

template <class Lock>
std::unique_ptr<AnyMap> make_sharded(const MapOptions& o, std::uint64_t cap) {
  if (o.pad == 0)
    return std::make_unique<MapAdapter<ShardedMap<Lock, 0>>>(o, cap, cap, o.shards);
  if (o.pad == 128)
    return std::make_unique<MapAdapter<ShardedMap<Lock, 128>>>(o, cap, cap, o.shards);
  return std::make_unique<MapAdapter<ShardedMap<Lock, 64>>>(o, cap, cap, o.shards);
}

template <class Nodes>
std::unique_ptr<AnyMap> make_chained(const MapOptions& o, std::uint64_t buckets) {
  switch (o.lock) {
    case LockKind::kSpin:
      return std::make_unique<MapAdapter<ChainedMap<SpinLock, Nodes>>>(o, buckets, buckets, o.shards);
    case LockKind::kRw:
      return std::make_unique<MapAdapter<ChainedMap<RwLock, Nodes>>>(o, buckets, buckets, o.shards);
    case LockKind::kMutex: break;
  }
  return std::make_unique<MapAdapter<ChainedMap<MutexLock, Nodes>>>(o, buckets, buckets, o.shards);
}

bool is_chained(const std::string& design) { return design == "chained" || design == "chained-pool"; }

const std::vector<DesignInfo> kDesigns = {
    {"mutex", "map", "one std::mutex over a linear-probing table", false, true},
    {"rwlock", "map", "one std::shared_mutex (get shared) over a linear-probing table", false, true},
    {"spin", "map", "one TTAS spinlock with pause and exponential backoff over a linear-probing table", false, true},
    {"sharded", "map", "power-of-two shards, each a padded lock (mutex|spin|rw) over its own table", true, true},
    {"lockfree", "map", "CAS-claimed linear probing over 64-byte lines, no locks", false, true},
    {"chained", "map", "separate chaining, a heap node per entry (new/delete), striped locks (mutex|spin|rw)", false,
     false},
    {"chained-pool", "map", "separate chaining, nodes from per-thread free lists refilled in batches, striped locks",
     false, false},
    {"readmostly", "map",
     "Go's sync.Map: lock-free reads of a published snapshot, a locked dirty map promoted after misses, EBR", false,
     false},
    {"floor", "pseudo", "one random 16-byte slot access per op: the memory-system floor", false, true},
    {"null", "pseudo", "does no work: the cost of the timed loop itself", false, false},
};

constexpr double kMaxCapacity = static_cast<double>(std::uint64_t{1} << 37);

}  // namespace

const std::vector<DesignInfo>& designs() {
  static const std::vector<DesignInfo> all = [] {
    std::vector<DesignInfo> v = kDesigns;
    for (auto& p : peer_designs()) v.push_back(std::move(p));
    return v;
  }();
  return all;
}

const DesignInfo* find_design(const std::string& name) {
  for (const auto& d : designs())
    if (d.name == name) return &d;
  return nullptr;
}

std::uint64_t capacity_for(std::uint64_t entries, double load_factor) {
  MB_DCHECK(load_factor > 0 && static_cast<double>(entries) / load_factor <= kMaxCapacity);
  auto cap = static_cast<std::uint64_t>(std::ceil(static_cast<double>(entries) / load_factor));
  cap = (cap + kSlotsPerLine - 1) / kSlotsPerLine * kSlotsPerLine;
  return cap < 2 * kSlotsPerLine ? 2 * kSlotsPerLine : cap;
}

std::uint64_t capacity_for(const MapOptions& o) {
  if (!is_chained(o.design)) return capacity_for(o.expected_entries, o.load_factor);
  MB_DCHECK(o.load_factor > 0 && static_cast<double>(o.expected_entries) / o.load_factor <= kMaxCapacity);
  const auto wanted = static_cast<std::uint64_t>(std::ceil(static_cast<double>(o.expected_entries) / o.load_factor));
  const std::uint64_t buckets = round_up_pow2(wanted < 1 ? 1 : wanted);
  return buckets < o.shards ? o.shards : buckets;
}

std::string validate(const MapOptions& o) {
  const DesignInfo* d = find_design(o.design);
  if (!d) return "unknown map design '" + o.design + "'";
  if (is_chained(o.design)) {
    if (!(o.load_factor > 0 && o.load_factor <= kMaxChainLoad)) return "load factor must be in (0, 64] for chained maps";
  } else if (!(o.load_factor > 0 && o.load_factor < 1)) {
    return "load factor must be in (0, 1)";
  }
  if (o.expected_entries < 1) return "expected entries must be >= 1";
  if (grows(o)) {
    if (!can_grow(o.design)) return "initial capacity and max load factor apply to mutex, rwlock, spin, sharded and lockfree";
    if (o.max_load_factor != 0 && !(o.max_load_factor > 0 && o.max_load_factor < 1))
      return "max load factor must be in (0, 1)";
    if (o.max_load_factor > 0 && o.max_load_factor < 0.05) return "max load factor must be >= 0.05";
    if (o.initial_capacity > (std::uint64_t{1} << 36)) return "initial capacity must be <= 2^36 slots";
    if (o.initial_capacity == 0 && growth_threshold(o) < o.load_factor)
      return "max load factor is below the load factor of a presized table: set an initial capacity or raise it";
    if (d->sharded && o.pad != 64 && o.pad != 128) return "a growing sharded map needs pad 64 or 128";
    if (d->sharded && o.initial_capacity > 0 && capacity_for(o.initial_capacity, 1.0) < 2ULL * o.shards)
      return "initial capacity too small: fewer than 2 slots per shard";
  }
  if (o.expected_entries > (std::uint64_t{1} << 36)) return "expected entries must be <= 2^36";
  if (static_cast<double>(o.expected_entries) / o.load_factor > kMaxCapacity)
    return "load factor too small: the table would exceed 2^37 slots";
  if (d->sharded) {
    if (o.shards < 1 || o.shards > 65536 || (o.shards & (o.shards - 1)) != 0)
      return "shards must be a power of two in [1, 65536]";
    if (o.pad != 0 && o.pad != 64 && o.pad != 128) return "pad must be 0 (packed), 64 or 128";
    if (capacity_for(o.expected_entries, o.load_factor) < 2ULL * o.shards)
      return "key space too small: fewer than 2 slots per shard at this load factor";
  }
  if (is_chained(o.design) && (o.shards < 1 || o.shards > 65536 || (o.shards & (o.shards - 1)) != 0))
    return "stripes (shards) must be a power of two in [1, 65536]";
  return {};
}

std::unique_ptr<AnyMap> make_map(const MapOptions& o) {
  MB_DCHECK(validate(o).empty());
  if (grows(o) && can_grow(o.design)) return make_growing(o);
  const std::uint64_t cap = capacity_for(o);
  if (auto peer = make_peer_map(o, cap)) return peer;
  if (o.design == "mutex") return std::make_unique<MapAdapter<MutexMap>>(o, cap, cap);
  if (o.design == "rwlock") return std::make_unique<MapAdapter<RwLockMap>>(o, cap, cap);
  if (o.design == "spin") return std::make_unique<MapAdapter<SpinMap>>(o, cap, cap);
  if (o.design == "lockfree") return std::make_unique<MapAdapter<LockFreeMap>>(o, cap, cap);
  if (o.design == "floor") return std::make_unique<MapAdapter<FloorMap>>(o, cap, cap);
  if (o.design == "null") return std::make_unique<MapAdapter<NullMap>>(o, 0);
  if (o.design == "chained") return make_chained<HeapNodes<ChainNode>>(o, cap);
  if (o.design == "chained-pool") return make_chained<NodePool<ChainNode>>(o, cap);
  if (o.design == "readmostly") return std::make_unique<MapAdapter<ReadMostlyMap>>(o, cap, cap);
  switch (o.lock) {
    case LockKind::kSpin: return make_sharded<SpinLock>(o, cap);
    case LockKind::kRw: return make_sharded<RwLock>(o, cap);
    case LockKind::kMutex: break;
  }
  return make_sharded<MutexLock>(o, cap);
}

std::vector<LayoutEntry> layouts() {
  std::vector<LayoutEntry> out;
  auto add = [&](const char* name, std::size_t size, std::size_t align) { out.push_back({name, size, align}); };
  add("lockfree.slot", sizeof(LockFreeMap::Slot), alignof(LockFreeMap::Slot));
  add("open_table.slot", sizeof(TableSlot), alignof(TableSlot));
  add("mutex.map", sizeof(MutexMap), alignof(MutexMap));
  add("rwlock.map", sizeof(RwLockMap), alignof(RwLockMap));
  add("spin.map", sizeof(SpinMap), alignof(SpinMap));
  add("sharded.mutex.64.shard", sizeof(ShardedMap<MutexLock, 64>::Shard), alignof(ShardedMap<MutexLock, 64>::Shard));
  add("sharded.spin.64.shard", sizeof(ShardedMap<SpinLock, 64>::Shard), alignof(ShardedMap<SpinLock, 64>::Shard));
  add("sharded.rw.64.shard", sizeof(ShardedMap<RwLock, 64>::Shard), alignof(ShardedMap<RwLock, 64>::Shard));
  add("sharded.mutex.128.shard", sizeof(ShardedMap<MutexLock, 128>::Shard), alignof(ShardedMap<MutexLock, 128>::Shard));
  add("sharded.spin.128.shard", sizeof(ShardedMap<SpinLock, 128>::Shard), alignof(ShardedMap<SpinLock, 128>::Shard));
  add("sharded.rw.128.shard", sizeof(ShardedMap<RwLock, 128>::Shard), alignof(ShardedMap<RwLock, 128>::Shard));
  add("sharded.mutex.packed.shard", sizeof(ShardedMap<MutexLock, 0>::Shard), alignof(ShardedMap<MutexLock, 0>::Shard));
  add("sharded.spin.packed.shard", sizeof(ShardedMap<SpinLock, 0>::Shard), alignof(ShardedMap<SpinLock, 0>::Shard));
  add("sharded.rw.packed.shard", sizeof(ShardedMap<RwLock, 0>::Shard), alignof(ShardedMap<RwLock, 0>::Shard));
  add("chained.node", sizeof(ChainNode), alignof(ChainNode));
  add("chained.mutex.stripe", sizeof(ChainedMap<MutexLock, HeapNodes<ChainNode>>::Stripe),
      alignof(ChainedMap<MutexLock, HeapNodes<ChainNode>>::Stripe));
  add("chained.spin.stripe", sizeof(ChainedMap<SpinLock, HeapNodes<ChainNode>>::Stripe),
      alignof(ChainedMap<SpinLock, HeapNodes<ChainNode>>::Stripe));
  add("chained.rw.stripe", sizeof(ChainedMap<RwLock, HeapNodes<ChainNode>>::Stripe),
      alignof(ChainedMap<RwLock, HeapNodes<ChainNode>>::Stripe));
  add("readmostly.map", sizeof(ReadMostlyMap), alignof(ReadMostlyMap));
  add("readmostly.entry", sizeof(ReadMostlyMap::Entry), alignof(ReadMostlyMap::Entry));
  add("chained-pool.cache", sizeof(NodePool<ChainNode>::Slot), alignof(NodePool<ChainNode>::Slot));
  append_peer_layouts(out);
  return out;
}

std::uint64_t prefill(AnyMap& map, std::uint64_t keys) {
  std::uint64_t failed = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const std::uint64_t k = key_of(i);
    if (map.insert(k, value_of(k)) == Status::kFull) failed += 1;
  }
  return failed;
}

constexpr std::uint64_t kMissSample = 65536;

std::string verify(AnyMap& map, std::uint64_t keys, std::uint32_t threads, bool read_only) {
  const DesignInfo* d = find_design(map.options().design);
  if (!d || d->kind != "map") return {};
  std::uint64_t present = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const std::uint64_t k = key_of(i);
    std::uint64_t v = 0;
    Status s = map.get(k, &v);
    if (s == Status::kOk) {
      present += 1;
      const std::uint64_t tag = v >> 48;
      if (v != value_of(k) && (tag < 1 || tag > threads))
        return "key index " + std::to_string(i) + " holds a value no writer wrote";
      if (read_only && v != value_of(k)) return "key index " + std::to_string(i) + " changed in a read-only run";
    } else if (read_only) {
      return "prefilled key index " + std::to_string(i) + " is missing after a read-only run";
    }
  }
  // Never-inserted keys: a sample of the miss range (it is as large as the
  // key set, and checking all of it would double the cost of every check).
  for (std::uint64_t i = 0; i < keys && i < kMissSample; ++i) {
    std::uint64_t miss_value;
    if (map.get(key_of(keys + i), &miss_value) == Status::kOk)
      return "never-inserted key index " + std::to_string(keys + i) + " is present";
  }
  const std::uint64_t size = map.size();
  if (size != present)
    return "size() is " + std::to_string(size) + " but " + std::to_string(present) + " keys are present";
  return {};
}

namespace registry {
namespace {
struct State {
  std::mutex mu;  // guards maps and next_id
  std::unordered_map<std::uint64_t, std::shared_ptr<AnyMap>> maps;
  std::uint64_t next_id = 1;
};
State& state() {
  static State* s = new State();  // leaked: workers may outlive static destruction
  return *s;
}
}  // namespace

std::uint64_t add(std::shared_ptr<AnyMap> map) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  std::uint64_t id = s.next_id++;
  s.maps.emplace(id, std::move(map));
  return id;
}

std::shared_ptr<AnyMap> find(std::uint64_t id) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.maps.find(id);
  return it == s.maps.end() ? nullptr : it->second;
}

bool remove(std::uint64_t id) {
  std::shared_ptr<AnyMap> doomed;  // freed outside the lock
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.maps.find(id);
  if (it == s.maps.end()) return false;
  doomed = std::move(it->second);
  s.maps.erase(it);
  return true;
}

std::size_t live_count() {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return s.maps.size();
}

}  // namespace registry
}  // namespace mapbench
