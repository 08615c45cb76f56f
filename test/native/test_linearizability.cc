// test_linearizability.cc — records histories of small concurrent runs on
// every map and checks each against a sequential map (linearizability.h).
//
// A history: 3–4 threads × a few hundred ops on 4–16 keys of a fresh map,
// mixing get / insert (insert-or-assign) / update (assign-if-present) /
// erase, each op's invocation and response stamped with the TSC. Every
// thread's ops, keys, values and inter-op jitter are drawn from the
// history's seed before the threads start, into preallocated buffers, so
// recording allocates nothing. Each write's value is write_value(thread,
// index), unique in the history, so a get names the write it saw.
//
// Maps: every "map" design in mapbench::designs(), the sharded one over
// every lock kind and pad (maps.h's map_configs), through AnyMap — a new
// design is checked without editing this file — plus a deliberately broken
// map (broken_map.h) on which a violation must be found.
//
// Without arguments (ctest): unit cases for the checker, kHistories seeded
// histories per map (scaled by MAPBENCH_TEST_SCALE, see check.h), and the
// broken map's detection with its shrunk witness. With arguments (npm run
// check:linearizability, scripts/check-linearizability.sh):
//
//   --histories N      histories per map (default 1000)
//   --threads T        threads per history (default: 3 or 4, by seed)
//   --keys K           keys per history (default: 4, 8 or 16, by seed)
//   --ops N            ops per thread (default 300)
//   --seed S           first history seed (default 1); history i uses S + i
//   --map NAME         only maps whose label is NAME or starts with NAME
//                      ("sharded", "sharded:spin", "lockfree", "broken")
//   --include-broken   also run the broken map, whatever --map says (it
//                      passes when a violation is found; --map broken
//                      runs it alone)
//
// Exit status 1 when any real map shows a violation (or the broken map
// shows none), 2 on bad arguments.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include "broken_map.h"
#include "check.h"
#include "overlap.h"
#include "linearizability.h"
#include "maps.h"
#include "runtime/tsc.h"
#include "runtime/workload.h"

using lin::Kind;
using lin::Op;
using mapbench::AnyMap;
using mapbench::Status;

namespace {

constexpr std::uint64_t kHistories = 300;        // per map under ctest, before scaling
constexpr std::uint64_t kBrokenHistories = 300;  // at most, to find the broken map's violation
constexpr std::uint64_t kMaxSteps = 50'000'000;  // per key; never reached in practice
constexpr std::uint32_t kDefaultOps = 300;

// ---- what one history runs ----

struct Params {
  std::uint64_t histories = 1000;
  std::uint32_t threads = 0;  // 0: by seed
  std::uint32_t keys = 0;     // 0: by seed
  std::uint32_t ops = kDefaultOps;
  std::uint64_t seed = 1;
  std::string map;
  bool include_broken = false;
};

struct Mix {
  const char* name;
  std::uint32_t w[4];  // get, insert, update, erase
};
constexpr Mix kMixes[] = {
    {"balanced", {35, 25, 20, 20}},
    {"read-heavy", {60, 15, 15, 10}},
    {"write-heavy", {10, 35, 25, 30}},
};
constexpr std::uint32_t kKeyChoices[] = {4, 8, 16};

struct HistorySpec {
  std::uint64_t seed;
  std::uint32_t threads, keys, ops;
  const Mix* mix;
  double load_factor;
  // Runs of consecutive same-kind ops (up to kBatchRun) go through the
  // batched forms (AnyMap::get_batch, ...); every op of a batch is stamped
  // with the batch's call and return, an interval that holds its own
  // linearization point if batching keeps it.
  bool batched;
};
constexpr std::uint32_t kBatchRun = 8;

// Consecutive seeds walk every combination of mix, key count, thread count
// and table load (36 of them), then the same with batched ops (72 in all)
// unless the command line fixes some.
HistorySpec spec_for(const Params& p, std::uint64_t seed) {
  HistorySpec s;
  s.seed = seed;
  s.mix = &kMixes[seed % 3];
  s.keys = p.keys ? p.keys : kKeyChoices[(seed / 3) % 3];
  s.threads = p.threads ? p.threads : 3 + static_cast<std::uint32_t>((seed / 9) % 2);
  s.ops = p.ops;
  s.load_factor = (seed / 18) % 2 ? 0.5 : 0.9;
  s.batched = (seed / 36) % 2 == 1;
  return s;
}

std::string describe_spec(const HistorySpec& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "seed %" PRIu64 ": %u threads x %u ops, %u keys, %s mix, load factor %.1f%s", s.seed,
                s.threads, s.ops, s.keys, s.mix->name, s.load_factor, s.batched ? ", batched" : "");
  return buf;
}

