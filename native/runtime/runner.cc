#include "runtime/runner.h"

namespace mapbench {

const char* outcome_name(int o) { return o >= 0 && o < kOutcomeCount ? kOutcomeNames[o] : "unknown"; }

const char* latency_kind_name(int k) { return k >= 0 && k < kLatencyKinds ? kLatencyKindNames[k] : "unknown"; }

void measure_timer_overhead(Histogram& out, std::uint32_t samples) {
  for (std::uint32_t i = 0; i < samples; ++i) {
    const std::uint64_t t0 = tsc::begin();
    const std::uint64_t t1 = tsc::end();
    out.record(t1 - t0);
  }
}

namespace detail {

namespace {
bool same_workload(const WorkloadSpec& a, const WorkloadSpec& b) {
  return std::equal(std::begin(a.mix), std::end(a.mix), std::begin(b.mix)) && a.dist.kind == b.dist.kind &&
         a.dist.theta == b.dist.theta && a.dist.hot_fraction == b.dist.hot_fraction &&
         a.dist.hot_op_fraction == b.dist.hot_op_fraction && a.keys == b.keys && a.seed == b.seed &&
         a.thread_index == b.thread_index && a.stream_length == b.stream_length && a.indexed_keys == b.indexed_keys &&
         a.partition == b.partition && a.threads == b.threads && a.shards == b.shards;
}
}  // namespace

const OpStream& thread_stream(const WorkloadSpec& w, std::uint64_t* coverage) {
  struct Cached {
    WorkloadSpec spec;
    OpStream stream;
  };
  thread_local std::unique_ptr<Cached> cached;
  if (!cached || !same_workload(cached->spec, w)) {
    cached.reset();
    cached = std::make_unique<Cached>(Cached{w, generate_stream(w)});
  }
  if (coverage) mark_coverage(cached->stream, coverage, w.indexed_keys);
  return cached->stream;
}

constexpr double kGateSpinSeconds = 0.02;

std::string wait_at_gate(Control& ctl, std::uint32_t threads, double timeout_seconds, double hz,
                         std::uint64_t* arrive_tsc, std::uint64_t* go_seen_tsc) {
  std::atomic_ref<std::int32_t> arrived(ctl.arrived), go(ctl.go), abort(ctl.abort);
  std::atomic_ref<std::uint64_t> release(ctl.release_tsc);
  *arrive_tsc = tsc::now();
  // A control block serves exactly one run: a used one would hand out a
  // stale release time and a gate that is already open.
  if (go.load(std::memory_order_acquire) != 0) return "control block already used by an earlier run";
  // Arriving after the run was given up (another thread timed out): do not
  // open a gate nobody else is waiting at.
  if (abort.load(std::memory_order_relaxed)) return "run aborted before start";
  const std::uint32_t position = static_cast<std::uint32_t>(arrived.fetch_add(1, std::memory_order_acq_rel) + 1);
  if (position > threads) return "more threads arrived at the gate than the run has";
  if (position == threads) {
    release.store(tsc::now(), std::memory_order_relaxed);
    go.store(1, std::memory_order_release);  // publishes release_tsc
  }
  const std::uint64_t give_up = *arrive_tsc + seconds_to_ticks(timeout_seconds, hz);
  // Spin (pause only) for the first few milliseconds: a waiter that yields
  // can lose its CPU to any runnable thread (V8's helper threads, another
  // process) for a whole time slice and see the gate open milliseconds
  // late. After that, yield, so that with more threads than cores the
  // threads still on their way to the gate get a CPU.
  const std::uint64_t spin_until = *arrive_tsc + seconds_to_ticks(kGateSpinSeconds, hz);
  std::uint32_t spins = 0;
  while (go.load(std::memory_order_acquire) == 0) {
    if (abort.load(std::memory_order_relaxed)) return "run aborted before start";
    cpu_relax();
    if ((++spins & 1023) == 0 && tsc::now() > spin_until) {
      sched_yield();
      if (tsc::now() > give_up) {
        abort.store(1, std::memory_order_relaxed);
        return "start gate timed out: " + std::to_string(arrived.load(std::memory_order_relaxed)) + " of " +
               std::to_string(threads) + " threads arrived";
      }
    }
  }
  *go_seen_tsc = tsc::now();
  return {};
}

}  // namespace detail
}  // namespace mapbench
