// test_runner.cc — mapbench::run_worker driven through AnyMap::run_worker by
// two threads sharing one zeroed Control (throughput, latency and statistics
// modes, pinning, the start gate's timeout and abort paths, verify()), and
// the workload generator (sentinel-free keys, mix proportions, kind/key
// independence, zipf skew, hotspot fraction, determinism).
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "check.h"
#include "maps.h"
#include "maps/locks.h"
#include "maps/sharded_map.h"
#include "runtime/runner.h"
#include "runtime/tsc.h"
#include "runtime/workload.h"

using mapbench::AnyMap;
using mapbench::Control;
using mapbench::RunMode;
using mapbench::WorkerResult;
using mapbench::WorkerSpec;

namespace {

constexpr std::uint64_t kKeys = 4096;
#ifdef MAPBENCH_DEBUG
// Sanitizer builds: threads are slower to start and a batch takes longer.
constexpr double kSlackSeconds = 2.0;
#else
constexpr double kSlackSeconds = 0.5;
#endif

WorkerSpec base_spec(RunMode mode, bool read_only) {
  WorkerSpec s;
  s.threads = 2;
  s.mode = mode;
  s.sample_every = 8;
  s.warmup_seconds = 0.03;
  s.duration_seconds = 0.1;
  s.gate_timeout_seconds = 20;
  s.tsc_hz = mapbench::tsc::hz();
  s.workload.keys = kKeys;
  s.workload.seed = 99;
  s.workload.stream_length = 1 << 14;
  const std::uint32_t ro[mapbench::kOpKinds] = {80, 20, 0, 0, 0};
  const std::uint32_t rw[mapbench::kOpKinds] = {50, 10, 20, 15, 5};
  std::memcpy(s.workload.mix, read_only ? ro : rw, sizeof(ro));
  return s;
}

// Runs spec on `threads` std::threads against `map`; thread t gets
// thread_index t (and cpu = cpus[t] when given).
std::vector<WorkerResult> run_threads(AnyMap& map, const WorkerSpec& spec, unsigned threads,
                                      const std::vector<int>& cpus = {}) {
  Control ctl;
  std::memset(&ctl, 0, sizeof(ctl));
  std::vector<WorkerResult> results(threads);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      WorkerSpec s = spec;
      s.workload.thread_index = t;
      if (!cpus.empty()) s.cpu = cpus[t];
      results[t] = map.run_worker(s, ctl);
    });
  }
  for (auto& th : ts) th.join();
  return results;
}

// What every successful worker result must satisfy.
void check_result(const WorkerResult& r, const WorkerSpec& spec, const std::string& ctx) {
  CHECK(r.ok, ctx, ": ", r.error);
  CHECK(r.error.empty(), ctx, ": ", r.error);
  CHECK_GT(r.ops, 0u, ctx);
  CHECK_EQ(r.ops % mapbench::kStreamBatch, 0u, ctx, ": ops count whole batches");
  std::uint64_t sum = 0;
  for (auto n : r.outcomes) sum += n;
  CHECK_EQ(sum, r.ops, ctx, ": outcome counts sum to ops");
  // The measured window: it starts after warm-up and covers the duration,
  // overshooting by no more than a batch plus scheduling slack.
  const double hz = spec.tsc_hz;
  const std::uint64_t warm_end = r.release_tsc + static_cast<std::uint64_t>(spec.warmup_seconds * hz);
  const std::uint64_t measure_end = warm_end + static_cast<std::uint64_t>(spec.duration_seconds * hz);
  CHECK_LE(r.arrive_tsc, r.go_seen_tsc, ctx);
  CHECK_GE(r.measure_start_tsc, warm_end, ctx, ": measurement started inside warm-up");
  CHECK_GE(r.measure_end_tsc, measure_end, ctx, ": measurement ended before the duration");
  CHECK_LE(r.measure_start_tsc, warm_end + static_cast<std::uint64_t>(kSlackSeconds * hz), ctx, ": warm-up overshot");
  CHECK_LE(r.measure_end_tsc, measure_end + static_cast<std::uint64_t>(kSlackSeconds * hz), ctx,
           ": measured phase overshot its duration");
  CHECK_GT(r.generate_seconds, 0.0, ctx);
  // Read-only runs allocate nothing while measured. (Writes may: erases
  // trigger in-place tombstone purges and sharded shards grow.)
  if (spec.workload.mix[2] + spec.workload.mix[3] + spec.workload.mix[4] == 0)
    CHECK_EQ(r.allocs.allocations, 0u, ctx, ": a read-only timed loop allocated");
}

void check_pair(const std::vector<WorkerResult>& rs, const WorkerSpec& spec, const std::string& ctx) {
  CHECK_EQ(rs.size(), 2u, ctx);
  for (std::size_t t = 0; t < rs.size(); ++t) check_result(rs[t], spec, ctx + " thread " + std::to_string(t));
  CHECK_EQ(rs[0].release_tsc, rs[1].release_tsc, ctx, ": both threads share one release instant");
  CHECK_NE(rs[0].thread_id, rs[1].thread_id, ctx);
}

void read_only_throughput(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  const WorkerSpec spec = base_spec(RunMode::kThroughput, true);
  auto rs = run_threads(*map, spec, 2);
  check_pair(rs, spec, cfg.label);
  for (const auto& r : rs) {
    // Every get of a prefilled key hits; every miss-range get misses.
    CHECK_GT(r.outcomes[mapbench::kGetHit], 0u, cfg.label);
    CHECK_GT(r.outcomes[mapbench::kGetMiss], 0u, cfg.label);
    CHECK_EQ(r.outcomes[mapbench::kGetHit] + r.outcomes[mapbench::kGetMiss], r.ops, cfg.label);
    CHECK_GT(r.checksum, 0u, cfg.label);
    CHECK(!r.latency, cfg.label, ": throughput mode has no latency histograms");
  }
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, true), std::string(), cfg.label);
  mbtest::check_invariants(*map, kKeys, kKeys, cfg.label);
}

