// peer_adapter.h — what every peer adapter shares: the std-style allocator
// that routes a container's memory through mapbench's counting allocator
// (alloc.h), the project's hash, and MapAdapter (map_adapter.h), the same
// AnyMap wrapper the native designs use. A peer M provides the member
// templates the native maps have (get/insert/update/erase taking a Sink&,
// size()) and diagnose(Diagnostics&), which fills what the library lets it
// see; MapAdapter instantiates run_worker for M, so a timed loop over a peer
// makes no virtual call per op, exactly as for the native designs.
//
// Probe statistics: the libraries do not expose how many slots or nodes a
// lookup inspected, so each peer records one probe per lookup (hit or
// miss) — the lookup counts are exact, the probe lengths are not measured.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

#include "catalogue/any_map.h"
#include "catalogue/map_adapter.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"
#include "runtime/runner.h"
#include "runtime/string_hash.h"

namespace mapbench {

// Routes the container's memory through the map's page policy (the
// adapter's alloc::Pages, so a peer's bucket arrays are placed exactly as
// mapbench's own tables are, and its small nodes come from the counted
// heap). One pointer of state: copies and rebinds share the Pages and
// compare equal, and the allocator travels with the container on copy,
// move and swap.
template <class T>
struct CountingAllocator {
  using value_type = T;
  using propagate_on_container_copy_assignment = std::true_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  explicit CountingAllocator(alloc::Pages& pages) noexcept : pages(&pages) {}
  template <class U>
  CountingAllocator(const CountingAllocator<U>& o) noexcept : pages(o.pages) {}
  T* allocate(std::size_t n) { return static_cast<T*>(pages->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pages->deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const CountingAllocator<U>& o) const noexcept {
    return pages == o.pages;
  }
  template <class U>
  bool operator!=(const CountingAllocator<U>& o) const noexcept {
    return pages != o.pages;
  }
  alloc::Pages* pages;
};

// The project's hash for every peer too, so "ours vs theirs" compares
// tables, not hash functions.
struct KeyHash {
  std::size_t operator()(std::uint64_t k) const noexcept { return static_cast<std::size_t>(hash_key(k)); }
};

// The counted heap (alloc::allocate) as a stateless std allocator: what a
// peer's string keys allocate their bytes from, so allocations per op and
// bytes count them as they count mapbench's own key records.
template <class T>
struct HeapAllocator {
  using value_type = T;
  HeapAllocator() noexcept = default;
  template <class U>
  HeapAllocator(const HeapAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(alloc::allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { alloc::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HeapAllocator<U>&) const noexcept {
    return true;
  }
};
using PeerString = std::basic_string<char, std::char_traits<char>, HeapAllocator<char>>;

// Transparent string equality: lookups compare a stored key with the
// probe's std::string_view, building no string.
struct StringEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

// What a peer's key is, by key type: the stored key, the argument its ops
// take, the hash and equality it is built with (peers' integer and string
// forms share one adapter each, BasicXMap<PeerKeys<...>>).
struct PeerU64Keys {
  using Stored = std::uint64_t;
  using Arg = std::uint64_t;
  using Hash = KeyHash;
  using Equal = std::equal_to<std::uint64_t>;
  static std::uint64_t hash(Arg k) { return hash_key(k); }
  static std::size_t bytes(const Stored&) { return 0; }
};
struct PeerStrKeys {
  using Stored = PeerString;
  using Arg = std::string_view;
  using Hash = StringHash;
  using Equal = StringEqual;
  static std::uint64_t hash(Arg k) { return string_hash(k); }
  // Heap bytes a stored key holds beyond the container's own slot (0 within SSO).
  static std::size_t bytes(const Stored& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
};

// log2 of a power of two (0 for 0 and 1).
inline std::uint64_t log2_floor(std::uint64_t x) {
  return x > 1 ? 63 - static_cast<std::uint64_t>(__builtin_clzll(x)) : 0;
}

}  // namespace mapbench
