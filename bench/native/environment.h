// environment.h — the environment block of a mapbench_native result file:
// what src/environment.ts records, read the way Node reads it (os.cpus(),
// os.totalmem(), /sys caches, /proc/cpuinfo TSC flags, git, dpkg), minus what
// only Node knows (its and V8's versions: absent, as the schema allows for
// files whose generator is mapbench_native). The build block describes this
// binary (compiler, flags, CMake, padding, THP mode), as buildInfo() describes
// the addon.
#pragma once

#include <string>
#include <vector>

#include "runtime/json_writer.h"

namespace mapbench::native_bench {

struct TimerOverhead {
  double p50_ns = 0;
  double mean_ns = 0;
};

json::Value capture_environment(double tsc_hz, const TimerOverhead& timer, const std::vector<std::string>& command_line);

// Whether this binary was built with MAPBENCH_DEBUG (a sanitizer build) or -march=native.
bool debug_build();
bool march_native_build();

// The transparent-huge-page mode (always, madvise, never, unavailable).
std::string transparent_huge_pages();

// Runs argv (searched on PATH, no shell) and returns its standard output
// when it exits 0; empty optional when it cannot run or fails.
struct Captured {
  bool ok = false;
  std::string out;
};
Captured run_capture(const std::vector<std::string>& argv);

}  // namespace mapbench::native_bench