void latency_read_write(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  const WorkerSpec spec = base_spec(RunMode::kLatency, false);
  auto rs = run_threads(*map, spec, 2);
  check_pair(rs, spec, cfg.label);
  for (const auto& r : rs) {
    CHECK(r.latency != nullptr, cfg.label);
    std::uint64_t samples = 0;
    for (int k = 0; k < mapbench::kLatencyKinds; ++k) {
      const auto& h = r.latency[k];
      samples += h.count();
      if (h.count()) CHECK_GT(h.percentile(50), 0.0, cfg.label, ": ", mapbench::latency_kind_name(k));
    }
    CHECK_GT(r.latency[mapbench::kLatGetHit].count(), 0u, cfg.label, ": getHit histogram empty");
    CHECK_GT(r.latency[mapbench::kLatInsert].count(), 0u, cfg.label, ": insert histogram empty");
    // One op in sample_every is timed, starting with the first.
    const std::uint64_t expect = (r.ops + spec.sample_every - 1) / spec.sample_every;
    CHECK_EQ(samples, expect, cfg.label, ": timed samples");
    CHECK_EQ(r.timer_overhead.count(), 20000u, cfg.label);
    CHECK_GT(r.outcomes[mapbench::kUpdateHit] + r.outcomes[mapbench::kInsertAssign], 0u, cfg.label);
    CHECK_EQ(r.outcomes[mapbench::kInsertFull], 0u, cfg.label);
  }
  // Writers wrote tagged values over the prefill; nothing else appeared.
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, false), std::string(), cfg.label);
}

void stats_read_only(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  const WorkerSpec spec = base_spec(RunMode::kStats, true);
  auto rs = run_threads(*map, spec, 2);
  check_pair(rs, spec, cfg.label);
  for (const auto& r : rs) {
    const auto& st = r.stats;
    // One probe record per get: hits for present keys, misses for the rest.
    CHECK_EQ(st.hit_lookups, r.outcomes[mapbench::kGetHit], cfg.label);
    CHECK_EQ(st.miss_lookups, r.outcomes[mapbench::kGetMiss], cfg.label);
    CHECK_GE(st.hit_probes, st.hit_lookups, cfg.label);
    CHECK_GE(st.miss_probes, st.miss_lookups, cfg.label);
    CHECK_GE(st.hit_max_probe, 1u, cfg.label);
    const std::uint64_t capacity = map->diagnostics().capacity;  // 0: not exposed (urcu)
    if (capacity != 0) CHECK_LE(st.hit_max_probe, capacity, cfg.label);
    CHECK_EQ(st.cas_failures, 0u, cfg.label, ": a read-only run cannot fail a CAS");
  }
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, true), std::string(), cfg.label);
}

// Both threads pinned to distinct CPUs; the pin holds for the run and the
// thread's own affinity is restored afterwards.
void pinned(const mbtest::MapConfig& cfg, const std::vector<int>& cpus) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  const WorkerSpec spec = base_spec(RunMode::kThroughput, true);
  Control ctl;
  std::memset(&ctl, 0, sizeof(ctl));
  std::vector<WorkerResult> rs(2);
  std::vector<int> restored(2, 0);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < 2; ++t) {
    ts.emplace_back([&, t] {
      cpu_set_t before, after;
      sched_getaffinity(0, sizeof(before), &before);
      WorkerSpec s = spec;
      s.workload.thread_index = t;
      s.cpu = cpus[t];
      rs[t] = map->run_worker(s, ctl);
      sched_getaffinity(0, sizeof(after), &after);
      restored[t] = CPU_EQUAL(&before, &after);
    });
  }
  for (auto& th : ts) th.join();
  check_pair(rs, spec, cfg.label);
  for (unsigned t = 0; t < 2; ++t) {
    CHECK_EQ(rs[t].cpu_start, cpus[t], cfg.label);
    CHECK_EQ(rs[t].cpu_end, cpus[t], cfg.label);
    CHECK(restored[t], cfg.label, ": thread ", t, "'s affinity was not restored");
  }
}

void gate_timeout(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  WorkerSpec spec = base_spec(RunMode::kThroughput, true);
  spec.gate_timeout_seconds = 0.2;
  Control ctl;
  std::memset(&ctl, 0, sizeof(ctl));
  const auto t0 = std::chrono::steady_clock::now();
  WorkerResult r = map->run_worker(spec, ctl);  // threads = 2, but only this one comes
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(!r.ok, cfg.label);
  CHECK(r.error.find("start gate timed out") != std::string::npos, cfg.label, ": error was '", r.error, "'");
  CHECK(r.error.find("1 of 2") != std::string::npos, cfg.label, ": error was '", r.error, "'");
  CHECK_EQ(r.ops, 0u, cfg.label);
  CHECK_EQ(ctl.abort, 1, cfg.label, ": a timed-out gate sets abort for the others");
  CHECK_GE(waited, 0.2, cfg.label);
  CHECK_LT(waited, 0.2 + 2 * kSlackSeconds + 2.0, cfg.label, ": the gate took too long to give up");
  std::printf("      gate gave up after %.3f s: %s\n", waited, r.error.c_str());

  // The second thread arriving late, after the abort: it completes the
  // count and so opens the gate, but stops at its first batch and reports
  // the abort instead of running the phases.
  const auto t1 = std::chrono::steady_clock::now();
  WorkerResult late = map->run_worker(spec, ctl);
  const double late_wait = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  CHECK(!late.ok, cfg.label);
  CHECK(late.error.find("aborted") != std::string::npos, cfg.label, ": error was '", late.error, "'");
  CHECK_LE(late.ops, 2 * mapbench::kStreamBatch, cfg.label);
  CHECK_LT(late_wait, spec.warmup_seconds + spec.duration_seconds, cfg.label);
  // A thread that is not the last to arrive at an aborted gate leaves at once.
  Control ctl3;
  std::memset(&ctl3, 0, sizeof(ctl3));
  ctl3.abort = 1;
  WorkerSpec three = spec;
  three.threads = 3;
  WorkerResult early = map->run_worker(three, ctl3);
  CHECK(!early.ok, cfg.label);
  CHECK_EQ(early.error, std::string("run aborted before start"), cfg.label);

  // An invalid workload fails before the gate and tells the others.
  Control ctl2;
  std::memset(&ctl2, 0, sizeof(ctl2));
  WorkerSpec bad = spec;
  bad.workload.stream_length = 1000;
  WorkerResult rb = map->run_worker(bad, ctl2);
  CHECK(!rb.ok, cfg.label);
  CHECK(rb.error.find("multiple of 256") != std::string::npos, cfg.label, ": ", rb.error);
  CHECK_EQ(ctl2.abort, 1, cfg.label);
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, true), std::string(), cfg.label);
}