// ---- recording ----

// One thread's preallocated plan and record: ops[i] holds the planned kind,
// key and argument, and receives the stamps and the result; delay[i] is
// the jitter before op i (0: none, 255: yield, else that many pauses),
// which shifts the threads' relative phase from op to op.
struct ThreadLog {
  std::vector<Op> ops;
  std::vector<std::uint8_t> delay;
  bool batched = false;  // HistorySpec::batched
};

void plan(const HistorySpec& s, std::uint32_t t, ThreadLog& log) {
  log.ops.assign(s.ops, Op{});
  log.delay.assign(s.ops, 0);
  log.batched = s.batched;
  mapbench::Rng rng(mapbench::thread_seed(s.seed, t, 0x4c494e));
  const std::uint32_t* w = s.mix->w;
  const std::uint32_t total = w[0] + w[1] + w[2] + w[3];
  for (std::uint32_t i = 0; i < s.ops; ++i) {
    Op& op = log.ops[i];
    std::uint64_t r = rng.below(total);
    int k = 0;
    while (r >= w[k]) r -= w[k++];
    op.kind = static_cast<Kind>(k);
    op.key = mapbench::kFirstUserKey + rng.below(s.keys);
    op.arg = (op.kind == Kind::kInsert || op.kind == Kind::kUpdate) ? lin::write_value(t, i) : 0;
    op.thread = static_cast<std::uint16_t>(t);
    op.index = i;
    const std::uint64_t j = rng.below(64);
    log.delay[i] = j == 0 ? 255 : j < 8 ? static_cast<std::uint8_t>(rng.below(32) + 1) : 0;
  }
}

// Ops i.. of the same kind, at most kBatchRun, as one batched call.
std::size_t replay_batch(AnyMap& map, ThreadLog& log, std::size_t i) {
  std::size_t n = 1;
  while (n < kBatchRun && i + n < log.ops.size() && log.ops[i + n].kind == log.ops[i].kind) ++n;
  std::uint64_t keys[kBatchRun], args[kBatchRun], out[kBatchRun];
  Status st[kBatchRun];
  for (std::size_t j = 0; j < n; ++j) {
    keys[j] = log.ops[i + j].key;
    args[j] = log.ops[i + j].arg;
  }
  const Kind kind = log.ops[i].kind;
  const std::uint64_t call = mapbench::tsc::begin();
  switch (kind) {
    case Kind::kGet: map.get_batch(keys, n, out); break;
    case Kind::kInsert: map.insert_batch(keys, args, n, st); break;
    case Kind::kUpdate: map.update_batch(keys, args, n, st); break;
    default: map.erase_batch(keys, n, st); break;
  }
  const std::uint64_t ret = mapbench::tsc::end();
  for (std::size_t j = 0; j < n; ++j) {
    Op& op = log.ops[i + j];
    op.call = call;
    op.ret = ret;
    if (kind == Kind::kGet) {
      op.status = out[j] == mapbench::kReservedValue ? Status::kNotFound : Status::kOk;
      op.out = op.status == Status::kOk ? out[j] : 0;
    } else {
      op.status = st[j];
      op.out = 0;
    }
  }
  return n;
}

void replay(AnyMap& map, ThreadLog& log) {
  for (std::size_t i = 0; i < log.ops.size(); ++i) {
    const std::uint8_t d = log.delay[i];
    if (d == 255) {
      std::this_thread::yield();
    } else {
      for (std::uint32_t p = 0; p < d; ++p) mapbench::cpu_relax();
    }
    if (log.batched) {
      i += replay_batch(map, log, i) - 1;
      continue;
    }
    Op& op = log.ops[i];
    std::uint64_t v = 0;
    Status st;
    op.call = mapbench::tsc::begin();
    switch (op.kind) {
      case Kind::kGet: st = map.get(op.key, &v); break;
      case Kind::kInsert: st = map.insert(op.key, op.arg); break;
      case Kind::kUpdate: st = map.update(op.key, op.arg); break;
      default: st = map.erase(op.key); break;
    }
    op.ret = mapbench::tsc::end();
    op.status = st;
    op.out = v;
  }
}

