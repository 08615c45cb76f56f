#include "runtime/alloc.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "runtime/common.h"

namespace mapbench {

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kInserted:
      return "inserted";
    case Status::kAssigned:
      return "assigned";
    case Status::kNotFound:
      return "not-found";
    case Status::kFull:
      return "full";
    case Status::kReservedKey:
      return "reserved-key";
  }
  return "unknown";
}

void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "mapbench: precondition failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}

}  // namespace mapbench

namespace mapbench::alloc {
namespace {

struct Registry;
Registry& registry();

// A counter written by one thread and read by any: the owner updates it
// with a relaxed load and store (no read-modify-write, so no bus lock on
// the allocation path); readers load it relaxed. Relaxed suffices: readers
// want a count, not an ordering with other memory.
struct OwnedCounter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

// One per thread; registered on first use, folded into `retired` on exit.
struct ThreadBlock {
  OwnedCounter allocations, frees, bytes_allocated, bytes_freed;  // written only by the owning thread
  bool registered = false;                                        // owning thread only
  Counts snapshot() const { return {allocations.get(), frees.get(), bytes_allocated.get(), bytes_freed.get()}; }
  ~ThreadBlock();
  void ensure_registered();
};

struct Registry {
  std::mutex mu;  // guards `live` and `retired`
  std::vector<ThreadBlock*> live;
  Counts retired;
};

Registry& registry() {
  // Leaked on purpose: thread_local destructors may run after static ones.
  static Registry* r = new Registry();
  return *r;
}

thread_local ThreadBlock tls_block;

void ThreadBlock::ensure_registered() {
  if (registered) return;
  registered = true;
  std::lock_guard<std::mutex> g(registry().mu);
  registry().live.push_back(this);
}

ThreadBlock::~ThreadBlock() {
  if (!registered) return;
  Registry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  const Counts c = snapshot();
  r.retired.allocations += c.allocations;
  r.retired.frees += c.frees;
  r.retired.bytes_allocated += c.bytes_allocated;
  r.retired.bytes_freed += c.bytes_freed;
  for (auto& p : r.live) {
    if (p == this) {
      p = r.live.back();
      r.live.pop_back();
      break;
    }
  }
}

inline void count_alloc(std::size_t bytes) {
  tls_block.ensure_registered();
  tls_block.allocations.add(1);
  tls_block.bytes_allocated.add(bytes);
}

inline void count_free(std::size_t bytes) {
  tls_block.ensure_registered();
  tls_block.frees.add(1);
  tls_block.bytes_freed.add(bytes);
}

}  // namespace

Counts thread_counts() { return tls_block.snapshot(); }

Counts process_counts() {
  Registry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  Counts total = r.retired;
  for (const ThreadBlock* b : r.live) {
    const Counts c = b->snapshot();
    total.allocations += c.allocations;
    total.frees += c.frees;
    total.bytes_allocated += c.bytes_allocated;
    total.bytes_freed += c.bytes_freed;
  }
  return total;
}

void* allocate(std::size_t bytes, std::size_t align) {
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  std::size_t rounded = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded);
  if (!p) throw std::bad_alloc();
  count_alloc(bytes);
  return p;
}

void deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  count_free(bytes);
  std::free(p);
}

// Always checked: off every hot path, and a wrong size or pointer here would
// corrupt the ledger or unmap a live block.
#define PAGES_CHECK(e) ((e) ? (void)0 : ::mapbench::assert_fail(#e, __FILE__, __LINE__))

Pages::Pages(bool huge_pages) : huge_pages_(huge_pages) {}

Pages::~Pages() {
  // Owners free every block first; whatever is left is unmapped here.
  for (const auto& [block, m] : large_) munmap(reinterpret_cast<void*>(m.start), m.length);
  for (const auto& [start, c] : chunks_) munmap(reinterpret_cast<void*>(start), kHugePage);
}

void Pages::advise(std::uintptr_t start, std::size_t bytes) {
  const int advice = huge_pages_ ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
  const bool ok = madvise(reinterpret_cast<void*>(start), bytes, advice) == 0;
  placed_bytes_ += bytes;
  if (ok && huge_pages_) advised_bytes_ += bytes;
}

std::uintptr_t Pages::map_range(std::size_t bytes, Mapping* out) {
  // Over-map by one huge page so the range can start on a 2 MiB boundary;
  // the whole mapping is kept (and unmapped) as one.
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  const std::size_t mapped = rounded + kHugePage;
  void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto addr = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (addr + kHugePage - 1) & ~(kHugePage - 1);
  *out = {addr, mapped};
  advise(aligned, rounded);
  return aligned;
}

