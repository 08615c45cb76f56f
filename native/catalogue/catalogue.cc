// catalogue.cc — the rows of mapbench's own designs (peers add theirs in
// peers/peers.cc), their factories and layout entries, and the checks of
// MapOptions against a row's traits.
#include "catalogue/catalogue.h"

#include <cmath>

#include "catalogue/map_adapter.h"
#include "peers/peers.h"

namespace mapbench {
namespace {

constexpr std::uint8_t kAllLocks = 0b111;
constexpr std::uint8_t kAllPads = 0b111;  // packed, 64, 128
constexpr double kMaxCapacity = static_cast<double>(std::uint64_t{1} << 37);

template <class M, class... Extra>
std::unique_ptr<AnyMap> adapt(const MapOptions& o, std::uint64_t capacity, Extra... extra) {
  return std::make_unique<MapAdapter<M>>(o, capacity, capacity, extra...);
}

// M for integer keys, S for string keys.
template <class M, class S, class... Extra>
std::unique_ptr<AnyMap> adapt_keys(const MapOptions& o, std::uint64_t capacity, Extra... extra) {
  if (o.key_type.strings()) return adapt_strings<S>(o, capacity, extra...);
  return adapt<M>(o, capacity, extra...);
}

// The first capacity and threshold of a map that grows (grows(o)).
std::uint64_t first_capacity(const MapOptions& o) {
  return o.initial_capacity > 0 ? capacity_for(o.initial_capacity, 1.0)
                                : capacity_for(o.expected_entries, o.load_factor);
}

// One locked table (mutex, rwlock, spin): fixed, or growing by threshold;
// S is its string-keyed form.
template <class M, class S>
std::unique_ptr<AnyMap> make_locked(const MapOptions& o) {
  if (grows(o)) return adapt_keys<M, S>(o, first_capacity(o), growth_threshold(o));
  return adapt_keys<M, S>(o, capacity_for(o));
}

// Presized, both lock-free designs are the fixed map; they differ in how they
// grow. String keys: the fixed string table (it does not grow).
std::unique_ptr<AnyMap> make_lockfree(const MapOptions& o) {
  if (o.key_type.strings()) return adapt_strings<StrLockFreeMap>(o, capacity_for(o));
  if (grows(o)) return adapt<MigratingLockFreeMap>(o, first_capacity(o), growth_threshold(o));
  return adapt<LockFreeMap>(o, capacity_for(o));
}
std::unique_ptr<AnyMap> make_lockfree_freeze(const MapOptions& o) {
  if (grows(o)) return adapt<FreezingLockFreeMap>(o, first_capacity(o), growth_threshold(o));
  return adapt<LockFreeMap>(o, capacity_for(o));
}

template <class Lock, std::size_t Pad, class... Extra>
std::unique_ptr<AnyMap> adapt_sharded(const MapOptions& o, std::uint64_t capacity, Extra... extra) {
  return adapt_keys<ShardedMap<Lock, Pad>, ShardedMap<Lock, Pad, StrKeys<>>>(o, capacity, extra...);
}

template <class Lock>
std::unique_ptr<AnyMap> make_sharded_with(const MapOptions& o) {
  if (grows(o)) {
    const std::uint64_t cap = first_capacity(o);
    const double lf = growth_threshold(o);
    if (o.pad == 128) return adapt_sharded<Lock, 128>(o, cap, o.shards, lf);
    return adapt_sharded<Lock, 64>(o, cap, o.shards, lf);
  }
  const std::uint64_t cap = capacity_for(o);
  if (o.pad == 0) return adapt_sharded<Lock, 0>(o, cap, o.shards);
  if (o.pad == 128) return adapt_sharded<Lock, 128>(o, cap, o.shards);
  return adapt_sharded<Lock, 64>(o, cap, o.shards);
}

std::unique_ptr<AnyMap> make_sharded(const MapOptions& o) {
  switch (o.lock) {
    case LockKind::kSpin:
      return make_sharded_with<SpinLock>(o);
    case LockKind::kRw:
      return make_sharded_with<RwLock>(o);
    case LockKind::kMutex:
      break;
  }
  return make_sharded_with<MutexLock>(o);
}

// Capacity: the counters, one per shard.
template <std::size_t Pad>
std::unique_ptr<AnyMap> adapt_counters(const MapOptions& o) {
  return std::make_unique<MapAdapter<ShardCounters<Pad>>>(o, o.shards, std::size_t{o.shards});
}
std::unique_ptr<AnyMap> make_counters(const MapOptions& o) {
  if (o.pad == 0) return adapt_counters<0>(o);
  if (o.pad == 128) return adapt_counters<128>(o);
  return adapt_counters<64>(o);
}

template <class Lock, class Nodes>
std::unique_ptr<AnyMap> adapt_chained(const MapOptions& o, std::uint64_t buckets) {
  return adapt_keys<ChainedMap<Lock, Nodes>, ChainedMap<Lock, Nodes, StrKeys<>>>(o, buckets, o.shards);
}

template <class Nodes>
std::unique_ptr<AnyMap> make_chained(const MapOptions& o) {
  const std::uint64_t buckets = capacity_for(o);
  switch (o.lock) {
    case LockKind::kSpin:
      return adapt_chained<SpinLock, Nodes>(o, buckets);
    case LockKind::kRw:
      return adapt_chained<RwLock, Nodes>(o, buckets);
    case LockKind::kMutex:
      break;
  }
  return adapt_chained<MutexLock, Nodes>(o, buckets);
}

template <class Lock>
void add_shard_layouts(std::vector<LayoutEntry>& out, const std::string& lock) {
  const auto add = [&](const std::string& pad, std::size_t size, std::size_t align) {
    out.push_back({"sharded." + lock + "." + pad + ".shard", size, align});
  };
  add("64", sizeof(typename ShardedMap<Lock, 64>::Shard), alignof(typename ShardedMap<Lock, 64>::Shard));
  add("128", sizeof(typename ShardedMap<Lock, 128>::Shard), alignof(typename ShardedMap<Lock, 128>::Shard));
  add("packed", sizeof(typename ShardedMap<Lock, 0>::Shard), alignof(typename ShardedMap<Lock, 0>::Shard));
}

template <class Lock>
void add_stripe_layout(std::vector<LayoutEntry>& out, const char* name) {
  add_layout<typename ChainedMap<Lock, HeapNodes<ChainNode>>::Stripe>(out, name);
}

std::vector<Design> own_designs() {
  std::vector<Design> v;
  v.push_back({
      .name = "mutex",
      .summary = "one std::mutex over a linear-probing table",
      .open_addressing = true,
      .growable = true,
      .default_run = true,
      .fixed_lock = LockKind::kMutex,
      .frame = "LockedMap<mapbench::MutexLock[,>]",
      .string_keys = true,
      .string_growable = true,
      .make = make_locked<MutexMap, StrMutexMap>,
      .layouts =
          [](std::vector<LayoutEntry>& out) {
            add_layout<TableSlot>(out, "open_table.slot");
            add_layout<MutexMap>(out, "mutex.map");
          },
  });
  v.push_back({
      .name = "rwlock",
      .summary = "one std::shared_mutex (get shared) over a linear-probing table",
      .open_addressing = true,
      .growable = true,
      .default_run = true,
      .fixed_lock = LockKind::kRw,
      .frame = "LockedMap<mapbench::RwLock[,>]",
      .string_keys = true,
      .string_growable = true,
      .make = make_locked<RwLockMap, StrRwLockMap>,
      .layouts = [](std::vector<LayoutEntry>& out) { add_layout<RwLockMap>(out, "rwlock.map"); },
  });
  v.push_back({
      .name = "spin",
      .summary = "one TTAS spinlock with pause and exponential backoff over a linear-probing table",
      .open_addressing = true,
      .growable = true,
      .default_run = true,
      .fixed_lock = LockKind::kSpin,
      .frame = "LockedMap<mapbench::SpinLock[,>]",
      .string_keys = true,
      .string_growable = true,
      .make = make_locked<SpinMap, StrSpinMap>,
      .layouts = [](std::vector<LayoutEntry>& out) { add_layout<SpinMap>(out, "spin.map"); },
  });
  v.push_back({
      .name = "sharded",
      .summary = "power-of-two shards, each a padded lock (mutex|spin|rw) over its own table",
      .open_addressing = true,
      .sharded = true,
      .growable = true,
      .default_run = true,
      .locks = kAllLocks,
      .pads = kAllPads,
      .frame = "ShardedMap",
      .string_keys = true,
      .string_growable = true,
      .make = make_sharded,
      .layouts =
          [](std::vector<LayoutEntry>& out) {
            add_shard_layouts<MutexLock>(out, "mutex");
            add_shard_layouts<SpinLock>(out, "spin");
            add_shard_layouts<RwLock>(out, "rw");
          },
  });
  v.push_back({
      .name = "lockfree",
      .summary = "CAS-claimed linear probing over 64-byte lines, no locks; grows by lock-free slot-by-slot migration",
      .open_addressing = true,
      .growable = true,
      .default_run = true,
      .frame = "LockFreeMap",
      .string_keys = true,
      .make = make_lockfree,
      .layouts = [](std::vector<LayoutEntry>& out) { add_layout<LockFreeMap::Slot>(out, "lockfree.slot"); },
  });
  v.push_back({
      .name = "lockfree-freeze",
      .summary = "lockfree whose growth freezes the table: writers drain, then copy strides and wait for the last",
      .open_addressing = true,
      .growable = true,
      .frame = "LockFreeMap",
      .make = make_lockfree_freeze,
      .layouts = [](std::vector<LayoutEntry>& out) { add_layout<LockFreeMap::Slot>(out, "lockfree-freeze.slot"); },
  });
  v.push_back({
      .name = "chained",
      .summary = "separate chaining, a heap node per entry (new/delete), striped locks (mutex|spin|rw)",
      .load = LoadMeaning::kChainLength,
      .chained = true,
      .node_based = true,
      .striped = true,
      .locks = kAllLocks,
      .frame = "ChainedMap<.*HeapNodes",
      .string_keys = true,
      .make = make_chained<HeapNodes<ChainNode>>,
      .layouts =
          [](std::vector<LayoutEntry>& out) {
            add_layout<ChainNode>(out, "chained.node");
            add_stripe_layout<MutexLock>(out, "chained.mutex.stripe");
            add_stripe_layout<SpinLock>(out, "chained.spin.stripe");
            add_stripe_layout<RwLock>(out, "chained.rw.stripe");
          },
  });
  v.push_back({
      .name = "chained-pool",
      .summary = "separate chaining, nodes from per-thread free lists refilled in batches, striped locks",
      .load = LoadMeaning::kChainLength,
      .chained = true,
      .node_based = true,
      .striped = true,
      .locks = kAllLocks,
      .frame = "ChainedMap<.*NodePool",
      .string_keys = true,
      .make = make_chained<NodePool<ChainNode>>,
      .layouts =
          [](std::vector<LayoutEntry>& out) { add_layout<NodePool<ChainNode>::Slot>(out, "chained-pool.cache"); },
  });
  v.push_back({
      .name = "readmostly",
      .summary =
          "Go's sync.Map: lock-free reads of a published snapshot, a locked dirty map promoted after misses, EBR",
      .node_based = true,
      .snapshot_reads = true,
      .frame = "ReadMostlyMap",
      .make = [](const MapOptions& o) { return adapt<ReadMostlyMap>(o, capacity_for(o)); },
      .layouts =
          [](std::vector<LayoutEntry>& out) {
            add_layout<ReadMostlyMap>(out, "readmostly.map");
            add_layout<ReadMostlyMap::Entry>(out, "readmostly.entry");
          },
  });
  v.push_back({
      .name = "floor",
      .kind = DesignKind::kPseudo,
      .summary = "one random 16-byte slot access per op: the memory-system floor",
      .open_addressing = true,
      .default_run = true,
      .baseline = Baseline::kMemoryFloor,
      .frame = "FloorMap",
      .make = [](const MapOptions& o) { return adapt<FloorMap>(o, capacity_for(o)); },
  });
  v.push_back({
      .name = "counters",
      .kind = DesignKind::kPseudo,
      .summary = "one counter per shard, each op a fetch_add on its key's: packed 8 to a line, or 64 / 128 bytes apart",
      .sharded = true,
      .op_stats = false,
      .baseline = Baseline::kLineSharing,
      .pads = kAllPads,
      .frame = "ShardCounters",
      .make = make_counters,
      .layouts =
          [](std::vector<LayoutEntry>& out) {
            add_layout<ShardCounters<0>::Counter>(out, "counters.packed.counter");
            add_layout<ShardCounters<64>::Counter>(out, "counters.64.counter");
            add_layout<ShardCounters<128>::Counter>(out, "counters.128.counter");
          },
  });
  v.push_back({
      .name = "null",
      .kind = DesignKind::kPseudo,
      .summary = "does no work: the cost of the timed loop itself",
      .op_stats = false,
      .default_run = true,
      .baseline = Baseline::kLoopCost,
      .frame = "NullMap",
      .make = [](const MapOptions& o) -> std::unique_ptr<AnyMap> {
        return std::make_unique<MapAdapter<NullMap>>(o, 0);
      },
  });
  return v;
}

bool power_of_two_in(std::uint32_t n, std::uint32_t hi) { return n >= 1 && n <= hi && (n & (n - 1)) == 0; }

}  // namespace

bool Design::takes_pad(std::uint32_t bytes) const {
  for (std::size_t i = 0; i < kPadChoices.size(); ++i)
    if (kPadChoices[i].bytes == bytes) return (pads >> i) & 1;
  return false;
}

const std::vector<Design>& catalogue() {
  static const std::vector<Design> all = [] {
    std::vector<Design> v = own_designs();
    for (auto& p : peer_designs()) v.push_back(std::move(p));
    return v;
  }();
  return all;
}

const std::vector<Design>& designs() {
  static const std::vector<Design> built = [] {
    std::vector<Design> v;
    for (const auto& d : catalogue())
      if (d.built()) v.push_back(d);
    return v;
  }();
  return built;
}

const Design* find_known_design(std::string_view name) {
  for (const auto& d : catalogue())
    if (d.name == name) return &d;
  return nullptr;
}

const Design* find_design(std::string_view name) {
  for (const auto& d : designs())
    if (d.name == name) return &d;
  return nullptr;
}

const char* baseline_name(Baseline b) {
  switch (b) {
    case Baseline::kMemoryFloor:
      return "memory-floor";
    case Baseline::kLoopCost:
      return "loop-cost";
    case Baseline::kLineSharing:
      return "line-sharing";
    case Baseline::kNone:
      break;
  }
  return "";
}

std::optional<LockKind> lock_kind_from(std::string_view name) {
  for (std::size_t i = 0; i < kLockKindNames.size(); ++i)
    if (name == kLockKindNames[i]) return static_cast<LockKind>(i);
  return std::nullopt;
}

std::optional<std::uint32_t> pad_from(std::string_view name) {
  for (const auto& p : kPadChoices)
    if (name == p.name) return p.bytes;
  return std::nullopt;
}

std::uint64_t capacity_for(std::uint64_t entries, double load_factor) {
  MB_DCHECK(load_factor > 0 && static_cast<double>(entries) / load_factor <= kMaxCapacity);
  auto cap = static_cast<std::uint64_t>(std::ceil(static_cast<double>(entries) / load_factor));
  cap = (cap + kSlotsPerLine - 1) / kSlotsPerLine * kSlotsPerLine;
  return cap < 2 * kSlotsPerLine ? 2 * kSlotsPerLine : cap;
}

std::uint64_t capacity_for(const MapOptions& o) {
  const Design* d = find_design(o.design);
  if (!d || d->load != LoadMeaning::kChainLength) return capacity_for(o.expected_entries, o.load_factor);
  MB_DCHECK(o.load_factor > 0 && static_cast<double>(o.expected_entries) / o.load_factor <= kMaxCapacity);
  const auto wanted = static_cast<std::uint64_t>(std::ceil(static_cast<double>(o.expected_entries) / o.load_factor));
  const std::uint64_t buckets = round_up_pow2(wanted < 1 ? 1 : wanted);
  return buckets < o.shards ? o.shards : buckets;
}

std::string validate_size(LoadMeaning load, std::uint64_t entries, double load_factor) {
  if (load == LoadMeaning::kChainLength) {
    if (!(load_factor > 0 && load_factor <= kMaxChainLoad)) return "load factor must be in (0, 64] for chained maps";
  } else if (!(load_factor > 0 && load_factor < 1)) {
    return "load factor must be in (0, 1)";
  }
  if (entries < 1) return "expected entries must be >= 1";
  if (entries > (std::uint64_t{1} << 36)) return "expected entries must be <= 2^36";
  if (static_cast<double>(entries) / load_factor > kMaxCapacity)
    return "load factor too small: the table would exceed 2^37 slots";
  return {};
}

std::string validate(const MapOptions& o) {
  const Design* d = find_known_design(o.design);
  if (!d) return "unknown map design '" + o.design + "'";
  if (!d->built())
    return "map design '" + o.design + "' is not built: install Debian package " + d->peer->package +
           " (npm run setup:peers) and rebuild";
  if (std::string bad = validate_size(d->load, o.expected_entries, o.load_factor); !bad.empty()) return bad;
  if (grows(o)) {
    if (!d->growable) {
      std::string names;
      for (const Design& g : designs())
        if (g.growable) names += (names.empty() ? "" : ", ") + g.name;
      return "initial capacity and max load factor apply to " + names;
    }
    if (d->peer && o.initial_capacity == 0)
      return "peers grow by their own policy: give an initial capacity, not a max load factor";
    if (d->peer && o.max_load_factor != 0)
      return "peers grow by their own policy: a max load factor applies to mapbench's own designs";
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
  if (d->sharded) {
    if (!power_of_two_in(o.shards, 65536)) return "shards must be a power of two in [1, 65536]";
    if (!d->takes_pad(o.pad)) return "pad must be 0 (packed), 64 or 128";
    if (capacity_for(o.expected_entries, o.load_factor) < 2ULL * o.shards)
      return "key space too small: fewer than 2 slots per shard at this load factor";
  }
  if (d->striped && !power_of_two_in(o.shards, 65536)) return "stripes (shards) must be a power of two in [1, 65536]";
  if (o.key_type.strings()) {
    if (!kHaveStringKeys)
      return std::string("string keys need Debian package ") + kStringHashPackage +
             " (its XXH3 hash): npm run setup:peers, then rebuild";
    if (!d->string_keys) {
      std::string names;
      for (const Design& g : designs())
        if (g.string_keys) names += (names.empty() ? "" : ", ") + g.name;
      return "map design '" + o.design + "' has no string-key form (string keys: " + names + ")";
    }
    if (grows(o) && !d->string_growable) return "map design '" + o.design + "' does not grow with string keys";
    if (std::string bad = validate_key_space(o.key_type, o.expected_entries); !bad.empty()) return bad;
  }
  return {};
}

std::unique_ptr<AnyMap> make_map(const MapOptions& o) {
  MB_DCHECK(validate(o).empty());
  return find_design(o.design)->make(o);
}

std::vector<LayoutEntry> layouts() {
  std::vector<LayoutEntry> out;
  for (const Design& d : designs())
    if (d.layouts) d.layouts(out);
  return out;
}

}  // namespace mapbench
