// str_lockfree_map.h — the lock-free table for byte-string keys (design
// `lockfree` with a string key type): open addressing with linear probing,
// a slot's key claimed by compare-and-swap, no lock on any path. The
// integer map of lockfree_map.h with the key word holding the address of an
// immutable key record (key_policy.h) instead of the key.
//
// Layout: a line-aligned array of 16-byte slots, four per 64-byte line, as
// the integer map's; each key's record (hash, length, bytes) lives apart,
// allocated by the insert that claimed the slot:
//
//   slots: [tag|rec*|v][tag|rec*|v][tag|rec*|v][tag|rec*|v] | ...
//                 └──► KeyRecord { hash, len, bytes... }   (immutable)
//
// Why records apart rather than short keys inline: a slot keeps the integer
// map's 16 bytes (four per line), so the probe sequence, the load-factor
// knee and the line traffic of a miss are the integer map's, and what
// string keys add — one hash per op, a record line read on a hash match,
// one allocation per new key — is measured against the same table.
//
// Invariants
//  1. A slot's key word goes from kEmptyKey to the address of a record
//     exactly once (CAS) and never changes while the table lives: erase only
//     empties the cell. A record is therefore never replaced and never freed
//     before the table, so a reader holding its address needs no
//     reclamation scheme (no EBR pin on any operation) — the cost is that an
//     erased key keeps its slot and record, as the integer map's keys do.
//  2. A key (as bytes) occupies at most one slot: two inserts of k probe the
//     same sequence and claim only a slot they saw empty; the loser of a CAS
//     compares the winner's record with k and, if equal, uses that slot and
//     frees its own record, which nobody else has seen.
//  3. Every slot between a key's home and its slot is claimed, so a probe
//     that meets an empty key word proves the key absent.
//  4. cell = value + 1; 0 = absent. At most capacity - 1 distinct keys ever
//     fit; beyond that insert returns kFull.
// Memory ordering
//  - The record's bytes are written before the claiming CAS (acq_rel); key
//    words are loaded with acquire, so whoever sees an address sees the
//    finished record (message passing: the record is the payload).
//  - Cell exchange/CAS are acq_rel and cell loads acquire, as the integer map.
//  - Linearisation points: get at its cell load (or at the key load that
//    found an empty slot); insert at its cell exchange; update and erase at
//    their successful CAS (or the cell load that saw 0).
// What a get reads: the key's hash (computed once), then per probed slot its
// key word, whose top 16 bits are its key's hash tag (key_policy.h); only a
// slot whose tag matches is followed to its record (one line for keys up to
// 52 bytes), whose full hash and length are compared before its bytes. A
// hit therefore reads the slot's line and the record's; a probe past other
// keys reads no record but once in 65536 slots.
// Progress: get is wait-free (at most `capacity` probes); insert, update and
// erase are lock-free (a CAS fails only because another operation succeeded).
// Allocation: one record per newly claimed slot (a new key), none for
// updates, erases, gets or inserts of keys already present.
#pragma once

#include <atomic>
#include <cstdint>

#include "maps/key_policy.h"
#include "maps/open_table.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"

namespace mapbench {

template <class P = StrKeys<>>
class BasicStrLockFreeMap {
 public:
  using Key = typename P::Key;
  struct alignas(16) Slot {
    std::atomic<std::uint64_t> key;   // record address; invariant 1
    std::atomic<std::uint64_t> cell;  // value + 1; 0 = absent
  };
  static_assert(sizeof(Slot) == 16 && kCacheLine % sizeof(Slot) == 0);

