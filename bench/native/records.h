// records.h — what a mapbench_native result file holds, computed as the
// harness computes it: the matrix and its cell keys (src/matrix.ts), each
// pass's repeat record, the cell record and its summary (src/cell-runner.ts),
// the statistics of raw repeats (src/stats.ts over simple-statistics), the
// latency figures (through the sparse histograms the addon hands the harness),
// and the warnings (src/warnings.ts: the same codes, messages and advice).
// The TypeScript cannot be called from here, so its definitions are
// repeated; test/js/native-runner.test.ts recomputes a native file's
// summaries with the TypeScript and checks that they agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "catalogue/registry.h"
#include "options.h"
#include "runtime/histogram.h"
#include "runtime/json_writer.h"
#include "runtime/runner.h"

namespace mapbench::native_bench {

// ---- statistics of raw repeats ----

// simple-statistics' median: the type-7 quantile at 0.5 (x[lo] + 0.5 (x[hi] - x[lo])).
double median(std::vector<double> values);

// src/stats.ts summarize: median, min, max, mean (compensated sum / n),
// spreadPct = (max - min) / median · 100, cvPct = sample sd / mean · 100.
struct Summary {
  double median = 0, min = 0, max = 0, mean = 0, spread_pct = 0, cv_pct = 0;
  std::size_t n = 0;
};
Summary summarize(const std::vector<double>& values);
json::Value summary_record(const Summary& s);

// ---- latency ----

// A histogram as the harness reads it: through its sparse form, so each
// bucket counts at its midpoint in the mean and the bucket bounds stand for
// min and max (the addon's from_sparse).
Histogram bucketed(const Histogram& h);
// src/cell-runner.ts latencyStats over a merge of bucketed histograms (ticks), in ns.
json::Value latency_stats(const Histogram& merged, double hz);
double ticks_to_ns(double ticks, double hz);

// ---- warnings ----

struct Warning {
  std::string code, message, advice;
  std::optional<double> severity;
};
namespace warn {
Warning oversubscribed(std::uint32_t threads, std::uint32_t cores);
Warning high_variance(double spread_pct);
Warning few_repeats(int repeat);
Warning no_huge_pages(const std::string& mode);
Warning debug_build();
Warning latency_overhead(double ratio);
Warning start_skew(double skew_ns, double duration_seconds);
Warning skew_retried();
Warning skew_exceeded(int reruns);
Warning migrated(std::uint32_t thread, int from, int to);
Warning stream_coverage(double coverage, double expected, std::uint64_t ops, std::uint64_t ideal, bool given);
Warning tsc_not_invariant(const std::vector<std::string>& missing);
Warning march_native();
}  // namespace warn

// Each (code, cell) once, in the order added (src/warnings.ts WarningLog).
class WarningLog {
 public:
  void add(const Warning& w, const std::string& cell_key = {});
  json::Value records() const;

 private:
  std::vector<std::pair<Warning, std::string>> records_;
};

// ---- the matrix ----

enum class Pass : std::uint8_t { kThroughput, kLatency, kStats };
const char* pass_name(Pass p);

struct Cell {
  std::string key;
  json::Value params;  // CellParams
  const MapChoice* map = nullptr;
  const Mix* mix = nullptr;
  const Dist* dist = nullptr;
  std::optional<std::uint32_t> shards;  // sharded maps only
  std::uint32_t threads = 1;
  std::uint64_t keys = 0;
  double load_factor = 0;
};

// Every combination of the configured lists, in the harness's order (threads, map, shards, keys, load
// factor, mix, distribution), each with the key compare joins on.
std::vector<Cell> build_matrix(const Config& c);
// The passes of each repeat, in the order they run; and whether the cell gets a statistics pass.
std::vector<Pass> measured_passes(const Config& c);
bool wants_stats(const Cell& cell, const Config& c);

// ---- records ----

// What a pass learned besides its threads' results.
struct PassFacts {
  double prefill_load_factor = 0, end_load_factor = 0;
  std::uint64_t end_entries = 0;
  std::optional<std::string> check;  // none: a pseudo map (no check); "" = passed
  Diagnostics end;                   // the map after the run (growth, shard ops)
};

// One pass of one repeat, raw enough to summarise across repeats.
struct PassOutcome {
  int repeat = 0;
  Pass pass = Pass::kThroughput;
  json::Value record;  // RepeatRecord
  double ops_per_sec = 0, window_skew_ns = 0, end_load_factor = 0, allocations_per_op = 0, bytes_per_op = 0;
  std::uint64_t ops = 0;
  // Latency pass: per kind, the bucketed merge of every thread's histogram; and of their timer brackets.
  std::vector<Histogram> latency;
  std::optional<Histogram> timer_overhead;
  std::optional<json::Value> stats;   // statistics pass: StatsRecord
  json::Value map_info;               // MapInfo after prefill
  std::optional<json::Value> stream;  // the pass that counted its streams' keys: StreamRecord
  // Stream figures for the streamCoverage warning.
  double stream_coverage = 0, stream_expected = 0;
  std::uint64_t stream_ops = 0, stream_ideal = 0;
  bool stream_given = false, stream_capped = false;
  std::optional<std::string> unreliable;  // kept although it failed --max-skew: why
  std::uint64_t rss_before = 0, rss_after = 0;
};

// src/cell-runner.ts repeatRecord (without latency, growth and stream wraps, which the caller adds).
PassOutcome repeat_outcome(int repeat, Pass pass, const std::vector<WorkerResult>& results, double hz, const Config& c,
                           const PassFacts& facts);
// The latency record of a latency pass: per kind that timed any op, and overall.
json::Value latency_record(const std::vector<Histogram>& by_kind, double hz);
json::Value stats_record(const std::vector<WorkerResult>& results, const Diagnostics& end);

// src/cell-runner.ts cellRecord, and the warnings bench.ts cellWarnings adds for it.
json::Value cell_record(const Cell& cell, const std::vector<PassOutcome>& outcomes, double hz, WarningLog& warnings);
json::Value failed_cell_record(const Cell& cell, const std::vector<PassOutcome>& outcomes, const std::string& error);

// The warnings a run carries from the start (src/bench.ts globalWarnings).
void global_warnings(const Config& c, WarningLog& w);

}  // namespace mapbench::native_bench
