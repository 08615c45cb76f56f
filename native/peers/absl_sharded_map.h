// absl_sharded_map.h — 64 shards, each an absl::flat_hash_map (a Swiss
// table, Debian libabsl-dev) behind its own padded lock: the strongest
// "sharded + Swiss table" baseline to set against mapbench's `sharded`
// (which shards linear-probing tables the same way).
//
// Layout: one array of 64 shards, each aligned to kPad and a whole number
// of pads long, so no two shards share a line (static_asserts below):
//
//   | MutexLock | flat_hash_map hdr (ctrl*, slots*, size, cap) |pad| ... ×64
//                      └─► ctrl bytes [h2×cap + sentinel + group] , slots [(k,v)×cap]
//
// A key's hash_key() picks the shard by its top 6 bits; inside the shard
// absl hashes the key again with the same function (its H1 picks the
// group, its low 7 bits are the control-byte tag), so shard choice and
// slot choice use different bits.
//
// Invariants: each shard's table is touched only under that shard's lock;
// a key lives only in shard_of(key).
// Memory ordering: as mapbench's sharded design — the lock's acquire and
// release order every table access; shards share no data. size() sums the
// shards one lock at a time, so under concurrent writes it is not a
// snapshot.
// Lock: std::mutex (MutexLock, the `sharded` design's default), so
// `sharded` against `absl-sharded` compares tables, not locks.
// Progress: blocking per shard.
// Growth: absl doubles a shard's table when it passes 7/8 full (and purges
// tombstones in place when they are most of the deficit); `rehashes` counts
// doublings since construction, summed over shards.
// Capacity hint: every shard reserves capacity / 64 entries, so the 64
// tables together hold at least the mapbench capacity without growing.
// Allocation: every shard's backing array comes through CountingAllocator.
// Diagnostics: entries, slots (sum of capacity()), doublings; bytes as
// slots × (16-byte pair + 1 control byte) + 16 cloned control bytes per
// shard. absl exposes neither probe lengths nor tombstone counts.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>

#include "catalogue/any_map.h"
#include "maps/locks.h"
#include "peers/peer_adapter.h"
#include "runtime/common.h"

namespace mapbench {

template <class Keys>
class BasicAbslShardedMap {
 public:
  using Key = typename Keys::Arg;
  using Stored = typename Keys::Stored;
  static constexpr std::size_t kShards = 64;
  static constexpr unsigned kShardBits = 6;  // 2^6 = 64
  using Table = absl::flat_hash_map<Stored, std::uint64_t, typename Keys::Hash, typename Keys::Equal,
                                    CountingAllocator<std::pair<const Stored, std::uint64_t>>>;

  struct alignas(kPad) Shard {
    explicit Shard(alloc::Pages& pages)
        : table(0, typename Keys::Hash(), typename Keys::Equal(), typename Table::allocator_type(pages)) {}
    MutexLock lock;
    Table table;                       // guarded by lock
    std::size_t initial_capacity = 0;  // immutable after construction
  };
  static_assert(sizeof(Shard) % kPad == 0 && alignof(Shard) == kPad, "one shard per pad");

  BasicAbslShardedMap(alloc::Pages& pages, std::size_t capacity)
      : shards_(make_shards(pages, std::make_index_sequence<kShards>())) {
    for (Shard& s : shards_) {
      s.table.reserve((capacity + kShards - 1) / kShards);
      s.initial_capacity = s.table.capacity();
    }
  }
  BasicAbslShardedMap(const BasicAbslShardedMap&) = delete;
  BasicAbslShardedMap& operator=(const BasicAbslShardedMap&) = delete;

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) {
    Shard& s = shard_of(key);
    acquire_shared(s.lock, sink);
    auto it = s.table.find(key);
    const bool hit = it != s.table.end();
    if (hit) *value = it->second;
    s.lock.unlock_shared();
    sink.probe(1, hit);
    return hit;
  }
  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink& sink) {
    Shard& s = shard_of(key);
    acquire(s.lock, sink);
    const bool fresh = s.table.insert_or_assign(key, value).second;
    s.lock.unlock();
    return fresh ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink& sink) {
    Shard& s = shard_of(key);
    acquire(s.lock, sink);
    auto it = s.table.find(key);
    const bool hit = it != s.table.end();
    if (hit) it->second = value;
    s.lock.unlock();
    return hit;
  }
  template <class Sink = NoStats>
  bool erase(Key key, Sink& sink) {
    Shard& s = shard_of(key);
    acquire(s.lock, sink);
    const bool hit = s.table.erase(key) == 1;
    s.lock.unlock();
    return hit;
  }
  std::size_t size() {
    std::size_t n = 0;
    for (Shard& s : shards_) {
      s.lock.lock();
      n += s.table.size();
      s.lock.unlock();
    }
    return n;
  }

  void diagnose(Diagnostics& d) {
    for (Shard& s : shards_) {
      s.lock.lock();
      d.entries += s.table.size();
      d.capacity += s.table.capacity();
      // absl capacities are 2^k - 1.
      d.rehashes += log2_floor(s.table.capacity() + 1) - log2_floor(s.initial_capacity + 1);
      d.table_bytes += s.table.capacity() * (sizeof(std::pair<const Stored, std::uint64_t>) + 1) + 16;
      if constexpr (!std::is_same_v<Stored, std::uint64_t>)
        for (const auto& kv : s.table) d.key_bytes += Keys::bytes(kv.first);
      s.lock.unlock();
    }
  }

 private:
  Shard& shard_of(Key key) { return shards_[Keys::hash(key) >> (64 - kShardBits)]; }

  template <std::size_t... I>
  static std::array<Shard, kShards> make_shards(alloc::Pages& pages, std::index_sequence<I...>) {
    return {((void)I, Shard(pages))...};
  }
  std::array<Shard, kShards> shards_;
};

using AbslShardedMap = BasicAbslShardedMap<PeerU64Keys>;
using StrAbslShardedMap = BasicAbslShardedMap<PeerStrKeys>;  // std::string keys (counted heap), XXH3

}  // namespace mapbench