  // Requires: capacity >= 2.
  BasicStrLockFreeMap(alloc::Pages& pages, std::size_t capacity)
      : pages_(pages), capacity_(capacity), slots_(static_cast<Slot*>(pages.allocate_table(capacity * sizeof(Slot)))) {}
  BasicStrLockFreeMap(const BasicStrLockFreeMap&) = delete;
  BasicStrLockFreeMap& operator=(const BasicStrLockFreeMap&) = delete;
  // Requires: no operation in progress.
  ~BasicStrLockFreeMap() {
    for (std::size_t i = 0; i < capacity_; ++i) {
      const std::uint64_t k = slots_[i].key.load(std::memory_order_relaxed);
      if (k != kEmptyKey) P::release(k);
    }
    pages_.free_table(slots_, capacity_ * sizeof(Slot));
  }

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) const {
    const std::uint64_t h = P::hash(key);
    std::size_t i = reduce_range(h, capacity_);
    std::uint32_t probes = 1;
    for (; probes <= capacity_; ++probes) {
      const std::uint64_t k = slots_[i].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) break;
      if (P::matches(k, key, h)) {
        const std::uint64_t c = slots_[i].cell.load(std::memory_order_acquire);
        sink.probe(probes, c != 0);
        if (c == 0) return false;
        *value = c - 1;
        return true;
      }
      if (++i == capacity_) i = 0;
    }
    sink.probe(probes, false);
    return false;
  }

  // Insert-or-assign.
  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink& sink) {
    Slot* s = claim(key, sink);
    if (!s) return Status::kFull;
    const std::uint64_t old = s->cell.exchange(value + 1, std::memory_order_acq_rel);
    return old == 0 ? Status::kInserted : Status::kAssigned;
  }

  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink& sink) {
    return assign(find(key, sink), value + 1, sink);
  }

  template <class Sink = NoStats>
  bool erase(Key key, Sink& sink) {
    return assign(find(key, sink), 0, sink);
  }

  // Live entries; exact when no writer runs.
  std::size_t size() const {
    std::size_t n = 0;
    for_each_slot([&](std::uint64_t, std::uint64_t c, std::size_t) { n += c != 0; });
    return n;
  }
  std::size_t capacity() const { return capacity_; }

  // f(key word, cell, index) for every claimed slot (diagnostics, verification).
  template <class F>
  void for_each_slot(F f) const {
    for (std::size_t i = 0; i < capacity_; ++i) {
      const std::uint64_t k = slots_[i].key.load(std::memory_order_acquire);
      if (k != kEmptyKey) f(k, slots_[i].cell.load(std::memory_order_acquire), i);
    }
  }
  // Home slot of a claimed key word (probe-length diagnostics).
  std::size_t home_of(std::uint64_t word) const { return reduce_range(P::hash_of_word(word), capacity_); }

 private:
  template <class Sink>
  Slot* find(Key key, Sink& sink) const {
    const std::uint64_t h = P::hash(key);
    std::size_t i = reduce_range(h, capacity_);
    for (std::uint32_t probes = 1; probes <= capacity_; ++probes) {
      const std::uint64_t k = slots_[i].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) {
        sink.probe(probes, false);
        return nullptr;
      }
      if (P::matches(k, key, h)) {
        sink.probe(probes, true);
        return &slots_[i];
      }
      if (++i == capacity_) i = 0;
    }
    sink.probe(static_cast<std::uint32_t>(capacity_), false);
    return nullptr;
  }

  // The slot holding `key`, claiming an empty one (with a new record) if
  // absent; nullptr when every slot holds another key (invariant 4).
  template <class Sink>
  Slot* claim(Key key, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    std::uint64_t mine = kEmptyKey;  // our record, made at the first empty slot
    std::size_t i = reduce_range(h, capacity_);
    for (std::uint32_t probes = 1; probes <= capacity_; ++probes) {
      std::uint64_t k = slots_[i].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) {
        if (mine == kEmptyKey) mine = P::store(key, h);
        if (slots_[i].key.compare_exchange_strong(k, mine, std::memory_order_acq_rel, std::memory_order_acquire)) {
          sink.probe(probes, false);
          return &slots_[i];
        }
        // Lost the slot: k is the winner's record (invariant 2).
      }
      if (P::matches(k, key, h)) {
        if (mine != kEmptyKey) P::release(mine);  // never published
        sink.probe(probes, true);
        return &slots_[i];
      }
      if (++i == capacity_) i = 0;
    }
    if (mine != kEmptyKey) P::release(mine);
    sink.probe(static_cast<std::uint32_t>(capacity_), false);
    return nullptr;
  }

  // Replaces a live cell (update: with value + 1; erase: with 0). False
  // when there is no slot or its cell is 0.
  template <class Sink>
  static bool assign(Slot* s, std::uint64_t want, Sink& sink) {
    if (!s) return false;
    std::uint64_t c = s->cell.load(std::memory_order_acquire);
    while (c != 0) {
      if (s->cell.compare_exchange_weak(c, want, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
      sink.cas_failure();
    }
    return false;
  }

  alloc::Pages& pages_;
  const std::size_t capacity_;  // immutable
  Slot* const slots_;           // immutable pointer; contents per the invariants
};

using StrLockFreeMap = BasicStrLockFreeMap<>;

}  // namespace mapbench
