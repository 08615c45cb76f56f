// sharded_map.h — S independently locked shards (S a power of two).
//
// A key's 64-bit hash picks its shard with its top log2(S) bits and its home
// slot inside the shard with the bits below them (hash << log2(S), reduced
// to the shard's capacity), so shard choice and slot choice are independent.
//
// Layout: shards are one array of `Shard`, each aligned to `Pad` bytes
// (default kPad = 64) and a whole number of pads long, so two shards never
// share a line — a write to one shard's lock or counters never invalidates
// another shard's line (no false sharing). Static asserts below pin it.
// Pad = 0 ("packed") drops the padding: shards keep their natural alignment
// and lie back to back from a line-aligned start, so a shard that is not a
// multiple of 64 bytes shares its first and last lines with its neighbours,
// on purpose — the variant exists to measure false sharing.
//
//   | lock | table hdr | ops contended |pad| lock | table hdr | ... |
//   <-------------- shard 0 ------------->   <--- shard 1 --->
//   the shards' first tables are consecutive slices of one line-aligned slab
//   (placed by the map's page policy as a whole); a shard that grows moves
//   to its own, placed by the same policy.
//
// Invariants: each shard's OpenTable invariants hold whenever its lock is
// free; every field of a shard's `table` is guarded by that shard's `lock`;
// a key lives only in shard shard_of(P::hash(key)) (hash_key for integer
// keys, the string hash for string keys: ShardedMap<Lock, Pad, StrKeys<>>).
// Counters: `ops` and `contended` are relaxed atomics in the shard's own
// line, written only by statistics passes (Sink::kEnabled), so the
// throughput pass carries no counter traffic.
// Memory ordering: as LockedMap, per shard; operations on different shards
// share no data. size() sums shard sizes shard by shard, so under
// concurrent writes it is not a snapshot.
// Progress: blocking per shard. Growth: a shard that is genuinely full
// doubles under its own lock (shards fill unevenly; the achieved load
// factor and the resize count are in the diagnostics); with a max load
// factor a shard moves as soon as it passes it, under its own lock, while
// the other shards keep running.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "maps/locks.h"
#include "maps/open_table.h"
#include "runtime/alloc.h"
#include "runtime/op_stats.h"

namespace mapbench {

// Pad 0 is the packed variant: shards keep their members' natural
// alignment and lie back to back, so neighbouring shards share lines and a
// write to one shard's lock invalidates its neighbours' (false sharing, to
// be measured against the padded layouts).
template <class Lock, std::size_t Pad = kPad, class P = U64Keys>
class ShardedMap {
 public:
  using Key = typename P::Key;
  using Table = BasicOpenTable<P>;
  // The members' natural alignment (alignas(0) would do, but warns).
  struct NaturalShard {
    Lock lock;
    Table table;
    std::atomic<std::uint64_t> counter;
  };
  static constexpr std::size_t kShardAlign = Pad != 0 ? Pad : alignof(NaturalShard);
  struct alignas(kShardAlign) Shard {
    Lock lock;
    Table table;                              // guarded by lock
    std::atomic<std::uint64_t> ops{0};        // relaxed; statistics passes only
    std::atomic<std::uint64_t> contended{0};  // relaxed; statistics passes only
  };
  static_assert(Pad == 0 || alignof(Shard) == Pad, "a padded shard starts on its own line");
  static_assert(Pad == 0 || sizeof(Shard) % Pad == 0, "a padded shard ends on a line boundary");
  static_assert(Pad % kCacheLine == 0);
  static_assert(Pad != 0 || alignof(Shard) < kCacheLine, "a packed shard keeps its natural alignment");

