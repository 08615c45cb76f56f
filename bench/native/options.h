// options.h — mapbench_native's flags, resolved into one validated Config.
//
// The flags are `npm run bench`'s (src/cli/bench-options.ts) where they mean
// the same thing, with the same spellings, defaults (src/config.ts DEFAULTS),
// lists, units and checks (src/config.ts resolveConfig, src/workload.ts), so a
// cell named here gets the same key and params as the harness gives it. Every
// rejection is a Usage exception with one line naming the flag; nothing runs
// or is written before the whole command line has been checked.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "catalogue/registry.h"
#include "runtime/json_writer.h"
#include "runtime/workload.h"

namespace mapbench::native_bench {

// Bad input: one line on stderr, exit 2, nothing written.
struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A map as --maps names it (src/config.ts MapChoice): `sharded:spin`, `sharded:mutex:packed`.
struct MapChoice {
  std::string label;              // as it appears in cell keys and params.map
  std::string design;
  std::optional<LockKind> lock;   // sharded designs: the shard lock (mutex unless named); else none
  std::optional<std::uint32_t> pad;  // 0 = packed, 64, 128; none = the build's pad
  bool sharded = false;
};

struct Mix {
  std::string name;
  std::uint32_t weights[kOpKinds] = {};  // [get, miss, update, insert, erase]
};

struct Dist {
  std::string name;  // uniform, zipf:0.99, hotspot:0.01:0.9, hotkey
  Distribution dist;
  bool has_theta = false, has_hot = false;
};

enum class Mode : std::uint8_t { kThroughput, kLatency, kBoth };

struct Config {
  std::vector<MapChoice> maps;
  std::vector<std::uint32_t> threads;
  std::optional<std::vector<int>> cpus;
  std::vector<double> load_factors;
  std::vector<std::uint64_t> keys;
  std::vector<Mix> mixes;
  std::vector<Dist> dists;
  std::vector<std::uint32_t> shards;
  std::optional<std::uint64_t> initial_capacity;
  std::optional<double> max_load_factor;
  double duration_seconds = 0;
  double warmup_seconds = 0;
  int repeat = 0;
  Mode mode = Mode::kThroughput;
  std::uint32_t sample_every = 0;
  bool stats = true;
  std::uint64_t seed = 0;
  bool huge_pages = true;
  std::optional<std::uint64_t> stream_length;  // none: derived per cell (auto)
  std::uint64_t stream_budget_bytes = 0;
  double gate_timeout_seconds = 0;
  double max_skew = 0;  // a fraction of the duration
  bool strict = false;
  std::string out;
  bool json = false;   // print the document on stdout instead of the per-cell lines
  bool quiet = false;
  bool help = false;
};

// The shard lock a --maps label names, or none for a name that is not a lock.
// The one place lock names are read (a catalogue lookup may replace it).
std::optional<LockKind> parse_lock(const std::string& name);
const char* lock_name(LockKind lock);

// One --maps label: design[:lock[:pad]], checked against the designs this build holds.
MapChoice parse_map_label(const std::string& label);

// Parses and checks argv (argv[0] is the program), and that --out can be
// written. Throws Usage. With --help, returns a Config with help set.
Config parse_options(int argc, char** argv);

// The usage text for --help.
std::string help_text();

// The config as result files store it (src/config.ts configRecord).
json::Value config_record(const Config& c);

// The CPUs this process may run on (/proc/self/status Cpus_allowed_list).
std::vector<int> available_cpus();

// The name Node gives an errno (EACCES, ENOSPC, ...), or its description.
std::string errno_name(int e);

// ECMAScript Number(s) for the strings flags hold: decimal, 0x/0o/0b, Infinity, blank = 0; NaN otherwise.
double js_number(const std::string& s);

}  // namespace mapbench::native_bench
