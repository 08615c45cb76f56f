// tbb_map.h — oneTBB's concurrent_hash_map (Debian libtbb-dev) behind
// mapbench's op set, used the way TBB documents it: through accessors.
//
// What it is: a chained hash table. Buckets hold a reader-writer spinlock
// and a node list; every element node carries its own reader-writer lock,
// which an accessor (write) or const_accessor (read) holds for as long as
// it lives:
//
//   segments ─► [bucket: rw-lock | head] ─► node{next, rw-lock, (k, v)} ─► ...
//
// Op mapping: get → find(const_accessor) and read under the element's read
// lock; insert → insert(accessor, k) then assign under the element's write
// lock (TBB takes the new element's lock before it releases the bucket that
// publishes it, so a finder that meets it waits for the assignment and no
// one reads a half-written value); update → find(accessor) and assign;
// erase → erase(k).
//
// Invariants (TBB's): a key has at most one node; size() is one atomic
// counter, exact when no writer runs.
// Memory ordering: bucket and element locks are acquire/release spin
// rw-locks; the bucket count (mask) is an atomic read with acquire.
// Progress: blocking.
// Growth: when size reaches the bucket count, a new segment doubles the
// buckets; old buckets are split lazily, on first touch ("rehash on
// demand"). `rehashes` counts doublings since construction.
// Capacity hint: the constructor reserves buckets for the mapbench capacity.
// Allocation: segments and nodes come through CountingAllocator (one node
// allocation per new key, one free per erase).
// Diagnostics: entries, buckets (as `capacity`: a chained table's load
// factor may exceed 1), doublings, and bytes estimated as buckets × 16 +
// entries × (two pointers + rw-lock + pair). No probe lengths.
#pragma once

// The string form looks keys up by std::string_view (no string built per
// lookup): oneTBB's heterogeneous find/insert/erase, a preview feature in
// the 2021 releases Debian ships, switched on here before any TBB header.
#ifndef TBB_PREVIEW_CONCURRENT_HASH_MAP_EXTENSIONS
#define TBB_PREVIEW_CONCURRENT_HASH_MAP_EXTENSIONS 1
#endif
#include <oneapi/tbb/concurrent_hash_map.h>

#include <cstdint>
#include <type_traits>
#include <utility>

#include "catalogue/any_map.h"
#include "peers/peer_adapter.h"
#include "runtime/common.h"

namespace mapbench {

template <class Keys>
class alignas(kPad) BasicTbbMap {
 public:
  using Key = typename Keys::Arg;
  using Stored = typename Keys::Stored;
  struct HashCompare {
    using is_transparent = void;  // string forms look up by std::string_view
    static std::size_t hash(Key k) { return static_cast<std::size_t>(Keys::hash(k)); }
    static bool equal(Key a, Key b) { return a == b; }
  };
  using Table = tbb::concurrent_hash_map<Stored, std::uint64_t, HashCompare,
                                         CountingAllocator<std::pair<const Stored, std::uint64_t>>>;

  BasicTbbMap(alloc::Pages& pages, std::size_t capacity)
      : table_(capacity, typename Table::allocator_type(pages)), initial_buckets_(table_.bucket_count()) {}
  BasicTbbMap(const BasicTbbMap&) = delete;
  BasicTbbMap& operator=(const BasicTbbMap&) = delete;

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) {
    typename Table::const_accessor a;
    const bool hit = table_.find(a, key);
    if (hit) *value = a->second;
    sink.probe(1, hit);
    return hit;
  }
  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink&) {
    typename Table::accessor a;
    const bool fresh = table_.insert(a, key);
    a->second = value;
    return fresh ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink&) {
    typename Table::accessor a;
    if (!table_.find(a, key)) return false;
    a->second = value;
    return true;
  }
  template <class Sink = NoStats>
  bool erase(Key key, Sink&) {
    return table_.erase(key);
  }
  std::size_t size() const { return table_.size(); }

  void diagnose(Diagnostics& d) const {
    d.entries = table_.size();
    d.capacity = table_.bucket_count();
    d.rehashes = log2_floor(d.capacity) - log2_floor(initial_buckets_);
    d.table_bytes = d.capacity * 16 + d.entries * (3 * sizeof(void*) + sizeof(std::pair<const Stored, std::uint64_t>));
    if constexpr (!std::is_same_v<Stored, std::uint64_t>)
      for (const auto& kv : table_) d.key_bytes += Keys::bytes(kv.first);
  }

 private:
  Table table_;
  const std::size_t initial_buckets_;  // immutable
};

using TbbMap = BasicTbbMap<PeerU64Keys>;
using StrTbbMap = BasicTbbMap<PeerStrKeys>;  // std::string keys (counted heap), XXH3

}  // namespace mapbench
