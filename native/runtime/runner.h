// runner.h — one benchmark thread's work against one shared map: generate
// its op stream, pin itself, meet the other threads at the start gate, run a
// warm-up phase, then a measured phase, and report what it did.
//
// The same code runs inside a Node worker (through the addon) and in native
// test and benchmark executables. Threads coordinate only through a
// `Control` block, which in Node lives in a SharedArrayBuffer that every
// worker maps. Its fields are accessed with std::atomic_ref:
//   arrived      each thread adds 1 on arrival (acq_rel);
//   go           set to 1 (release) by the last to arrive, after it has
//                written release_tsc; waiters load it with acquire, so they
//                see release_tsc;
//   abort        set by anyone (the main thread on Ctrl-C, a thread whose
//                gate timed out); checked once per batch, relaxed;
//   release_tsc  the common origin of every thread's phase deadlines.
// Phases end at deadlines computed from release_tsc, checked once per batch
// of kStreamBatch ops, so every thread stops within one batch of the same
// instant without a timer inside the op loop.
//
// Timed passes (latency mode) bracket one op in `sample_every` with
// tsc::begin/end; throughput mode compiles with no timer in the loop at all;
// the statistics pass swaps the NoStats sink for OpStats.
//
// Open loop (latency mode with rate_per_second > 0): op i of a phase is due
// at phase_start + i / rate. The thread waits for each op's due time, and
// every op's latency runs from its due time, not from when it actually
// started — so a stall delays every op queued behind it and they all count
// it (the coordinated-omission correction wrk2 makes). A thread that falls
// behind issues back to back until it catches up, but never past its
// phase's deadline: before each op it compares the TSC (already read to
// wait for the due time) with the deadline and stops there, so warm-up ends
// at warm-up's deadline, the measured phase at its own, and every thread
// stops at the same instant however far behind it is — late ops never run
// with fewer competitors. Ops that fell due before the deadline but were
// not issued are counted (WorkerResult::missed_ops), so achieved < offered
// shows saturation and missed_ops says by how much.
//
// Series (series_window_seconds > 0): the measured phase is cut into windows
// aligned to its common start, so every thread's windows line up; per window
// the thread counts completed ops (at batch granularity in closed loop), the
// keys it added (inserts of absent keys minus erases that removed one: summed
// over threads and added to the prefill, the entries over time, which is
// growth's "time to N keys") and keeps the longest timed op that ended in
// it. The arrays are allocated before the gate.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/alloc.h"
#include "runtime/batch.h"
#include "runtime/histogram.h"
#include "runtime/op_stats.h"
#include "runtime/tsc.h"
#include "runtime/workload.h"

