#include "maps/ebr.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mapbench::ebr {
namespace detail {
namespace {

Record g_records[kMaxThreads];
std::atomic<std::size_t> g_records_high{0};     // 1 + highest index ever claimed; only grows
std::atomic<std::uint64_t> g_overflow_pins{0};  // outermost Guards pinned without a record

long membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0u, 0); }

// A full barrier. ThreadSanitizer does not model atomic_thread_fence, so
// there a seq_cst read-modify-write (also a full barrier on x86) stands in.
std::atomic<std::uint64_t> g_fence_word{0};
void full_fence() {
#if defined(__SANITIZE_THREAD__)
  g_fence_word.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

bool choose_asymmetric() {
  const char* env = std::getenv("MAPBENCH_EBR_MEMBARRIER");
  if (env && std::strcmp(env, "0") == 0) return false;
  const long cmds = membarrier(MEMBARRIER_CMD_QUERY);
  if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

// The full barrier before a scan: on every CPU running this process in
// asymmetric mode, on this one otherwise.
void heavy_barrier() {
  if (g_asymmetric && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  // Registration succeeded, so the call cannot fail; kept as a safe default.
  full_fence();
}

// Releases the thread's record when the thread exits (invariant 1), so an
// exited thread never holds the epoch back.
struct ExitHook {
  bool armed = false;
  ~ExitHook() {
    ThreadState& t = tls;
    t.exiting = true;
    if (t.record) {
      t.record->state.store(0, std::memory_order_release);
      t.record->in_use.store(false, std::memory_order_release);
      t.record = nullptr;
    }
  }
};
thread_local ExitHook tls_exit_hook;

bool claim_record(ThreadState& t) {
  for (std::size_t i = 0; i < kMaxThreads; ++i) {
    Record& r = g_records[i];
    if (r.in_use.load(std::memory_order_relaxed)) continue;
    bool expected = false;
    if (!r.in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    std::size_t high = g_records_high.load(std::memory_order_relaxed);
    while (high < i + 1 &&
           !g_records_high.compare_exchange_weak(high, i + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
    t.record = &r;
    tls_exit_hook.armed = true;  // first touch registers the thread-exit destructor
    return true;
  }
  return false;
}

}  // namespace

constinit thread_local ThreadState tls{};
std::atomic<std::uint64_t> g_epoch{1};
bool g_asymmetric = choose_asymmetric();

PinToken pin_slow() {
  ThreadState& t = tls;
  if (t.overflow_pinned) return kNestedPin;
  if (!t.exiting && (t.overflow_countdown == 0 || --t.overflow_countdown == 0)) {
    if (claim_record(t)) {
      publish(t.record);
      return reinterpret_cast<PinToken>(t.record);
    }
    t.overflow_countdown = kOverflowRetry;
  }
  // A locked increment: a full barrier, whatever the mode. The scan reads
  // the counter after its own barrier, so a nonzero count blocks advancing.
  g_overflow_pins.fetch_add(1, std::memory_order_seq_cst);
  t.overflow_pinned = true;
  return kOverflowPin;
}

void unpin_overflow() {
  tls.overflow_pinned = false;
  g_overflow_pins.fetch_sub(1, std::memory_order_release);
}

bool try_advance() {
  const std::uint64_t e = g_epoch.load(std::memory_order_seq_cst);
  heavy_barrier();
  if (g_overflow_pins.load(std::memory_order_acquire) != 0) return false;
  const std::size_t high = g_records_high.load(std::memory_order_acquire);
  const std::uint64_t pinned_now = e << 1 | 1;
  for (std::size_t i = 0; i < high; ++i) {
    const std::uint64_t s = g_records[i].state.load(std::memory_order_acquire);
    if (s != 0 && s != pinned_now) return false;  // pinned at an older epoch
  }
  std::uint64_t expected = e;
  g_epoch.compare_exchange_strong(expected, e + 1, std::memory_order_seq_cst);
  return true;  // moved here, or by a concurrent advance from the same e
}

}  // namespace detail

Domain::~Domain() {
  Retired* r = head_;
  head_ = nullptr;
  while (r) {
    Retired* next = r->next;
    r->deleter(r->p);
    reclaimed_.fetch_add(1, std::memory_order_relaxed);
    alloc::destroy(r);
    r = next;
  }
}

void Domain::retire(void* p, void (*deleter)(void*)) {
  // F_R of the header's argument: the unlink is visible before the epoch is read.
  detail::full_fence();
  const std::uint64_t e = detail::g_epoch.load(std::memory_order_seq_cst);
  Retired* r = alloc::make<Retired>(Retired{p, deleter, e, nullptr});
  std::uint64_t n;
  {
    std::lock_guard<std::mutex> g(mu_);
    r->next = head_;
    head_ = r;
    n = retired_.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  if (n % kCollectEvery == 0) collect();
}

void Domain::collect() {
  if (detail::try_advance()) detail::try_advance();
  const std::uint64_t now = detail::g_epoch.load(std::memory_order_acquire);
  Retired* doomed = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    Retired** link = &head_;
    while (Retired* r = *link) {
      if (r->epoch + 2 <= now) {
        *link = r->next;
        r->next = doomed;
        doomed = r;
      } else {
        link = &r->next;
      }
    }
  }
  while (doomed) {
    Retired* next = doomed->next;
    doomed->deleter(doomed->p);
    reclaimed_.fetch_add(1, std::memory_order_relaxed);
    alloc::destroy(doomed);
    doomed = next;
  }
}

const char* barrier_kind() { return detail::g_asymmetric ? "membarrier" : "seq_cst"; }

}  // namespace mapbench::ebr