// A map of `design` holding kKeys keys at load factor 0.5.
std::unique_ptr<AnyMap> prefilled(const std::string& design) {
  mapbench::MapOptions o;
  o.design = design;
  o.expected_entries = kKeys;
  o.load_factor = 0.5;
  o.huge_pages = false;
  auto map = mbtest::make({design, o, mapbench::find_design(design)});
  mapbench::prefill(*map, kKeys);
  return map;
}

// Every design, maps and pseudo-maps, completes a short read-write run.
void any_design_runs(const std::string& design) {
  auto map = prefilled(design);
  const WorkerSpec spec = base_spec(RunMode::kThroughput, false);
  check_pair(run_threads(*map, spec, 2), spec, design);
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, false), std::string(), design);
}

// The batched timed loop (--batch 16), both passes: the same accounting as
// the per-op loop, the prefetching path exactly where the design has one,
// and in latency mode every timed batch in batch_latency.
void any_design_runs_batched(const std::string& design) {
  auto map = prefilled(design);
  for (RunMode mode : {RunMode::kThroughput, RunMode::kLatency}) {
    WorkerSpec spec = base_spec(mode, false);
    spec.batch = 16;
    const auto rs = run_threads(*map, spec, 2);
    check_pair(rs, spec, design + " batch 16");
    for (const auto& r : rs) {
      CHECK_EQ(r.batch_prefetch, map->batches(), design, ": the batched path runs where the design has one");
      if (mode == RunMode::kLatency) CHECK_GT(r.batch_latency.count(), 0u, design, ": timed batches recorded");
    }
  }
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, false), std::string(), design);
}

// ---- workload generation ----

constexpr std::uint64_t kMask = mapbench::kKeyMask;

void key_of_avoids_sentinels() {
  // Brute force over the first 10M indices.
  constexpr std::uint64_t kIndices = 10'000'000;
  std::uint64_t bad = 0, wide = 0;
  for (std::uint64_t i = 0; i < kIndices; ++i) {
    bad += !mapbench::is_user_key(mapbench::key_of(i));
    wide += mapbench::key_of(i) > kMask;
  }
  CHECK_EQ(bad, 0u, "key_of yields a sentinel below 10M");
  CHECK_EQ(wide, 0u, "key_of yields a key of more than 61 bits");
  // And by the inverse: the only indices mapping to 0 and 1.
  mapbench::Rng rng(5);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t idx = rng.next() & kMask;
    CHECK_EQ(mapbench::index_of(mapbench::key_of(idx)), idx, "index_of inverts key_of");
    const std::uint64_t key = rng.next() & kMask;
    CHECK_EQ(mapbench::key_of(mapbench::index_of(key)), key, "key_of inverts index_of");
  }
  const std::uint64_t to0 = mapbench::index_of(mapbench::kEmptyKey), to1 = mapbench::index_of(mapbench::kTombstoneKey);
  CHECK_EQ(mapbench::key_of(to0), mapbench::kEmptyKey);
  CHECK_EQ(mapbench::key_of(to1), mapbench::kTombstoneKey);
  std::printf("      key_of^-1(0) = %llu, key_of^-1(1) = %llu (both >= 2^58)\n", static_cast<unsigned long long>(to0),
              static_cast<unsigned long long>(to1));
  CHECK_GE(to0, std::uint64_t{1} << 58);
  CHECK_GE(to1, std::uint64_t{1} << 58);
  // Op words hold key and kind without loss.
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const std::uint64_t k = mapbench::key_of(i * 7919);
    const auto op = mapbench::op_word(k, mapbench::OpKind::kErase);
    CHECK_EQ(mapbench::op_key(op), k);
    CHECK_EQ(mapbench::op_kind(op), static_cast<std::uint8_t>(mapbench::OpKind::kErase));
  }
}

mapbench::WorkloadSpec spec_with(std::initializer_list<std::uint32_t> mix, std::uint64_t keys) {
  mapbench::WorkloadSpec s;
  std::copy(mix.begin(), mix.end(), s.mix);
  s.keys = keys;
  s.seed = 1234;
  s.stream_length = 1 << 20;
  return s;
}

// key -> index for indices [0, n).
std::unordered_map<std::uint64_t, std::uint64_t> index_table(std::uint64_t n) {
  std::unordered_map<std::uint64_t, std::uint64_t> t;
  t.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) t.emplace(mapbench::key_of(i), i);
  return t;
}

void mix_proportions() {
  const std::uint64_t n = 10000;
  auto spec = spec_with({40, 10, 20, 20, 10}, n);
  CHECK_EQ(mapbench::validate(spec), std::string());
  const auto s = mapbench::generate_stream(spec);
  CHECK_EQ(s.size(), spec.stream_length);
  const auto idx = index_table(2 * n);
  std::uint64_t counts[mapbench::kOpKinds] = {};
  for (std::size_t i = 0; i < s.size(); ++i) {
    CHECK_LT(mapbench::op_kind(s.ops[i]), mapbench::kOpKinds);
    counts[mapbench::op_kind(s.ops[i])] += 1;
    auto it = idx.find(mapbench::op_key(s.ops[i]));
    CHECK(it != idx.end(), "key outside [0, 2n)");
    if (mapbench::op_kind(s.ops[i]) == static_cast<std::uint8_t>(mapbench::OpKind::kMiss))
      CHECK_GE(it->second, n, "miss key inside the present range");
    else
      CHECK_LT(it->second, n, "present-key op outside the present range");
  }
  for (int k = 0; k < mapbench::kOpKinds; ++k) {
    const double got = static_cast<double>(counts[k]) / static_cast<double>(s.size());
    CHECK_NEAR(got, spec.mix[k] / 100.0, 0.005, "op kind ", k);
  }
}