// Worker threads kept for a whole map's run of histories (creating threads
// per history would cost more than recording it). Between histories they
// block; for each one, every worker wakes, the ones the history uses meet
// at a spinning barrier — the last to arrive starts them all, so they
// start together (blocking wake-ups come one by one, tens of microseconds
// apart, longer than a whole history) — and replay their plans.
class Recorder {
 public:
  explicit Recorder(std::uint32_t workers) {
    threads_.reserve(workers);
    for (std::uint32_t i = 0; i < workers; ++i) threads_.emplace_back([this, i] { work(i); });
  }
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  ~Recorder() {
    stop_ = true;
    epoch_.fetch_add(1, std::memory_order_release);
    epoch_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Runs logs[t] on thread t (requires logs.size() <= workers), then
  // gathers every op into `history` (cleared first).
  void record(AnyMap& map, std::vector<ThreadLog>& logs, std::vector<Op>& history) {
    map_ = &map;
    logs_ = &logs;
    active_ = static_cast<std::uint32_t>(logs.size());
    arrived_.store(0, std::memory_order_relaxed);
    go_.store(false, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    epoch_.fetch_add(1, std::memory_order_release);
    epoch_.notify_all();
    const std::uint32_t all = static_cast<std::uint32_t>(threads_.size());
    for (std::uint32_t d; (d = done_.load(std::memory_order_acquire)) < all;) done_.wait(d, std::memory_order_acquire);
    history.clear();
    for (const auto& log : logs) history.insert(history.end(), log.ops.begin(), log.ops.end());
  }

 private:
  void work(std::uint32_t i) {
    mbtest::pin_round_robin(i);  // left to the scheduler, woken workers pile onto the waker's CPU
    std::uint64_t seen = 0;
    for (;;) {
      epoch_.wait(seen, std::memory_order_acquire);
      seen = epoch_.load(std::memory_order_acquire);
      if (stop_) return;
      if (i < active_) {
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == active_) go_.store(true, std::memory_order_release);
        // Spin on the CPU for a while (a thread that yields here is often
        // still off the CPU when the others start and finish), then yield.
        const std::uint64_t t0 = mapbench::tsc::now();
        while (!go_.load(std::memory_order_acquire)) {
          if (mapbench::tsc::now() - t0 < spin_ticks_) mapbench::cpu_relax();
          else std::this_thread::yield();
        }
        replay(*map_, (*logs_)[i]);
      }
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_.size()) done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  // Written by record() before it bumps epoch_, read by workers after.
  AnyMap* map_ = nullptr;
  std::vector<ThreadLog>* logs_ = nullptr;
  std::uint32_t active_ = 0;
  bool stop_ = false;
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<std::uint32_t> arrived_{0}, done_{0};
  std::atomic<bool> go_{false};
  const std::uint64_t spin_ticks_ = static_cast<std::uint64_t>(mapbench::tsc::hz() * 200e-6);  // 200 us
};

// ---- one map, many histories ----

using Factory = std::function<std::unique_ptr<AnyMap>(const mapbench::MapOptions&)>;

struct Target {
  std::string label;
  mapbench::MapOptions base;  // design, lock, pad, shard count
  Factory make;
  bool broken = false;
};

std::vector<Target> targets(bool include_broken) {
  std::vector<Target> out;
  for (const auto& c : mbtest::map_configs(16, 0.9, 4))
    out.push_back({c.label, c.options, [](const mapbench::MapOptions& o) { return mapbench::make_map(o); }, false});
  // Growing maps that start at 8 slots with a 0.3 threshold, so that they
  // migrate (several times for 8 and 16 keys) inside each history.
  for (const auto& c : mbtest::map_configs(16, 0.9, 4)) {
    const auto& o = c.options;
    if (o.design != "lockfree" && o.design != "lockfree-freeze" && o.design != "mutex" &&
        !(o.design == "sharded" && o.lock == mapbench::LockKind::kMutex && o.pad == 64))
      continue;
    mapbench::MapOptions g = o;
    g.initial_capacity = 8;
    g.max_load_factor = 0.3;
    out.push_back({c.label + " grow-from-8", g, [](const mapbench::MapOptions& opt) { return mapbench::make_map(opt); },
                   false});
  }
  // String keys (the histories' keys 2, 3, ... are the arena's first
  // words, catalogue/string_keyed.h): every design with a string form, and
  // the growing locked and sharded tables from 8 slots.
  if (mapbench::kHaveStringKeys)
    for (const auto& c : mbtest::map_configs(16, 0.9, 4)) {
      if (!c.design->string_keys) continue;
      mapbench::MapOptions so = c.options;
      mapbench::parse_key_type("str:1-12", &so.key_type);
      out.push_back({c.label + " str:1-12", so, [](const mapbench::MapOptions& o) { return mapbench::make_map(o); },
                     false});
      if (so.design == "mutex" || (so.design == "sharded" && so.lock == mapbench::LockKind::kSpin && so.pad == 64)) {
        so.initial_capacity = 8;
        so.max_load_factor = 0.3;
        out.push_back({c.label + " str:1-12 grow-from-8", so,
                       [](const mapbench::MapOptions& o) { return mapbench::make_map(o); }, false});
      }
    }
  const char* filter = std::getenv("MAPBENCH_TEST_FILTER");  // as map_configs() applies it
  const bool filtered_out =
      filter && *filter && std::string(mbtest::SplitUpdateMap::kLabel).find(filter) == std::string::npos;
  if (include_broken && !filtered_out) {
    mapbench::MapOptions o;
    o.design = "mutex";
    o.huge_pages = false;
    out.push_back({mbtest::SplitUpdateMap::kLabel, o,
                   [](const mapbench::MapOptions& opt) -> std::unique_ptr<AnyMap> {
                     return std::make_unique<mbtest::SplitUpdateMap>(opt);
                   },
                   true});
  }
  return out;
}

struct RunStats {
  std::uint64_t histories = 0, ops = 0, overlapping = 0, violations = 0, gave_up = 0;
  std::uint64_t search_steps = 0, search_states = 0;
  double record_s = 0, check_s = 0;
  std::string first_witness;              // shrunk, with its history's spec
  std::vector<std::uint64_t> failed_seeds;
};

// Sorts `h` by (key, call) and counts the ops whose interval overlaps an
// op of another thread on the same key: the ones whose order the checker
// had to decide rather than read off the stamps.
std::uint64_t count_overlapping(std::vector<Op>& h, std::vector<std::uint8_t>& mark) {
  std::sort(h.begin(), h.end(),
            [](const Op& a, const Op& b) { return a.key != b.key ? a.key < b.key : a.call < b.call; });
  mark.assign(h.size(), 0);
  for (std::size_t i = 0; i < h.size(); ++i)
    for (std::size_t j = i + 1; j < h.size() && h[j].key == h[i].key && h[j].call <= h[i].ret; ++j)
      if (h[j].thread != h[i].thread) mark[i] = mark[j] = 1;
  std::uint64_t n = 0;
  for (auto m : mark) n += m;
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

RunStats run_target(const Target& target, const Params& p, std::uint64_t histories, bool stop_at_first) {
  RunStats rs;
  std::vector<ThreadLog> logs;
  std::vector<Op> history;
  std::vector<std::uint8_t> mark;
  Recorder recorder(p.threads ? p.threads : 4);
  for (std::uint64_t h = 0; h < histories; ++h) {
    const HistorySpec spec = spec_for(p, p.seed + h);
    mapbench::MapOptions o = target.base;
    o.expected_entries = spec.keys;
    o.load_factor = spec.load_factor;
    while (o.shards > 1 && !mapbench::validate(o).empty()) o.shards /= 2;
    const std::string bad = mapbench::validate(o);
    CHECK(bad.empty(), target.label, ": ", bad);
    std::unique_ptr<AnyMap> map = target.make(o);

    logs.resize(spec.threads);
    for (std::uint32_t t = 0; t < spec.threads; ++t) plan(spec, t, logs[t]);
    history.reserve(std::size_t{spec.threads} * spec.ops);
    auto t0 = std::chrono::steady_clock::now();
    recorder.record(*map, logs, history);
    rs.record_s += seconds_since(t0);
    map.reset();
    rs.overlapping += count_overlapping(history, mark);

    t0 = std::chrono::steady_clock::now();
    lin::HistoryReport report = lin::check_history(history, kMaxSteps);
    rs.check_s += seconds_since(t0);
    rs.histories += 1;
    rs.ops += history.size();
    rs.search_steps += report.stats.steps;
    rs.search_states += report.stats.states;
    if (report.failures.empty()) continue;

    bool violated = false;
    for (const auto& f : report.failures) {
      if (f.verdict == lin::Verdict::kGaveUp) rs.gave_up += 1;
      else violated = true;
    }
    if (violated) {
      rs.violations += 1;
      rs.failed_seeds.push_back(spec.seed);
    }
    if (rs.first_witness.empty()) {
      const lin::KeyFailure& f = report.failures.front();
      std::string text = "history " + describe_spec(spec) + "\n";
      if (f.verdict == lin::Verdict::kGaveUp) {
        text += "    checker gave up on key " + std::to_string(f.key) + " (" + std::to_string(f.ops.size()) +
                " ops) after " + std::to_string(kMaxSteps) + " steps\n";
      } else {
        // The smallest witness over the failing keys.
        lin::Witness best;
        const lin::KeyFailure* from = nullptr;
        for (const auto& kf : report.failures) {
          if (kf.verdict != lin::Verdict::kViolation) continue;
          lin::Witness w = lin::shrink(kf.ops, kMaxSteps);
          if (!from || w.ops.size() < best.ops.size()) best = std::move(w), from = &kf;
        }
        text += "    " + std::to_string(report.failures.size()) + " of " + std::to_string(report.keys) +
                " keys not linearizable; smallest witness: key " + std::to_string(from->key) + ", whose " +
                std::to_string(from->ops.size()) + " ops shrink to\n";
        text += lin::describe(best, from->key, "    ");
      }
      rs.first_witness = text;
    }
    if (stop_at_first) break;
  }
  return rs;
}

std::string summary(const Target& t, const Params& p, const RunStats& rs) {
  char buf[600];
  const std::string threads = p.threads ? std::to_string(p.threads) : "3-4";
  const std::string keys = p.keys ? std::to_string(p.keys) : "4-16";
  std::snprintf(buf, sizeof buf,
                "    %s: %" PRIu64 " histories checked (%s threads x %u ops, %s keys, seeds %" PRIu64 "..%" PRIu64
                "), %" PRIu64 " ops (%.0f%% overlapping another thread's op on their key), %" PRIu64
                " non-linearizable, %" PRIu64
                " inconclusive; %.2f s recording, %.2f s checking (%" PRIu64 " search steps, %" PRIu64
                " cached states)\n",
                t.label.c_str(), rs.histories, threads.c_str(), p.ops, keys.c_str(), p.seed,
                p.seed + (rs.histories ? rs.histories - 1 : 0), rs.ops,
                rs.ops ? 100.0 * static_cast<double>(rs.overlapping) / static_cast<double>(rs.ops) : 0.0,
                rs.violations, rs.gave_up, rs.record_s,
                rs.check_s, rs.search_steps, rs.search_states);
  std::string out = buf;
  if (!rs.failed_seeds.empty()) {
    out += "    non-linearizable history seeds:";
    for (std::size_t i = 0; i < rs.failed_seeds.size() && i < 20; ++i) out += " " + std::to_string(rs.failed_seeds[i]);
    if (rs.failed_seeds.size() > 20) out += " ...";
    out += "\n";
  }
  if (!rs.first_witness.empty()) out += "    first non-linearizable " + rs.first_witness;
  return out;
}

// Runs of a real map's histories, on fresh seeds each time, before it fails
// for having recorded no op that overlapped another thread's on its key.
constexpr int kOverlapAttempts = 3;

// One suite case per map: a real map passes with no violation and nothing
// inconclusive; the broken map passes when a violation is found. A real
// map's histories must also have overlapped: some op of one thread overlaps
// another thread's op on the same key, or the checker only ever read an
// order off the stamps and tested nothing concurrent (the histories are
// rerun on the next seeds, at most kOverlapAttempts times in all).
void check_target(mbtest::Suite& suite, const Target& t, const Params& p, std::uint64_t histories,
                  bool stop_at_first) {
  const std::string label = t.broken ? t.label + ": a violation is found within " + std::to_string(histories) +
                                           " seeded histories"
                                     : t.label + ": " + std::to_string(histories) + " seeded histories linearizable";
  suite.run(label, [&] {
    RunStats rs = run_target(t, p, histories, stop_at_first);
    std::fputs(summary(t, p, rs).c_str(), stdout);
    const bool concurrent = p.threads != 1;
    for (int attempt = 2; concurrent && !t.broken && rs.overlapping == 0 && rs.violations == 0 && attempt <= kOverlapAttempts;
         ++attempt) {
      Params next = p;
      next.seed = p.seed + static_cast<std::uint64_t>(attempt - 1) * histories;
      std::printf("    no op overlapped another thread's: rerunning on seeds from %" PRIu64 "\n", next.seed);
      rs = run_target(t, next, histories, stop_at_first);
      std::fputs(summary(t, next, rs).c_str(), stdout);
    }
    if (t.broken) {
      CHECK_GT(rs.violations, 0u, t.label, ": the checker found no violation on a map that has one");
    } else {
      CHECK_EQ(rs.violations, 0u, t.label, ": non-linearizable history (witness above)");
      CHECK_EQ(rs.gave_up, 0u, t.label, ": the checker gave up on a key");
      if (concurrent)
        CHECK_GT(rs.overlapping, 0u, t.label, ": no op overlapped another thread's op on its key in ", kOverlapAttempts,
                 " runs of ", histories, " histories: the threads never ran concurrently");
    }
  });
}

// ---- unit cases for the checker itself ----

struct HandHistory {
  std::vector<Op> ops;
  // Adds an op of `thread` spanning [call, ret] on key 2.
  HandHistory& add(std::uint16_t thread, std::uint64_t call, std::uint64_t ret, Kind kind, std::uint64_t arg,
                   Status status, std::uint64_t out = 0, std::uint64_t key = 2) {
    Op op;
    op.call = call;
    op.ret = ret;
    op.key = key;
    op.kind = kind;
    op.arg = arg;
    op.status = status;
    op.out = out;
    op.thread = thread;
    op.index = static_cast<std::uint32_t>(ops.size());
    ops.push_back(op);
    return *this;
  }
};

lin::Verdict verdict(const HandHistory& h, lin::Initial init = lin::Initial::kAbsent) {
  return lin::check_key(h.ops, init, kMaxSteps);
}

void checker_cases(mbtest::Suite& suite) {
  using lin::Verdict;
  const auto ok = Verdict::kLinearizable, bad = Verdict::kViolation;
  suite.run("checker: sequential histories follow the map's semantics", [&] {
    HandHistory h;
    h.add(0, 1, 2, Kind::kGet, 0, Status::kNotFound)
        .add(0, 3, 4, Kind::kUpdate, 10, Status::kNotFound)
        .add(0, 5, 6, Kind::kInsert, 11, Status::kInserted)
        .add(0, 7, 8, Kind::kInsert, 12, Status::kAssigned)
        .add(0, 9, 10, Kind::kUpdate, 13, Status::kOk)
        .add(0, 11, 12, Kind::kGet, 0, Status::kOk, 13)
        .add(0, 13, 14, Kind::kErase, 0, Status::kOk)
        .add(0, 15, 16, Kind::kErase, 0, Status::kNotFound)
        .add(0, 17, 18, Kind::kInsert, 14, Status::kInserted);
    CHECK_EQ(verdict(h), ok);
    for (std::size_t i = 0; i < h.ops.size(); ++i) {  // flipping any one result breaks it
      HandHistory m = h;
      Op& op = m.ops[i];
      if (op.kind == Kind::kGet && op.status == Status::kOk) op.out += 1;
      else if (op.kind == Kind::kInsert)
        op.status = op.status == Status::kInserted ? Status::kAssigned : Status::kInserted;
      else op.status = op.status == Status::kOk ? Status::kNotFound : Status::kOk;
      CHECK_EQ(verdict(m), bad, "flipped op ", i, ": ", lin::show_op(op));
    }
  });
  suite.run("checker: overlapping ops may take either order, real-time order binds", [&] {
    HandHistory a;  // get overlaps the insert it observes
    a.add(0, 1, 10, Kind::kInsert, 7, Status::kInserted).add(1, 2, 5, Kind::kGet, 0, Status::kOk, 7);
    CHECK_EQ(verdict(a), ok);
    HandHistory b;  // get returns before the insert is invoked, yet sees it
    b.add(0, 6, 10, Kind::kInsert, 7, Status::kInserted).add(1, 2, 5, Kind::kGet, 0, Status::kOk, 7);
    CHECK_EQ(verdict(b), bad);
    HandHistory c;  // stale read: b replaced a before the get started
    c.add(0, 1, 2, Kind::kInsert, 7, Status::kInserted)
        .add(0, 3, 4, Kind::kInsert, 8, Status::kAssigned)
        .add(1, 5, 6, Kind::kGet, 0, Status::kOk, 7);
    CHECK_EQ(verdict(c), bad);
    HandHistory d = c;  // the same read overlapping the second insert is fine
    d.ops[2].call = 3;
    CHECK_EQ(verdict(d), ok);
    HandHistory e;  // two concurrent inserts cannot both insert
    e.add(0, 1, 5, Kind::kInsert, 7, Status::kInserted).add(1, 2, 6, Kind::kInsert, 8, Status::kInserted);
    CHECK_EQ(verdict(e), bad);
    HandHistory f;  // ...but one inserts and one assigns, and a later read must see the one that went second
    f.add(0, 1, 5, Kind::kInsert, 7, Status::kInserted)
        .add(1, 2, 6, Kind::kInsert, 8, Status::kAssigned)
        .add(2, 7, 8, Kind::kGet, 0, Status::kOk, 8);
    CHECK_EQ(verdict(f), ok);
    f.ops[2].out = 7;
    CHECK_EQ(verdict(f), bad);
    HandHistory g;  // equal stamps count as overlapping
    g.add(0, 1, 5, Kind::kInsert, 7, Status::kInserted).add(1, 5, 6, Kind::kGet, 0, Status::kNotFound);
    CHECK_EQ(verdict(g), ok);
  });
  suite.run("checker: the unknown initial state admits exactly the consistent starts", [&] {
    HandHistory h;
    h.add(0, 1, 2, Kind::kErase, 0, Status::kOk);
    CHECK_EQ(verdict(h), bad);
    CHECK_EQ(verdict(h, lin::Initial::kAny), ok);
    HandHistory g;  // two reads of different values with no write between: no start explains both
    g.add(0, 1, 2, Kind::kGet, 0, Status::kOk, 5).add(0, 3, 4, Kind::kGet, 0, Status::kOk, 6);
    CHECK_EQ(verdict(g, lin::Initial::kAny), bad);
    HandHistory u;  // update -> false then get -> value: no start explains it
    u.add(0, 1, 2, Kind::kUpdate, 9, Status::kNotFound).add(0, 3, 4, Kind::kGet, 0, Status::kOk, 9);
    CHECK_EQ(verdict(u, lin::Initial::kAny), bad);
    HandHistory s;  // unexpected statuses are never linearizable
    s.add(0, 1, 2, Kind::kInsert, 9, Status::kFull);
    CHECK_EQ(verdict(s, lin::Initial::kAny), bad);
  });
  suite.run("checker: per-key partition and greedy shrinking to the violating core", [&] {
    // Key 3: a split update — update(v1) overlaps erase, the erase returns,
    // then a get sees v1 — amid noise on the same and another key.
    HandHistory h;
    h.add(0, 100, 900, Kind::kUpdate, lin::write_value(0, 50), Status::kOk, 0, 3);
    h.add(1, 200, 300, Kind::kErase, 0, Status::kOk, 0, 3);
    h.add(1, 950, 990, Kind::kGet, 0, Status::kOk, lin::write_value(0, 50), 3);
    std::uint64_t t = 10;
    h.add(2, t, t + 5, Kind::kInsert, lin::write_value(2, 0), Status::kInserted, 0, 3);
    h.add(2, t + 10, t + 15, Kind::kGet, 0, Status::kOk, lin::write_value(2, 0), 3);
    for (std::uint32_t i = 1; i < 40; ++i) {  // key 2: a linearizable sequence of writes and reads
      t = 1000 + 20 * i;
      h.add(2, t, t + 30, Kind::kInsert, lin::write_value(2, i), i == 1 ? Status::kInserted : Status::kAssigned, 0, 2);
      h.add(1, t + 5, t + 25, Kind::kGet, 0, Status::kOk, lin::write_value(2, i), 2);
    }
    const lin::HistoryReport r = lin::check_history(h.ops, kMaxSteps);
    CHECK_EQ(r.keys, 2u);
    CHECK_EQ(r.failures.size(), 1u);
    CHECK_EQ(r.failures[0].key, 3u);
    const lin::Witness w = lin::shrink(r.failures[0].ops, kMaxSteps);
    const std::string text = lin::describe(w, 3);
    std::fputs(text.c_str(), stdout);
    CHECK(w.init == lin::Initial::kAny);
    CHECK_EQ(w.ops.size(), 3u, text);
    CHECK(w.ops[0].kind == Kind::kUpdate && w.ops[1].kind == Kind::kErase && w.ops[2].kind == Kind::kGet, text);
  });
}

// ---- command line ----

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "test_linearizability: %s\n"
               "usage: test_linearizability [--histories N] [--threads T] [--keys K] [--ops N] [--seed S]\n"
               "                            [--map NAME] [--include-broken]\n"
               "  (no arguments: the ctest suite)\n",
               why);
  std::exit(2);
}

std::uint64_t parse_count(const char* flag, const char* s, std::uint64_t lo, std::uint64_t hi) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = s ? std::strtoull(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || s[0] == '-' || v < lo || v > hi)
    usage((std::string(flag) + " needs an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" +
           (s ? s : "") + "'")
              .c_str());
  return v;
}

