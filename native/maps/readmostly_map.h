// readmostly_map.h — a port of Go's sync.Map: lock-free reads from an
// immutable, atomically published snapshot; writes of new keys under one
// mutex into a "dirty" map that is promoted to the snapshot once enough
// reads have missed the snapshot.
//
// Layout: two lines of map state, so that readers (who only load `read_`)
// never share a line with the lock writers bounce:
//
//   line 0: read_ ──► OpenTable (immutable once published): key -> Entry*
//           (the low bit of read_ is `amended`: dirty_ holds keys the
//           snapshot lacks)
//   line 1: mu_ | dirty_ ──► OpenTable (private to mu_): key -> Entry*
//           | misses_ | counters (promotions, dirty copies, their ticks)
//   Entry (16 bytes, one counted heap cell per key): { word, expunged }
//
// Entry encoding. `word` holds the value itself (no box per store, unlike
// Go), or kNil = 2^64-1 — the value the API reserves — for a deleted key.
// Go's third state, "expunged" (deleted, and left out of the dirty map), is
// the flag `expunged`, guarded by mu_. It needs no bit in `word` because of
// one rule this port adds: word goes from kNil to a value only under mu_
// (a store to a deleted key takes the lock, where Go would CAS it back
// lock-free). So under mu_ a kNil word is stable, "nil -> expunged" is a
// plain flag write, and a lock-free CAS — which only ever starts from a
// value — can never write into an expunged entry. The transitions:
//   value -> value   insert/update, CAS, lock-free (or exchange under mu_)
//   value -> kNil    erase, CAS, lock-free (or exchange under mu_)
//   kNil -> value    insert, exchange under mu_ (unexpunging first)
//   kNil -> expunged make_dirty_locked(), under mu_ (flag)
//   expunged -> kNil insert under mu_, which puts the entry back in dirty_
// Keys 0 and 1 keep their table meanings (empty and tombstone slots) in both
// OpenTables, which store Entry* as the slot value.
//
// Invariants (I1-I4 whenever mu_ is free)
//  I1. A key has at most one Entry across the snapshot and dirty_: if the
//      snapshot holds k -> e and dirty_ holds k, it holds k -> e.
//  I2. amended (read_'s low bit) <=> dirty_ != null. When dirty_ != null,
//      every snapshot entry is either expunged or also in dirty_; expunged
//      entries are in no table but the snapshot, and their word is kNil.
//  I3. An entry reachable only from dirty_ has a value (never kNil): erase
//      of such a key removes it from dirty_ under mu_.
//  I4. A published snapshot is never written again; it and the expunged
//      entries in it are retired (ebr.h) after dirty_ replaces it, and an
//      entry erased from dirty_ is retired after it is unlinked — always
//      after it stopped being reachable from read_ and dirty_, and always
//      outside mu_ (see Promotion).
//  So a non-kNil entry of any snapshot a reader may still hold is also in
//  the current snapshot (promotion keeps every entry not expunged), which
//  is why a reader with an old snapshot reads the key's one live entry.
//
// Promotion, as Go's missLocked: an O(1) pointer swap under mu_ (read_ =
// dirty_, dirty_ = null, misses_ = 0). The O(n) work Go defers is deferred
// the same way: the copy of the snapshot's live entries into a new dirty_
// happens in make_dirty_locked() (Go's dirtyLocked), on the next store of a
// new key. What Go leaves to its garbage collector — the old snapshot and
// its expunged entries — the promoting thread hands to EBR after it has
// released mu_: inside its Guard it walks the old snapshot (immutable) and
// looks each key up in the new one (immutable since its publication); an
// entry the new snapshot does not hold is exactly an expunged one (I2: every
// snapshot entry not expunged is in dirty_, and I1: under the same pointer),
// and no other thread can reach it any more. That walk reads no field mu_
// guards (an entry's `expunged` flag may be rewritten by a later
// make_dirty_locked() meanwhile), and the whole garbage is one retire()
// (a batch: the table and a list of entries), so no per-entry collect()
// runs either.
//
// Memory ordering
//  - Publication: promotion and the amended flag are release stores of
//    read_ under mu_; readers load read_ with acquire, so they see the
//    whole table, built under mu_ before the store, and every entry's
//    initial value.
//  - Entry words: CAS/exchange acq_rel, loads acquire — a value read
//    carries everything its writer did before writing it. Linearisation:
//    a lock-free get at its word load; insert/update/erase at their
//    successful CAS or exchange, or at the load that saw kNil; a key absent
//    from a snapshot that is not amended, at the load of read_.
//  - Reclamation: every operation runs inside an ebr::Guard, so a reader
//    that loaded an old snapshot (or an entry from it) before it was
//    retired keeps both alive until its Guard ends: ebr.h frees an object
//    only two epoch advances after its retire(), and an advance needs
//    every pinned thread to have caught up (see ebr.h's argument). EBR
//    rather than hazard pointers because a reader touches a whole table
//    plus one entry per op: one pin per op instead of a protected,
//    re-validated pointer per object, and reclamation of a snapshot (all
//    its slots at once) needs no per-slot scan.
// Progress
//  - get of a key in the snapshot: lock-free (a bounded probe of an
//    immutable table and one load; the EBR pin is wait-free). A miss on an
//    amended snapshot takes mu_ and counts a miss; when misses reach the
//    dirty map's size it is promoted (Go's rule): O(1) under mu_, the dirty
//    table itself becomes the snapshot; the promoting thread then retires
//    the old snapshot's garbage outside mu_ (O(old snapshot) lookups).
//  - insert/update/erase of a key whose snapshot entry holds a value:
//    lock-free CAS loop (fails only when another writer's CAS succeeded).
//    Everything else takes mu_: new keys, deleted keys, keys only in dirty_,
//    and the first new key after a promotion, which copies the snapshot's
//    live entries into a new dirty_ (O(n) under the lock — the cost Go's
//    design accepts for write-once, read-many keys).
//  - size() takes mu_ and counts live entries: O(n), not for hot paths.
// Growth: the first dirty map has the configured capacity (so a prefilled
// snapshot sits at the requested load factor); a dirty map doubles when a
// new key would take it past kDirtyMaxLoad.
// Steady state: settle() promotes a pending dirty map at once. Prefill
// calls it, so a bulk-loaded map is measured as Go's is after its first
// len(dirty) reads: every key in the read snapshot, dirty_ null.
// Diagnostics: promotions, dirty copies (make_dirty_locked) and dirty
// growths, each with its TSC ticks (summed and longest): a promotion's
// ticks are its time under mu_, a copy's the copy under mu_.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "maps/ebr.h"
#include "maps/locks.h"
#include "maps/open_table.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"
#include "runtime/tsc.h"