// Partitioned workloads: under `shard`, every key a thread's stream holds
// (present and miss ops alike) lies in a shard that ShardedMap itself puts
// it in and that belongs to that thread (s % threads == t), so no two
// threads share a shard; under `thread`, each thread's keys lie in its own
// index range. Either way the threads' ranges are disjoint and together are
// all of [0, keys), so prefill (which inserts [0, keys)) covers every
// thread's range: every present-key op of every stream finds its key in a
// prefilled map.
void partitions_own_their_keys() {
  namespace mb = mapbench;
  const std::uint64_t n = 20000;
  for (const mb::Partition part : {mb::Partition::kShard, mb::Partition::kThread}) {
    for (const std::uint32_t threads : {1u, 2u, 4u}) {
      mb::MapOptions o;
      o.design = "sharded";
      o.expected_entries = n;
      o.load_factor = 0.5;
      o.shards = 64;
      o.huge_pages = false;
      auto map = mb::make_map(o);
      CHECK_EQ(mb::prefill(*map, n), 0u);
      mb::alloc::Pages pages(false);
      mb::ShardedMap<mb::SpinLock, 64> layout(pages, 2 * 64, 64);  // the shard rule, from the map itself
      std::vector<std::uint32_t> owner(2 * n, ~0u);
      for (std::uint32_t t = 0; t < threads; ++t) {
        auto spec = spec_with({60, 20, 20, 0, 0}, n);
        spec.partition = part;
        spec.threads = threads;
        spec.shards = 64;
        spec.thread_index = t;
        spec.stream_length = 1 << 16;
        CHECK_EQ(mb::validate(spec), std::string());
        for (std::uint64_t i = 0; i < 2 * n; ++i) {
          if (mb::owner_of(spec, i) != t) continue;
          CHECK_EQ(owner[i], ~0u, "index ", i, " owned twice");
          owner[i] = t;
        }
        const auto s = mb::generate_stream(spec);
        for (std::uint64_t op : s.ops) {
          const std::uint64_t k = mb::op_key(op), i = mb::index_of(k);
          const bool miss = mb::op_kind(op) == static_cast<std::uint8_t>(mb::OpKind::kMiss);
          CHECK(miss ? (i >= n && i < 2 * n) : i < n, "op key outside its range: index ", i);
          CHECK_EQ(owner[i], t, "thread ", t, " drew index ", i, " it does not own");
          if (part == mb::Partition::kShard)
            CHECK_EQ(layout.shard_index(mb::hash_key(k)) % threads, t, "thread ", t, " key in another's shard");
          else
            CHECK(i % n >= t * n / threads && i % n < (t + 1) * n / threads, "thread ", t, " outside its range");
          std::uint64_t v = 0;
          if (!miss) CHECK_EQ(map->get(k, &v), mb::Status::kOk, "prefill missed index ", i);
        }
      }
      for (std::uint64_t i = 0; i < 2 * n; ++i) CHECK_LT(owner[i], threads, "index ", i, " is no thread's");
    }
  }
  auto bad = spec_with({100, 0, 0, 0, 0}, n);
  bad.partition = mb::Partition::kShard;
  bad.threads = 4;
  bad.shards = 2;
  CHECK(!mb::validate(bad).empty(), "fewer shards than threads");
  bad.shards = 64;
  bad.thread_index = 4;
  CHECK(!mb::validate(bad).empty(), "thread index past threads");
}

void kind_independent_of_key() {
  const std::uint64_t n = 1 << 16;
  auto spec = spec_with({50, 0, 50, 0, 0}, n);
  const auto s = mapbench::generate_stream(spec);
  const auto idx = index_table(n);
  // P(get | index bucket) and P(get | key bits) are all ~0.5.
  constexpr int kBuckets = 16;
  std::uint64_t by_index[kBuckets][2] = {}, by_key[kBuckets][2] = {}, by_high[kBuckets][2] = {};
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int get = mapbench::op_kind(s.ops[i]) == 0;
    const std::uint64_t index = idx.at(mapbench::op_key(s.ops[i]));
    by_index[index % kBuckets][get] += 1;
    by_high[index * kBuckets / n][get] += 1;
    by_key[mapbench::op_key(s.ops[i]) >> 57][get] += 1;
  }
  for (auto* table : {by_index, by_key, by_high}) {
    for (int b = 0; b < kBuckets; ++b) {
      const double total = static_cast<double>(table[b][0] + table[b][1]);
      CHECK_GT(total, 0.0);
      // ~65k draws per bucket: sigma ~0.002, so 0.015 is > 7 sigma.
      CHECK_NEAR(static_cast<double>(table[b][1]) / total, 0.5, 0.015, "bucket ", b);
    }
  }
  // Consecutive ops: the kind of op i+1 does not depend on the kind of op i.
  std::uint64_t same = 0;
  for (std::size_t i = 1; i < s.size(); ++i) same += mapbench::op_kind(s.ops[i]) == mapbench::op_kind(s.ops[i - 1]);
  CHECK_NEAR(static_cast<double>(same) / static_cast<double>(s.size() - 1), 0.5, 0.005);
}

void zipf_skew() {
  const std::uint64_t n = 1000;
  const double theta = 0.99;
  auto spec = spec_with({100, 0, 0, 0, 0}, n);
  spec.dist.kind = mapbench::DistKind::kZipf;
  spec.dist.theta = theta;
  CHECK_EQ(mapbench::validate(spec), std::string());
  const auto s = mapbench::generate_stream(spec);
  const auto idx = index_table(n);
  std::vector<std::uint64_t> count(n, 0);
  for (auto op : s.ops) count[idx.at(mapbench::op_key(op))] += 1;
  for (std::uint64_t r = 1; r < n; ++r) CHECK_GT(count[0], count[r], "rank 0 is the most frequent; rank ", r);
  CHECK_GT(count[1], count[2]);
  CHECK_GT(count[2], count[10]);
  CHECK_GT(count[10], count[100]);
  double zeta = 0;
  for (std::uint64_t i = 1; i <= n; ++i) zeta += 1.0 / std::pow(static_cast<double>(i), theta);
  const double p0 = static_cast<double>(count[0]) / static_cast<double>(s.size());
  CHECK_NEAR(p0, 1.0 / zeta, 0.05 / zeta, "P(rank 0) vs 1/zeta(n, theta)");
  const double p1 = static_cast<double>(count[1]) / static_cast<double>(s.size());
  CHECK_NEAR(p1, std::pow(0.5, theta) / zeta, 0.05 / zeta, "P(rank 1)");
  // The head is heavy: the top 10% of ranks take most of the ops.
  std::uint64_t head = 0;
  for (std::uint64_t r = 0; r < n / 10; ++r) head += count[r];
  CHECK_GT(static_cast<double>(head) / static_cast<double>(s.size()), 0.6);
  std::printf("      zipf(0.99) over 1000: P(rank 0) = %.4f (1/zeta = %.4f), top 10%% ranks = %.3f\n", p0, 1 / zeta,
              static_cast<double>(head) / static_cast<double>(s.size()));
}

