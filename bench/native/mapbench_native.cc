// mapbench_native — the benchmark runner without Node: the same maps, the
// same op streams and the same per-thread runner (native/runtime/runner.h) that the
// addon's workers use, driven by std::threads. For machines without Node
// (a many-core box to measure scaling past the 2 cores of the usual
// machine) and for profiling with no JIT or worker pool in the picture.
//
//   mapbench_native --maps lockfree --threads 1,2,4,8,16 --keys 1e6 --load-factors 0.5 --mix 100,0,0,0,0
//
// Prints one JSON object per line: a header with the machine's TSC rate and
// timer cost, then one line per (threads, repeat) run with its throughput,
// its threads' start skew and, in latency mode, its percentiles. Bad
// arguments: one line on stderr, exit 2.
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/histogram.h"
#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "runtime/runner.h"
#include "runtime/tsc.h"
#include "runtime/workload.h"

namespace mb = mapbench;

namespace {

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  mb::MapOptions map;
  std::vector<std::uint32_t> threads{1};
  std::vector<int> cpus;
  std::uint32_t mix[mb::kOpKinds] = {100, 0, 0, 0, 0};
  mb::Distribution dist;
  double duration = 1.0, warmup = 0.2;
  int repeat = 3;
  mb::RunMode mode = mb::RunMode::kThroughput;
  std::uint32_t sample_every = 128;
  std::size_t stream_length = 0;  // 0: default_stream_length() for each thread count
  std::uint64_t stream_budget = mb::kDefaultStreamBudgetBytes;
};

