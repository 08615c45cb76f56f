#include "runtime/tsc.h"

#include <time.h>

#include <fstream>
#include <sstream>
#include <string>

namespace mapbench::tsc {
namespace {

double monotonic_raw_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double calibrate() {
  constexpr int kAttempts = 3;
  detail::Bracket attempts[kAttempts];
  for (detail::Bracket& a : attempts) {
    a.c0 = monotonic_raw_seconds();
    const std::uint64_t t0 = now();
    a.c1 = monotonic_raw_seconds();
    const double target = a.c0 + 0.03;
    std::uint64_t t1;
    do {
      a.c2 = monotonic_raw_seconds();
      t1 = now();
      a.c3 = monotonic_raw_seconds();
    } while (a.c2 < target);
    a.ticks = t1 - t0;
  }
  return detail::pick_calibration(attempts, kAttempts);
}

}  // namespace

namespace detail {

double Bracket::hz() const { return static_cast<double>(ticks) / (((c2 + c3) / 2) - ((c0 + c1) / 2)); }

double pick_calibration(const Bracket* attempts, int n) {
  // A preemption between a bracket's two clock reads widens that bracket
  // and moves its midpoint off the TSC read by up to half the gap, in either
  // direction: at the start it shortens the midpoint interval (overstating
  // the frequency), at the end it lengthens it. The narrowest brackets are
  // the ones whose midpoints sit closest to the TSC reads.
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (attempts[i].width() < attempts[best].width()) best = i;
  return attempts[best].hz();
}

}  // namespace detail

double hz() {
  static const double cached = calibrate();
  return cached;
}

Invariance invariance_from_cpuinfo(const std::string& text) {
  Invariance r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    r.known = true;
    std::istringstream words(line.substr(colon + 1));
    std::string w;
    while (words >> w) {
      if (w == "constant_tsc")
        r.constant = true;
      else if (w == "nonstop_tsc")
        r.nonstop = true;
    }
    break;  // the first CPU's flags; every CPU of one machine reports the same TSC flags
  }
  return r;
}

Invariance invariance() {
  std::ifstream f("/proc/cpuinfo");
  if (!f) return {};
  std::ostringstream text;
  text << f.rdbuf();
  return invariance_from_cpuinfo(text.str());
}

}  // namespace mapbench::tsc
