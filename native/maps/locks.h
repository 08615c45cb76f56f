// locks.h — the three lock kinds the lock-based designs are built from,
// behind one shape: lock/unlock/try_lock and their _shared forms (exclusive
// for the kinds that have no shared mode), plus the acquire helpers every
// lock-based design goes through. With a statistics sink (Sink::kEnabled)
// they count contended acquisitions (a try_lock that failed before the
// blocking lock); with NoStats they lock directly, so throughput and latency
// passes pay no extra atomic on the lock's line per acquisition. The sink
// type decides at compile time (test_locks checks it with a counting lock).
//
// SpinLock: test-and-test-and-set on one 32-bit word.
//   Invariant: word == 1 exactly while one thread holds the lock.
//   Ordering: the successful exchange is acquire (the holder sees everything
//   the previous holder wrote before its release store); unlock is a release
//   store of 0. The waiting loop reads with relaxed loads only, so waiters
//   share the line read-only and do not bounce it until it looks free.
//   Backoff: pause instructions, doubling per failed round up to 1024, never
//   yielding — on purpose: when threads outnumber cores, a preempted holder
//   makes every waiter burn its whole time slice (lock-holder preemption),
//   which is one of the effects mapbench exists to show.
//   Progress: blocking; starvation-prone under contention (no fairness).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include "runtime/common.h"

namespace mapbench {

class SpinLock {
 public:
  static constexpr const char* kName = "spin";
  static constexpr std::uint32_t kMaxBackoffPauses = 1024;

  void lock() {
    std::uint32_t backoff = 1;
    for (;;) {
      if (word_.load(std::memory_order_relaxed) == 0 && word_.exchange(1, std::memory_order_acquire) == 0) {
        return;
      }
      for (std::uint32_t i = 0; i < backoff; ++i) cpu_relax();
      if (backoff < kMaxBackoffPauses) backoff <<= 1;
    }
  }
  bool try_lock() {
    return word_.load(std::memory_order_relaxed) == 0 && word_.exchange(1, std::memory_order_acquire) == 0;
  }
  void unlock() { word_.store(0, std::memory_order_release); }
  void lock_shared() { lock(); }
  bool try_lock_shared() { return try_lock(); }
  void unlock_shared() { unlock(); }

 private:
  std::atomic<std::uint32_t> word_{0};  // 1 while held; see header comment
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// std::mutex: readers and writers both take it exclusively.
class MutexLock {
 public:
  static constexpr const char* kName = "mutex";
  void lock() { m_.lock(); }
  bool try_lock() { return m_.try_lock(); }
  void unlock() { m_.unlock(); }
  void lock_shared() { m_.lock(); }
  bool try_lock_shared() { return m_.try_lock(); }
  void unlock_shared() { m_.unlock(); }

 private:
  std::mutex m_;
};

// std::shared_mutex: get takes it shared, every write exclusive.
class RwLock {
 public:
  static constexpr const char* kName = "rw";
  void lock() { m_.lock(); }
  bool try_lock() { return m_.try_lock(); }
  void unlock() { m_.unlock(); }
  void lock_shared() { m_.lock_shared(); }
  bool try_lock_shared() { return m_.try_lock_shared(); }
  void unlock_shared() { m_.unlock_shared(); }

 private:
  std::shared_mutex m_;
};

// Acquire exclusively / shared. With a statistics sink: try first and tell
// the sink when the lock was busy; returns true when the acquisition was
// contended. With NoStats: the blocking lock alone (a failed try_lock is
// one more atomic on the contended line, paid for a count nobody reads);
// returns false.
template <class Lock, class Sink>
inline bool acquire(Lock& l, Sink& sink) {
  if constexpr (Sink::kEnabled) {
    if (l.try_lock()) return false;
    sink.contended();
    l.lock();
    return true;
  } else {
    l.lock();
    return false;
  }
}

template <class Lock, class Sink>
inline bool acquire_shared(Lock& l, Sink& sink) {
  if constexpr (Sink::kEnabled) {
    if (l.try_lock_shared()) return false;
    sink.contended();
    l.lock_shared();
    return true;
  } else {
    l.lock_shared();
    return false;
  }
}

}  // namespace mapbench
