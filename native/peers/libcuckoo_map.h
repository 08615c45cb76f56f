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
#include <utility>

#include "catalogue/any_map.h"
#include "peers/peer_adapter.h"
#include "runtime/common.h"

namespace mapbench {

class alignas(kPad) LibcuckooMap {
 public:
  using Table = libcuckoo::cuckoohash_map<std::uint64_t, std::uint64_t, KeyHash, std::equal_to<std::uint64_t>,
                                          CountingAllocator<std::pair<const std::uint64_t, std::uint64_t>>, 4>;

  LibcuckooMap(alloc::Pages& pages, std::size_t capacity)
      : table_(capacity, KeyHash(), std::equal_to<std::uint64_t>(), Table::allocator_type(pages)),
        initial_hashpower_(table_.hashpower()) {}
  LibcuckooMap(const LibcuckooMap&) = delete;
  LibcuckooMap& operator=(const LibcuckooMap&) = delete;

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    const bool hit = table_.find(key, *value);
    sink.probe(1, hit);
    return hit;
  }
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink&) {
    return table_.insert_or_assign(key, value) ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink&) {
    return table_.update(key, value);
  }
  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink&) {
    return table_.erase(key);
  }
  std::size_t size() const { return table_.size(); }

  void diagnose(Diagnostics& d) const {
    d.entries = table_.size();
    d.capacity = table_.capacity();
    d.rehashes = table_.hashpower() - initial_hashpower_;
    const std::uint64_t stripes = std::min<std::uint64_t>(table_.bucket_count(), 65536);
    d.table_bytes = d.capacity * (sizeof(std::pair<std::uint64_t, std::uint64_t>) + 2) + stripes * 64;
  }

 private:
  Table table_;
  const std::size_t initial_hashpower_;  // immutable
};

}  // namespace mapbench
