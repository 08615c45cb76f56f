// ebr.h — epoch-based reclamation: free an object that has been unlinked
// from a shared structure once no thread can still be reading it.
//
// Shape: one process-wide epoch counter and one process-wide table of
// per-thread records; each Domain (one per map) keeps only its own list of
// retired objects. A Guard pins the calling thread in its record; retire()
// tags an object with the epoch it was retired in; collect() advances the
// epoch when every pinned thread has caught up and frees what is two epochs
// old. The epoch and the records are shared by all domains so that a thread
// that uses many maps (a Node pool thread living across benchmark cells) has
// one record, claimed once, and a Guard nested in another (over any domain)
// sees its record already pinned and does nothing. The price: a long Guard
// on one map holds back
// reclamation in every map (never correctness).
//
//   g_epoch ─ E            records (kMaxThreads, one 64-byte line each)
//                          [ state = E<<1|1 (pinned at E) | 0 (quiescent) ] ...
//   Domain { mutex, retired list: (ptr, deleter, epoch tag) ..., counters }
//
// Invariants
//  1. A record is owned by at most one live thread (claimed by CAS on
//     `in_use`, released by the owner's thread-exit hook). Only the owner
//     writes `state`; anyone reads it.
//  2. state is 0 while the owner holds no Guard, else (e << 1) | 1 where e is
//     a value the owner read from g_epoch at its outermost Guard's start.
//  3. g_epoch only grows, by one, and only from E to E+1 after a scan that
//     saw every pinned record at E (and no overflow pin, see Limits).
//  4. An object retired with tag e (the epoch read after it was unlinked) is
//     freed only once g_epoch >= e + 2.
//
// Memory ordering (why 4 is safe). Let p be unlinked by store U, then
// retired: retire() issues a full fence F_R and reads g_epoch = e. Let T be
// a reader that pins (store S_T of state = f<<1|1, f read from g_epoch
// before S_T), then loads a pointer and gets p (load L_T). Freeing p needs
// two advances, e -> e+1 and e+1 -> e+2; the second one's scan starts after
// a full barrier B (a seq_cst fence, or membarrier, below) that comes after
// F_R (its CAS reads e+1, written after G_R read e).
//  - If S_T is ordered before B, the scan sees S_T (or T's later stores):
//    while T stays pinned it shows f <= e (f was read before T's L_T, which
//    missed U, which precedes F_R and G_R's e), so the advance to e+2 fails.
//  - Otherwise T's pin, and so its L_T, come after B, and B comes after U
//    became visible everywhere: L_T sees U and cannot return p.
//  A reader that unpins stores 0 with release, and the scan loads with
//  acquire, so everything T did with p happens-before the deleter runs (this
//  is also the edge ThreadSanitizer checks). Pin stores are release too, so
//  a scan that sees T already at a newer epoch also orders T's earlier
//  critical section before the free.
//
// The full barrier between S_T and L_T: two implementations, chosen once
// per process.
//  - asymmetric (default where the kernel supports it): the reader's pin is
//    a plain store plus a compiler barrier; the advancing thread calls
//    membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which runs a full barrier
//    on every CPU running a thread of this process before it returns — so
//    for every reader, S_T is either visible to the scan or L_T runs after
//    the barrier (the two bullets above).
//  - symmetric (fallback, or MAPBENCH_EBR_MEMBARRIER=0): the pin store is a
//    seq_cst exchange (a locked instruction on x86) and the advance fences
//    with seq_cst.
//  Measured with test_ebr's guard loop (release build, 2-vCPU KVM guest,
//  `test_ebr` vs `MAPBENCH_EBR_MEMBARRIER=0 test_ebr`): asymmetric 0.9 ns per
//  uncontended Guard, symmetric 8.2 ns — and
//  a locked instruction per lookup also stops the core overlapping one
//  lookup's cache misses with the next, which costs the lock-free map far
//  more than 8 ns at large tables. Hence asymmetric by default.
//
// Limits. kMaxThreads records (1024); the scan covers only the highest
// record ever claimed. A thread that finds every record taken pins through
// a shared overflow counter (a locked increment/decrement per outermost
// Guard) and retries claiming a record every kOverflowRetry pins; while any
// overflow pin is held the epoch cannot advance, so reclamation pauses but
// nothing is ever freed early. A thread's record is released by a
// thread-exit hook, so exited threads never block reclamation; a thread
// that is still alive but pinned blocks it until it unpins.
//
// Progress. Guard: wait-free (a claim scan of at most kMaxThreads records
// on a thread's first Guard). retire: blocking on the domain's mutex (short:
// a list push). collect: the scan is wait-free; freeing runs outside the
// mutex; collection never waits for a reader — it frees less instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "runtime/alloc.h"
#include "runtime/common.h"