void hotspot_fraction() {
  const std::uint64_t n = 10000;
  auto spec = spec_with({100, 0, 0, 0, 0}, n);
  spec.dist.kind = mapbench::DistKind::kHotspot;
  spec.dist.hot_fraction = 0.1;
  spec.dist.hot_op_fraction = 0.9;
  const auto s = mapbench::generate_stream(spec);
  const auto idx = index_table(n);
  std::uint64_t hot = 0;
  std::vector<std::uint8_t> seen(n, 0);
  for (auto op : s.ops) {
    const std::uint64_t i = idx.at(mapbench::op_key(op));
    hot += i < n / 10;
    seen[i] = 1;
  }
  CHECK_NEAR(static_cast<double>(hot) / static_cast<double>(s.size()), 0.9, 0.005);
  std::uint64_t covered = 0;
  for (auto b : seen) covered += b;
  CHECK_EQ(covered, n, "every key is drawn at least once");

  auto hk = spec_with({100, 0, 0, 0, 0}, n);
  hk.dist.kind = mapbench::DistKind::kHotkey;
  const auto h = mapbench::generate_stream(hk);
  for (auto op : h.ops) CHECK_EQ(mapbench::op_key(op), mapbench::key_of(0), "hotkey");
}

void determinism() {
  auto spec = spec_with({40, 10, 20, 20, 10}, 5000);
  spec.stream_length = 1 << 16;
  spec.dist.kind = mapbench::DistKind::kZipf;
  const auto a = mapbench::generate_stream(spec);
  const auto b = mapbench::generate_stream(spec);
  CHECK(a.ops == b.ops, "same spec, same stream");
  auto other_thread = spec;
  other_thread.thread_index = 1;
  const auto c = mapbench::generate_stream(other_thread);
  CHECK(a.ops != c.ops, "another thread index gives another stream");
  auto other_seed = spec;
  other_seed.seed += 1;
  const auto d = mapbench::generate_stream(other_seed);
  CHECK(a.ops != d.ops, "another seed gives another stream");
  CHECK_NE(mapbench::thread_seed(1, 0, 1), mapbench::thread_seed(1, 1, 1));
  CHECK_NE(mapbench::thread_seed(1, 0, 1), mapbench::thread_seed(1, 0, 2));
  mapbench::Rng r1(7), r2(7);
  for (int i = 0; i < 1000; ++i) CHECK_EQ(r1.next(), r2.next());
}

void validation() {
  auto ok = spec_with({1, 0, 0, 0, 0}, 10);
  CHECK_EQ(mapbench::validate(ok), std::string());
  auto s = ok;
  std::fill(std::begin(s.mix), std::end(s.mix), 0u);
  CHECK(!mapbench::validate(s).empty(), "all-zero mix");
  s = ok;
  s.keys = 0;
  CHECK(!mapbench::validate(s).empty(), "zero keys");
  s = ok;
  s.stream_length = 300;
  CHECK(!mapbench::validate(s).empty(), "stream length not a multiple of 256");
  s = ok;
  s.dist.kind = mapbench::DistKind::kZipf;
  s.dist.theta = 1.0;
  CHECK(!mapbench::validate(s).empty(), "zipf theta 1");
  s = ok;
  s.dist.kind = mapbench::DistKind::kHotspot;
  s.dist.hot_fraction = 0;
  CHECK(!mapbench::validate(s).empty(), "hotspot fraction 0");
  // Values written by the runner are user values for every thread index the
  // addon accepts, and the next index would not be.
  CHECK(mapbench::is_user_value(mapbench::tagged_value(mapbench::kMaxThreads - 1, ~std::uint64_t{0})));
  CHECK(!mapbench::is_user_value(mapbench::tagged_value(mapbench::kMaxThreads, ~std::uint64_t{0})));
  CHECK_EQ(mapbench::tagged_value(0, 5) >> 48, 1u);
  CHECK(mapbench::is_user_value(mapbench::value_of(~std::uint64_t{0})));
}

}  // namespace

// Series: windows line up with the measured phase, and their op counts add
// up to the thread's op count; each timed op's latency lands in some window.
void series_closed_loop(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  WorkerSpec spec = base_spec(RunMode::kLatency, false);
  spec.series_window_seconds = 0.01;
  auto rs = run_threads(*map, spec, 2);
  check_pair(rs, spec, cfg.label);
  for (const auto& r : rs) {
    CHECK(r.series.enabled(), cfg.label);
    CHECK_EQ(r.series.ops.size(), 11u, cfg.label, ": 0.1 s in 10 ms windows, plus one for the overshoot");
    CHECK_EQ(r.series.origin, rs[0].series.origin, cfg.label, ": windows aligned across threads");
    // Counts only: how the ops spread over the windows depends on the
    // scheduler (a preempted thread leaves windows empty).
    std::uint64_t sum = 0, max_of_max = 0;
    for (auto n : r.series.ops) sum += n;
    for (auto m : r.series.max_ticks) max_of_max = std::max(max_of_max, m);
    CHECK_EQ(sum, r.ops, cfg.label, ": window op counts sum to the measured ops");
    std::uint64_t hist_max = 0;
    for (int k = 0; k < mapbench::kLatencyKinds; ++k)
      if (r.latency[k].count()) hist_max = std::max(hist_max, static_cast<std::uint64_t>(r.latency[k].max()));
    CHECK_EQ(max_of_max, hist_max, cfg.label, ": the longest windowed op is the histogram's maximum");
  }
}

// Ops of a schedule (op i due at start + floor(i * interval)) due before
// `deadline`, counted one by one (small schedules only).
std::uint64_t count_due(std::uint64_t start, std::uint64_t deadline, double interval) {
  std::uint64_t i = 0;
  while (start + static_cast<std::uint64_t>(static_cast<double>(i) * interval) < deadline) ++i;
  return i;
}

