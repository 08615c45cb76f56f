// records.cc — see records.h. Each function names the TypeScript it mirrors;
// the arithmetic follows it operation for operation, so the doubles agree.
#include "records.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "environment.h"
#include "runtime/tsc.h"

namespace mapbench::native_bench {

namespace {

// JS Number.prototype.toFixed, for the warnings' messages.
std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return buf;
}

std::string num(double x) { return json::number_text(x); }

// simple-statistics sum: Neumaier's compensated summation, in the values' order.
double compensated_sum(const std::vector<double>& x) {
  if (x.empty()) return 0;
  double sum = x[0], correction = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    const double t = sum + x[i];
    if (std::fabs(sum) >= std::fabs(x[i])) correction += sum - t + x[i];
    else correction += x[i] - t + sum;
    sum = t;
  }
  return sum + correction;
}

double mean(const std::vector<double>& x) { return compensated_sum(x) / static_cast<double>(x.size()); }

// simple-statistics sampleStandardDeviation: sqrt(sum of squared deviations / (n - 1)).
double sample_sd(const std::vector<double>& x) {
  const double m = mean(x);
  double sum = 0;
  for (double v : x) {
    const double d = v - m;
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(x.size() - 1));
}

const double kPercentiles[] = {50, 90, 99, 99.9, 99.99};
constexpr int kCurvePoints = 21;

// A relative TSC stamp as the addon hands it to the harness (0 = never reached).
double rel(std::uint64_t t, std::uint64_t release) {
  return t == 0 ? 0.0 : static_cast<double>(static_cast<std::int64_t>(t - release));
}

std::string hex(std::uint64_t x) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(x));
  return buf;
}

json::Value shard_skew(const std::vector<std::uint64_t>& loads) {
  double total = 0;
  for (auto l : loads) total += static_cast<double>(l);
  json::Value s = json::Value::object();
  if (loads.empty() || total == 0) return s.set("maxOverMean", 0).set("cv", 0).set("hottestShare", 0).set("hottestShard", 0);
  const double avg = total / static_cast<double>(loads.size());
  const auto hottest = std::max_element(loads.begin(), loads.end());  // the first of the largest, as indexOf(max)
  const double most = static_cast<double>(*hottest);
  double dev = 0;
  for (auto l : loads) dev += (static_cast<double>(l) - avg) * (static_cast<double>(l) - avg);
  const double sd = loads.size() < 2 ? 0 : std::sqrt(dev / static_cast<double>(loads.size()));
  return s.set("maxOverMean", most / avg)
      .set("cv", sd / avg)
      .set("hottestShare", most / total)
      .set("hottestShard", static_cast<std::uint64_t>(hottest - loads.begin()));
}

}  // namespace

// ---- statistics ----

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double idx = static_cast<double>(values.size() - 1) * 0.5;
  const double lower = std::floor(idx);
  if (idx == lower) return values[static_cast<std::size_t>(idx)];
  const double lo = values[static_cast<std::size_t>(lower)], hi = values[static_cast<std::size_t>(std::ceil(idx))];
  return lo + (idx - lower) * (hi - lo);
}

Summary summarize(const std::vector<double>& values) {
  Summary s;
  if (values.empty()) return s;
  s.n = values.size();
  s.median = median(values);
  s.mean = mean(values);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  s.spread_pct = s.median == 0 ? 0 : ((s.max - s.min) / s.median) * 100;
  s.cv_pct = values.size() < 2 || s.mean == 0 ? 0 : (sample_sd(values) / s.mean) * 100;
  return s;
}

json::Value summary_record(const Summary& s) {
  json::Value r = json::Value::object();
  return r.set("median", s.median)
      .set("min", s.min)
      .set("max", s.max)
      .set("mean", s.mean)
      .set("spreadPct", s.spread_pct)
      .set("cvPct", s.cv_pct)
      .set("n", static_cast<std::uint64_t>(s.n));
}

// ---- latency ----