  // Requires: shards is a power of two >= 1; total_capacity >= 2 * shards;
  // max_load_factor 0 (a shard grows when full) or in (0, 1) (a shard grows,
  // or sheds tombstones, when it passes that load: OpenTable invariant 5).
  ShardedMap(alloc::Pages& pages, std::size_t total_capacity, std::size_t shards, double max_load_factor = 0)
      : pages_(pages), shard_count_(shards), shard_bits_(log2(shards)) {
    MB_DCHECK(shards >= 1 && (shards & (shards - 1)) == 0);
    std::size_t per_shard = (total_capacity + shards - 1) / shards;
    per_shard = (per_shard + kSlotsPerLine - 1) / kSlotsPerLine * kSlotsPerLine;
    // Packed shards start on a line too, so which shards share a line
    // depends only on sizeof(Shard), not on where the heap put the array.
    shards_ = static_cast<Shard*>(pages_.allocate(sizeof(Shard) * shards, Pad != 0 ? Pad : kCacheLine));
    // One slab holds every shard's first table (each a whole number of
    // lines), so the first tables are laid out back to back.
    slab_bytes_ = per_shard * shards * sizeof(TableSlot);
    slab_ = static_cast<TableSlot*>(pages_.allocate_table(slab_bytes_));
    for (std::size_t i = 0; i < shards; ++i) {
      Shard* s = new (&shards_[i]) Shard();
      s->table.init_borrowed(slab_ + i * per_shard, per_shard, pages_, /*growable=*/true, max_load_factor);
      s->table.set_hash_shift(static_cast<unsigned>(shard_bits_));
    }
  }
  ShardedMap(const ShardedMap&) = delete;
  ShardedMap& operator=(const ShardedMap&) = delete;
  ~ShardedMap() {
    for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].~Shard();
    pages_.deallocate(shards_, sizeof(Shard) * shard_count_);
    pages_.free_table(slab_, slab_bytes_);
  }

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    Shard& s = shard_for(h);
    note(s, sink, acquire_shared(s.lock, sink));
    bool hit = s.table.get(key, h, value, sink);
    s.lock.unlock_shared();
    return hit;
  }

  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    Shard& s = shard_for(h);
    note(s, sink, acquire(s.lock, sink));
    Status st = s.table.insert(key, h, value, sink);
    s.lock.unlock();
    return st;
  }

  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    Shard& s = shard_for(h);
    note(s, sink, acquire(s.lock, sink));
    bool ok = s.table.update(key, h, value, sink);
    s.lock.unlock();
    return ok;
  }

  template <class Sink = NoStats>
  bool erase(Key key, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    Shard& s = shard_for(h);
    note(s, sink, acquire(s.lock, sink));
    bool ok = s.table.erase(key, h, sink);
    s.lock.unlock();
    return ok;
  }

  std::size_t size() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shards_[i].lock.lock_shared();
      n += shards_[i].table.size();
      shards_[i].lock.unlock_shared();
    }
    return n;
  }

  std::size_t shard_count() const { return shard_count_; }
  // Where shard i lies (layout tests: which shards share a line).
  const void* shard_address(std::size_t i) const { return &shards_[i]; }

  // Visits shard i's table under its lock, with its counters.
  template <class F>
  void inspect_shard(std::size_t i, F f) {
    Shard& s = shards_[i];
    s.lock.lock_shared();
    f(s.table, s.ops.load(std::memory_order_relaxed), s.contended.load(std::memory_order_relaxed));
    s.lock.unlock_shared();
  }

  void reset_counters() {
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shards_[i].ops.store(0, std::memory_order_relaxed);
      shards_[i].contended.store(0, std::memory_order_relaxed);
    }
  }

  std::size_t shard_index(std::uint64_t hash) const { return shard_of_hash(hash, shard_bits_); }

 private:
  static std::size_t log2(std::size_t n) {
    std::size_t b = 0;
    while ((std::size_t{1} << b) < n) ++b;
    return b;
  }
  Shard& shard_for(std::uint64_t hash) { return shards_[shard_index(hash)]; }

  // Per-shard counting, compiled in only for statistics sinks.
  template <class Sink>
  static void note(Shard& s, Sink&, bool contended) {
    if constexpr (Sink::kEnabled) {
      s.ops.fetch_add(1, std::memory_order_relaxed);
      if (contended) s.contended.fetch_add(1, std::memory_order_relaxed);
    }
  }

  Shard* shards_;                  // immutable after construction
  alloc::Pages& pages_;            // the map's page policy; outlives the map
  TableSlot* slab_;                // every shard's first table; immutable
  std::size_t slab_bytes_;         // immutable
  const std::size_t shard_count_;  // immutable
  const std::size_t shard_bits_;   // immutable
};

}  // namespace mapbench