double number(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0') throw Usage(flag + " needs a number, got '" + v + "'");
  return x;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Args parse(int argc, char** argv) {
  Args a;
  a.map.design = "lockfree";
  a.map.expected_entries = 1000000;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help") {
      std::printf(
          "mapbench_native [--maps design[:mutex|spin|rw[:packed|64|128]]] [--threads 1,2,...] [--cpus 0,1,...]\n"
          "  [--keys N] [--load-factors X] [--shards N] [--initial-capacity N] [--max-load-factor X]\n"
          "  [--mix get,miss,update,insert,erase] [--dist uniform|zipf|hotspot|hotkey]\n"
          "  [--duration S] [--warmup S] [--repeat N] [--mode throughput|latency] [--sample-every N] [--stream-length N] [--stream-budget BYTES]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) throw Usage(flag + " needs a value");
    const std::string v = argv[++i];
    if (flag == "--maps" || flag == "--map") {
      // design[:lock[:pad]], as the harness names maps.
      std::vector<std::string> parts;
      for (std::size_t from = 0;;) {
        const std::size_t colon = v.find(':', from);
        parts.push_back(v.substr(from, colon - from));
        if (colon == std::string::npos) break;
        from = colon + 1;
      }
      if (parts.size() > 3) throw Usage("--maps is design[:lock[:pad]], got '" + v + "'");
      a.map.design = parts[0];
      if (parts.size() > 1) {
        const auto lock = mb::lock_kind_from(parts[1]);
        if (!lock) throw Usage("--maps: lock must be one of " + mb::name_list(mb::kLockKindNames) + ", got '" + parts[1] + "'");
        a.map.lock = *lock;
      }
      if (parts.size() > 2) {
        const auto pad = mb::pad_from(parts[2]);
        if (!pad) throw Usage("--maps: padding must be packed, 64 or 128, got '" + parts[2] + "'");
        a.map.pad = *pad;
      }
    } else if (flag == "--threads") {
      a.threads.clear();
      for (const auto& t : split(v)) {
        const double n = number("--threads", t);
        if (n < 1 || n > 4096 || n != static_cast<std::uint32_t>(n)) throw Usage("--threads must be integers in [1, 4096]");
        a.threads.push_back(static_cast<std::uint32_t>(n));
      }
    } else if (flag == "--cpus") {
      for (const auto& c : split(v)) a.cpus.push_back(static_cast<int>(number("--cpus", c)));
    } else if (flag == "--keys") {
      a.map.expected_entries = static_cast<std::uint64_t>(number("--keys", v));
    } else if (flag == "--load-factors" || flag == "--lf") {
      a.map.load_factor = number("--load-factors", v);
    } else if (flag == "--shards") {
      a.map.shards = static_cast<std::uint32_t>(number("--shards", v));
    } else if (flag == "--initial-capacity") {
      a.map.initial_capacity = static_cast<std::uint64_t>(number("--initial-capacity", v));
    } else if (flag == "--max-load-factor") {
      a.map.max_load_factor = number("--max-load-factor", v);
    } else if (flag == "--mix") {
      const auto w = split(v);
      if (w.size() != mb::kOpKinds)
        throw Usage("--mix needs " + std::to_string(mb::kOpKinds) + " weights: " + mb::name_list(mb::kOpKindNames));
      for (int k = 0; k < mb::kOpKinds; ++k) a.mix[k] = static_cast<std::uint32_t>(number("--mix", w[k]));
    } else if (flag == "--dist") {
      const int dist = mb::name_index(mb::kDistKindNames, v);
      if (dist < 0) throw Usage("--dist must be one of " + mb::name_list(mb::kDistKindNames));
      a.dist.kind = static_cast<mb::DistKind>(dist);
    } else if (flag == "--duration") {
      a.duration = number("--duration", v);
    } else if (flag == "--warmup") {
      a.warmup = number("--warmup", v);
    } else if (flag == "--repeat") {
      a.repeat = static_cast<int>(number("--repeat", v));
    } else if (flag == "--mode") {
      if (v == "throughput") a.mode = mb::RunMode::kThroughput;
      else if (v == "latency") a.mode = mb::RunMode::kLatency;
      else throw Usage("--mode must be throughput or latency");
    } else if (flag == "--sample-every") {
      a.sample_every = static_cast<std::uint32_t>(number("--sample-every", v));
    } else if (flag == "--stream-length") {
      a.stream_length = static_cast<std::size_t>(number("--stream-length", v));
    } else if (flag == "--stream-budget") {
      a.stream_budget = static_cast<std::uint64_t>(number("--stream-budget", v));
      if (a.stream_budget < mb::kStreamBatch * mb::kOpBytes) throw Usage("--stream-budget must be at least 2048 bytes");
    } else {
      throw Usage("unknown option '" + flag + "'");
    }
  }
  const std::string bad = mb::validate(a.map);
  if (!bad.empty()) throw Usage(bad);
  if (!(a.duration > 0) || a.warmup < 0 || a.repeat < 1 || a.sample_every < 1)
    throw Usage("--duration must be > 0, --warmup >= 0, --repeat and --sample-every >= 1");
  mb::WorkloadSpec w;
  std::memcpy(w.mix, a.mix, sizeof(a.mix));
  w.dist = a.dist;
  w.keys = a.map.expected_entries;
  w.stream_length = a.stream_length ? a.stream_length : mb::kStreamBatch;
  const std::string bad_workload = mb::validate(w);
  if (!bad_workload.empty()) throw Usage(bad_workload);
  return a;
}

void run(const Args& a, std::uint32_t threads, int repeat, double hz) {
  std::unique_ptr<mb::AnyMap> map = mb::make_map(a.map);
  const std::uint64_t missing = mb::prefill(*map, a.map.expected_entries);
  if (missing) throw std::runtime_error(std::to_string(missing) + " keys did not fit at prefill");
  mb::Control ctl;
  std::memset(&ctl, 0, sizeof(ctl));
  std::vector<mb::WorkerResult> results(threads);
  mb::WorkloadSpec plan_spec;
  std::memcpy(plan_spec.mix, a.mix, sizeof(a.mix));
  plan_spec.keys = a.map.expected_entries;
  const mb::StreamPlan plan = mb::default_stream_length(plan_spec, threads, a.stream_budget);
  const std::size_t stream_length = a.stream_length ? a.stream_length : plan.ops_per_thread;
  std::vector<std::uint64_t> coverage(mb::coverage_words(a.map.expected_entries), 0);
  std::vector<std::thread> pool;
  for (std::uint32_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      mb::WorkerSpec s;
      std::memcpy(s.workload.mix, a.mix, sizeof(a.mix));
      s.workload.dist = a.dist;
      s.workload.keys = a.map.expected_entries;
      s.workload.seed = static_cast<std::uint64_t>(repeat) + 1;
      s.workload.thread_index = t;
      s.workload.stream_length = stream_length;
      s.coverage = coverage.data();
      s.threads = threads;
      s.mode = a.mode;
      s.sample_every = a.sample_every;
      s.cpu = a.cpus.empty() ? -1 : a.cpus[t % a.cpus.size()];
      s.warmup_seconds = a.warmup;
      s.duration_seconds = a.duration;
      s.gate_timeout_seconds = 30;
      s.tsc_hz = hz;
      results[t] = map->run_worker(s, ctl);
    });
  }
  for (auto& th : pool) th.join();
  std::uint64_t ops = 0, start = ~std::uint64_t{0}, end = 0, latest_start = 0;
  mb::Histogram merged;
  for (const auto& r : results) {
    if (!r.ok) throw std::runtime_error("thread failed: " + r.error);
    ops += r.ops;
    start = std::min(start, r.measure_start_tsc);
    latest_start = std::max(latest_start, r.measure_start_tsc);
    end = std::max(end, r.measure_end_tsc);
    if (r.latency)
      for (int k = 0; k < mb::kLatencyKinds; ++k) merged.merge(r.latency[k]);
  }
  const std::string check = mb::verify(*map, a.map.expected_entries, threads, a.mix[2] + a.mix[3] + a.mix[4] == 0);
  const double seconds = static_cast<double>(end - start) / hz;
  const mb::Coverage cov = mb::count_coverage(coverage.data(), a.map.expected_entries);
  std::printf("{\"map\":\"%s\",\"threads\":%u,\"repeat\":%d,\"ops\":%llu,\"seconds\":%.6f,\"opsPerSec\":%.1f,"
              "\"windowSkewNs\":%.0f,\"check\":\"%s\",\"streamOpsPerThread\":%zu,\"distinctKeys\":%llu,"
              "\"coverage\":%.4f,\"streamWraps\":%.2f",
              a.map.design.c_str(), threads, repeat, static_cast<unsigned long long>(ops), seconds,
              static_cast<double>(ops) / seconds, static_cast<double>(latest_start - start) / hz * 1e9,
              check.empty() ? "ok" : check.c_str(), stream_length, static_cast<unsigned long long>(cov.present),
              static_cast<double>(cov.present) / static_cast<double>(a.map.expected_entries),
              static_cast<double>(ops) / static_cast<double>(stream_length * threads));
  if (merged.count()) {
    auto ns = [&](double p) { return merged.percentile(p) / hz * 1e9; };
    std::printf(",\"p50Ns\":%.1f,\"p99Ns\":%.1f,\"p999Ns\":%.1f,\"maxNs\":%.1f", ns(50), ns(99), ns(99.9),
                static_cast<double>(merged.max()) / hz * 1e9);
  }
  std::printf("}\n");
  std::fflush(stdout);
  if (!check.empty()) throw std::runtime_error("correctness check failed: " + check);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  try {
    a = parse(argc, argv);
  } catch (const Usage& e) {
    std::fprintf(stderr, "mapbench_native: error: %s\n", e.what());
    return 2;
  }
  const double hz = mb::tsc::hz();
  mb::Histogram timer;
  mb::measure_timer_overhead(timer, 100000);
  std::printf("{\"tscHz\":%.0f,\"timerOverheadP50Ns\":%.1f,\"logicalCores\":%u}\n", hz, timer.percentile(50) / hz * 1e9,
              std::thread::hardware_concurrency());
  try {
    for (std::uint32_t t : a.threads)
      for (int r = 0; r < a.repeat; ++r) run(a, t, r, hz);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mapbench_native: %s\n", e.what());
    return 1;
  }
  return 0;
}