Histogram bucketed(const Histogram& h) {
  Histogram out;
  for (const auto& [index, count] : h.sparse()) out.record_count(index, count);
  return out;
}

double ticks_to_ns(double ticks, double hz) { return (ticks / hz) * 1e9; }

json::Value latency_stats(const Histogram& s, double hz) {
  auto ns = [&](double t) { return ticks_to_ns(t, hz); };
  const double count = static_cast<double>(s.count());
  json::Array curve;
  for (int k = 0; k < kCurvePoints; ++k) {
    // Keep the curve only as far as the sample supports (about count points).
    if (!(std::ldexp(1.0, k) <= std::max(1.0, count))) continue;
    const double percentile = 100 * (1 - std::ldexp(1.0, -k));
    json::Value point = json::Value::object();
    point.set("percentile", percentile).set("ns", ns(s.percentile(percentile)));
    curve.push_back(std::move(point));
  }
  json::Value last = json::Value::object();
  last.set("percentile", 100).set("ns", ns(static_cast<double>(s.max())));
  curve.push_back(std::move(last));
  json::Value r = json::Value::object();
  return r.set("count", s.count())
      .set("meanNs", ns(s.mean()))
      .set("minNs", ns(static_cast<double>(s.min())))
      .set("p50Ns", ns(s.percentile(kPercentiles[0])))
      .set("p90Ns", ns(s.percentile(kPercentiles[1])))
      .set("p99Ns", ns(s.percentile(kPercentiles[2])))
      .set("p999Ns", ns(s.percentile(kPercentiles[3])))
      .set("p9999Ns", ns(s.percentile(kPercentiles[4])))
      .set("maxNs", ns(static_cast<double>(s.max())))
      .set("curve", std::move(curve));
}

json::Value latency_record(const std::vector<Histogram>& by_kind, double hz) {
  json::Value out = json::Value::object();
  Histogram overall;
  for (int k = 0; k < kLatencyKinds; ++k) {
    if (by_kind[k].count() > 0) out.set(latency_kind_name(k), latency_stats(by_kind[k], hz));
    overall.merge(by_kind[k]);
  }
  out.set("overall", latency_stats(overall, hz));
  return out;
}

// ---- warnings (src/warnings.ts) ----

