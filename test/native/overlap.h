// overlap.h — evidence that a concurrency test's threads ran at the same
// time. A test whose threads happened to run one after another (a loaded
// machine, a start gate that serialises them) would pass every correctness
// check while testing nothing concurrent, so each such test also proves
// overlap and retries a bounded number of times before failing on it.
//
// Spans: each worker stamps the TSC when it starts its work and when it
// ends it. Two threads overlapped when their [begin, end] spans intersect;
// a round overlapped when some pair did — proof that the code under test
// ran concurrently at least once. Requiring every thread to overlap would
// fail honestly concurrent rounds with more threads than cores, where some
// threads may run while others wait for a CPU. Stamps from different cores are comparable because the TSC is
// invariant on the machines these tests run on (test_runner checks and
// prints the flags; see native/runtime/tsc.h).
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "runtime/common.h"
#include "runtime/tsc.h"

namespace mbtest {

class Spans {
 public:
  explicit Spans(unsigned threads) : v_(threads) {}
  // Each slot is written only by its own thread and read after join(),
  // which orders the writes before the reads.
  void begin(unsigned t) { v_[t].begin = mapbench::tsc::now(); }
  void end(unsigned t) { v_[t].end = mapbench::tsc::now(); }

  unsigned threads() const { return static_cast<unsigned>(v_.size()); }
  bool intersect(unsigned a, unsigned b) const { return v_[a].begin <= v_[b].end && v_[b].begin <= v_[a].end; }
  // Threads whose span intersects no other thread's.
  unsigned alone() const {
    unsigned n = 0;
    for (unsigned a = 0; a < threads(); ++a) {
      bool any = false;
      for (unsigned b = 0; b < threads() && !any; ++b) any = b != a && intersect(a, b);
      n += !any;
    }
    return n;
  }
  unsigned overlapping_pairs() const {
    unsigned n = 0;
    for (unsigned a = 0; a < threads(); ++a)
      for (unsigned b = a + 1; b < threads(); ++b) n += intersect(a, b);
    return n;
  }
  bool overlapped() const { return threads() < 2 || overlapping_pairs() > 0; }
  std::string describe() const {
    return std::to_string(alone()) + " of " + std::to_string(threads()) + " threads ran alone, " +
           std::to_string(overlapping_pairs()) + " overlapping pairs";
  }

 private:
  struct Span {
    std::uint64_t begin = 0, end = 0;
  };
  std::vector<Span> v_;
};

// Pins the calling thread to the i-th CPU this process may use, round
// robin; does nothing with fewer than two. Left to the scheduler, a new
// thread tends to land on its creator's CPU when the others are busy (with
// other processes, say), behind a waiter spinning there, and the threads
// then run one after another.
inline void pin_round_robin(unsigned i) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  const int n = CPU_COUNT(&allowed);
  if (n < 2) return;
  int want = static_cast<int>(i % static_cast<unsigned>(n));
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed) || want-- > 0) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    return;
  }
}

// Starts `n` threads that all begin fn(t) together, joins them, and returns
// the span each spent in fn. Thread t is pinned round robin
// (pin_round_robin). The last thread to arrive opens the gate (waiting for
// the creating thread to notice would add a wake-up); waiters spin with
// pause for their first millisecond — a thread that yields there is often
// still off its CPU when the others have started and finished — and yield
// after that, so that threads sharing a CPU still get to arrive.
inline Spans run_together(unsigned n, const std::function<void(unsigned)>& fn) {
  Spans spans(n);
  std::atomic<unsigned> arrived{0};
  std::atomic<bool> go{false};
  const auto spin_ticks = static_cast<std::uint64_t>(mapbench::tsc::hz() * 1e-3);
  std::vector<std::thread> ts;
  ts.reserve(n);
  for (unsigned t = 0; t < n; ++t) {
    ts.emplace_back([&, t] {
      pin_round_robin(t);
      const std::uint64_t t0 = mapbench::tsc::now();
      if (arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == n) go.store(true, std::memory_order_release);
      while (!go.load(std::memory_order_acquire)) {
        if (mapbench::tsc::now() - t0 < spin_ticks) mapbench::cpu_relax();
        else std::this_thread::yield();
      }
      spans.begin(t);
      fn(t);
      spans.end(t);
    });
  }
  for (auto& th : ts) th.join();
  return spans;
}

// Runs `round` (one whole concurrent run on fresh state, its correctness
// checks included) until it reports that its threads overlapped, at most
// `attempts` times; fails the case if none did. `round` returns what it
// saw: true when its threads overlapped.
inline void require_overlap(const std::string& label, int attempts, const std::function<bool(std::string*)>& round) {
  std::string last;
  for (int i = 1; i <= attempts; ++i) {
    if (round(&last)) {
      if (i > 1) std::printf("      (threads overlapped on attempt %d of %d)\n", i, attempts);
      return;
    }
  }
  CHECK(false, label, ": the threads never ran concurrently in ", attempts, " attempts (last: ", last, ")");
}

}  // namespace mbtest
