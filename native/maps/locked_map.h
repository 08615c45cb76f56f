// locked_map.h — the lock-based baselines: one lock over one OpenTable.
//
//   mutex   LockedMap<MutexLock>  std::mutex; every operation exclusive.
//   rwlock  LockedMap<RwLock>     std::shared_mutex; get shared, writes
//                                 exclusive (readers still write the lock's
//                                 reader count, so its line still bounces).
//   spin    LockedMap<SpinLock>   TTAS spinlock with pause and bounded
//                                 exponential backoff (see locks.h).
// Each with string keys too (LockedMap<Lock, StrKeys<>>): the table's slots
// then hold key records, allocated by the insert of a new key and freed by
// the erase that tombstones it, both under the exclusive lock.
//
// Layout: the lock and the table header share the map object, which is
// aligned to kPad so that nothing else lives on its line(s):
//
//   [ lock | slots* capacity size tombstones ... ]   (one or two lines)
//   [ table slots, line-aligned, possibly on huge pages ...              ]
//
// Invariants: those of OpenTable, which hold whenever the lock is free.
// Every field of `table_` is guarded by `lock_` (readers of an RwLock hold
// it shared and only read).
// Memory ordering: the lock's acquire on entry and release on exit order
// every table access after the previous holder's; nothing is read outside
// the lock.
// Progress: blocking. A holder that is preempted stalls every other thread
// (for spin, waiters also burn their CPU while it is away).
// Growth: by default fixed capacity; tombstones are purged by in-place
// rehash (under the lock); insert into a genuinely full table returns kFull.
// With a max load factor the table grows (or sheds tombstones) when an
// insert would pass it (OpenTable invariant 5) — stop-the-world: every
// other thread waits on the lock for the whole move, which is what the
// migration ticks in the diagnostics show.
#pragma once

#include <cstdint>

#include "maps/locks.h"
#include "maps/open_table.h"
#include "runtime/op_stats.h"

namespace mapbench {

template <class Lock, class P = U64Keys>
class alignas(kPad) LockedMap {
 public:
  using Key = typename P::Key;
  using Table = BasicOpenTable<P>;
  // max_load_factor 0: fixed capacity; in (0, 1): grow past it.
  explicit LockedMap(alloc::Pages& pages, std::size_t capacity, double max_load_factor = 0)
      : table_(capacity, pages, max_load_factor > 0, max_load_factor) {}

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    acquire_shared(lock_, sink);
    bool hit = table_.get(key, h, value, sink);
    lock_.unlock_shared();
    return hit;
  }

  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    acquire(lock_, sink);
    Status s = table_.insert(key, h, value, sink);
    lock_.unlock();
    return s;
  }

  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    acquire(lock_, sink);
    bool ok = table_.update(key, h, value, sink);
    lock_.unlock();
    return ok;
  }

  template <class Sink = NoStats>
  bool erase(Key key, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    acquire(lock_, sink);
    bool ok = table_.erase(key, h, sink);
    lock_.unlock();
    return ok;
  }

  std::size_t size() {
    lock_.lock_shared();
    std::size_t n = table_.size();
    lock_.unlock_shared();
    return n;
  }

  // Visits every entry under the lock (diagnostics and verification only).
  template <class F>
  void inspect(F f) {
    lock_.lock_shared();
    f(table_);
    lock_.unlock_shared();
  }

 private:
  Lock lock_;
  Table table_;  // guarded by lock_
};

using MutexMap = LockedMap<MutexLock>;
using RwLockMap = LockedMap<RwLock>;
using SpinMap = LockedMap<SpinLock>;
// String keys (key_policy.h): the same lock over a table of key records.
using StrMutexMap = LockedMap<MutexLock, StrKeys<>>;
using StrRwLockMap = LockedMap<RwLock, StrKeys<>>;
using StrSpinMap = LockedMap<SpinLock, StrKeys<>>;

}  // namespace mapbench
