// lockfree_map.h — open addressing with linear probing, keys claimed by
// compare-and-swap, no lock on any path.
//
// Layout: a line-aligned array of 16-byte slots, four per 64-byte line,
// behind an atomic pointer (so a later online resize can swap tables
// without touching the probe logic):
//
//   table_ ──► Table { capacity, slots* } ──► [k|v][k|v][k|v][k|v] | ...
//                                              <---- 64 B line ---->
//
// Each slot is two independent 8-byte atomics: `key` and `cell`. `cell`
// stores value + 1, so 0 means "absent" and an all-zero slot is empty.
// No 16-byte CAS is used (with GCC a 16-byte std::atomic calls libatomic and
// is not lock-free), so no -mcx16 is needed.
//
// Invariants
//  1. A slot's key goes from kEmptyKey to a user key exactly once (CAS) and
//     never changes again: keys are never removed, erase only empties the
//     cell. So a slot's key, once seen non-empty, is final.
//  2. A user key occupies at most one slot. (Two inserts of k probe the same
//     sequence and claim only a slot they saw empty; the loser of a CAS
//     re-reads the winner's key, and a slot passed as "other key" stays so
//     by 1 — so they cannot settle on different slots.)
//  3. Every slot between a key's home and its slot is non-empty (slots are
//     claimed in probe order and never emptied), so a probe that meets an
//     empty key slot proves the key absent.
//  4. The number of claimed key slots only grows; "tombstones" are claimed
//     slots whose cell is 0. A key space of at most capacity-1 distinct keys
//     therefore never fills the table; beyond that insert returns kFull.
//
// Memory ordering
//  - Key claim: CAS(empty -> k) with acq_rel; the failure path loads acquire.
//    Readers load keys with acquire. (Keys carry no payload, so this only
//    orders the later cell access after seeing the key.)
//  - Cell writes (insert's exchange, update's and erase's CAS) are acq_rel,
//    cell reads are acquire: whoever reads a value also sees everything its
//    writer did before writing it (message-passing through the map).
//  - Linearisation points: get at its cell load (or at the key load that
//    found an empty slot); insert at its cell exchange; update and erase at
//    their successful CAS (or at the cell load that saw 0).
// Progress
//  - get: wait-free, at most `capacity` probes.
//  - insert/update/erase: lock-free; a CAS fails only because another
//    thread's operation succeeded. Key claims retry at most once per slot.
// Growth: none yet (fixed capacity, kFull when exhausted); the atomic table
// pointer is where an online resize would publish a new table.
#pragma once

#include <atomic>
#include <cstdint>

#include "alloc.h"
#include "common.h"
#include "op_stats.h"
#include "open_table.h"

namespace mapbench {

class LockFreeMap {
 public:
  struct alignas(16) Slot {
    std::atomic<std::uint64_t> key;   // invariant 1
    std::atomic<std::uint64_t> cell;  // value + 1; 0 = absent
  };
  static_assert(sizeof(Slot) == 16);
  static_assert(kCacheLine % sizeof(Slot) == 0, "slots never straddle a line");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "8-byte atomics must be lock-free");

  struct Table {
    std::size_t capacity;  // immutable
    Slot* slots;           // immutable pointer; slot contents per invariants
    bool huge_pages_advised;
  };

