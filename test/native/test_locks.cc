// test_locks.cc — what the lock-based designs pay per acquisition, by pass.
//
// Only a statistics pass (the OpStats sink) counts contended acquisitions,
// which needs a try_lock before the blocking lock; throughput and latency
// passes (NoStats) must lock directly, since a failed try_lock is one more
// atomic on the contended line per acquisition. CountingLock wraps a
// SpinLock and counts every call, so the cases below see exactly which path
// each design and each runner pass takes:
//   (i)   acquire()/acquire_shared() themselves, with either sink;
//   (ii)  LockedMap, ShardedMap and ChainedMap over CountingLock, every op
//         kind, with either sink;
//   (iii) run_worker in throughput, latency and statistics mode: only the
//         statistics mode tries before locking.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "maps/chained_map.h"
#include "check.h"
#include "maps/locked_map.h"
#include "maps/locks.h"
#include "maps/node_pool.h"
#include "runtime/runner.h"
#include "maps/sharded_map.h"
#include "runtime/workload.h"

namespace mb = mapbench;

namespace {

// Calls made on all CountingLocks, process-wide (the cases run one at a
// time; relaxed, since only totals read after join() matter).
struct Calls {
  std::atomic<std::uint64_t> lock{0}, try_lock{0}, lock_shared{0}, try_lock_shared{0};
  void reset() {
    lock = 0;
    try_lock = 0;
    lock_shared = 0;
    try_lock_shared = 0;
  }
  std::uint64_t tries() const { return try_lock.load() + try_lock_shared.load(); }
  std::uint64_t locks() const { return lock.load() + lock_shared.load(); }
};
Calls g_calls;

class CountingLock {
 public:
  static constexpr const char* kName = "counting";
  void lock() {
    g_calls.lock.fetch_add(1, std::memory_order_relaxed);
    inner_.lock();
  }
  bool try_lock() {
    g_calls.try_lock.fetch_add(1, std::memory_order_relaxed);
    return inner_.try_lock();
  }
  void unlock() { inner_.unlock(); }
  void lock_shared() {
    g_calls.lock_shared.fetch_add(1, std::memory_order_relaxed);
    inner_.lock_shared();
  }
  bool try_lock_shared() {
    g_calls.try_lock_shared.fetch_add(1, std::memory_order_relaxed);
    return inner_.try_lock_shared();
  }
  void unlock_shared() { inner_.unlock_shared(); }

 private:
  mb::SpinLock inner_;
};

// Every op kind once per key on `m`, through sink `s`; returns the number
// of lock acquisitions the ops make (one each).
template <class Map, class Sink>
std::uint64_t every_op(Map& m, Sink& s, std::uint64_t keys) {
  std::uint64_t v = 0;
  for (std::uint64_t i = 0; i < keys; ++i) m.insert(mb::key_of(i), i, s);
  for (std::uint64_t i = 0; i < keys; ++i) m.get(mb::key_of(i), &v, s);
  for (std::uint64_t i = 0; i < keys; ++i) m.update(mb::key_of(i), i + 1, s);
  for (std::uint64_t i = 0; i < keys; ++i) m.erase(mb::key_of(i), s);
  return 4 * keys;
}

// Uncontended (one thread): with OpStats every acquisition is a successful
// try, so no blocking lock is taken at all; with NoStats there is no try.
template <class Map>
void check_design(const std::string& label, Map& m) {
  constexpr std::uint64_t keys = 64;
  g_calls.reset();
  mb::NoStats none;
  const std::uint64_t n = every_op(m, none, keys);
  CHECK_EQ(g_calls.tries(), 0u, label, ": NoStats ops called try_lock");
  CHECK_EQ(g_calls.locks(), n, label, ": NoStats ops did not lock once each");
  g_calls.reset();
  mb::OpStats stats;
  const std::uint64_t k = every_op(m, stats, keys);
  CHECK_EQ(g_calls.tries(), k, label, ": OpStats ops did not try once each");
  CHECK_EQ(g_calls.locks(), 0u, label, ": uncontended OpStats ops took the blocking lock");
  CHECK_EQ(stats.contended_acquisitions, 0u, label);
}

// One runner thread in `mode` over a LockedMap<CountingLock>.
std::uint64_t tries_in_mode(mb::RunMode mode, std::uint64_t* ops) {
  mb::alloc::Pages pages(false);
  mb::LockedMap<CountingLock> map(pages, 4096);
  mb::WorkerSpec spec;
  spec.workload.keys = 1000;
  const std::uint32_t mix[mb::kOpKinds] = {50, 10, 20, 10, 10};
  std::copy(mix, mix + mb::kOpKinds, spec.workload.mix);
  spec.workload.stream_length = 1 << 14;
  spec.workload.seed = 5;
  spec.threads = 1;
  spec.mode = mode;
  spec.warmup_seconds = 0.01;
  spec.duration_seconds = 0.03;
  for (std::uint64_t i = 0; i < spec.workload.keys; ++i) {
    mb::NoStats s;
    map.insert(mb::key_of(i), mb::value_of(mb::key_of(i)), s);
  }
  mb::Control ctl{};
  g_calls.reset();
  const mb::WorkerResult r = mb::run_worker(map, spec, ctl);
  CHECK(r.ok, r.error);
  CHECK_GT(r.ops, 0u);
  *ops = r.ops;
  return g_calls.tries();
}

}  // namespace

