// tsc.h — the time-stamp counter, the only clock inside timed loops.
//
// now():          plain rdtsc, for phase deadlines checked once per batch.
// begin()/end():  the bracket around one sampled operation: lfence;rdtsc
//                 before and rdtscp;lfence after, so the op cannot drift
//                 out of the bracket. This serialises the sampled op (it
//                 loses the overlap with its neighbours that the untimed
//                 loop enjoys), which is why latency mode samples 1 op in N
//                 and reports the bracket's own cost measured on an empty op.
// Frequency: calibrated once per process against CLOCK_MONOTONIC_RAW: each
//                 of three attempts brackets a ~30 ms TSC interval with clock
//                 reads on both sides, and the attempt with the narrowest
//                 brackets is kept (see detail::pick_calibration).
// Invariance:     deadlines, latencies and the linearizability checker's
//                 real-time order all assume one TSC that ticks at a fixed
//                 rate on every core, in every power state (the
//                 constant_tsc and nonstop_tsc CPU flags); invariance()
//                 reports whether this machine says so.
#pragma once

#include <x86intrin.h>

#include <cstdint>
#include <string>

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

// What /proc/cpuinfo says about the TSC. known = false when it could not be
// read (then constant and nonstop are false too).
struct Invariance {
  bool known = false;
  bool constant = false;  // constant_tsc: fixed rate whatever the core's frequency
  bool nonstop = false;   // nonstop_tsc: keeps ticking in deep idle states
  bool invariant() const { return known && constant && nonstop; }
};
Invariance invariance();
// The same from a /proc/cpuinfo text (the first "flags" line); for tests.
Invariance invariance_from_cpuinfo(const std::string& text);

namespace detail {
// One calibration attempt: ticks between two TSC reads, each bracketed by
// CLOCK_MONOTONIC_RAW reads (c0 < TSC read < c1, c2 < TSC read < c3).
struct Bracket {
  std::uint64_t ticks = 0;
  double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  double width() const { return (c1 - c0) + (c3 - c2); }
  double hz() const;  // ticks over the interval between the brackets' midpoints
};
// The frequency of the attempt with the narrowest brackets. Requires n >= 1.
double pick_calibration(const Bracket* attempts, int n);
}  // namespace detail

}  // namespace mapbench::tsc