  // Requires: capacity >= 2 and a multiple of kSlotsPerLine.
  LockFreeMap(std::size_t capacity, bool huge_pages) {
    MB_DCHECK(capacity >= 2 && capacity % kSlotsPerLine == 0);
    Table* t = alloc::make<Table>();
    t->capacity = capacity;
    // allocate_table returns zeroed memory: every slot starts empty/absent.
    t->slots = static_cast<Slot*>(alloc::allocate_table(capacity * sizeof(Slot), huge_pages, &t->huge_pages_advised));
    table_.store(t, std::memory_order_release);
  }
  LockFreeMap(const LockFreeMap&) = delete;
  LockFreeMap& operator=(const LockFreeMap&) = delete;
  ~LockFreeMap() {
    Table* t = table_.load(std::memory_order_acquire);
    alloc::free_table(t->slots, t->capacity * sizeof(Slot));
    alloc::destroy(t);
  }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    const Slot* s = find(key, sink);
    if (!s) return false;
    const std::uint64_t c = s->cell.load(std::memory_order_acquire);
    if (c == 0) return false;
    *value = c - 1;
    return true;
  }

  // Insert-or-assign.
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    Slot* s = claim(key, sink);
    if (!s) return Status::kFull;
    std::uint64_t old = s->cell.exchange(value + 1, std::memory_order_acq_rel);
    return old == 0 ? Status::kInserted : Status::kAssigned;
  }

  // Assign only if present.
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    Slot* s = find(key, sink);
    if (!s) return false;
    std::uint64_t c = s->cell.load(std::memory_order_acquire);
    while (c != 0) {
      if (s->cell.compare_exchange_weak(c, value + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        return true;
      sink.cas_failure();
    }
    return false;
  }

  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    Slot* s = find(key, sink);
    if (!s) return false;
    std::uint64_t c = s->cell.load(std::memory_order_acquire);
    while (c != 0) {
      if (s->cell.compare_exchange_weak(c, 0, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
      sink.cas_failure();
    }
    return false;
  }

  // Live entries; exact when no writer runs, otherwise an approximation.
  std::size_t size() const {
    std::size_t n = 0;
    for_each_slot([&](std::uint64_t, std::uint64_t c) { n += c != 0; });
    return n;
  }

  // f(key, cell) for every claimed slot (cell 0 = tombstone).
  template <class F>
  void for_each_slot(F f) const {
    const Table* t = table_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < t->capacity; ++i) {
      std::uint64_t k = t->slots[i].key.load(std::memory_order_acquire);
      if (k != kEmptyKey) f(k, t->slots[i].cell.load(std::memory_order_acquire));
    }
  }

  // f(home_index, index) for every claimed slot, for probe-length diagnostics.
  template <class F>
  void for_each_displacement(F f) const {
    const Table* t = table_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < t->capacity; ++i) {
      std::uint64_t k = t->slots[i].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) continue;
      std::size_t home = reduce_range(hash_key(k), t->capacity);
      f(i >= home ? i - home : i + t->capacity - home);
    }
  }

  std::size_t capacity() const { return table_.load(std::memory_order_acquire)->capacity; }
  bool huge_pages_advised() const { return table_.load(std::memory_order_acquire)->huge_pages_advised; }

 private:
  // Finds the slot holding `key` (nullptr when absent).
  template <class Sink>
  Slot* find(std::uint64_t key, Sink& sink) const {
    const Table* t = table_.load(std::memory_order_acquire);
    const std::size_t cap = t->capacity;
    std::size_t i = reduce_range(hash_key(key), cap);
    std::uint32_t probes = 1;
    for (; probes <= cap; ++probes) {
      Slot& s = t->slots[i];
      const std::uint64_t k = s.key.load(std::memory_order_acquire);
      if (k == key) {
        sink.probe(probes, true);
        return &s;
      }
      if (k == kEmptyKey) {
        sink.probe(probes, false);
        return nullptr;
      }
      if (++i == cap) i = 0;
    }
    sink.probe(static_cast<std::uint32_t>(cap), false);
    return nullptr;
  }

  // Returns the slot holding `key`, claiming the first empty one on its
  // probe path if needed; nullptr when every slot holds another key.
  template <class Sink>
  Slot* claim(std::uint64_t key, Sink& sink) {
    const Table* t = table_.load(std::memory_order_acquire);
    std::size_t i = reduce_range(hash_key(key), t->capacity);
    for (std::uint32_t probes = 1; probes <= t->capacity; ++probes) {
      Slot& s = t->slots[i];
      std::uint64_t k = s.key.load(std::memory_order_acquire);
      if (k == kEmptyKey) {
        if (s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel, std::memory_order_acquire)) {
          sink.probe(probes, false);
          return &s;
        }
        sink.cas_failure();  // k now holds the winner's key (invariant 1)
      }
      if (k == key) {
        sink.probe(probes, true);
        return &s;
      }
      if (++i == t->capacity) i = 0;
    }
    return nullptr;
  }

  std::atomic<Table*> table_;  // published with release; read with acquire
};

}  // namespace mapbench