int main() {
  mbtest::Suite suite("test_locks");

  suite.run("acquire helpers: NoStats locks directly, OpStats tries first", [&] {
    CountingLock l;
    mb::NoStats none;
    mb::OpStats stats;
    g_calls.reset();
    CHECK(!mb::acquire(l, none));
    l.unlock();
    CHECK(!mb::acquire_shared(l, none));
    l.unlock_shared();
    CHECK_EQ(g_calls.tries(), 0u, "NoStats acquisitions called try_lock");
    CHECK_EQ(g_calls.lock.load(), 1u);
    CHECK_EQ(g_calls.lock_shared.load(), 1u);
    g_calls.reset();
    CHECK(!mb::acquire(l, stats));
    l.unlock();
    CHECK(!mb::acquire_shared(l, stats));
    l.unlock_shared();
    CHECK_EQ(g_calls.try_lock.load(), 1u);
    CHECK_EQ(g_calls.try_lock_shared.load(), 1u);
    CHECK_EQ(g_calls.locks(), 0u);
    // A held lock: the statistics path counts the contention, then blocks
    // until another thread releases it.
    l.lock();
    std::atomic<bool> acquired{false};
    std::thread other([&] {
      mb::OpStats s;
      CHECK(mb::acquire(l, s));
      CHECK_EQ(s.contended_acquisitions, 1u);
      acquired.store(true);
      l.unlock();
    });
    while (g_calls.lock.load() < 2) std::this_thread::yield();  // ours + the other's blocking lock
    CHECK(!acquired.load(), "acquired a lock that was held");
    l.unlock();
    other.join();
    CHECK(acquired.load());
  });

  suite.run("LockedMap<CountingLock>: no try_lock on the NoStats path", [&] {
    mb::alloc::Pages pages(false);
    mb::LockedMap<CountingLock> m(pages, 256);
    check_design("locked", m);
  });
  suite.run("ShardedMap<CountingLock> (4 shards, padded and packed): no try_lock on the NoStats path", [&] {
    mb::alloc::Pages pages(false);
    mb::ShardedMap<CountingLock> padded(pages, 256, 4);
    check_design("sharded", padded);
    mb::ShardedMap<CountingLock, 0> packed(pages, 256, 4);
    check_design("sharded packed", packed);
  });
  suite.run("ChainedMap<CountingLock>: no try_lock on the NoStats path", [&] {
    mb::alloc::Pages pages(false);
    mb::ChainedMap<CountingLock, mb::HeapNodes<mb::ChainNode>> m(pages, 256, 8);
    check_design("chained", m);
  });

  suite.run("run_worker: only the statistics pass tries before locking", [&] {
    std::uint64_t ops = 0;
    CHECK_EQ(tries_in_mode(mb::RunMode::kThroughput, &ops), 0u, "throughput pass called try_lock");
    CHECK_EQ(tries_in_mode(mb::RunMode::kLatency, &ops), 0u, "latency pass called try_lock");
    // Warm-up and measured phase both try, one try per op.
    CHECK_GE(tries_in_mode(mb::RunMode::kStats, &ops), ops, "statistics pass did not try before locking");
  });

  return suite.finish();
}
