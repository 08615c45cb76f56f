// tsc.h — the time-stamp counter, the only clock inside timed loops.
//
// now():          plain rdtsc, for phase deadlines checked once per batch.
// begin()/end():  the bracket around one sampled operation: lfence;rdtsc
//                 before and rdtscp;lfence after, so the op cannot drift
//                 out of the bracket. This serialises the sampled op (it
//                 loses the overlap with its neighbours that the untimed
//                 loop enjoys), which is why latency mode samples 1 op in N
//                 and reports the bracket's own cost measured on an empty op.
// Frequency: calibrated once per process against CLOCK_MONOTONIC_RAW.
#pragma once

#include <cstdint>

#include <x86intrin.h>

namespace mapbench::tsc {

inline std::uint64_t now() { return __rdtsc(); }

inline std::uint64_t begin() {
  _mm_lfence();
  std::uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
}

inline std::uint64_t end() {
  unsigned aux;
  std::uint64_t t = __rdtscp(&aux);
  _mm_lfence();
  return t;
}

// Ticks per second; the first call calibrates (about 100 ms), later calls
// return the cached figure. Thread-safe.
double hz();

}  // namespace mapbench::tsc