namespace mapbench {

struct Control {
  std::int32_t arrived;
  std::int32_t go;
  std::int32_t abort;
  std::int32_t reserved;
  std::uint64_t release_tsc;
  std::uint8_t padding[64 - 24];
};
static_assert(sizeof(Control) == 64);
inline constexpr std::size_t kControlBytes = sizeof(Control);

// Names of Control's int32 fields by index (the harness's Int32Array view).
inline constexpr std::array<const char*, 3> kControlFieldNames = {"arrived", "go", "abort"};
static_assert(offsetof(Control, arrived) == 0 && offsetof(Control, go) == 4 && offsetof(Control, abort) == 8);

enum class RunMode : std::uint8_t { kThroughput, kLatency, kStats };
inline constexpr std::array<const char*, 3> kRunModeNames = {"throughput", "latency", "stats"};

// Outcome of one replayed op; counted per thread.
enum Outcome : std::uint8_t {
  kGetHit,
  kGetMiss,
  kInsertNew,
  kInsertAssign,
  kInsertFull,
  kUpdateHit,
  kUpdateMiss,
  kEraseHit,
  kEraseMiss,
  kOutcomeCount
};
inline constexpr std::array<const char*, kOutcomeCount> kOutcomeNames = {
    "getHit", "getMiss", "insertNew", "insertAssign", "insertFull", "updateHit", "updateMiss", "eraseHit", "eraseMiss"};
const char* outcome_name(int outcome);

// Latency is kept per op kind as users think of them.
enum LatencyKind : std::uint8_t { kLatGetHit, kLatGetMiss, kLatInsert, kLatUpdate, kLatErase, kLatencyKinds };
inline constexpr std::array<const char*, kLatencyKinds> kLatencyKindNames = {"getHit", "getMiss", "insert", "update",
                                                                             "erase"};
const char* latency_kind_name(int kind);
inline LatencyKind latency_kind_of(Outcome o) {
  switch (o) {
    case kGetHit:
      return kLatGetHit;
    case kGetMiss:
      return kLatGetMiss;
    case kInsertNew:
    case kInsertAssign:
    case kInsertFull:
      return kLatInsert;
    case kUpdateHit:
    case kUpdateMiss:
      return kLatUpdate;
    default:
      return kLatErase;
  }
}

struct WorkerSpec {
  WorkloadSpec workload;
  std::uint32_t threads = 1;
  RunMode mode = RunMode::kThroughput;
  std::uint32_t sample_every = 32;  // latency mode: time 1 op in N
  int cpu = -1;                     // pin to this CPU; -1 = leave as is
  double warmup_seconds = 0.1;
  double duration_seconds = 1.0;
  double gate_timeout_seconds = 10.0;
  double tsc_hz = 0;                 // 0 = calibrate here
  double rate_per_second = 0;        // latency mode: > 0 = open loop at this rate (this thread)
  double series_window_seconds = 0;  // > 0: per-window ops and max latency of the measured phase
  // Ops per batch (closed loop only): 1 = the per-op loop; a power of two in
  // [2, kStreamBatch] runs the stream in groups of `batch` through
  // for_each_batched (runtime/batch.h). Latency mode then times whole
  // batches: WorkerResult::batch_latency holds each timed batch, and every op
  // of it is recorded in `latency` with the batch's ticks / batch.
  std::uint32_t batch = 1;
  // Optional: a bitmap of coverage_words(workload.keys) words shared by the
  // run's threads; generation marks every index drawn (workload.h).
  std::uint64_t* coverage = nullptr;
};

// Per-window figures of the measured phase; see the header comment.
struct Series {
  std::uint64_t origin = 0;  // measured phase start (TSC)
  std::uint64_t window_ticks = 1;
  std::vector<std::uint64_t> ops;         // ops completed in each window
  std::vector<std::int64_t> net_inserts;  // kInsertNew minus kEraseHit outcomes in each window
  std::vector<std::uint64_t> max_ticks;   // longest timed op ending in each window; 0 = none timed