namespace mapbench::ebr {

inline constexpr std::size_t kMaxThreads = 1024;
inline constexpr std::uint32_t kOverflowRetry = 1024;
// retire() tries to collect once per this many retires of a domain.
inline constexpr std::uint64_t kCollectEvery = 32;

namespace detail {

struct alignas(kCacheLine) Record {
  std::atomic<std::uint64_t> state{0};  // invariant 2; written by the owner only
  std::atomic<bool> in_use{false};      // invariant 1
};
static_assert(sizeof(Record) == kCacheLine, "one record per line: pins never share a line");

// The calling thread's view; constant-initialised POD so the hot path
// reads it with no TLS init wrapper.
struct ThreadState {
  Record* record;  // null until claimed, or in overflow
  std::uint32_t overflow_countdown;
  bool overflow_pinned;  // an outer Guard pinned through the overflow counter
  bool exiting;          // the exit hook ran: pin through overflow only
};
extern thread_local ThreadState tls;  // zero-initialised POD: no TLS init wrapper

extern std::atomic<std::uint64_t> g_epoch;  // invariant 3
extern bool g_asymmetric;                   // set once before main; read-only after

// What a pin must undo: nothing (it nested inside another pin of this
// thread), the overflow counter, or the thread's record (any other value).
using PinToken = std::uintptr_t;
inline constexpr PinToken kNestedPin = 0;
inline constexpr PinToken kOverflowPin = 1;

PinToken pin_slow();  // claims a record (and pins it) or pins via overflow
void unpin_overflow();

inline void publish(Record* r) {
  const std::uint64_t e = g_epoch.load(std::memory_order_acquire);
  if (g_asymmetric) {
    r->state.store(e << 1 | 1, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);  // keep later loads after the store (compiler)
  } else {
    r->state.exchange(e << 1 | 1, std::memory_order_seq_cst);
  }
}

// Nesting needs no counter: only the owner writes its record's state, so a
// nonzero state means an outer Guard of this thread is still pinned.
inline PinToken pin() {
  Record* r = tls.record;
  if (r != nullptr) [[likely]] {
    if (r->state.load(std::memory_order_relaxed) != 0) return kNestedPin;
    publish(r);
    return reinterpret_cast<PinToken>(r);
  }
  return pin_slow();
}

inline void unpin(PinToken p) {
  if (p > kOverflowPin) [[likely]] {
    reinterpret_cast<Record*>(p)->state.store(0, std::memory_order_release);
  } else if (p == kOverflowPin) {
    unpin_overflow();
  }
}

// One attempt to move g_epoch from its current value to the next; true when
// it moved (by this call or a concurrent one).
bool try_advance();

}  // namespace detail

class Domain {
 public:
  Domain() = default;
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;
  // Frees everything still retired. Requires: no thread holds or will take
  // a Guard to read objects of this domain.
  ~Domain();

  // Frees p with deleter(p) once no thread that could have read p is still
  // inside a Guard that began before the retire. Requires: p is no longer
  // reachable by a reader that starts now. Callable inside or outside a Guard.
  void retire(void* p, void (*deleter)(void*));
  template <class T>
  void retire_object(T* p) {
    retire(p, [](void* q) { alloc::destroy(static_cast<T*>(q)); });
  }
  // Tries to advance the epoch (at most twice) and frees what is safe.
  void collect();
  std::uint64_t retired() const { return retired_.load(std::memory_order_relaxed); }
  std::uint64_t reclaimed() const { return reclaimed_.load(std::memory_order_relaxed); }
  // Retired but not yet freed (exact when quiescent).
  std::uint64_t pending() const { return retired() - reclaimed(); }

 private:
  struct Retired {
    void* p;
    void (*deleter)(void*);
    std::uint64_t epoch;
    Retired* next;
  };
  std::mutex mu_;                          // guards head_
  Retired* head_ = nullptr;                // newest first
  std::atomic<std::uint64_t> retired_{0};  // relaxed counters: diagnostics only
  std::atomic<std::uint64_t> reclaimed_{0};
};

// Pins the calling thread for its lifetime; nestable; not movable.
class Guard {
 public:
  explicit Guard(Domain&) : token_(detail::pin()) {}
  ~Guard() { detail::unpin(token_); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  const detail::PinToken token_;
};

// "membarrier" or "seq_cst": which pin barrier this process uses.
const char* barrier_kind();

}  // namespace mapbench::ebr
