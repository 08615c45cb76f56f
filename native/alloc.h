// alloc.h — the counting allocator every map allocates through, and
// line-aligned table memory with optional transparent huge pages.
//
// Counting: each thread owns a block of counters (thread_local, so the hot
// path is a relaxed load and store with no sharing). Blocks register in a
// global list under a mutex when a thread first allocates; a thread that
// exits folds its counts into `retired` under the same mutex. A sum over
// the list is therefore exact when no thread is allocating, and a monotone
// approximation otherwise. The benchmark runner reads only its own thread's
// block (before and after a timed phase), which is always exact.
#pragma once

#include <cstddef>
#include <cstdint>

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

// Table memory: zero-filled, aligned to a cache line (to 2 MiB when huge
// pages are advised, so whole tables can sit on huge pages). When
// `huge_pages` is set and the table is at least 2 MiB, the range is mmap'ed
// and madvise(MADV_HUGEPAGE)'d; `advised_out` reports whether that happened.
void* allocate_table(std::size_t bytes, bool huge_pages, bool* advised_out);
void free_table(void* p, std::size_t bytes) noexcept;

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
