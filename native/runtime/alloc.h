// alloc.h — the counting allocator every map allocates through, and the
// page policy (Pages) that places every map's large memory.
//
// Counting: each thread owns a block of counters (thread_local, so the hot
// path is a relaxed load and store with no sharing). Blocks register in a
// global list under a mutex when a thread first allocates; a thread that
// exits folds its counts into `retired` under the same mutex. A sum over
// the list is therefore exact when no thread is allocating, and a monotone
// approximation otherwise. The benchmark runner reads only its own thread's
// block (before and after a timed phase), which is always exact.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace mapbench::alloc {

struct Counts {
  std::uint64_t allocations = 0;
  std::uint64_t frees = 0;
  std::uint64_t bytes_allocated = 0;
  std::uint64_t bytes_freed = 0;
};

// This thread's running totals (exact, cheap).
Counts thread_counts();
// All threads' totals, live and exited.
Counts process_counts();

// Plain heap memory for map internals (nodes, scratch buffers).
void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t));
void deallocate(void* p, std::size_t bytes) noexcept;

// Pages: one map's page policy and the ledger of what it placed by it.
// Every design, and every peer library through its allocator, gets one from
// MapAdapter (map_adapter.h), so one setting (MapOptions::huge_pages, the
// harness's --huge-pages) reaches all of them alike:
//   - a block of kPlacedMin bytes or more is placed by the policy: one of at
//     least kHugePage bytes gets a mapping of its own, 2 MiB-aligned; a
//     smaller one is carved from 2 MiB-aligned chunks of kHugePage bytes
//     that this Pages maps (so many small tables — shards after growth, a
//     peer's per-shard arrays, node-pool batches — share huge pages); every
//     mapping is madvise(MADV_HUGEPAGE)'d when huge pages are on and
//     madvise(MADV_NOHUGEPAGE)'d when off, so "off" holds under THP "always";
//   - a smaller block (a node of a node-based design) comes from the heap:
//     per-node allocation is what those designs measure.
// Chunks are bump-allocated and never reuse a freed block's space; a chunk
// is unmapped when its last block is freed, so churned memory returns to
// the kernel in whole chunks. Mapped memory is zero-filled by the kernel and
// never handed out twice, so allocate_table needs no memset for it.
//
// Thread safety: every call takes `mu_`. Placed blocks are allocated on
// creation and growth only (never per op), so the lock is off every timed
// path; heap blocks take no lock.
// Requires of callers: deallocate/free_table get the same `bytes` that
// allocate/allocate_table were given (the size says which path a block took).
class Pages {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kPlacedMin = 1024;

  explicit Pages(bool huge_pages);
  ~Pages();
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;

  bool huge_pages() const { return huge_pages_; }
  // Counted like allocate(); align at most kHugePage.
  void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t));
  void deallocate(void* p, std::size_t bytes) noexcept;
  // Zero-filled and aligned to a cache line.
  void* allocate_table(std::size_t bytes);
  void free_table(void* p, std::size_t bytes) noexcept;

  struct Report {
    bool huge_pages = false;              // the policy
    std::uint64_t placed_bytes = 0;       // bytes of live mappings this Pages holds
    std::uint64_t advised_bytes = 0;      // of those, madvise(MADV_HUGEPAGE)'d
    std::uint64_t huge_backed_bytes = 0;  // AnonHugePages of those mappings (see report())
    std::uint64_t heap_bytes = 0;         // live blocks below kPlacedMin, from the heap
    bool huge_backed_known = false;       // /proc/self/smaps was readable
  };
  // huge_backed_bytes is what the kernel reports in /proc/self/smaps: the
  // AnonHugePages of every VMA overlapping this Pages' mappings, shared out
  // by overlap where a VMA also holds other memory (the kernel merges
  // adjacent mappings with the same flags). O(VMAs) — not for timed paths.
  Report report() const;

 private:
  struct Mapping {
    std::uintptr_t start;  // of the mmap (unaligned)
    std::size_t length;
  };
  struct Chunk {
    std::size_t used = 0;  // bump offset
    std::size_t live = 0;  // blocks not yet freed
  };
  std::uintptr_t map_range(std::size_t bytes, Mapping* out);  // 2 MiB-aligned start; requires mu_
  void advise(std::uintptr_t start, std::size_t bytes);

  const bool huge_pages_;
  mutable std::mutex mu_;                    // guards everything below
  std::map<std::uintptr_t, Mapping> large_;  // block address -> its own mapping
  std::map<std::uintptr_t, Chunk> chunks_;   // chunk start (2 MiB-aligned) -> state
  std::uintptr_t current_ = 0;               // chunk being carved; 0 = none
  std::uint64_t placed_bytes_ = 0, advised_bytes_ = 0;
  std::atomic<std::uint64_t> heap_bytes_{0};
};

// "always", "madvise" or "never" from /sys/kernel/mm/transparent_hugepage,
// or "unavailable".
const char* transparent_huge_pages_mode();

// Typed helpers over allocate/deallocate.
template <class T, class... Args>
T* make(Args&&... args) {
  void* p = allocate(sizeof(T), alignof(T));
  return new (p) T(static_cast<Args&&>(args)...);
}
template <class T>
void destroy(T* p) noexcept {
  if (!p) return;
  p->~T();
  deallocate(p, sizeof(T));
}

}  // namespace mapbench::alloc

#include <new>