Params parse(int argc, char** argv) {
  Params p;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--histories") p.histories = parse_count("--histories", v, 1, 100'000'000), ++i;
    else if (a == "--threads") p.threads = static_cast<std::uint32_t>(parse_count("--threads", v, 1, 64)), ++i;
    else if (a == "--keys") p.keys = static_cast<std::uint32_t>(parse_count("--keys", v, 1, 1 << 20)), ++i;
    else if (a == "--ops") p.ops = static_cast<std::uint32_t>(parse_count("--ops", v, 1, 1 << 22)), ++i;
    else if (a == "--seed") p.seed = parse_count("--seed", v, 0, ~std::uint64_t{0} >> 1), ++i;
    else if (a == "--map") {
      if (!v || !*v) usage("--map needs a name");
      p.map = v;
      ++i;
    } else if (a == "--include-broken") p.include_broken = true;
    else if (a == "--help" || a == "-h") usage("linearizability check of every map");
    else usage(("unknown argument '" + a + "'").c_str());
  }
  return p;
}

bool matches(const std::string& label, const std::string& name) {
  return name.empty() || label == name || label.rfind(name, 0) == 0;
}

// Real-time order between threads is read off TSC stamps taken on
// different cores, which is sound only for an invariant TSC (one rate on
// every core and in every power state, synchronised across cores): say
// whether this machine has one, next to the verdicts that rely on it.
void report_tsc() {
  const mapbench::tsc::Invariance inv = mapbench::tsc::invariance();
  if (inv.invariant()) {
    std::printf("tsc: invariant (constant_tsc, nonstop_tsc); real-time order is read off cross-core stamps\n");
  } else {
    std::printf("tsc: %s — real-time order between threads rests on cross-core TSC stamps, so verdicts here may "
                "be wrong in either direction\n",
                !inv.known ? "invariance unknown (/proc/cpuinfo has no flags)"
                           : inv.constant ? "nonstop_tsc missing" : inv.nonstop ? "constant_tsc missing"
                                                                    : "constant_tsc and nonstop_tsc missing");
  }
}

}  // namespace