  void reset(std::size_t windows, std::uint64_t ticks) {
    window_ticks = ticks > 0 ? ticks : 1;
    ops.assign(windows, 0);
    net_inserts.assign(windows, 0);
    max_ticks.assign(windows, 0);
  }
  bool enabled() const { return !ops.empty(); }
  // Past-the-end instants (the last batch overrunning the deadline) fold
  // into the last window.
  std::size_t index(std::uint64_t t) const {
    const std::uint64_t i = t > origin ? (t - origin) / window_ticks : 0;
    return i < ops.size() ? static_cast<std::size_t>(i) : ops.size() - 1;
  }
  void add_ops(std::uint64_t t, std::uint64_t n, std::int64_t net) {
    const std::size_t i = index(t);
    ops[i] += n;
    net_inserts[i] += net;
  }
  // Closed loop, after each kStreamBatch ops: `outcomes` are the phase's
  // running counts, `net_seen` the keys already counted from them.
  void add_stream_batch(std::uint64_t t, const std::uint64_t* outcomes, std::int64_t& net_seen) {
    const auto net = static_cast<std::int64_t>(outcomes[kInsertNew] - outcomes[kEraseHit]);
    add_ops(t, kStreamBatch, net - net_seen);
    net_seen = net;
  }
  void add_latency(std::uint64_t t_end, std::uint64_t ticks) {
    std::uint64_t& m = max_ticks[index(t_end)];
    if (ticks > m) m = ticks;
  }
};

struct WorkerResult {
  bool ok = false;
  std::string error;
  std::uint64_t ops = 0;  // measured phase only
  // Open loop, measured phase: ops due before the deadline that were not
  // issued by it (0 in closed loop). ops + missed_ops = ops the schedule had.
  std::uint64_t missed_ops = 0;
  std::uint64_t outcomes[kOutcomeCount] = {};
  std::uint64_t arrive_tsc = 0, go_seen_tsc = 0, release_tsc = 0;
  std::uint64_t measure_start_tsc = 0, measure_end_tsc = 0;
  int cpu_start = -1, cpu_end = -1;
  long thread_id = 0;
  std::uint64_t checksum = 0;
  alloc::Counts allocs;  // measured phase only, this thread
  double generate_seconds = 0;
  std::uint64_t stream_ops = 0;          // ops in this thread's replayed stream
  std::unique_ptr<Histogram[]> latency;  // kLatencyKinds histograms, latency mode
  Histogram timer_overhead;              // empty bracket, latency mode
  OpStats stats;                         // statistics mode
  bool batch_prefetch = false;           // batch > 1 ran through the map's for_batch (false: op by op)
  Histogram batch_latency;               // latency mode with batch > 1: ticks per timed batch
  Series series;                         // series_window_seconds > 0
};

namespace detail {

inline std::uint64_t seconds_to_ticks(double s, double hz) { return static_cast<std::uint64_t>(s * hz); }

inline std::int32_t load_acquire(std::int32_t& v) {
  return std::atomic_ref<std::int32_t>(v).load(std::memory_order_acquire);
}

struct Affinity {
  bool changed = false;
  cpu_set_t saved;
  std::string pin(int cpu) {
    if (cpu < 0) return {};
    if (pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved) != 0) return "cannot read CPU affinity";
    cpu_set_t want;
    CPU_ZERO(&want);
    CPU_SET(cpu, &want);
    if (pthread_setaffinity_np(pthread_self(), sizeof(want), &want) != 0)
      return "cannot pin thread to CPU " + std::to_string(cpu);
    changed = true;
    return {};
  }
  // Restores the thread's original mask: pool threads live on after a cell.
  ~Affinity() {
    if (changed) pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
  }
};

template <class Map, class Sink>
inline Outcome do_op(Map& map, std::uint64_t key, std::uint8_t kind, std::uint32_t thread_index,
                     std::uint64_t& write_counter, Sink& sink, std::uint64_t& checksum) {
  switch (static_cast<OpKind>(kind)) {
    case OpKind::kGet:
    case OpKind::kMiss: {
      std::uint64_t v = 0;
      if (map.get(key, &v, sink)) {
        checksum += v;
        return kGetHit;
      }
      return kGetMiss;
    }
    case OpKind::kUpdate:
      return map.update(key, tagged_value(thread_index, write_counter++), sink) ? kUpdateHit : kUpdateMiss;
    case OpKind::kInsert: {
      Status s = map.insert(key, tagged_value(thread_index, write_counter++), sink);
      return s == Status::kInserted ? kInsertNew : s == Status::kAssigned ? kInsertAssign : kInsertFull;
    }
    case OpKind::kErase:
      return map.erase(key, sink) ? kEraseHit : kEraseMiss;
  }
  return kGetMiss;
}

struct Cursor {
  std::size_t pos = 0;
  std::uint64_t write_counter = 0;
  std::uint64_t ops = 0;
  std::uint64_t missed = 0;  // open loop: due before the deadline, not issued
  std::uint64_t checksum = 0;
  std::uint32_t countdown = 1;
  std::uint64_t outcomes[kOutcomeCount] = {};

