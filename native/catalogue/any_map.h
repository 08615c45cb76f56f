// any_map.h — what every design is behind, and what it is made from: the
// options a map is built with (MapOptions), what it reports about itself
// (Diagnostics), and AnyMap, the one virtual boundary.
//
// AnyMap's virtual calls serve single operations (tests and the JS API);
// a benchmark run crosses it once — run_worker() instantiates the whole
// timed loop for the concrete map type (MapAdapter, map_adapter.h), so no
// op in a timed loop pays for a virtual call.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "maps/open_table.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/keys.h"
#include "runtime/runner.h"

namespace mapbench {

// The lock a design takes per shard or stripe (Design::locks), in the order
// of kLockKindNames, which is the order the harness lists them in.
enum class LockKind : std::uint8_t { kMutex, kSpin, kRw };
inline constexpr std::array<const char*, 3> kLockKindNames = {"mutex", "spin", "rw"};
// Regexes of each lock's frames in profile stacks, when not inlined (perf).
inline constexpr std::array<const char*, 3> kLockKindFrames = {
    "pthread_mutex_(?:try)?lock|__lll_lock_wait|MutexLock::", "SpinLock::",
    "pthread_rwlock_(?:try)?(?:rd|wr)lock|RwLock::"};
// Shard padding (MapOptions::pad): a name as users write it and its bytes.
struct PadChoice {
  const char* name;
  std::uint32_t bytes;
};
inline constexpr std::array<PadChoice, 3> kPadChoices = {{{"packed", 0}, {"64", 64}, {"128", 128}}};

struct MapOptions {
  std::string design;  // a name from designs()
  std::uint64_t expected_entries = 1000;
  double load_factor = 0.5;          // target entries / capacity: in (0, 1) for open
                                     // addressing, in (0, kMaxChainLoad] for chained
  std::uint32_t shards = 64;         // sharded: power of two in [1, 65536]; chained: lock stripes
  LockKind lock = LockKind::kMutex;  // sharded: lock per shard; chained: lock per stripe
  std::uint32_t pad = kPad;          // sharded: 64 or 128 bytes per shard, or 0 = packed
  bool huge_pages = true;            // the page policy of all the map's placed memory (alloc::Pages)
  // Growth (open-addressing maps). Both 0: presized from expected_entries /
  // load_factor and fixed as before (lockfree: kFull when full; locked:
  // rehash only when full; sharded: a shard doubles when full). Either set:
  // the map grows past max_load_factor (0 = kDefaultMaxLoadFactor) — lockfree
  // by lock-free migration (lockfree-freeze by a draining one), sharded per shard under its lock, mutex /
  // rwlock / spin stop-the-world under their lock — starting from
  // initial_capacity slots (0 = presized).
  std::uint64_t initial_capacity = 0;  // slots, all shards; >= 8 (two lines) when set
  double max_load_factor = 0;          // in (0, 1); presized: >= load_factor
  // Keys: u64, or a string key type (runtime/keys.h) whose arena of
  // 2 x expected_entries keys the map is made with, from key_seed.
  KeyType key_type = {};
  std::uint64_t key_seed = 1;
};

struct Diagnostics {
  std::string design;
  std::uint64_t entries = 0;     // live keys
  std::uint64_t capacity = 0;    // slots, all shards
  std::uint64_t tombstones = 0;  // erased slots still occupying the table
  std::uint64_t rehashes = 0;    // in-place purges and growths
  double load_factor = 0;        // entries / capacity
  ProbeHistogram probes;         // probe length of each stored key
  double mean_probe = 0;         // mean of `probes` (a successful lookup's cost)
  std::uint64_t max_probe = 0;
  std::uint64_t table_bytes = 0;
  std::uint64_t key_bytes = 0;  // string keys: the live keys' records (or nodes' key bytes) beyond table_bytes
  std::vector<std::uint64_t> shard_entries, shard_capacity, shard_ops, shard_contended;
  // Growth: table moves (growths and in-place rehashes, including the
  // locked tables' tombstone purges), their TSC ticks — lockfree: from the
  // installing CAS to the last stride copied; locked and sharded: the
  // rehash under the lock — summed and the longest, and the most table
  // bytes held at once (old + new during a move; sharded: each shard's peak,
  // summed).
  std::uint64_t migrations = 0;
  std::uint64_t migration_ticks_total = 0;
  std::uint64_t migration_ticks_max = 0;
  std::vector<std::uint64_t> migration_ticks_each;  // one per migration, in order (lock-free designs; the first 4096)
  std::uint64_t peak_table_bytes = 0;
  // Node-based designs (chained, chained-pool, readmostly):
  std::uint64_t nodes = 0;         // nodes reachable from the map's buckets / entry cells live
  std::uint64_t pooled_nodes = 0;  // chained-pool: free nodes kept by the pool
  // readmostly:
  std::uint64_t promotions = 0;    // dirty maps promoted to the read snapshot
  std::uint64_t misses = 0;        // read-snapshot misses since the last promotion
  std::uint64_t dirty_copies = 0;  // snapshots copied into a new dirty map (Go's dirtyLocked)
  // TSC ticks under the map's mutex, summed and the longest: promotions
  // (the pointer swap) and dirty copies (the O(n) copy).
  std::uint64_t promotion_ticks_total = 0, promotion_ticks_max = 0;
  std::uint64_t dirty_copy_ticks_total = 0, dirty_copy_ticks_max = 0;
  bool dirty_pending = false;  // a dirty map holds keys the snapshot lacks
};

// Chained designs accept load factors above 1 (longer chains), up to this.
inline constexpr double kMaxChainLoad = 64;

// Growth threshold when MapOptions::max_load_factor is 0 but growth is on.
// Knuth's linear-probing costs at load a: successful ½(1+1/(1−a)), unsuccessful
// ½(1+1/(1−a)²) probes — 1.5 / 2.5 at 0.5, 2.5 / 8.5 at 0.75, 5.5 / 50.5 at
// 0.9 (the load-factor cells of the reference runs show the same knee past
// 0.75). Doubling at 0.75 keeps a grown table between 0.375 and 0.75: misses
// stay within two or three lines, and memory at most 2.7x the live entries.
inline constexpr double kDefaultMaxLoadFactor = 0.75;

// Whether o asks for growth by threshold (see MapOptions), and its threshold.
inline bool grows(const MapOptions& o) { return o.initial_capacity > 0 || o.max_load_factor > 0; }
inline double growth_threshold(const MapOptions& o) {
  return !grows(o) ? 0.0 : o.max_load_factor > 0 ? o.max_load_factor : kDefaultMaxLoadFactor;
}

// Capacity for `entries` at `load_factor`: ceil(entries / lf), rounded up to
// whole lines (kSlotsPerLine), and at least two lines.
std::uint64_t capacity_for(std::uint64_t entries, double load_factor);
// The capacity make_map(o) gives the map: capacity_for() for open
// addressing; for chained designs the bucket count, ceil(entries / lf)
// rounded up to a power of two and to at least o.shards (the stripes).
std::uint64_t capacity_for(const MapOptions& o);

class AnyMap {
 public:
  virtual ~AnyMap() = default;
  // Public single operations: reject sentinel keys/values with kReservedKey.
  virtual Status get(std::uint64_t key, std::uint64_t* value) = 0;
  virtual Status insert(std::uint64_t key, std::uint64_t value) = 0;
  virtual Status update(std::uint64_t key, std::uint64_t value) = 0;
  virtual Status erase(std::uint64_t key) = 0;
  // Batches of single operations, in order (runtime/batch.h): each op is
  // the single op, at its own linearization point; a map that batches
  // prefetches each group's lines first, the others run op by op. A batch
  // with any sentinel key or value is rejected whole (kReservedKey, nothing
  // done); otherwise kOk. get_batch writes kReservedValue for an absent key;
  // the others write each op's Status, as the single op returns it.
  virtual Status get_batch(const std::uint64_t* keys, std::size_t n, std::uint64_t* values) = 0;
  virtual Status insert_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, Status* out) = 0;
  virtual Status update_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, Status* out) = 0;
  virtual Status erase_batch(const std::uint64_t* keys, std::size_t n, Status* out) = 0;
  // Whether batches of this map prefetch (false: they run op by op).
  virtual bool batches() const = 0;
  virtual std::uint64_t size() = 0;
  // Brings a bulk-loaded map to its steady state (prefill calls it last):
  // readmostly promotes its dirty map; the other designs have nothing to do.
  // Requires: no operation in flight.
  virtual void settle() = 0;
  virtual Diagnostics diagnostics() = 0;
  virtual WorkerResult run_worker(const WorkerSpec& spec, Control& ctl) = 0;
  // What the map's page policy placed, and what the kernel backs with huge
  // pages (reads /proc/self/smaps: not for timed paths).
  virtual alloc::Pages::Report pages() = 0;
  // The key word of key index `index` (prefill, verify, the addon): key_of(index)
  // for integer keys; index + kFirstUserKey for a string key type, whose
  // map resolves it in its KeyArena (catalogue/string_keyed.h).
  virtual std::uint64_t key_word(std::uint64_t index) const = 0;
  // The string keys' arena; nullptr for integer keys.
  virtual const KeyArena* arena() const = 0;
  const MapOptions& options() const { return options_; }
  std::uint64_t capacity() const { return capacity_; }

 protected:
  MapOptions options_;
  std::uint64_t capacity_ = 0;
};

}  // namespace mapbench