namespace mapbench {

class ReadMostlyMap {
 public:
  static constexpr std::uint64_t kNil = kReservedValue;  // deleted (or expunged)
  static constexpr double kDirtyMaxLoad = 0.9;           // (live + tombstones) / slots before doubling

  struct Entry {
    explicit Entry(std::uint64_t v) : word(v) {}
    std::atomic<std::uint64_t> word;  // a value, or kNil; see the transitions above
    bool expunged = false;            // guarded by mu_
  };
  static_assert(sizeof(Entry) == 16);

  // Requires: first_capacity >= 2.
  // `pages` places the snapshot and dirty tables' slots (entries are
  // heap nodes) and outlives the map.
  ReadMostlyMap(alloc::Pages& pages, std::size_t first_capacity) : pages_(pages), first_capacity_(first_capacity) {
    MB_DCHECK(first_capacity >= 2);
    read_.store(reinterpret_cast<std::uintptr_t>(alloc::make<OpenTable>(2, pages_, false)), std::memory_order_relaxed);
  }
  ReadMostlyMap(const ReadMostlyMap&) = delete;
  ReadMostlyMap& operator=(const ReadMostlyMap&) = delete;
  // Requires: no thread is using the map. Frees every live entry and table;
  // domain_'s destructor (last) frees what was retired.
  ~ReadMostlyMap() {
    OpenTable* snapshot = table_of(read_.load(std::memory_order_relaxed));
    if (dirty_) {
      // Expunged entries first: the others are also dirty_'s, freed next.
      snapshot->for_each([](std::uint64_t, std::uint64_t e) {
        if (entry(e)->expunged) alloc::destroy(entry(e));
      });
      dirty_->for_each([](std::uint64_t, std::uint64_t e) { alloc::destroy(entry(e)); });
      alloc::destroy(dirty_);
    } else {
      snapshot->for_each([](std::uint64_t, std::uint64_t e) { alloc::destroy(entry(e)); });
    }
    alloc::destroy(snapshot);
  }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) {
    ebr::Guard guard(domain_);
    const std::uint64_t h = hash_key(key);
    std::uintptr_t r = read_.load(std::memory_order_acquire);
    Entry* e = find(table_of(r), key, h, sink);
    std::uint64_t w;
    if (e || !amended(r)) {
      if (!e) return false;
      w = e->word.load(std::memory_order_acquire);
    } else {
      acquire(mu_, sink);
      NoStats quiet;
      r = read_.load(std::memory_order_relaxed);  // written only under mu_
      e = find(table_of(r), key, h, quiet);
      Replaced replaced;
      if (!e && amended(r)) {
        e = find(dirty_, key, h, quiet);
        replaced = miss_locked();
      }
      w = e ? e->word.load(std::memory_order_acquire) : kNil;
      mu_.unlock();
      if (replaced.old) retire_replaced(replaced);
    }
    if (w == kNil) return false;
    *value = w;
    return true;
  }

  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    ebr::Guard guard(domain_);
    const std::uint64_t h = hash_key(key);
    if (Entry* e = find(table_of(read_.load(std::memory_order_acquire)), key, h, sink)) {
      if (cas_value(e, value, sink)) return Status::kAssigned;  // kNil: the key is deleted, see below
    }
    acquire(mu_, sink);
    NoStats quiet;
    const std::uintptr_t r = read_.load(std::memory_order_relaxed);
    Entry* e = find(table_of(r), key, h, quiet);
    if (e) {
      if (e->expunged) {  // I2: dirty_ exists and lacks the key
        e->expunged = false;
        dirty_put(key, h, e);
      }
    } else if (dirty_) {
      e = find(dirty_, key, h, quiet);
    }
    if (e) {
      const std::uint64_t old = e->word.exchange(value, std::memory_order_acq_rel);
      mu_.unlock();
      return old == kNil ? Status::kInserted : Status::kAssigned;
    }
    if (!amended(r)) {
      make_dirty_locked();
      read_.store(r | kAmended, std::memory_order_release);
    }
    dirty_put(key, h, alloc::make<Entry>(value));
    mu_.unlock();
    return Status::kInserted;
  }

  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    ebr::Guard guard(domain_);
    const std::uint64_t h = hash_key(key);
    const std::uintptr_t r = read_.load(std::memory_order_acquire);
    // A snapshot entry is the key's only entry (I1): kNil there means absent.
    if (Entry* e = find(table_of(r), key, h, sink)) return cas_value(e, value, sink);
    if (!amended(r)) return false;
    acquire(mu_, sink);
    NoStats quiet;
    Entry* e = find(table_of(read_.load(std::memory_order_relaxed)), key, h, quiet);
    if (!e && dirty_) e = find(dirty_, key, h, quiet);
    const bool ok = e && cas_value(e, value, quiet);
    mu_.unlock();
    return ok;
  }

  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    ebr::Guard guard(domain_);
    const std::uint64_t h = hash_key(key);
    std::uintptr_t r = read_.load(std::memory_order_acquire);
    Entry* e = find(table_of(r), key, h, sink);
    if (!e && amended(r)) {
      acquire(mu_, sink);
      NoStats quiet;
      r = read_.load(std::memory_order_relaxed);
      e = find(table_of(r), key, h, quiet);
      if (!e && amended(r)) {
        // Only dirty_ can hold it: unlink and empty it here (I3); retire it
        // once mu_ is released.
        bool removed = false;
        Entry* d = find(dirty_, key, h, quiet);
        if (d) {
          dirty_->erase(key, h, quiet);
          removed = d->word.exchange(kNil, std::memory_order_acq_rel) != kNil;
        }
        const Replaced replaced = miss_locked();
        mu_.unlock();
        if (d) domain_.retire_object(d);
        if (replaced.old) retire_replaced(replaced);
        return removed;
      }
      mu_.unlock();
    }
    if (!e) return false;
    std::uint64_t w = e->word.load(std::memory_order_acquire);
    while (w != kNil) {
      if (e->word.compare_exchange_weak(w, kNil, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
      sink.cas_failure();
    }
    return false;
  }

  // Promotes a pending dirty map now (a promotion by Go's rule, without
  // waiting for the misses): the steady state of a bulk-loaded map.
  // Requires: no operation is in flight on another thread (prefill).
  void settle() {
    ebr::Guard guard(domain_);
    mu_.lock();
    const Replaced replaced = dirty_ ? promote_locked() : Replaced{};
    mu_.unlock();
    if (replaced.old) retire_replaced(replaced);
  }

  std::size_t size() {
    std::lock_guard<MutexLock> g(mu_);
    std::size_t n = 0;
    live_table_locked()->for_each(
        [&](std::uint64_t, std::uint64_t e) { n += entry(e)->word.load(std::memory_order_acquire) != kNil; });
    return n;
  }

  // A consistent view for diagnostics, taken under mu_ (quiescent for exact
  // figures: lock-free writers may change words meanwhile).
  struct Snapshot {
    std::uint64_t live = 0;   // entries with a value
    std::uint64_t cells = 0;  // distinct entries reachable
    std::uint64_t read_slots = 0, dirty_slots = 0;
    std::uint64_t read_keys = 0;  // keys in the snapshot (live or not)
    std::uint64_t bytes = 0;      // both tables and the entry cells
    std::uint64_t promotions = 0, misses = 0, dirty_growths = 0;
    std::uint64_t dirty_copies = 0;  // make_dirty_locked() runs (Go's dirtyLocked)
    // TSC ticks under mu_: promotions (the swap), dirty copies; summed and longest.
    std::uint64_t promotion_ticks_total = 0, promotion_ticks_max = 0;
    std::uint64_t copy_ticks_total = 0, copy_ticks_max = 0;
    bool dirty = false;  // a dirty map is pending (not the steady state)
  };
  template <class ProbeFn>
  Snapshot inspect(ProbeFn read_probes) {
    std::lock_guard<MutexLock> g(mu_);
    Snapshot s;
    const OpenTable* snapshot = table_of(read_.load(std::memory_order_relaxed));
    live_table_locked()->for_each([&](std::uint64_t, std::uint64_t e) {
      s.cells += 1;
      s.live += entry(e)->word.load(std::memory_order_acquire) != kNil;
    });
    if (dirty_) {
      snapshot->for_each([&](std::uint64_t, std::uint64_t e) { s.cells += entry(e)->expunged; });
      s.dirty_slots = dirty_->capacity();
      s.bytes += dirty_->bytes();
    }
    s.read_slots = snapshot->capacity();
    s.read_keys = snapshot->size();
    s.bytes += snapshot->bytes() + s.cells * sizeof(Entry);
    s.promotions = promotions_.count;
    s.promotion_ticks_total = promotions_.ticks_total;
    s.promotion_ticks_max = promotions_.ticks_max;
    s.dirty_copies = copies_.count;
    s.copy_ticks_total = copies_.ticks_total;
    s.copy_ticks_max = copies_.ticks_max;
    s.misses = misses_;
    s.dirty_growths = dirty_growths_;
    s.dirty = dirty_ != nullptr;
    read_probes(*snapshot);
    return s;
  }

  ebr::Domain& domain() { return domain_; }

 private:
  static constexpr std::uintptr_t kAmended = 1;  // low bit of read_
  static_assert(alignof(OpenTable) >= 2, "the amended bit needs a free low bit");

  static OpenTable* table_of(std::uintptr_t r) { return reinterpret_cast<OpenTable*>(r & ~kAmended); }
  static bool amended(std::uintptr_t r) { return (r & kAmended) != 0; }
  static Entry* entry(std::uint64_t slot_value) { return reinterpret_cast<Entry*>(slot_value); }

  template <class Sink>
  static Entry* find(const OpenTable* t, std::uint64_t key, std::uint64_t h, Sink& sink) {
    std::uint64_t e;
    return t->get(key, h, &e, sink) ? entry(e) : nullptr;
  }

  // Replaces a value with `value`; false (nothing written) once the word is
  // kNil. Never starts from kNil, so it never touches an expunged entry.
  template <class Sink>
  static bool cas_value(Entry* e, std::uint64_t value, Sink& sink) {
    std::uint64_t w = e->word.load(std::memory_order_acquire);
    while (w != kNil) {
      if (e->word.compare_exchange_weak(w, value, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
      sink.cas_failure();
    }
    return false;
  }

  // Requires: mu_ held. The table whose entries are exactly the live ones
  // plus deleted ones not yet expunged (I2).
  OpenTable* live_table_locked() { return dirty_ ? dirty_ : table_of(read_.load(std::memory_order_relaxed)); }

  // Requires: mu_ held, dirty_ == null. Go's dirtyLocked: copy every
  // snapshot entry that has a value; expunge the rest (kNil is stable
  // under mu_, so no CAS is needed).
  void make_dirty_locked() {
    const std::uint64_t t0 = tsc::now();
    const OpenTable* snapshot = table_of(read_.load(std::memory_order_relaxed));
    std::size_t capacity = first_capacity_;
    while (static_cast<double>(snapshot->size() + 1) > kDirtyMaxLoad * static_cast<double>(capacity)) capacity *= 2;
    dirty_ = alloc::make<OpenTable>(capacity, pages_, true);
    NoStats quiet;
    snapshot->for_each([&](std::uint64_t k, std::uint64_t v) {
      Entry* e = entry(v);
      if (e->word.load(std::memory_order_relaxed) == kNil)
        e->expunged = true;
      else
        dirty_->insert(k, hash_key(k), v, quiet);
    });
    copies_.add(tsc::now() - t0);
  }

  // Requires: mu_ held, dirty_ != null, key not in dirty_.
  void dirty_put(std::uint64_t key, std::uint64_t h, Entry* e) {
    const double used = static_cast<double>(dirty_->size() + dirty_->tombstones() + 1);
    if (used > kDirtyMaxLoad * static_cast<double>(dirty_->capacity())) {
      OpenTable* bigger = alloc::make<OpenTable>(dirty_->capacity() * 2, pages_, true);
      NoStats quiet;
      dirty_->for_each([&](std::uint64_t k, std::uint64_t v) { bigger->insert(k, hash_key(k), v, quiet); });
      alloc::destroy(dirty_);  // never published: only mu_ holders saw it
      dirty_ = bigger;
      dirty_growths_ += 1;
    }
    NoStats quiet;
    dirty_->insert(key, h, reinterpret_cast<std::uint64_t>(e), quiet);
  }

  // A promotion's result: the snapshot it replaced, and by what.
  struct Replaced {
    OpenTable* old = nullptr;
    const OpenTable* by = nullptr;
  };

  // Requires: mu_ held, amended. Go's missLocked: promote once the misses
  // have cost as much as copying the dirty map would. Returns what a
  // promotion replaced (for retire_replaced() once mu_ is free), or {}.
  Replaced miss_locked() {
    misses_ += 1;
    if (misses_ < dirty_->size()) return {};
    return promote_locked();
  }

  // Requires: mu_ held, dirty_ != null. O(1): read = dirty, dirty = nil,
  // misses = 0.
  Replaced promote_locked() {
    const std::uint64_t t0 = tsc::now();
    const Replaced r{table_of(read_.load(std::memory_order_relaxed)), dirty_};
    read_.store(reinterpret_cast<std::uintptr_t>(dirty_), std::memory_order_release);  // amended = false
    dirty_ = nullptr;
    misses_ = 0;
    promotions_.add(tsc::now() - t0);
    return r;
  }

  // What one promotion leaves behind: the replaced snapshot and its
  // expunged entries (a counted array of n pointers), freed together by one
  // EBR deleter.
  struct Garbage {
    OpenTable* table;
    Entry** entries;
    std::size_t n;
  };

  // Requires: mu_ NOT held, inside the Guard of the operation whose
  // promotion returned `r` (see Promotion in the header comment).
  // Unreachable for every reader that starts now: r.old itself, and each of
  // its entries r.by lacks. Only r.by is asked, never a later snapshot: a
  // later promotion may drop an entry r.by still holds, and retires it
  // itself. r.by is immutable since its publication, and this Guard keeps
  // it alive even if a later promotion has retired it meanwhile (it was
  // retired after the Guard began).
  void retire_replaced(const Replaced& r) {
    OpenTable* old = r.old;
    NoStats quiet;
    const auto dropped = [&](std::uint64_t k, std::uint64_t v) {
      return find(r.by, k, hash_key(k), quiet) != entry(v);
    };
    std::size_t n = 0;
    old->for_each([&](std::uint64_t k, std::uint64_t v) { n += dropped(k, v); });
    auto* g = alloc::make<Garbage>(Garbage{old, nullptr, n});
    if (n > 0) {
      g->entries = static_cast<Entry**>(alloc::allocate(n * sizeof(Entry*), alignof(Entry*)));
      std::size_t i = 0;
      old->for_each([&](std::uint64_t k, std::uint64_t v) {
        if (dropped(k, v)) g->entries[i++] = entry(v);
      });
    }
    domain_.retire(g, [](void* p) {
      auto* garbage = static_cast<Garbage*>(p);
      for (std::size_t i = 0; i < garbage->n; ++i) alloc::destroy(garbage->entries[i]);
      if (garbage->n > 0) alloc::deallocate(garbage->entries, garbage->n * sizeof(Entry*));
      alloc::destroy(garbage->table);
      alloc::destroy(garbage);
    });
  }

  // Counts and TSC ticks of one kind of locked work.
  struct Timed {
    std::uint64_t count = 0, ticks_total = 0, ticks_max = 0;
    void add(std::uint64_t ticks) {
      count += 1;
      ticks_total += ticks;
      if (ticks > ticks_max) ticks_max = ticks;
    }
  };

  alloc::Pages& pages_;                                // the map's page policy; outlives the map
  ebr::Domain domain_;                                 // declared first: destroyed last, after the live tables
  alignas(kPad) std::atomic<std::uintptr_t> read_{0};  // OpenTable* | amended; stored under mu_ only
  alignas(kPad) MutexLock mu_;
  OpenTable* dirty_ = nullptr;        // guarded by mu_; I2
  std::uint64_t misses_ = 0;          // guarded by mu_
  Timed promotions_;                  // guarded by mu_
  Timed copies_;                      // guarded by mu_: make_dirty_locked() runs
  std::uint64_t dirty_growths_ = 0;   // guarded by mu_
  const std::size_t first_capacity_;  // immutable
};

}  // namespace mapbench