  // A closed-loop phase hands its register copies back (see run_phase).
  void save(std::size_t at, std::uint64_t writes, std::uint64_t sum, std::uint64_t done, std::uint32_t count,
            const std::uint64_t* phase_outcomes) {
    pos = at;
    write_counter = writes;
    checksum = sum;
    ops = done;
    countdown = count;
    for (int i = 0; i < kOutcomeCount; ++i) outcomes[i] += phase_outcomes[i];
  }
};

// What a closed-loop phase does after each kStreamBatch ops: wraps the
// stream position, counts the batch (and, with a series, its window's ops
// and added keys), and says whether the phase is over — the one clock read
// and the one abort check per batch.
inline bool end_of_stream_batch(std::size_t n, std::uint64_t deadline, std::atomic_ref<std::int32_t>& abort_ref,
                                Series* series, const std::uint64_t* outcomes, std::size_t& pos, std::uint64_t& ops,
                                std::int64_t& net_seen) {
  if (pos == n) pos = 0;
  ops += kStreamBatch;
  const std::uint64_t now = tsc::now();
  if (series) series->add_stream_batch(now, outcomes, net_seen);
  return now >= deadline || abort_ref.load(std::memory_order_relaxed);
}

// Replays the stream until `deadline` (or abort). kTimed brackets one op in
// `sample_every` and records it into `latency[kind]`.
template <bool kTimed, class Map, class Sink>
void run_phase(Map& map, const OpStream& stream, std::uint32_t thread_index, std::uint64_t deadline,
               std::int32_t& abort_flag, Sink& sink, Histogram* latency, std::uint32_t sample_every, Cursor& c,
               Series* series) {
  const std::uint64_t* ops_in = stream.ops.data();
  const std::size_t n = stream.size();
  std::atomic_ref<std::int32_t> abort_ref(abort_flag);
  // Loop state lives in locals (registers), not in the Cursor, so the
  // per-op path carries no stores beyond the outcome count: every extra
  // instruction per op shrinks how many ops' cache misses the core can
  // overlap.
  std::size_t pos = c.pos;
  std::uint64_t write_counter = c.write_counter, checksum = c.checksum, ops = c.ops;
  std::uint32_t countdown = c.countdown;
  std::uint64_t outcomes[kOutcomeCount] = {};
  std::int64_t net_seen = 0;  // series: keys added by the batches already counted
  for (;;) {
    for (std::size_t j = 0; j < kStreamBatch; ++j, ++pos) {
      if constexpr (kTimed) {
        if (--countdown == 0) {
          countdown = sample_every;
          const std::uint64_t t0 = tsc::begin();
          const Outcome o =
              do_op(map, op_key(ops_in[pos]), op_kind(ops_in[pos]), thread_index, write_counter, sink, checksum);
          const std::uint64_t t1 = tsc::end();
          latency[latency_kind_of(o)].record(t1 - t0);
          if (series) series->add_latency(t1, t1 - t0);
          outcomes[o] += 1;
          continue;
        }
      }
      const std::uint64_t op = ops_in[pos];
      outcomes[do_op(map, op_key(op), op_kind(op), thread_index, write_counter, sink, checksum)] += 1;
    }
    if (end_of_stream_batch(n, deadline, abort_ref, series, outcomes, pos, ops, net_seen)) break;
  }
  c.save(pos, write_counter, checksum, ops, countdown, outcomes);
}

// run_phase in groups of `batch` ops (a power of two dividing kStreamBatch,
// so a group never wraps the stream). kTimed times one group in every
// sample_every / batch: the group's ticks go to batch_latency, and each of
// its ops is recorded in latency[kind] with ticks / batch, its share.
template <bool kTimed, class Map, class Sink>
void run_phase_batched(Map& map, const OpStream& stream, std::uint32_t thread_index, std::uint64_t deadline,
                       std::int32_t& abort_flag, Sink& sink, Histogram* latency, Histogram* batch_latency,
                       std::uint32_t sample_every, std::uint32_t batch, Cursor& c, Series* series) {
  const std::uint64_t* ops_in = stream.ops.data();
  const std::size_t n = stream.size();
  std::atomic_ref<std::int32_t> abort_ref(abort_flag);
  std::size_t pos = c.pos;
  std::uint64_t write_counter = c.write_counter, checksum = c.checksum, ops = c.ops;
  std::uint32_t countdown = c.countdown;
  const std::uint32_t groups_per_sample = std::max<std::uint32_t>(1, sample_every / batch);
  std::uint64_t outcomes[kOutcomeCount] = {};
  std::int64_t net_seen = 0;  // series: keys added by the batches already counted
  std::uint64_t keys[kStreamBatch];
  Outcome done[kStreamBatch];
  for (;;) {
    for (std::size_t j = 0; j < kStreamBatch; j += batch, pos += batch) {
      const std::uint64_t* group = ops_in + pos;
      for (std::uint32_t i = 0; i < batch; ++i) keys[i] = op_key(group[i]);
      bool timed = false;
      std::uint64_t t0 = 0;
      if constexpr (kTimed) {
        if (--countdown == 0) {
          countdown = groups_per_sample;
          timed = true;
          t0 = tsc::begin();
        }
      }
      for_each_batched(map, keys, batch, [&](std::size_t i, auto& m) {
        done[i] = do_op(m, keys[i], op_kind(group[i]), thread_index, write_counter, sink, checksum);
      });
      if constexpr (kTimed) {
        if (timed) {
          const std::uint64_t t1 = tsc::end();
          batch_latency->record(t1 - t0);
          if (series) series->add_latency(t1, t1 - t0);
          for (std::uint32_t i = 0; i < batch; ++i) latency[latency_kind_of(done[i])].record((t1 - t0) / batch);
        }
      }
      for (std::uint32_t i = 0; i < batch; ++i) outcomes[done[i]] += 1;
    }
    if (end_of_stream_batch(n, deadline, abort_ref, series, outcomes, pos, ops, net_seen)) break;
  }
  c.save(pos, write_counter, checksum, ops, countdown, outcomes);
}

// Ops of an open-loop schedule (op i due at start + floor(i * interval))
// that fall due before `deadline`.
inline std::uint64_t ops_due_before(std::uint64_t start, std::uint64_t deadline, double interval_ticks) {
  if (deadline <= start) return 0;
  auto due = [&](std::uint64_t i) {
    return start + static_cast<std::uint64_t>(static_cast<double>(i) * interval_ticks);
  };
  auto n = static_cast<std::uint64_t>(std::ceil(static_cast<double>(deadline - start) / interval_ticks));
  // The closed form can be one off either way after rounding; settle it on
  // the same formula the loop uses.
  while (n > 0 && due(n - 1) >= deadline) --n;
  while (due(n) < deadline) ++n;
  return n;
}

// Open-loop replay: op i is due at start + i * interval_ticks; latency runs
// from the due time (see the header comment). Every op is timed: at a fixed
// offered rate the timer's cost only shortens the idle gaps. The phase ends
// at the schedule's end or at the wall-clock deadline, whichever comes first
// (the two differ only for a thread behind schedule).
template <class Map, class Sink>
void run_phase_open_loop(Map& map, const OpStream& stream, std::uint32_t thread_index, std::uint64_t start,
                         std::uint64_t deadline, double interval_ticks, std::int32_t& abort_flag, Sink& sink,
                         Histogram* latency, Cursor& c, Series* series) {
  const std::uint64_t* ops_in = stream.ops.data();
  const std::size_t n = stream.size();
  std::atomic_ref<std::int32_t> abort_ref(abort_flag);
  std::size_t pos = c.pos;
  std::uint64_t write_counter = c.write_counter, checksum = c.checksum, issued = 0;
  std::uint64_t outcomes[kOutcomeCount] = {};
  // The schedule can end mid-batch, so the stream position wraps per op
  // here (the closed loop wraps per batch, its phases ending on whole batches).
  bool done = false;
  while (!done) {
    for (std::size_t j = 0; j < kStreamBatch; ++j) {
      const std::uint64_t due = start + static_cast<std::uint64_t>(static_cast<double>(issued) * interval_ticks);
      if (due >= deadline) {
        done = true;
        break;
      }
      std::uint64_t now;
      while ((now = tsc::now()) < due) cpu_relax();
      // Behind schedule past the deadline: the backlog is not issued.
      if (now >= deadline) {
        done = true;
        break;
      }
      const Outcome o =
          do_op(map, op_key(ops_in[pos]), op_kind(ops_in[pos]), thread_index, write_counter, sink, checksum);
      const std::uint64_t t1 = tsc::end();
      latency[latency_kind_of(o)].record(t1 - due);
      if (series) {
        series->add_ops(t1, 1, o == kInsertNew ? 1 : o == kEraseHit ? -1 : 0);
        series->add_latency(t1, t1 - due);
      }
      outcomes[o] += 1;
      issued += 1;
      if (++pos == n) pos = 0;
    }
    if (abort_ref.load(std::memory_order_relaxed)) break;
  }
  c.pos = pos;
  c.write_counter = write_counter;
  c.checksum = checksum;
  c.ops += issued;
  const std::uint64_t due_total = ops_due_before(start, deadline, interval_ticks);
  c.missed += due_total > issued ? due_total - issued : 0;
  for (int i = 0; i < kOutcomeCount; ++i) c.outcomes[i] += outcomes[i];
}

std::string wait_at_gate(Control& ctl, std::uint32_t threads, double timeout_seconds, double hz,
                         std::uint64_t* arrive_tsc, std::uint64_t* go_seen_tsc);

// This thread's stream for `w`: the one it generated last when `w` is the
// same spec (a cell's repeats and passes replay one stream, so it is built
// once per thread, not once per pass), else a new one; the old one is
// dropped first, so a thread holds at most one. With `coverage`, the
// stream's indices are marked there (mark_coverage).
const OpStream& thread_stream(const WorkloadSpec& w, std::uint64_t* coverage);

template <bool kTimed, class Map, class Sink>
void run_both_phases(Map& map, const OpStream& stream, const WorkerSpec& spec, Control& ctl, double hz, Sink& sink,
                     WorkerResult& r) {
  const std::uint32_t t = spec.workload.thread_index;
  const std::uint64_t warm_end = r.release_tsc + seconds_to_ticks(spec.warmup_seconds, hz);
  const std::uint64_t measure_end = warm_end + seconds_to_ticks(spec.duration_seconds, hz);
  Histogram* latency = r.latency.get();

  const bool open_loop = kTimed && spec.rate_per_second > 0;
  const double interval = open_loop ? hz / spec.rate_per_second : 0;
  Series* series = nullptr;
  if (spec.series_window_seconds > 0) {
    r.series.origin = warm_end;
    series = &r.series;
  }

  Cursor warm;
  Sink warm_sink;
  std::unique_ptr<Histogram[]> warm_latency;
  Histogram warm_batch_latency;
  if constexpr (kTimed) warm_latency.reset(new Histogram[kLatencyKinds]);
  if (open_loop)
    run_phase_open_loop(map, stream, t, r.release_tsc, warm_end, interval, ctl.abort, warm_sink, warm_latency.get(),
                        warm, nullptr);
  else if (spec.batch > 1)
    run_phase_batched<kTimed>(map, stream, t, warm_end, ctl.abort, warm_sink, warm_latency.get(), &warm_batch_latency,
                              spec.sample_every, spec.batch, warm, nullptr);
  else
    run_phase<kTimed>(map, stream, t, warm_end, ctl.abort, warm_sink, warm_latency.get(), spec.sample_every, warm,
                      nullptr);

  Cursor measured;
  measured.pos = warm.pos;
  measured.write_counter = warm.write_counter;
  const alloc::Counts before = alloc::thread_counts();
  r.measure_start_tsc = tsc::now();
  // An open-loop schedule restarts at the measured phase's common start,
  // warm_end: warm-up's backlog was dropped at warm-up's deadline, so a
  // thread starts measuring behind only by its last warm-up op (or a
  // preemption), which its first ops' latencies then count like any stall.
  if (open_loop)
    run_phase_open_loop(map, stream, t, warm_end, measure_end, interval, ctl.abort, sink, latency, measured, series);
  else if (spec.batch > 1)
    run_phase_batched<kTimed>(map, stream, t, measure_end, ctl.abort, sink, latency, &r.batch_latency,
                              spec.sample_every, spec.batch, measured, series);
  else
    run_phase<kTimed>(map, stream, t, measure_end, ctl.abort, sink, latency, spec.sample_every, measured, series);
  r.batch_prefetch = spec.batch > 1 && BatchingMap<Map>;
  r.measure_end_tsc = tsc::now();
  const alloc::Counts after = alloc::thread_counts();

  r.allocs.allocations = after.allocations - before.allocations;
  r.allocs.frees = after.frees - before.frees;
  r.allocs.bytes_allocated = after.bytes_allocated - before.bytes_allocated;
  r.allocs.bytes_freed = after.bytes_freed - before.bytes_freed;
  r.ops = measured.ops;
  r.missed_ops = measured.missed;
  r.checksum = warm.checksum + measured.checksum;
  for (int i = 0; i < kOutcomeCount; ++i) r.outcomes[i] = measured.outcomes[i];
}

}  // namespace detail