namespace warn {
Warning oversubscribed(std::uint32_t threads, std::uint32_t cores) {
  return {"oversubscribed", std::to_string(threads) + " threads on " + std::to_string(cores) + " cores: threads share CPUs (oversubscribed)",
          "read these cells as an oversubscription study, not as scaling; use --threads <= cores for scaling", std::nullopt};
}
Warning high_variance(double spread_pct) {
  return {"highVariance", "throughput spread across repeats is " + fixed(spread_pct, 1) + "% (> 5%)",
          "quiet the machine, pin with --cpus, lengthen --duration or raise --repeat", spread_pct};
}
Warning few_repeats(int repeat) {
  return {"fewRepeats", "only " + std::to_string(repeat) + " repeat(s) per cell",
          "use --repeat 5 or more for results you intend to compare", std::nullopt};
}
Warning no_huge_pages(const std::string& mode) {
  return {"noHugePages", "transparent huge pages are '" + mode + "': large tables sit on 4 KiB pages",
          "TLB misses will inflate random-access costs; enable THP (madvise) to compare with other machines", std::nullopt};
}
Warning debug_build() {
  return {"debugBuild", "the addon is a debug/sanitizer build", "rebuild with npm run build before measuring", std::nullopt};
}
Warning latency_overhead(double ratio) {
  return {"latencyOverhead", "latency-mode throughput is " + fixed(ratio * 100, 0) + "% of throughput mode (timer overhead > 25%)",
          "raise --sample-every; quote latency percentiles knowing the timed ops ran serialised", 1 - ratio};
}
Warning start_skew(double skew_ns, double duration_seconds) {
  return {"startSkew",
          "threads began measuring up to " + fixed(skew_ns / 1e3, 1) + " µs apart (" +
              fixed((skew_ns / 1e9 / duration_seconds) * 100, 2) + "% of the run)",
          "a longer --warmup absorbs late starts; fewer threads than cores keeps the start gate tight", skew_ns};
}
Warning skew_retried() {
  return {"skewRetried", "a run was discarded and rerun because its threads began measuring further apart than --max-skew allows",
          "a longer --warmup or --duration makes this rarer; a machine busy with other work makes it likelier", std::nullopt};
}
Warning skew_exceeded(int reruns) {
  return {"skewExceeded",
          "threads began measuring further apart than --max-skew allows in every run, reruns (" + std::to_string(reruns) +
              ") included: the cell's figures are kept and marked unreliable",
          "quiet the machine (other work steals the CPUs), use fewer threads than cores, or lengthen --warmup; --strict makes "
          "unreliable cells fail the run",
          std::nullopt};
}
Warning migrated(std::uint32_t thread, int from, int to) {
  return {"migrated", "thread " + std::to_string(thread) + " pinned to CPU " + std::to_string(from) + " ended on CPU " + std::to_string(to),
          "check that --cpus lists CPUs this process may use", std::nullopt};
}
Warning stream_coverage(double coverage, double expected, std::uint64_t ops, std::uint64_t ideal, bool given) {
  return {"streamCoverage",
          "the op streams touch " + fixed(coverage * 100, 1) + "% of the keys (" + std::to_string(ops) +
              " ops per thread); this distribution would reach " + fixed(expected * 100, 1) +
              "% with the full-length streams (" + std::to_string(ideal) + " ops per thread)",
          given ? "the figures measure a smaller working set than --keys names: drop --stream-length (auto) or lengthen it"
                : "the figures measure a smaller working set than --keys names: raise --stream-budget, or use fewer keys",
          expected - coverage};
}
Warning tsc_not_invariant(const std::vector<std::string>& missing) {
  std::string lacks;
  for (std::size_t i = 0; i < missing.size(); ++i) lacks += (i ? " and " : "") + missing[i];
  return {"tscNotInvariant",
          missing.empty() ? "whether the TSC is invariant is unknown (no flags in /proc/cpuinfo)" : "the TSC is not invariant: /proc/cpuinfo lacks " + lacks,
          "phase deadlines, latencies and the linearizability check read the TSC on every core as one clock at one rate; run on a "
          "machine whose TSC is invariant before trusting them",
          std::nullopt};
}
Warning march_native() {
  return {"marchNative", "the addon was built with -march=native", "results are specific to this CPU model; compare only with the same build",
          std::nullopt};
}
}  // namespace warn

void WarningLog::add(const Warning& w, const std::string& cell_key) {
  for (const auto& [seen, key] : records_)
    if (seen.code == w.code && key == cell_key) return;
  records_.emplace_back(w, cell_key);
}

json::Value WarningLog::records() const {
  json::Array out;
  for (const auto& [w, key] : records_) {
    json::Value r = json::Value::object();
    r.set("code", w.code);
    if (w.severity) r.set("severity", *w.severity);
    r.set("message", w.message).set("advice", w.advice);
    if (!key.empty()) r.set("cellKey", key);
    out.push_back(std::move(r));
  }
  return out;
}

void global_warnings(const Config& c, WarningLog& w) {
  cpu_set_t set;
  CPU_ZERO(&set);
  const std::uint32_t cores =
      sched_getaffinity(0, sizeof(set), &set) == 0 ? static_cast<std::uint32_t>(CPU_COUNT(&set)) : static_cast<std::uint32_t>(sysconf(_SC_NPROCESSORS_ONLN));
  const std::uint32_t most = *std::max_element(c.threads.begin(), c.threads.end());
  if (most > cores) w.add(warn::oversubscribed(most, cores));
  if (c.repeat < 5) w.add(warn::few_repeats(c.repeat));
  const std::string thp = transparent_huge_pages();
  if (c.huge_pages && thp != "always" && thp != "madvise") w.add(warn::no_huge_pages(thp));
  if (debug_build()) w.add(warn::debug_build());
  if (march_native_build()) w.add(warn::march_native());
  const tsc::Invariance inv = tsc::invariance();
  if (!inv.known) {
    w.add(warn::tsc_not_invariant({}));
  } else if (!(inv.constant && inv.nonstop)) {
    std::vector<std::string> missing;
    if (!inv.constant) missing.push_back("constant_tsc");
    if (!inv.nonstop) missing.push_back("nonstop_tsc");
    w.add(warn::tsc_not_invariant(missing));
  }
}

