// mapbench_native — the benchmark runner without Node: the same maps, the
// same op streams and the same per-thread runner (native/runtime/runner.h)
// that the addon's workers use, driven by std::threads (one persistent pool
// per thread count, as the harness keeps one worker pool per thread count).
// For machines without Node (a many-core box to measure scaling past the 2
// cores of the usual machine) and for profiling with no JIT or worker pool
// in the picture.
//
//   mapbench_native --maps lockfree,sharded:spin --threads 1,2,4,8,16 --keys 1e6 --load-factors 0.5 --mix C
//
// It takes `npm run bench`'s flags (bench/native/options.h), runs the same
// matrix of cells with the same keys, and writes a result file in the
// harness's schema (src/schema.ts, version 3, generator mapbench_native):
// the environment it can see, the resolved config, every raw repeat, each
// cell's summary and warnings, computed as the harness computes them
// (bench/native/records.h). `npm run compare` and `npm run report` read it,
// and its cells join a harness file's cells of the same params.
//
// The file (--out, default results/native-<timestamp>.json) is replaced
// atomically after every completed cell (a temporary file in the same
// directory, fsync'ed, then renamed), so at any moment it is complete and
// valid; SIGINT or SIGTERM stops the run in flight and leaves the file with
// every completed cell, status interrupted. Exit status: 0 done; 1 a cell
// failed (or, with --strict, is unreliable); 2 bad flags, one line on stderr
// and nothing written; 130 / 143 interrupted.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "catalogue/registry.h"
#include "environment.h"
#include "options.h"
#include "records.h"
#include "runtime/alloc.h"
#include "runtime/histogram.h"
#include "runtime/json_writer.h"
#include "runtime/runner.h"
#include "runtime/tsc.h"
#include "runtime/workload.h"

namespace mb = mapbench;
namespace nb = mapbench::native_bench;
namespace json = mapbench::json;