// Measures the tsc::begin/end bracket around nothing, `samples` times.
void measure_timer_overhead(Histogram& out, std::uint32_t samples);

// Runs one benchmark thread. `ctl` is shared by the spec.threads threads
// of one run and must start zeroed. Never throws for run-time conditions:
// failures come back in WorkerResult::error.
template <class Map>
WorkerResult run_worker(Map& map, const WorkerSpec& spec, Control& ctl) {
  WorkerResult r;
  r.thread_id = static_cast<long>(syscall(SYS_gettid));
  std::string bad = validate(spec.workload);
  if (bad.empty() && !(std::isfinite(spec.rate_per_second) && spec.rate_per_second >= 0))
    bad = "rate must be a finite number of ops per second >= 0";
  if (bad.empty() && !(spec.series_window_seconds >= 0 &&
                       (spec.series_window_seconds == 0 || spec.duration_seconds / spec.series_window_seconds <= 1e6)))
    bad = "series window must be >= 0 and cut the run into at most 1e6 windows";
  if (bad.empty() && !(spec.batch >= 1 && spec.batch <= kStreamBatch && (spec.batch & (spec.batch - 1)) == 0))
    bad = "batch must be a power of two in [1, " + std::to_string(kStreamBatch) + "]";
  if (bad.empty() && spec.batch > 1 && spec.rate_per_second > 0) bad = "batch needs the closed loop (no rate)";
  if (!bad.empty()) {
    r.error = bad;
    std::atomic_ref<std::int32_t>(ctl.abort).store(1, std::memory_order_relaxed);
    return r;
  }
  const double hz = spec.tsc_hz > 0 ? spec.tsc_hz : tsc::hz();

  detail::Affinity affinity;
  r.error = affinity.pin(spec.cpu);
  if (!r.error.empty()) {
    std::atomic_ref<std::int32_t>(ctl.abort).store(1, std::memory_order_relaxed);
    return r;
  }
  r.cpu_start = sched_getcpu();

  // Everything the timed phases need is built here, before the gate.
  auto g0 = std::chrono::steady_clock::now();
  const OpStream* replayed = &detail::thread_stream(spec.workload, spec.coverage);
  // A string-keyed map replays its thread's key tape (catalogue/string_keyed.h).
  if constexpr (requires(Map & m, const OpStream& s) { m.tape_stream(s); }) replayed = &map.tape_stream(*replayed);
  const OpStream& stream = *replayed;
  r.stream_ops = stream.size();
  r.generate_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  if (spec.mode == RunMode::kLatency) {
    r.latency.reset(new Histogram[kLatencyKinds]);
    measure_timer_overhead(r.timer_overhead, 20000);
  }
  if (spec.series_window_seconds > 0) {
    const auto windows = static_cast<std::size_t>(std::ceil(spec.duration_seconds / spec.series_window_seconds)) + 1;
    r.series.reset(windows, detail::seconds_to_ticks(spec.series_window_seconds, hz));
  }

  r.error = detail::wait_at_gate(ctl, spec.threads, spec.gate_timeout_seconds, hz, &r.arrive_tsc, &r.go_seen_tsc);
  if (!r.error.empty()) return r;
  r.release_tsc = ctl.release_tsc;

  switch (spec.mode) {
    case RunMode::kThroughput: {
      NoStats sink;
      detail::run_both_phases<false>(map, stream, spec, ctl, hz, sink, r);
      break;
    }
    case RunMode::kLatency: {
      NoStats sink;
      detail::run_both_phases<true>(map, stream, spec, ctl, hz, sink, r);
      break;
    }
    case RunMode::kStats: {
      detail::run_both_phases<false>(map, stream, spec, ctl, hz, r.stats, r);
      break;
    }
  }
  r.cpu_end = sched_getcpu();
  if (std::atomic_ref<std::int32_t>(ctl.abort).load(std::memory_order_relaxed)) {
    r.error = "run aborted";
    return r;
  }
  // Only an open loop can end a phase without an op (a closed loop runs at
  // least one batch): the thread was behind by the whole measured phase.
  if (r.ops == 0) {
    r.error = "the measured phase completed no op (" + std::to_string(r.missed_ops) +
              " fell due before its deadline): the offered rate is far beyond what this thread reached";
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace mapbench