int main(int argc, char** argv) {
  report_tsc();
  if (argc == 1) {
    mbtest::Suite suite("test_linearizability");
    Params p;
    const std::uint64_t histories = mbtest::scaled(kHistories, 20);
    std::printf("histories per map: %" PRIu64 " (MAPBENCH_TEST_SCALE scales the %" PRIu64
                " default; npm run check:linearizability -- --histories N runs more)\n",
                histories, kHistories);
    checker_cases(suite);
    for (const Target& t : targets(true)) {
      if (t.broken) check_target(suite, t, p, kBrokenHistories, /*stop_at_first=*/true);
      else check_target(suite, t, p, histories, /*stop_at_first=*/true);
    }
    return suite.finish();
  }

  const Params p = parse(argc, argv);
  const bool want_broken = p.include_broken || (!p.map.empty() && matches(mbtest::SplitUpdateMap::kLabel, p.map));
  std::vector<Target> chosen;
  std::string names;
  for (const Target& t : targets(true)) {
    names += " " + t.label.substr(0, t.label.find(' '));
    if (t.broken ? want_broken : matches(t.label, p.map)) chosen.push_back(t);
  }
  if (chosen.empty()) usage(("no map matches '" + p.map + "'; maps:" + names).c_str());
  mbtest::Suite suite("test_linearizability");
  std::printf("%" PRIu64 " histories per map, seeds %" PRIu64 "..%" PRIu64 "\n", p.histories, p.seed,
              p.seed + p.histories - 1);
  for (const Target& t : chosen) check_target(suite, t, p, p.histories, /*stop_at_first=*/false);
  return suite.finish();
}