namespace {

constexpr int kExitUsage = 2, kExitSigint = 130, kExitSigterm = 143;
// A unit whose threads began measuring further apart than --max-skew is rerun this many times at most.
constexpr int kSkewRetries = 2;

// A failure that fails the cell (with this message), not the run.
struct CellError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- interruption ----

volatile std::sig_atomic_t g_signal = 0;
// The control block of every run, zeroed before each (a static, so a late
// signal never writes into a block that is gone).
mb::Control g_control;

extern "C" void on_signal(int sig) {
  if (g_signal != 0) return;
  g_signal = sig;
  // The threads of the run in flight check abort once per batch and return within one.
  std::atomic_ref<std::int32_t>(g_control.abort).store(1, std::memory_order_relaxed);
}

// ---- threads ----

// `n` threads that live as long as the pool; run() hands thread i job(i) and
// waits for all of them. Each thread keeps its op stream between runs
// (runner.h thread_stream), as a harness worker does.
class ThreadPool {
 public:
  explicit ThreadPool(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) threads_.emplace_back([this, i] { loop(i); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void run(const std::function<void(std::uint32_t)>& job) {
    std::unique_lock<std::mutex> g(mu_);
    job_ = &job;
    done_ = 0;
    ++generation_;
    start_.notify_all();
    finished_.wait(g, [&] { return done_ == threads_.size(); });
    job_ = nullptr;
  }

 private:
  void loop(std::uint32_t index) {
    std::uint64_t seen = 0;
    for (;;) {
      const std::function<void(std::uint32_t)>* job;
      {
        std::unique_lock<std::mutex> g(mu_);
        start_.wait(g, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        job = job_;
      }
      (*job)(index);
      std::lock_guard<std::mutex> g(mu_);
      if (++done_ == threads_.size()) finished_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable start_, finished_;
  const std::function<void(std::uint32_t)>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  std::size_t done_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

ThreadPool& pool_for(std::uint32_t threads) {
  static std::map<std::uint32_t, std::unique_ptr<ThreadPool>> pools;
  auto& p = pools[threads];
  if (!p) p = std::make_unique<ThreadPool>(threads);
  return *p;
}

// ---- the process ----

std::uint64_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// Bytes of this process on transparent huge pages (/proc/self/smaps_rollup), or null.
json::Value anon_huge_pages_bytes() {
  std::ifstream f("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("AnonHugePages:", 0) == 0) return std::stoull(line.substr(14)) * 1024;
  return json::Value();
}

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

// Writes `text` to a temporary file beside `file` (fsync'ed) and renames it
// into place (src/results-writer.ts): the file is only ever complete.
// Throws std::system_error; the temporary file is removed on failure.
void write_atomic(const std::string& file, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path target = fs::absolute(file);
  const std::string tmp = (target.parent_path() / ("." + target.filename().string() + "." + std::to_string(getpid()) + ".tmp")).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category());
  int err = 0;
  for (std::size_t done = 0; done < text.size() && !err;) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && std::rename(tmp.c_str(), target.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::generic_category());
  }
}

// ---- one pass (src/cell-runner.ts runPass) ----

struct Run {
  const nb::Config& cfg;
  double hz;
};

mb::MapOptions map_options(const nb::Cell& cell, const nb::Config& c) {
  mb::MapOptions o;
  o.design = cell.map->design;
  o.expected_entries = cell.keys;
  o.load_factor = cell.load_factor;
  if (cell.shards) o.shards = *cell.shards;
  if (cell.map->lock) o.lock = *cell.map->lock;
  if (cell.map->pad) o.pad = *cell.map->pad;
  o.initial_capacity = c.initial_capacity.value_or(0);
  o.max_load_factor = c.max_load_factor.value_or(0);
  o.huge_pages = c.huge_pages;
  return o;
}

json::Value pages_record(const mb::alloc::Pages::Report& r) {
  json::Value p = json::Value::object();
  return p.set("hugePages", r.huge_pages)
      .set("placedBytes", r.placed_bytes)
      .set("advisedBytes", r.advised_bytes)
      .set("hugeBackedBytes", r.huge_backed_known ? json::Value(r.huge_backed_bytes) : json::Value())
      .set("heapBytes", r.heap_bytes);
}

nb::PassOutcome run_pass(const nb::Cell& cell, int repeat, nb::Pass pass, const Run& run) {
  const nb::Config& c = run.cfg;
  const double hz = run.hz;
  const std::uint64_t rss_before = rss_bytes();
  const mb::alloc::Counts alloc_before = mb::alloc::process_counts();
  std::unique_ptr<mb::AnyMap> map = mb::make_map(map_options(cell, c));

  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t prefilled = cell.keys;
  const std::uint64_t failed = mb::prefill(*map, prefilled);
  const double prefill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (failed > 0) throw CellError("prefill: " + std::to_string(failed) + " of " + std::to_string(prefilled) + " keys did not fit");
  const mb::alloc::Counts alloc_after = mb::alloc::process_counts();
  const mb::Diagnostics prefill_diag = map->diagnostics();
  const json::Value huge_bytes = anon_huge_pages_bytes();
  const mb::alloc::Pages::Report pages = map->pages();

  // The stream plan (src/cell-runner.ts streamPlanFor) and, in the cell's first pass, its key count.
  mb::WorkloadSpec plan_spec;
  std::copy(std::begin(cell.mix->weights), std::end(cell.mix->weights), plan_spec.mix);
  plan_spec.keys = cell.keys;
  const mb::StreamPlan plan = mb::default_stream_length(plan_spec, cell.threads, c.stream_budget_bytes);
  const bool given = c.stream_length.has_value();
  const std::uint64_t ops_per_thread = given ? *c.stream_length : plan.ops_per_thread;
  const bool count_keys = repeat == 0 && pass == nb::measured_passes(c)[0];
  std::vector<std::uint64_t> bitmap(count_keys ? mb::coverage_words(cell.keys) : 0, 0);

  std::vector<mb::WorkerResult> results(cell.threads);
  mb::Control& ctl = g_control;
  std::memset(&ctl, 0, sizeof(ctl));
  if (g_signal) std::atomic_ref<std::int32_t>(ctl.abort).store(1, std::memory_order_relaxed);
  const mb::RunMode mode = pass == nb::Pass::kThroughput ? mb::RunMode::kThroughput
                           : pass == nb::Pass::kLatency  ? mb::RunMode::kLatency
                                                         : mb::RunMode::kStats;
  pool_for(cell.threads).run([&](std::uint32_t t) {
    mb::WorkerSpec s;
    std::copy(std::begin(cell.mix->weights), std::end(cell.mix->weights), s.workload.mix);
    s.workload.dist = cell.dist->dist;
    s.workload.keys = cell.keys;
    s.workload.seed = c.seed;
    s.workload.thread_index = t;
    s.workload.stream_length = static_cast<std::size_t>(ops_per_thread);
    s.coverage = count_keys ? bitmap.data() : nullptr;
    s.threads = cell.threads;
    s.mode = mode;
    s.sample_every = c.sample_every;
    s.cpu = c.cpus ? (*c.cpus)[t % c.cpus->size()] : -1;
    s.warmup_seconds = c.warmup_seconds;
    s.duration_seconds = c.duration_seconds;
    s.gate_timeout_seconds = c.gate_timeout_seconds;
    s.tsc_hz = hz;
    try {
      results[t] = map->run_worker(s, ctl);
    } catch (const std::exception& e) {
      // (Allocation failure, say): this thread fails, and the others leave the gate at once.
      results[t].ok = false;
      results[t].error = e.what();
      std::atomic_ref<std::int32_t>(ctl.abort).store(1, std::memory_order_relaxed);
    }
  });
  for (std::size_t t = 0; t < results.size(); ++t)
    if (!results[t].ok) throw CellError("thread " + std::to_string(t) + ": " + results[t].error);

  nb::PassFacts facts;
  facts.end = map->diagnostics();
  facts.prefill_load_factor = prefill_diag.load_factor;
  facts.end_load_factor = facts.end.load_factor;
  facts.end_entries = facts.end.entries;
  const mb::Design* design = mb::find_design(cell.map->design);
  const auto& w = cell.mix->weights;
  const bool read_only = w[2] == 0 && w[3] == 0 && w[4] == 0;
  if (design && design->kind == mb::DesignKind::kMap) facts.check = mb::verify(*map, cell.keys, cell.threads, read_only);
  const std::uint64_t rss_after = rss_bytes();

  nb::PassOutcome o = nb::repeat_outcome(repeat, pass, results, hz, c, facts);
  o.rss_before = rss_before;
  o.rss_after = rss_after;

  json::Value info = json::Value::object();
  const double net_before = static_cast<double>(alloc_before.bytes_allocated) - static_cast<double>(alloc_before.bytes_freed);
  const double net_after = static_cast<double>(alloc_after.bytes_allocated) - static_cast<double>(alloc_after.bytes_freed);
  std::vector<std::uint64_t> probes(prefill_diag.probes.counts, prefill_diag.probes.counts + mb::ProbeHistogram::kBuckets);
  while (!probes.empty() && probes.back() == 0) probes.pop_back();
  json::Array probe_histogram(probes.begin(), probes.end());
  info.set("capacity", prefill_diag.capacity)
      .set("prefillEntries", prefill_diag.entries)
      .set("bytesPerEntry", prefilled > 0 ? (net_after - net_before) / static_cast<double>(prefilled) : 0.0)
      .set("tableBytes", prefill_diag.table_bytes)
      .set("pages", pages_record(pages))
      .set("anonHugePagesBytes", huge_bytes)
      .set("prefillSeconds", prefill_seconds)
      .set("meanProbe", prefill_diag.mean_probe)
      .set("maxProbe", prefill_diag.max_probe)
      .set("probeHistogram", std::move(probe_histogram));
  if (!prefill_diag.shard_entries.empty())
    info.set("shardEntries", json::Array(prefill_diag.shard_entries.begin(), prefill_diag.shard_entries.end()));
  o.map_info = std::move(info);

  if (count_keys) {
    // src/cell-runner.ts streamRecord: coverage of the range the mix reads.
    const mb::Coverage counted = mb::count_coverage(bitmap.data(), cell.keys);
    const bool miss_only = w[0] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0;
    const double distinct = static_cast<double>(miss_only ? counted.miss : counted.present);
    const double draws = static_cast<double>(plan.ideal_per_thread) * cell.threads * mb::read_range_share(cell.mix->weights);
    o.stream_coverage = distinct / static_cast<double>(cell.keys);
    o.stream_expected = mb::expected_coverage(cell.dist->dist, cell.keys, draws);
    o.stream_ops = ops_per_thread;
    o.stream_ideal = plan.ideal_per_thread;
    o.stream_given = given;
    o.stream_capped = !given && plan.capped;
    json::Value st = json::Value::object();
    st.set("opsPerThread", ops_per_thread)
        .set("idealOpsPerThread", static_cast<std::uint64_t>(plan.ideal_per_thread))
        .set("given", given)
        .set("budgetCapped", o.stream_capped)
        .set("distinctKeys", counted.present)
        .set("distinctMissKeys", counted.miss)
        .set("coverage", o.stream_coverage)
        .set("expectedCoverageAtIdeal", o.stream_expected);
    o.stream = std::move(st);
  }
  if (pass == nb::Pass::kLatency) {
    o.latency.assign(mb::kLatencyKinds, mb::Histogram());
    mb::Histogram timer;
    for (const auto& r : results) {
      for (int k = 0; k < mb::kLatencyKinds; ++k) o.latency[k].merge(nb::bucketed(r.latency[k]));
      timer.merge(nb::bucketed(r.timer_overhead));
    }
    o.timer_overhead = timer;
    o.record.set("latency", nb::latency_record(o.latency, hz));
  }
  if (pass == nb::Pass::kStats) o.stats = nb::stats_record(results, facts.end);
  if (facts.check && !facts.check->empty()) throw CellError("correctness check failed: " + *facts.check);
  return o;
}

// ---- reruns for skew (src/bench.ts runWithRetries) ----

std::string skew_failure(const nb::PassOutcome& o, const nb::Config& c) {
  const double fraction = o.window_skew_ns / 1e9 / c.duration_seconds;
  if (fraction <= c.max_skew) return {};
  const double ns = o.window_skew_ns;
  char apart[64];
  if (ns >= 1e4) std::snprintf(apart, sizeof(apart), "%.2f ms", ns / 1e6);
  else std::snprintf(apart, sizeof(apart), "%.2f µs", ns / 1e3);
  char pct[32];
  std::snprintf(pct, sizeof(pct), "%.6g", c.max_skew * 100);
  return std::string("threads began measuring ") + apart + " apart, more than " + json::number_text(std::strtod(pct, nullptr)) +
         "% of the " + json::number_text(c.duration_seconds) + "s run (--max-skew)";
}

void pass_warnings(const nb::PassOutcome& o, const nb::Config& c, nb::WarningLog& w, const std::string& key) {
  const double fraction = o.window_skew_ns / 1e9 / c.duration_seconds;
  if (fraction > 0.01 && !o.unreliable) w.add(nb::warn::start_skew(o.window_skew_ns, c.duration_seconds), key);
  for (const auto& t : o.record.find("threads")->elements()) {
    const json::Value& pinned = *t.find("cpuPinned");
    if (pinned.is_null()) continue;
    const std::int64_t end = t.find("cpuEnd")->as_int();
    if (end != pinned.as_int())
      w.add(nb::warn::migrated(static_cast<std::uint32_t>(t.find("threadIndex")->as_uint()), static_cast<int>(pinned.as_int()),
                               static_cast<int>(end)),
            key);
  }
}

nb::PassOutcome run_with_retries(const nb::Cell& cell, int repeat, nb::Pass pass, const Run& run, nb::WarningLog& w) {
  std::optional<nb::PassOutcome> best;
  for (int attempt = 0; attempt <= kSkewRetries; ++attempt) {
    if (attempt > 0) w.add(nb::warn::skew_retried(), cell.key);
    nb::PassOutcome o = run_pass(cell, repeat, pass, run);
    if (skew_failure(o, run.cfg).empty()) {
      pass_warnings(o, run.cfg, w, cell.key);
      return o;
    }
    if (!best || o.window_skew_ns < best->window_skew_ns) best = std::move(o);
  }
  best->unreliable = skew_failure(*best, run.cfg) + ", in each of " + std::to_string(kSkewRetries + 1) + " attempts";
  w.add(nb::warn::skew_exceeded(kSkewRetries), cell.key);
  pass_warnings(*best, run.cfg, w, cell.key);
  return std::move(*best);
}

// ---- the document ----

struct Document {
  std::string started_at;
  json::Value environment, config;
  nb::WarningLog warnings;
  json::Array cells;
  std::string status = "running";

  json::Value value() const {
    json::Value d = json::Value::object();
    d.set("schemaVersion", 3)
        .set("kind", "mapbench.results")
        .set("generator", "mapbench_native")
        .set("status", status)
        .set("startedAt", started_at)
        .set("updatedAt", iso_now())
        .set("environment", environment)
        .set("config", config)
        .set("warnings", warnings.records())
        .set("cells", json::Value(cells));
    return d;
  }
};

struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void save(const Document& doc, const std::string& out) {
  try {
    write_atomic(out, json::to_text(doc.value(), 1) + "\n");
  } catch (const std::system_error& e) {
    const int code = e.code().value();
    throw WriteError("cannot write " + out + ": " + (code == ENOSPC ? std::string("no space left on device") : nb::errno_name(code)));
  }
}

std::string mops(double ops_per_sec) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", ops_per_sec / 1e6);
  return buf;
}

int run_all(const nb::Config& c, const std::vector<std::string>& command_line) {
  const double hz = mb::tsc::hz();
  mb::Histogram timer;
  mb::measure_timer_overhead(timer, 100000);
  const json::Value timer_stats = nb::latency_stats(nb::bucketed(timer), hz);
  const nb::TimerOverhead overhead{timer_stats.find("p50Ns")->as_double(), timer_stats.find("meanNs")->as_double()};

  Document doc;
  doc.started_at = iso_now();
  doc.environment = nb::capture_environment(hz, overhead, command_line);
  doc.config = nb::config_record(c);
  nb::global_warnings(c, doc.warnings);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  save(doc, c.out);

  const Run run{c, hz};
  const std::vector<nb::Cell> cells = nb::build_matrix(c);
  bool any_failed = false;
  std::size_t unreliable = 0;
  for (const auto& cell : cells) {
    if (g_signal) break;
    std::vector<nb::PassOutcome> outcomes;
    const std::size_t units = static_cast<std::size_t>(c.repeat) * nb::measured_passes(c).size() + (nb::wants_stats(cell, c) ? 1 : 0);
    std::optional<std::string> error;
    try {
      for (int r = 0; r < c.repeat && !g_signal; ++r)
        for (nb::Pass pass : nb::measured_passes(c)) outcomes.push_back(run_with_retries(cell, r, pass, run, doc.warnings));
      if (!g_signal && nb::wants_stats(cell, c)) outcomes.push_back(run_with_retries(cell, 0, nb::Pass::kStats, run, doc.warnings));
    } catch (const CellError& e) {
      error = e.what();
    } catch (const std::exception& e) {
      error = std::string("unexpected error: ") + e.what();
    }
    // A cell the interruption cut short (its unit in flight stopped, or never run) is dropped.
    if (g_signal && (error || outcomes.size() < units)) break;
    if (error) {
      any_failed = true;
      doc.cells.push_back(nb::failed_cell_record(cell, outcomes, *error));
      std::fprintf(stderr, "mapbench_native: cell %s failed: %s\n", cell.key.c_str(), error->c_str());
    } else {
      json::Value rec = nb::cell_record(cell, outcomes, hz, doc.warnings);
      if (rec.find("unreliable")) ++unreliable;
      if (!c.quiet && !c.json) {
        const json::Value* tp = rec.find("summary")->find("opsPerSec");
        if (!tp) tp = rec.find("summary")->find("latencyOpsPerSec");
        std::printf("%s: %s Mops/s (median of %llu, spread %.1f%%)%s\n", cell.key.c_str(), mops(tp->find("median")->as_double()).c_str(),
                    static_cast<unsigned long long>(tp->find("n")->as_uint()), tp->find("spreadPct")->as_double(),
                    rec.find("unreliable") ? " unreliable" : "");
        std::fflush(stdout);
      }
      doc.cells.push_back(std::move(rec));
    }
    save(doc, c.out);
  }
  doc.status = g_signal ? "interrupted" : "complete";
  save(doc, c.out);
  if (c.json) {
    std::printf("%s\n", json::to_text(doc.value()).c_str());
  } else if (!c.quiet) {
    const std::size_t warnings = doc.warnings.records().elements().size();
    if (warnings) std::printf("warnings: %zu (npm run report lists them)\n", warnings);
    std::printf("results: %s (%zu cells%s, %s)\n", c.out.c_str(), doc.cells.size(),
                unreliable ? (", " + std::to_string(unreliable) + " unreliable").c_str() : "", doc.status.c_str());
  }
  if (g_signal) {
    std::fprintf(stderr, "mapbench_native: interrupted; %zu completed cells kept in %s\n", doc.cells.size(), c.out.c_str());
    return g_signal == SIGTERM ? kExitSigterm : kExitSigint;
  }
  if (c.strict && unreliable) std::fprintf(stderr, "mapbench_native: --strict: %zu unreliable cells\n", unreliable);
  return any_failed || (c.strict && unreliable) ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  nb::Config c;
  try {
    c = nb::parse_options(argc, argv);
  } catch (const nb::Usage& e) {
    std::fprintf(stderr, "mapbench_native: error: %s\n", e.what());
    return kExitUsage;
  }
  if (c.help) {
    std::fputs(nb::help_text().c_str(), stdout);
    return 0;
  }
  std::vector<std::string> command_line{"mapbench_native"};
  for (int i = 1; i < argc; ++i) command_line.emplace_back(argv[i]);
  try {
    return run_all(c, command_line);
  } catch (const WriteError& e) {
    // The last complete version of the file (if any) stays in place: writes are atomic.
    std::fprintf(stderr, "mapbench_native: error: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mapbench_native: internal error: %s\n", e.what());
    return 1;
  }
}