// ---- the matrix (src/matrix.ts) ----

const char* pass_name(Pass p) {
  switch (p) {
    case Pass::kThroughput: return "throughput";
    case Pass::kLatency: return "latency";
    case Pass::kStats: return "stats";
  }
  return "throughput";
}

std::vector<Pass> measured_passes(const Config& c) {
  switch (c.mode) {
    case Mode::kThroughput: return {Pass::kThroughput};
    case Mode::kLatency: return {Pass::kLatency};
    case Mode::kBoth: return {Pass::kThroughput, Pass::kLatency};
  }
  return {Pass::kThroughput};
}

bool wants_stats(const Cell& cell, const Config& c) { return c.stats && cell.map->design != "null"; }

std::vector<Cell> build_matrix(const Config& c) {
  std::vector<Cell> cells;
  for (std::uint32_t threads : c.threads)
    for (const auto& map : c.maps) {
      std::vector<std::optional<std::uint32_t>> shard_counts;
      if (map.sharded)
        for (auto s : c.shards) shard_counts.emplace_back(s);
      else
        shard_counts.emplace_back(std::nullopt);
      for (const auto& shards : shard_counts)
        for (std::uint64_t keys : c.keys)
          for (double lf : c.load_factors)
            for (const auto& mix : c.mixes)
              for (const auto& dist : c.dists) {
                Cell cell;
                cell.map = &map;
                cell.mix = &mix;
                cell.dist = &dist;
                cell.shards = shards;
                cell.threads = threads;
                cell.keys = keys;
                cell.load_factor = lf;
                json::Array cpus, weights;
                if (c.cpus)
                  for (int cpu : *c.cpus) cpus.emplace_back(cpu);
                for (auto w : mix.weights) weights.emplace_back(w);
                json::Value p = json::Value::object();
                p.set("map", map.label)
                    .set("design", map.design)
                    .set("lock", map.lock ? json::Value(lock_name(*map.lock)) : json::Value())
                    .set("shards", shards ? json::Value(*shards) : json::Value())
                    .set("threads", threads)
                    .set("cpus", c.cpus ? json::Value(std::move(cpus)) : json::Value())
                    .set("loadFactor", lf)
                    .set("keys", keys)
                    .set("mix", mix.name)
                    .set("mixWeights", std::move(weights))
                    .set("dist", dist.name);
                if (map.pad) p.set("pad", *map.pad);
                if (c.initial_capacity) p.set("initialCapacity", *c.initial_capacity);
                if (c.max_load_factor) p.set("maxLoadFactor", *c.max_load_factor);
                cell.params = std::move(p);
                // src/matrix.ts cellKey: every parameter in a fixed order; later ones only when set.
                std::string cpu_text = "-";
                if (c.cpus) {
                  cpu_text.clear();
                  for (std::size_t i = 0; i < c.cpus->size(); ++i) {
                    if (i) cpu_text += '+';
                    cpu_text += std::to_string((*c.cpus)[i]);
                  }
                }
                cell.key = "map=" + map.label + "|threads=" + std::to_string(threads) + "|cpus=" + cpu_text + "|lf=" + num(lf) +
                           "|keys=" + std::to_string(keys) + "|mix=" + mix.name + "|dist=" + dist.name +
                           "|shards=" + (shards ? std::to_string(*shards) : "-");
                if (c.initial_capacity) cell.key += "|cap0=" + std::to_string(*c.initial_capacity);
                if (c.max_load_factor) cell.key += "|maxlf=" + num(*c.max_load_factor);
                cells.push_back(std::move(cell));
              }
    }
  return cells;
}