// Open loop: every op the schedule holds is issued or counted missed, and
// every issued op is timed from its due time.
void open_loop(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  WorkerSpec spec = base_spec(RunMode::kLatency, false);
  spec.rate_per_second = 50000;  // per thread; 5000 ops in the 0.1 s measured phase
  spec.series_window_seconds = 0.02;
  // A short stream, so the schedule wraps it many times and the warm-up
  // ends mid-batch (ASAN would catch a replay that ran off its end).
  spec.workload.stream_length = 3 * mapbench::kStreamBatch;
  auto rs = run_threads(*map, spec, 2);
  for (const auto& r : rs) {
    CHECK(r.ok, cfg.label, ": ", r.error);
    const double interval = spec.tsc_hz / spec.rate_per_second;
    const std::uint64_t warm_end = r.release_tsc + static_cast<std::uint64_t>(spec.warmup_seconds * spec.tsc_hz);
    const std::uint64_t deadline = warm_end + static_cast<std::uint64_t>(spec.duration_seconds * spec.tsc_hz);
    const std::uint64_t due = count_due(warm_end, deadline, interval);
    CHECK_EQ(r.ops + r.missed_ops, due, cfg.label, ": issued + missed is the measured schedule");
    CHECK_EQ(mapbench::detail::ops_due_before(warm_end, deadline, interval), due, cfg.label);
    // Far below capacity, misses come only from preemptions (how many
    // depends on the machine's load, so only the identity above is exact).
    CHECK_GT(r.ops, 0u, cfg.label);
    std::uint64_t samples = 0, outcomes = 0, series_ops = 0;
    for (int k = 0; k < mapbench::kLatencyKinds; ++k) samples += r.latency[k].count();
    for (auto n : r.outcomes) outcomes += n;
    for (auto n : r.series.ops) series_ops += n;
    CHECK_EQ(samples, r.ops, cfg.label, ": every open-loop op is timed");
    CHECK_EQ(outcomes, r.ops, cfg.label);
    CHECK_EQ(series_ops, r.ops, cfg.label);
  }
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, false), std::string(), cfg.label);
}

// An offered rate far beyond what any map reaches: warm-up and the measured
// phase each stop at their own deadline, not when the backlog is done, and
// the ops not issued are counted.
void open_loop_overload(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  CHECK_EQ(mapbench::prefill(*map, kKeys), 0u, cfg.label);
  WorkerSpec spec = base_spec(RunMode::kLatency, false);
  spec.rate_per_second = 1e9;  // per thread: one op due every 2 ticks at 2 GHz, 20x any map here
  // A backlog of 1e8 ops at each deadline: seconds of overrun for a loop
  // that ran it, against a margin that covers a preemption or two.
  spec.warmup_seconds = 0.1;
  const double hz = spec.tsc_hz;
#ifdef MAPBENCH_DEBUG
  const double margin = 1.0;  // sanitizer builds: one op can take a while
#else
  const double margin = 0.1;
#endif
  auto rs = run_threads(*map, spec, 2);
  for (std::size_t t = 0; t < rs.size(); ++t) {
    const WorkerResult& r = rs[t];
    const std::string ctx = cfg.label + " thread " + std::to_string(t);
    CHECK(r.ok, ctx, ": ", r.error);
    const std::uint64_t warm_end = r.release_tsc + static_cast<std::uint64_t>(spec.warmup_seconds * hz);
    const std::uint64_t deadline = warm_end + static_cast<std::uint64_t>(spec.duration_seconds * hz);
    const auto slack = static_cast<std::uint64_t>(margin * hz);
    CHECK_GE(r.measure_start_tsc, warm_end, ctx);
    CHECK_LE(r.measure_start_tsc, warm_end + slack, ctx, ": warm-up ran past its deadline by ",
             static_cast<double>(r.measure_start_tsc - warm_end) / hz, " s");
    CHECK_LE(r.measure_end_tsc, deadline + slack, ctx, ": the measured phase ran past its deadline by ",
             static_cast<double>(r.measure_end_tsc - deadline) / hz, " s");
    CHECK_GT(r.ops, 0u, ctx);
    CHECK_GT(r.missed_ops, 0u, ctx, ": an unreachable rate missed nothing");
    // The schedule held duration x rate ops, within the ops due in a tick
    // or two (the deadline is a whole tick).
    const double due = static_cast<double>(r.ops + r.missed_ops);
    CHECK_NEAR(due, spec.duration_seconds * spec.rate_per_second, 2 * spec.rate_per_second / hz + 2, ctx);
    std::uint64_t samples = 0;
    for (int k = 0; k < mapbench::kLatencyKinds; ++k) samples += r.latency[k].count();
    CHECK_EQ(samples, r.ops, ctx, ": every issued op is timed");
  }
  CHECK_EQ(mapbench::verify(*map, kKeys, 2, false), std::string(), cfg.label);

  // A measured phase too short for any op to be issued in it (its deadline
  // is 2 ticks after its first op fell due; reading the TSC alone takes
  // more) fails the thread with a message, instead of passing with no ops.
  WorkerSpec tiny = spec;
  tiny.threads = 1;
  tiny.warmup_seconds = 0.001;
  tiny.duration_seconds = 2 / hz;
  Control ctl;
  std::memset(&ctl, 0, sizeof(ctl));
  const WorkerResult r = map->run_worker(tiny, ctl);
  CHECK(!r.ok, cfg.label, ": a measured phase with no op passed");
  CHECK_EQ(r.ops, 0u, cfg.label);
  CHECK_GT(r.missed_ops, 0u, cfg.label);
  CHECK(r.error.find("completed no op") != std::string::npos, cfg.label, ": ", r.error);
}

void spec_validation(const mbtest::MapConfig& cfg) {
  auto map = mbtest::make(cfg);
  for (int bad = 0; bad < 2; ++bad) {
    WorkerSpec spec = base_spec(RunMode::kLatency, true);
    spec.threads = 1;
    if (bad == 0)
      spec.rate_per_second = -1;
    else
      spec.series_window_seconds = 1e-9;
    Control ctl;
    std::memset(&ctl, 0, sizeof(ctl));
    WorkerResult r = map->run_worker(spec, ctl);
    CHECK(!r.ok, cfg.label);
    CHECK(!r.error.empty(), cfg.label);
  }
}

