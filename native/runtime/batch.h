// batch.h — batched operations over any map, and what a map offers to make
// them faster than a loop of single ops.
//
// A map that batches (BatchingMap) has
//   for_batch(keys, n, op)  hashes a group of keys, issues prefetches for the
//                           lines each key's op will read first, then calls
//                           op(i, home) for every key in order;
//   get_at / insert_at / update_at / erase_at(home, key, ...)
//                           the single ops, started from that home.
// Each op of a batch is still the single op, at its own linearization
// point, in the batch's order: a batch changes when lines are requested,
// not what any op does. A map without these (the locked designs, the
// growing lock-free map, every peer) runs a batch op by op: batch mode then
// measures the same loop as per-op mode with a different grouping, and
// results say so (WorkerResult::batch_prefetch, "batchPrefetch").
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/common.h"

namespace mapbench {

template <class M>
concept BatchingMap = requires(M& m, const std::uint64_t* keys) {
  typename M::Home;
  m.for_batch(keys, std::size_t{}, [](std::size_t, typename M::Home) {});
};

// The single ops of a batching map, from one prefetched home: the same
// member names as a map, so the runner's op dispatch serves both.
template <class M>
struct AtHome {
  M& map;
  typename M::Home home;
  template <class Sink>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    return map.get_at(home, key, value, sink);
  }
  template <class Sink>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) const {
    return map.insert_at(home, key, value, sink);
  }
  template <class Sink>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) const {
    return map.update_at(home, key, value, sink);
  }
  template <class Sink>
  bool erase(std::uint64_t key, Sink& sink) const {
    return map.erase_at(home, key, sink);
  }
};

// Calls op(i, ops) for each of the n keys in order, where `ops` has the map's
// single-op members (get, insert, update, erase): through for_batch and a
// prefetched home when the map batches, else the map itself.
template <class M, class Op>
void for_each_batched(M& map, const std::uint64_t* keys, std::size_t n, Op op) {
  if constexpr (BatchingMap<M>) {
    map.for_batch(keys, n, [&](std::size_t i, typename M::Home h) {
      AtHome<M> at{map, h};
      op(i, at);
    });
  } else {
    for (std::size_t i = 0; i < n; ++i) op(i, map);
  }
}

}  // namespace mapbench