// ---- records (src/cell-runner.ts) ----

PassOutcome repeat_outcome(int repeat, Pass pass, const std::vector<WorkerResult>& results, double hz, const Config& c,
                           const PassFacts& facts) {
  PassOutcome o;
  o.repeat = repeat;
  o.pass = pass;
  double ops = 0, allocations = 0, bytes = 0, stream_ops = 0;
  double start = INFINITY, end = -INFINITY, latest_start = -INFINITY, go_min = INFINITY, go_max = -INFINITY;
  std::uint64_t outcomes[kOutcomeCount] = {};
  std::uint64_t checksum = 0;
  for (const auto& r : results) {
    ops += static_cast<double>(r.ops);
    const double ms = rel(r.measure_start_tsc, r.release_tsc), me = rel(r.measure_end_tsc, r.release_tsc);
    const double go = rel(r.go_seen_tsc, r.release_tsc);
    start = std::min(start, ms);
    latest_start = std::max(latest_start, ms);
    end = std::max(end, me);
    go_min = std::min(go_min, go);
    go_max = std::max(go_max, go);
    for (int i = 0; i < kOutcomeCount; ++i) outcomes[i] += r.outcomes[i];
    allocations += static_cast<double>(r.allocs.allocations);
    bytes += static_cast<double>(r.allocs.bytes_allocated);
    stream_ops += static_cast<double>(r.stream_ops);
    checksum += r.checksum;
  }
  const double window_seconds = (end - start) / hz;
  o.ops = static_cast<std::uint64_t>(ops);
  o.ops_per_sec = window_seconds > 0 ? ops / window_seconds : 0;
  o.window_skew_ns = ticks_to_ns(latest_start - start, hz);
  o.allocations_per_op = ops ? allocations / ops : 0;
  o.bytes_per_op = ops ? bytes / ops : 0;
  o.end_load_factor = facts.end_load_factor;

  json::Value outcome_counts = json::Value::object();
  for (int i = 0; i < kOutcomeCount; ++i) outcome_counts.set(outcome_name(i), outcomes[i]);
  json::Array threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    const auto& r = results[t];
    const double secs = (rel(r.measure_end_tsc, r.release_tsc) - rel(r.measure_start_tsc, r.release_tsc)) / hz;
    json::Value th = json::Value::object();
    th.set("threadIndex", static_cast<std::uint64_t>(t))
        .set("ops", r.ops)
        .set("opsPerSec", secs > 0 ? static_cast<double>(r.ops) / secs : 0.0)
        .set("cpuStart", r.cpu_start)
        .set("cpuEnd", r.cpu_end)
        .set("cpuPinned", c.cpus ? json::Value((*c.cpus)[t % c.cpus->size()]) : json::Value())
        .set("threadId", static_cast<std::int64_t>(r.thread_id))
        .set("goSeenNs", ticks_to_ns(rel(r.go_seen_tsc, r.release_tsc), hz))
        .set("generateSeconds", r.generate_seconds);
    threads.push_back(std::move(th));
  }
  json::Value check;
  if (facts.check) {
    check = json::Value::object();
    check.set("ok", facts.check->empty()).set("message", *facts.check);
  }
  json::Value growth = json::Value::object();
  growth.set("migrations", facts.end.migrations)
      .set("migrationMaxNs", ticks_to_ns(static_cast<double>(facts.end.migration_ticks_max), hz))
      .set("migrationTotalNs", ticks_to_ns(static_cast<double>(facts.end.migration_ticks_total), hz))
      .set("peakTableBytes", facts.end.peak_table_bytes)
      .set("endCapacity", facts.end.capacity);
  if (!facts.end.migration_ticks_each.empty()) {
    json::Value each = json::Value::array();
    for (std::uint64_t t : facts.end.migration_ticks_each) each.push(ticks_to_ns(static_cast<double>(t), hz));
    growth.set("migrationNs", std::move(each));
  }

  json::Value rec = json::Value::object();
  rec.set("repeat", repeat)
      .set("pass", pass_name(pass))
      .set("opsPerSec", o.ops_per_sec)
      .set("ops", o.ops)
      .set("windowSeconds", window_seconds)
      .set("startSkewNs", ticks_to_ns(go_max - go_min, hz))
      .set("windowSkewNs", o.window_skew_ns)
      .set("allocationsPerOp", o.allocations_per_op)
      .set("bytesPerOp", o.bytes_per_op)
      .set("outcomes", std::move(outcome_counts))
      .set("threads", std::move(threads))
      .set("prefillLoadFactor", facts.prefill_load_factor)
      .set("endLoadFactor", facts.end_load_factor)
      .set("endEntries", facts.end_entries)
      .set("check", std::move(check))
      .set("checksum", hex(checksum))
      .set("growth", std::move(growth));
  if (stream_ops > 0) rec.set("streamWraps", ops / stream_ops);
  o.record = std::move(rec);
  return o;
}

