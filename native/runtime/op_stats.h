// op_stats.h — optional per-operation statistics as a compile-time policy.
//
// Every map operation takes a `Sink&`. With NoStats every hook is an empty
// inline function and `kEnabled` is false, so the throughput loop compiles
// to exactly the uninstrumented code (no runtime branch). OpStats is used by
// the separate statistics and latency passes. A sink is owned by one thread;
// nothing in it is shared.
#pragma once

#include <cstdint>

namespace mapbench {

struct NoStats {
  static constexpr bool kEnabled = false;
  void probe(std::uint32_t, bool) {}
  void cas_failure() {}
  void contended() {}
};

struct OpStats {
  static constexpr bool kEnabled = true;
  // Probe length = slots inspected by one lookup (1 = found/decided at home).
  std::uint64_t hit_lookups = 0, hit_probes = 0, hit_max_probe = 0;
  std::uint64_t miss_lookups = 0, miss_probes = 0, miss_max_probe = 0;
  std::uint64_t cas_failures = 0;
  std::uint64_t contended_acquisitions = 0;

  void probe(std::uint32_t len, bool hit) {
    if (hit) {
      hit_lookups += 1;
      hit_probes += len;
      if (len > hit_max_probe) hit_max_probe = len;
    } else {
      miss_lookups += 1;
      miss_probes += len;
      if (len > miss_max_probe) miss_max_probe = len;
    }
  }
  void cas_failure() { cas_failures += 1; }
  void contended() { contended_acquisitions += 1; }
};

}  // namespace mapbench
