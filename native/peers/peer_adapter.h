// peer_adapter.h — what every peer adapter shares: the AnyMap wrapper
// (the peers' twin of map_registry.cc's MapAdapter) and the std-style
// allocator that routes a container's memory through mapbench's counting
// allocator (alloc.h).
//
// PeerAdapter<M> forwards single operations after the same sentinel checks
// as MapAdapter and instantiates mapbench::run_worker for the concrete M,
// so a timed loop over a peer makes no virtual call per op, exactly as for
// the native designs. M provides the member templates the native maps have
// (get/insert/update/erase taking a Sink&, size()) and
// diagnose(Diagnostics&), which fills what the library lets it see.
//
// Probe statistics: the libraries do not expose how many slots or nodes a
// lookup inspected, so each peer records one probe per lookup (hit or
// miss) — the lookup counts are exact, the probe lengths are not measured.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "alloc.h"
#include "common.h"
#include "map_registry.h"
#include "op_stats.h"
#include "runner.h"

namespace mapbench {

// Stateless, so every copy (and every rebind) compares equal and a
// container never has to carry it per node.
template <class T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() noexcept = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(alloc::allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { alloc::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const CountingAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const CountingAllocator<U>&) const noexcept { return false; }
};

// The project's hash for every peer too, so "ours vs theirs" compares
// tables, not hash functions.
struct KeyHash {
  std::size_t operator()(std::uint64_t k) const noexcept { return static_cast<std::size_t>(hash_key(k)); }
};

// log2 of a power of two (0 for 0 and 1).
inline std::uint64_t log2_floor(std::uint64_t x) { return x > 1 ? 63 - static_cast<std::uint64_t>(__builtin_clzll(x)) : 0; }

template <class M>
class PeerAdapter final : public AnyMap {
 public:
  template <class... Args>
  PeerAdapter(const MapOptions& o, std::uint64_t capacity, Args&&... args) : map_(std::forward<Args>(args)...) {
    options_ = o;
    capacity_ = capacity;
  }

  Status get(std::uint64_t key, std::uint64_t* value) override {
    if (!is_user_key(key)) return Status::kReservedKey;
    NoStats s;
    return map_.get(key, value, s) ? Status::kOk : Status::kNotFound;
  }
  Status insert(std::uint64_t key, std::uint64_t value) override {
    if (!is_user_key(key) || !is_user_value(value)) return Status::kReservedKey;
    NoStats s;
    return map_.insert(key, value, s);
  }
  Status update(std::uint64_t key, std::uint64_t value) override {
    if (!is_user_key(key) || !is_user_value(value)) return Status::kReservedKey;
    NoStats s;
    return map_.update(key, value, s) ? Status::kOk : Status::kNotFound;
  }
  Status erase(std::uint64_t key) override {
    if (!is_user_key(key)) return Status::kReservedKey;
    NoStats s;
    return map_.erase(key, s) ? Status::kOk : Status::kNotFound;
  }
  std::uint64_t size() override { return map_.size(); }
  Diagnostics diagnostics() override {
    Diagnostics d;
    d.design = options_.design;
    map_.diagnose(d);
    d.load_factor = d.capacity ? static_cast<double>(d.entries) / static_cast<double>(d.capacity) : 0.0;
    return d;
  }
  WorkerResult run_worker(const WorkerSpec& spec, Control& ctl) override {
    return mapbench::run_worker(map_, spec, ctl);
  }

 private:
  M map_;
};

}  // namespace mapbench