json::Value stats_record(const std::vector<WorkerResult>& results, const Diagnostics& end) {
  double ops = 0, hit_lookups = 0, hit_probes = 0, miss_lookups = 0, miss_probes = 0, cas = 0, contended = 0;
  std::uint64_t hit_max = 0, miss_max = 0;
  for (const auto& r : results) {
    ops += static_cast<double>(r.ops);
    hit_lookups += static_cast<double>(r.stats.hit_lookups);
    hit_probes += static_cast<double>(r.stats.hit_probes);
    miss_lookups += static_cast<double>(r.stats.miss_lookups);
    miss_probes += static_cast<double>(r.stats.miss_probes);
    cas += static_cast<double>(r.stats.cas_failures);
    contended += static_cast<double>(r.stats.contended_acquisitions);
    hit_max = std::max(hit_max, r.stats.hit_max_probe);
    miss_max = std::max(miss_max, r.stats.miss_max_probe);
  }
  json::Value s = json::Value::object();
  s.set("hitLookups", static_cast<std::uint64_t>(hit_lookups))
      .set("meanProbeHit", hit_lookups ? hit_probes / hit_lookups : 0.0)
      .set("maxProbeHit", hit_max)
      .set("missLookups", static_cast<std::uint64_t>(miss_lookups))
      .set("meanProbeMiss", miss_lookups ? miss_probes / miss_lookups : 0.0)
      .set("maxProbeMiss", miss_max)
      .set("casFailuresPerOp", ops ? cas / ops : 0.0)
      .set("contendedPerOp", ops ? contended / ops : 0.0);
  if (!end.shard_entries.empty()) {
    json::Array shard_ops;
    for (auto n : end.shard_ops) shard_ops.emplace_back(n);
    s.set("shardOps", std::move(shard_ops)).set("shardSkew", shard_skew(end.shard_ops));
  }
  return s;
}

