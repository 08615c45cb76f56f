// pseudo_maps.h — three reference points that are not maps.
//
// FloorMap: every operation touches exactly one 16-byte slot of an array
// sized like the lock-free table, found by the same derivation
// (reduce_range(hash_key(key), capacity)): reads load it, writes store to
// it. No probing, no claiming, no key compare. It is the memory-system floor
// of this machine for this key space: a real map can approach it, not beat
// it. Accesses are relaxed atomics (they are racy on purpose; relaxed makes
// the race defined). get always "hits".
//
// NullMap: touches no memory at all; each operation returns a value derived
// from the key so that the runner's checksum depends on it and the optimiser
// cannot delete the loop. It measures what the timed loop itself (op-stream
// reads, dispatch, counting) costs per operation.
//
// ShardCounters<Pad>: the false-sharing calibration — a sharded map with
// the map taken out. One 8-byte counter per shard, the shard picked as
// ShardedMap picks it (shard_of_hash); every operation, reads included, is
// one relaxed fetch_add on its shard's counter (a locked read-modify-write,
// as every ShardedMap operation's lock acquisition is), and a get returns
// the count. Pad 0 packs the counters 8 to a line (kCacheLine / 8 bytes);
// 64 and 128 give each its own line or line pair:
//   packed | c0 c1 c2 c3 c4 c5 c6 c7 | c8 ... |    (one line, 8 shards)
//   64     | c0 ........ | c1 ........ | ...
// With the shard partition (workload.h) no two threads touch one counter,
// so whatever packed costs over padded is false sharing alone.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "maps/lockfree_map.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"

namespace mapbench {

class FloorMap {
 public:
  using Slot = LockFreeMap::Slot;  // same 16-byte slot, same line packing

  FloorMap(alloc::Pages& pages, std::size_t capacity) : pages_(pages), capacity_(capacity) {
    slots_ = static_cast<Slot*>(pages_.allocate_table(capacity * sizeof(Slot)));
  }
  FloorMap(const FloorMap&) = delete;
  FloorMap& operator=(const FloorMap&) = delete;
  ~FloorMap() { pages_.free_table(slots_, capacity_ * sizeof(Slot)); }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    return get_at(home(key), key, value, sink);
  }
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    return insert_at(home(key), key, value, sink);
  }
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    return update_at(home(key), key, value, sink);
  }
  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    return erase_at(home(key), key, sink);
  }

  // The batched form (runtime/batch.h), like the lock-free map's: hash a
  // group of keys and prefetch each one's slot, then access them in turn —
  // so batched figures divide by a floor that overlaps its misses the same way.
  using Home = std::size_t;
  static constexpr std::size_t kBatchGroup = LockFreeMap::kBatchGroup;
  template <class Op>
  void for_batch(const std::uint64_t* keys, std::size_t n, Op op) const {
    for (std::size_t base = 0; base < n; base += kBatchGroup) {
      const std::size_t m = std::min(kBatchGroup, n - base);
      Home homes[kBatchGroup];
      for (std::size_t j = 0; j < m; ++j) {
        homes[j] = home(keys[base + j]);
        __builtin_prefetch(&slots_[homes[j]]);
      }
      for (std::size_t j = 0; j < m; ++j) op(base + j, homes[j]);
    }
  }
  template <class Sink = NoStats>
  bool get_at(Home h, std::uint64_t, std::uint64_t* value, Sink& sink) const {
    sink.probe(1, true);
    *value = slots_[h].cell.load(std::memory_order_relaxed);
    return true;
  }
  template <class Sink = NoStats>
  Status insert_at(Home h, std::uint64_t, std::uint64_t value, Sink& sink) {
    sink.probe(1, true);
    slots_[h].cell.store(value, std::memory_order_relaxed);
    return Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update_at(Home h, std::uint64_t, std::uint64_t value, Sink& sink) {
    sink.probe(1, true);
    slots_[h].cell.store(value, std::memory_order_relaxed);
    return true;
  }
  template <class Sink = NoStats>
  bool erase_at(Home h, std::uint64_t, Sink& sink) {
    sink.probe(1, true);
    slots_[h].cell.store(0, std::memory_order_relaxed);
    return true;
  }
  std::size_t size() const { return 0; }
  std::size_t capacity() const { return capacity_; }

 private:
  Home home(std::uint64_t key) const { return reduce_range(hash_key(key), capacity_); }
  alloc::Pages& pages_;
  Slot* slots_;
  std::size_t capacity_;
};

template <std::size_t Pad>
class ShardCounters {
 public:
  static_assert(Pad == 0 || Pad % kCacheLine == 0);
  struct alignas(Pad != 0 ? Pad : alignof(std::atomic<std::uint64_t>)) Counter {
    std::atomic<std::uint64_t> n{0};  // relaxed: nothing is published through it
  };
  static_assert(Pad == 0 ? sizeof(Counter) == 8 : sizeof(Counter) == Pad);

  // Requires: shards a power of two >= 1.
  ShardCounters(alloc::Pages& pages, std::size_t shards) : pages_(pages), shards_(shards), bits_(log2(shards)) {
    counters_ = static_cast<Counter*>(pages_.allocate(sizeof(Counter) * shards_, Pad != 0 ? Pad : kCacheLine));
    for (std::size_t i = 0; i < shards_; ++i) new (&counters_[i]) Counter();
  }
  ShardCounters(const ShardCounters&) = delete;
  ShardCounters& operator=(const ShardCounters&) = delete;
  ~ShardCounters() { pages_.deallocate(counters_, sizeof(Counter) * shards_); }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink&) {
    *value = bump(key);
    return true;
  }
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t, Sink&) {
    bump(key);
    return Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t, Sink&) {
    bump(key);
    return true;
  }
  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink&) {
    bump(key);
    return true;
  }
  std::size_t size() const { return 0; }
  std::size_t shard_count() const { return shards_; }
  std::uint64_t count(std::size_t shard) const { return counters_[shard].n.load(std::memory_order_relaxed); }
  const void* shard_address(std::size_t i) const { return &counters_[i]; }

 private:
  static std::size_t log2(std::size_t n) {
    std::size_t b = 0;
    while ((std::size_t{1} << b) < n) ++b;
    return b;
  }
  std::uint64_t bump(std::uint64_t key) {
    return counters_[shard_of_hash(hash_key(key), bits_)].n.fetch_add(1, std::memory_order_relaxed);
  }
  alloc::Pages& pages_;
  Counter* counters_;         // immutable pointer; each counter its shard's
  const std::size_t shards_;  // immutable
  const std::size_t bits_;    // immutable
};

class NullMap {
 public:
  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink&) const {
    *value = key >> 1;
    return true;
  }
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink&) {
    return ((key ^ value) & 1) ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink&) {
    return ((key ^ value) & 1) != 0;
  }
  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink&) {
    return (key & 1) != 0;
  }
  std::size_t size() const { return 0; }
};

}  // namespace mapbench