// Generates every thread's stream for `threads` threads into one shared
// bitmap, as a run does, and checks the bitmap against a count made here.
mapbench::Coverage coverage_of(const mapbench::WorkloadSpec& base, std::uint32_t threads) {
  std::vector<std::uint64_t> words(mapbench::coverage_words(base.keys), 0);
  std::vector<std::uint8_t> seen(2 * base.keys, 0);
  std::vector<std::thread> gen;
  std::vector<mapbench::OpStream> streams(threads);
  for (std::uint32_t t = 0; t < threads; ++t) {
    gen.emplace_back([&, t] {
      auto spec = base;
      spec.thread_index = t;
      streams[t] = mapbench::generate_stream(spec);
      mapbench::mark_coverage(streams[t], words.data());
    });
  }
  for (auto& g : gen) g.join();
  const auto idx = index_table(2 * base.keys);
  mapbench::Coverage direct;
  for (const auto& st : streams) {
    for (auto op : st.ops) {
      const std::uint64_t i = idx.at(mapbench::op_key(op));
      if (seen[i]) continue;
      seen[i] = 1;
      (i < base.keys ? direct.present : direct.miss) += 1;
    }
  }
  const auto c = mapbench::count_coverage(words.data(), base.keys);
  CHECK_EQ(c.present, direct.present, "bitmap count of present keys vs a direct count");
  CHECK_EQ(c.miss, direct.miss, "bitmap count of miss keys vs a direct count");
  return c;
}

void stream_plan() {
  auto spec = spec_with({100, 0, 0, 0, 0}, 1'000'000);
  auto p = mapbench::default_stream_length(spec, 2, mapbench::kDefaultStreamBudgetBytes);
  // 4 draws per key over both threads: 2M ops each, in whole batches.
  CHECK_EQ(p.ideal_per_thread, 2'000'128u);
  CHECK_EQ(p.ops_per_thread, p.ideal_per_thread);
  CHECK(!p.capped);
  // A small key space still gets the minimum length.
  spec.keys = 1000;
  p = mapbench::default_stream_length(spec, 2, mapbench::kDefaultStreamBudgetBytes);
  CHECK_EQ(p.ops_per_thread, mapbench::kMinStreamOps);
  // The budget caps, and says so: 3e7 keys on one thread in 256 MiB.
  spec.keys = 30'000'000;
  p = mapbench::default_stream_length(spec, 1, std::uint64_t{256} << 20);
  CHECK(p.capped);
  CHECK_EQ(p.ops_per_thread, (std::size_t{256} << 20) / 8);
  CHECK_EQ(p.ideal_per_thread, 120'000'000u);
  // Misses read the other range: a half-miss mix doubles the length.
  spec = spec_with({50, 50, 0, 0, 0}, 1'000'000);
  p = mapbench::default_stream_length(spec, 2, mapbench::kDefaultStreamBudgetBytes);
  CHECK_EQ(p.ideal_per_thread, 4'000'000u);
}