void* Pages::allocate(std::size_t bytes, std::size_t align) {
  if (bytes < kPlacedMin) {
    void* p = alloc::allocate(bytes, align);
    heap_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return p;
  }
  PAGES_CHECK(align <= kHugePage);
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  std::lock_guard<std::mutex> g(mu_);
  count_alloc(bytes);
  if (bytes >= kHugePage) {
    Mapping m;
    const std::uintptr_t block = map_range(bytes, &m);
    large_.emplace(block, m);
    return reinterpret_cast<void*>(block);
  }
  std::uintptr_t offset = current_ ? (current_ + chunks_[current_].used + align - 1) / align * align - current_ : 0;
  if (!current_ || offset + bytes > kHugePage) {
    Mapping m;
    const std::uintptr_t start = map_range(kHugePage, &m);
    // A chunk is exactly one aligned huge page: give back the over-mapped slack.
    if (start > m.start) munmap(reinterpret_cast<void*>(m.start), start - m.start);
    const std::uintptr_t end = m.start + m.length;
    if (end > start + kHugePage) munmap(reinterpret_cast<void*>(start + kHugePage), end - (start + kHugePage));
    chunks_.emplace(start, Chunk{});
    current_ = start;
    offset = 0;
  }
  Chunk& c = chunks_[current_];
  c.used = offset + bytes;
  c.live += 1;
  return reinterpret_cast<void*>(current_ + offset);
}

void Pages::deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kPlacedMin) {
    heap_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    alloc::deallocate(p, bytes);
    return;
  }
  std::lock_guard<std::mutex> g(mu_);
  count_free(bytes);
  const auto block = reinterpret_cast<std::uintptr_t>(p);
  if (bytes >= kHugePage) {
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;  // as map_range advised it
    auto it = large_.find(block);
    PAGES_CHECK(it != large_.end());
    munmap(reinterpret_cast<void*>(it->second.start), it->second.length);
    placed_bytes_ -= rounded;
    if (huge_pages_) advised_bytes_ -= std::min<std::uint64_t>(advised_bytes_, rounded);
    large_.erase(it);
    return;
  }
  const std::uintptr_t start = block & ~(kHugePage - 1);
  auto it = chunks_.find(start);
  PAGES_CHECK(it != chunks_.end() && it->second.live > 0);
  if (--it->second.live > 0) return;
  munmap(reinterpret_cast<void*>(start), kHugePage);
  placed_bytes_ -= kHugePage;
  if (huge_pages_) advised_bytes_ -= std::min<std::uint64_t>(advised_bytes_, kHugePage);
  if (current_ == start) current_ = 0;
  chunks_.erase(it);
}

void* Pages::allocate_table(std::size_t bytes) {
  if (bytes >= kPlacedMin) return allocate(bytes, kCacheLine);  // fresh mapped memory: already zero
  void* p = allocate(bytes, kCacheLine);
  std::memset(p, 0, bytes);
  return p;
}

void Pages::free_table(void* p, std::size_t bytes) noexcept { deallocate(p, bytes); }

Pages::Report Pages::report() const {
  Report r;
  r.huge_pages = huge_pages_;
  r.heap_bytes = heap_bytes_.load(std::memory_order_relaxed);
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;  // [begin, end) of every live mapping
  {
    std::lock_guard<std::mutex> g(mu_);
    r.placed_bytes = placed_bytes_;
    r.advised_bytes = advised_bytes_;
    for (const auto& [block, m] : large_) ranges.emplace_back(m.start, m.start + m.length);
    for (const auto& [start, c] : chunks_) ranges.emplace_back(start, start + kHugePage);
  }
  std::sort(ranges.begin(), ranges.end());
  FILE* f = std::fopen("/proc/self/smaps", "r");
  if (!f) return r;
  r.huge_backed_known = true;
  char line[512];
  std::uintptr_t vma_begin = 0, vma_end = 0;
  double backed = 0;
  while (std::fgets(line, sizeof(line), f)) {
    unsigned long long b, e;
    unsigned long long kb;
    if (std::sscanf(line, "%llx-%llx ", &b, &e) == 2 && std::strchr(line, '-') < std::strchr(line, ' ')) {
      vma_begin = b;
      vma_end = e;
      continue;
    }
    if (std::sscanf(line, "AnonHugePages: %llu kB", &kb) != 1 || kb == 0 || vma_end <= vma_begin) continue;
    std::uint64_t overlap = 0;
    for (const auto& [rb, re] : ranges) {
      const std::uintptr_t lo = std::max(rb, vma_begin), hi = std::min(re, vma_end);
      if (hi > lo) overlap += hi - lo;
    }
    backed +=
        static_cast<double>(kb) * 1024.0 * static_cast<double>(overlap) / static_cast<double>(vma_end - vma_begin);
  }
  std::fclose(f);
  r.huge_backed_bytes = static_cast<std::uint64_t>(backed);
  return r;
}

const char* transparent_huge_pages_mode() {
  static const char* mode = [] {
    FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return "unavailable";
    char buf[128] = {0};
    std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    buf[n] = 0;
    if (std::strstr(buf, "[always]")) return "always";
    if (std::strstr(buf, "[madvise]")) return "madvise";
    if (std::strstr(buf, "[never]")) return "never";
    return "unavailable";
  }();
  return mode;
}

}  // namespace mapbench::alloc