json::Value cell_record(const Cell& cell, const std::vector<PassOutcome>& outcomes, double hz, WarningLog& warnings) {
  std::vector<const PassOutcome*> tp, lat;
  json::Array repeats;
  for (const auto& o : outcomes) {
    if (o.pass == Pass::kStats) continue;
    repeats.push_back(o.record);
    (o.pass == Pass::kThroughput ? tp : lat).push_back(&o);
  }
  const auto& measured = tp.empty() ? lat : tp;
  double sum_ops = 0, allocs = 0, bytes = 0;
  std::vector<double> end_lf;
  for (const auto* o : measured) {
    sum_ops += static_cast<double>(o->ops);
    end_lf.push_back(o->end_load_factor);
  }
  for (const auto* o : measured) allocs += o->allocations_per_op * static_cast<double>(o->ops);
  for (const auto* o : measured) bytes += o->bytes_per_op * static_cast<double>(o->ops);
  auto rates = [](const std::vector<const PassOutcome*>& xs) {
    std::vector<double> v;
    for (const auto* o : xs) v.push_back(o->ops_per_sec);
    return v;
  };
  const PassOutcome& first = outcomes.front();

  json::Value summary = json::Value::object();
  std::optional<Summary> tp_summary, lat_summary;
  if (!tp.empty()) summary.set("opsPerSec", summary_record(*(tp_summary = summarize(rates(tp)))));
  if (!lat.empty()) summary.set("latencyOpsPerSec", summary_record(*(lat_summary = summarize(rates(lat)))));
  summary.set("allocationsPerOp", sum_ops ? allocs / sum_ops : 0.0).set("bytesPerOp", sum_ops ? bytes / sum_ops : 0.0);
  std::optional<Histogram> timer;
  if (!lat.empty()) {
    std::vector<Histogram> by_kind(kLatencyKinds);
    for (const auto& o : outcomes) {
      if (o.latency.empty()) continue;
      for (int k = 0; k < kLatencyKinds; ++k) by_kind[k].merge(o.latency[k]);
      if (o.timer_overhead) {
        if (!timer) timer.emplace();
        timer->merge(*o.timer_overhead);
      }
    }
    summary.set("latency", latency_record(by_kind, hz));
  }
  summary.set("endLoadFactor", summarize(end_lf).median);

  json::Value rec = json::Value::object();
  rec.set("key", cell.key).set("status", "ok").set("params", cell.params).set("map", first.map_info);
  for (const auto& o : outcomes)
    if (o.stream) {
      rec.set("stream", *o.stream);
      break;
    }
  rec.set("repeats", std::move(repeats)).set("summary", std::move(summary));
  for (const auto& o : outcomes)
    if (o.stats) {
      rec.set("stats", *o.stats);
      break;
    }
  json::Value memory = json::Value::object();
  memory.set("rssBeforeBytes", first.rss_before).set("rssAfterBytes", outcomes.back().rss_after);
  rec.set("memory", std::move(memory));
  if (timer) {
    const json::Value t = latency_stats(*timer, hz);
    json::Value overhead = json::Value::object();
    overhead.set("p50", *t.find("p50Ns")).set("mean", *t.find("meanNs"));
    rec.set("timerOverheadNs", std::move(overhead));
  }
  json::Array unreliable;
  for (const auto& o : outcomes) {
    if (!o.unreliable) continue;
    json::Value u = json::Value::object();
    u.set("repeat", o.repeat).set("pass", pass_name(o.pass)).set("reason", *o.unreliable);
    unreliable.push_back(std::move(u));
  }
  if (!unreliable.empty()) rec.set("unreliable", std::move(unreliable));

  // src/bench.ts cellWarnings (a fixed repeat count: the spread is the noise measure).
  constexpr double kCoverageShortfall = 0.01;
  for (const auto& o : outcomes)
    if (o.stream) {
      if ((o.stream_given || o.stream_capped) && o.stream_coverage < o.stream_expected - kCoverageShortfall)
        warnings.add(warn::stream_coverage(o.stream_coverage, o.stream_expected, o.stream_ops, o.stream_ideal, o.stream_given), cell.key);
      break;
    }
  if (tp_summary && tp_summary->n > 1 && tp_summary->spread_pct > 5) warnings.add(warn::high_variance(tp_summary->spread_pct), cell.key);
  if (tp_summary && lat_summary && tp_summary->median > 0 && lat_summary->median / tp_summary->median < 0.75)
    warnings.add(warn::latency_overhead(lat_summary->median / tp_summary->median), cell.key);
  return rec;
}

json::Value failed_cell_record(const Cell& cell, const std::vector<PassOutcome>& outcomes, const std::string& error) {
  json::Array repeats;
  for (const auto& o : outcomes) repeats.push_back(o.record);
  json::Value rec = json::Value::object();
  return rec.set("key", cell.key).set("status", "failed").set("params", cell.params).set("error", error).set("repeats", std::move(repeats));
}

}  // namespace mapbench::native_bench