void stream_coverage() {
  // The default length covers a uniform key space: 1 - e^-4 of it.
  auto spec = spec_with({100, 0, 0, 0, 0}, 200'000);
  spec.stream_length = mapbench::default_stream_length(spec, 2, mapbench::kDefaultStreamBudgetBytes).ops_per_thread;
  auto c = coverage_of(spec, 2);
  const double got = static_cast<double>(c.present) / 200'000.0;
  std::printf("      uniform, 2 x %zu ops over 200k keys: %.4f covered (expected %.4f)\n", spec.stream_length, got,
              mapbench::expected_coverage(spec.dist, spec.keys, 2.0 * static_cast<double>(spec.stream_length)));
  CHECK_GT(got, 0.97, "the default stream length covers the key space");
  CHECK_EQ(c.miss, 0u, "mix C draws no miss key");
  CHECK_NEAR(got, mapbench::expected_coverage(spec.dist, spec.keys, 2.0 * static_cast<double>(spec.stream_length)),
             0.005);
  // A stream a tenth as long covers what the distribution implies at that length.
  spec.stream_length = 4096;
  c = coverage_of(spec, 2);
  CHECK_NEAR(static_cast<double>(c.present) / 200'000.0, mapbench::expected_coverage(spec.dist, spec.keys, 8192),
             0.005);
  // Skewed distributions: expected_coverage agrees with what generation draws.
  spec.stream_length = 1 << 18;
  spec.dist.kind = mapbench::DistKind::kZipf;
  spec.dist.theta = 0.99;
  c = coverage_of(spec, 2);
  const double zipf_got = static_cast<double>(c.present) / 200'000.0;
  const double zipf_expected = mapbench::expected_coverage(spec.dist, spec.keys, 2.0 * (1 << 18));
  std::printf("      zipf 0.99, 2 x 2^18 ops over 200k keys: %.4f covered (expected %.4f)\n", zipf_got, zipf_expected);
  CHECK_NEAR(zipf_got, zipf_expected, 0.02);
  spec.dist.kind = mapbench::DistKind::kHotspot;
  spec.dist.hot_fraction = 0.01;
  spec.dist.hot_op_fraction = 0.9;
  c = coverage_of(spec, 2);
  CHECK_NEAR(static_cast<double>(c.present) / 200'000.0,
             mapbench::expected_coverage(spec.dist, spec.keys, 2.0 * (1 << 18)), 0.01);
  spec.dist.kind = mapbench::DistKind::kHotkey;
  c = coverage_of(spec, 2);
  CHECK_EQ(c.present, 1u);
  // A thread's second run of the same spec replays its cached stream, and
  // marks the same keys.
  {
    auto w = spec_with({100, 0, 0, 0, 0}, 50'000);
    w.stream_length = 1 << 16;
    std::vector<std::uint64_t> first(mapbench::coverage_words(w.keys), 0), again(first.size(), 0);
    const auto* a = &mapbench::detail::thread_stream(w, first.data());
    const auto* b = &mapbench::detail::thread_stream(w, again.data());
    CHECK(a == b, "the same spec reuses the thread's stream");
    CHECK(first == again, "a reused stream marks the keys it holds");
    w.seed += 1;
    CHECK(mapbench::detail::thread_stream(w, nullptr).ops == mapbench::generate_stream(w).ops,
          "another spec gets its own stream, not the cached one");
  }
  // Misses land in the miss range only.
  spec = spec_with({50, 50, 0, 0, 0}, 50'000);
  c = coverage_of(spec, 1);
  CHECK_GT(c.miss, 49'000u);
  CHECK_GT(c.present, 49'000u);
}

// Calibration keeps the attempt with the narrowest brackets. Synthetic
// attempts at a true 2 GHz: a preemption inside the first bracket of one
// attempt (its midpoint lands late, the interval reads short, the
// frequency high) and inside the last bracket of another (reads low); the
// undisturbed attempt must win, whichever position it takes.
void calibration_picks_narrowest() {
  namespace d = mapbench::tsc::detail;
  const double true_hz = 2e9, gap = 60e-9, stall = 2e-3;
  // TSC reads at clock times 1.0 and 1.03.
  auto attempt = [&](double first_width, double last_width) {
    d::Bracket b;
    b.ticks = static_cast<std::uint64_t>(0.03 * true_hz);
    b.c0 = 1.0 - gap / 2;
    b.c1 = 1.0 + first_width - gap / 2;
    b.c2 = 1.03 - gap / 2;
    b.c3 = 1.03 + last_width - gap / 2;
    return b;
  };
  const d::Bracket clean = attempt(gap, gap), early = attempt(stall, gap), late = attempt(gap, stall);
  CHECK_GT(early.hz(), true_hz * 1.03, "a stalled first bracket overstates the frequency");
  CHECK_LT(late.hz(), true_hz * 0.97, "a stalled last bracket understates it");
  const d::Bracket orders[3][3] = {{clean, early, late}, {early, clean, late}, {late, early, clean}};
  for (const auto& o : orders)
    CHECK_NEAR(d::pick_calibration(o, 3), true_hz, true_hz * 1e-5, "the narrowest bracket is kept");
  // The real calibration agrees with a second, independent measurement
  // against CLOCK_MONOTONIC_RAW over 50 ms to within 0.5% (loose: a loaded
  // machine preempts; the point is that it is the TSC's rate at all).
  timespec a, b;
  clock_gettime(CLOCK_MONOTONIC_RAW, &a);
  const std::uint64_t t0 = mapbench::tsc::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::uint64_t t1 = mapbench::tsc::now();
  clock_gettime(CLOCK_MONOTONIC_RAW, &b);
  const double secs = static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
  const double hz = mapbench::tsc::hz();
  CHECK_NEAR(static_cast<double>(t1 - t0) / secs, hz, hz * 5e-3);
}

// The invariance flags come from the first "flags" line of /proc/cpuinfo.
void invariance_flags() {
  namespace tsc = mapbench::tsc;
  const tsc::Invariance both =
      tsc::invariance_from_cpuinfo("processor\t: 0\nflags\t\t: fpu tsc constant_tsc rep_good nonstop_tsc cpuid\n");
  CHECK(both.known && both.constant && both.nonstop && both.invariant());
  const tsc::Invariance one = tsc::invariance_from_cpuinfo("flags\t: fpu tsc constant_tsc\n");
  CHECK(one.known && one.constant && !one.nonstop && !one.invariant());
  // "constant_tsc" must be a whole word, not a prefix of another flag.
  const tsc::Invariance none = tsc::invariance_from_cpuinfo("flags\t: constant_tsc_x nonstop_tsc2\n");
  CHECK(none.known && !none.constant && !none.nonstop);
  CHECK(!tsc::invariance_from_cpuinfo("processor : 0\n").known, "no flags line: unknown");
  const tsc::Invariance here = tsc::invariance();
  std::printf("      this machine: constant_tsc %s, nonstop_tsc %s\n", here.constant ? "yes" : "no",
              here.nonstop ? "yes" : "no");
  CHECK(here.known, "/proc/cpuinfo has a flags line");
}

int main() {
  mbtest::Suite suite("test_runner");
  std::printf("tsc: %.6f GHz\n", mapbench::tsc::hz() / 1e9);

  std::vector<int> cpus;
  {
    cpu_set_t set;
    sched_getaffinity(0, sizeof(set), &set);
    for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }

  for (const auto& cfg : mbtest::map_configs(kKeys, 0.5)) {
    suite.run(cfg.label + ": 2 threads, read-only throughput, verify", [&] { read_only_throughput(cfg); });
    suite.run(cfg.label + ": 2 threads, read-write latency", [&] { latency_read_write(cfg); });
    suite.run(cfg.label + ": 2 threads, statistics", [&] { stats_read_only(cfg); });
    suite.run(cfg.label + ": start gate timeout and abort", [&] { gate_timeout(cfg); });
  }
  if (cpus.size() == 2) {
    for (const auto& cfg : mbtest::map_configs(kKeys, 0.5))
      if (cfg.label == "lockfree" || cfg.label == "mutex")
        suite.run(cfg.label + ": pinned to CPUs " + std::to_string(cpus[0]) + "," + std::to_string(cpus[1]),
                  [&] { pinned(cfg, cpus); });
  } else {
    std::printf("(only one CPU available: pinning case skipped)\n");
  }
  for (const auto& cfg : mbtest::map_configs(kKeys, 0.5)) {
    if (cfg.label != "lockfree" && cfg.label != "mutex") continue;
    suite.run(cfg.label + ": series of 10 ms windows", [&] { series_closed_loop(cfg); });
    suite.run(cfg.label + ": open loop at a fixed rate", [&] { open_loop(cfg); });
    suite.run(cfg.label + ": open loop far above capacity stops at each deadline", [&] { open_loop_overload(cfg); });
    suite.run(cfg.label + ": rate and series validation", [&] { spec_validation(cfg); });
  }
  for (const auto& d : mapbench::designs()) {
    suite.run("design " + d.name + " (" + mapbench::kind_name(d.kind) + "): read-write run",
              [&] { any_design_runs(d.name); });
    suite.run("design " + d.name + " (" + mapbench::kind_name(d.kind) + "): batched read-write run, both passes",
              [&] { any_design_runs_batched(d.name); });
  }

  suite.run("clock: calibration keeps the narrowest bracket", calibration_picks_narrowest);
  suite.run("clock: TSC invariance flags", invariance_flags);
  suite.run("workload: key_of never yields a sentinel", key_of_avoids_sentinels);
  suite.run("workload: mix proportions and key ranges", mix_proportions);
  suite.run("workload: op kind independent of key", kind_independent_of_key);
  suite.run("workload: shard and thread partitions own their keys, prefill covers every range",
            partitions_own_their_keys);
  suite.run("workload: zipf skew", zipf_skew);
  suite.run("workload: hotspot and hotkey", hotspot_fraction);
  suite.run("workload: determinism for a seed", determinism);
  suite.run("workload: validation", validation);
  suite.run("workload: default stream length and budget", stream_plan);
  suite.run("workload: streams cover the key space (bitmap count)", stream_coverage);
  return suite.finish();
}
