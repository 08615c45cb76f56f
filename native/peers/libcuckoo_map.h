// libcuckoo_map.h — libcuckoo's cuckoohash_map (Debian libcuckoo-dev,
// header-only) behind mapbench's op set.
//
// What it is: bucketized cuckoo hashing. Every key has two candidate
// buckets of 4 slots; an insert that finds both full moves keys along a
// cuckoo path (found by breadth-first search) to free a slot. Buckets are
// guarded by striped spinlocks (one per bucket up to 65536, each on its own
// 64-byte line with a per-stripe element counter):
//
//   locks:   [spin|count ···64 B···][spin|count ···]  ... (≤ 65536 stripes)
//   buckets: [partial×4|occupied×4|(k,v)×4] [ ... ]   2^hashpower buckets
//
// Op mapping (mapbench → libcuckoo): get → find(k, v); insert →
// insert_or_assign (true = a new key); update → update (assign only if
// present); erase → erase. Each takes the locks of the key's two buckets,
// so every op is linearizable at the moment both are held.
//
// Invariants (libcuckoo's, relied on here): a key is in at most one of its
// two buckets; size() is the sum of the per-stripe counters, exact when no
// writer runs.
// Memory ordering: the stripe spinlocks are std::atomic_flag
// test_and_set(acquire) / clear(release); all table data is read and
// written only under them.
// Progress: blocking (spinlocks, no backoff beyond libcuckoo's own).
// Growth: when no cuckoo path is found, the bucket array doubles
// (hashpower + 1) under the stripe locks; `rehashes` counts those
// doublings since construction.
// Capacity hint: the constructor's n is the mapbench capacity (slots), so
// the table starts with at least as many slots as a native design.
// Allocation: buckets and stripe locks come through CountingAllocator.
// Diagnostics: entries, slots, doublings; table bytes estimated as
// slots × (16-byte pair + partial-key byte + occupied flag) plus one
// 64-byte stripe per bucket up to 65536. No probe lengths or tombstones
// (cuckoo hashing has neither in mapbench's sense).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <libcuckoo/cuckoohash_map.hh>
#include <type_traits>
#include <utility>

#include "catalogue/any_map.h"
#include "peers/peer_adapter.h"
#include "runtime/common.h"

namespace mapbench {

template <class Keys>
class alignas(kPad) BasicLibcuckooMap {
 public:
  using Key = typename Keys::Arg;
  using Stored = typename Keys::Stored;
  using Table = libcuckoo::cuckoohash_map<Stored, std::uint64_t, typename Keys::Hash, typename Keys::Equal,
                                          CountingAllocator<std::pair<const Stored, std::uint64_t>>, 4>;

  BasicLibcuckooMap(alloc::Pages& pages, std::size_t capacity)
      : table_(capacity, typename Keys::Hash(), typename Keys::Equal(), typename Table::allocator_type(pages)),
        initial_hashpower_(table_.hashpower()) {}
  BasicLibcuckooMap(const BasicLibcuckooMap&) = delete;
  BasicLibcuckooMap& operator=(const BasicLibcuckooMap&) = delete;

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) const {
    const bool hit = table_.find(key, *value);
    sink.probe(1, hit);
    return hit;
  }
  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink&) {
    return table_.insert_or_assign(key, value) ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink&) {
    return table_.update(key, value);
  }
  template <class Sink = NoStats>
  bool erase(Key key, Sink&) {
    return table_.erase(key);
  }
  std::size_t size() const { return table_.size(); }

  void diagnose(Diagnostics& d) {
    d.entries = table_.size();
    d.capacity = table_.capacity();
    d.rehashes = table_.hashpower() - initial_hashpower_;
    const std::uint64_t stripes = std::min<std::uint64_t>(table_.bucket_count(), 65536);
    d.table_bytes = d.capacity * (sizeof(std::pair<const Stored, std::uint64_t>) + 2) + stripes * 64;
    if constexpr (!std::is_same_v<Stored, std::uint64_t>) {
      auto locked = table_.lock_table();
      for (const auto& kv : locked) d.key_bytes += Keys::bytes(kv.first);
    }
  }

 private:
  Table table_;
  const std::size_t initial_hashpower_;  // immutable
};

using LibcuckooMap = BasicLibcuckooMap<PeerU64Keys>;
using StrLibcuckooMap = BasicLibcuckooMap<PeerStrKeys>;  // std::string keys (counted heap), XXH3

}  // namespace mapbench
