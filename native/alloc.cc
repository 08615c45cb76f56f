#include "alloc.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "common.h"

namespace mapbench {

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kInserted: return "inserted";
    case Status::kAssigned: return "assigned";
    case Status::kNotFound: return "not-found";
    case Status::kFull: return "full";
    case Status::kReservedKey: return "reserved-key";
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

constexpr std::size_t kHugePage = std::size_t{2} << 20;

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
  bool registered = false;  // owning thread only
  Counts snapshot() const { return {allocations.get(), frees.get(), bytes_allocated.get(), bytes_freed.get()}; }
  ~ThreadBlock();
  void ensure_registered();
};

struct Registry {
  std::mutex mu;                     // guards `live` and `retired`
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

void* allocate_table(std::size_t bytes, bool huge_pages, bool* advised_out) {
  if (advised_out) *advised_out = false;
  if (huge_pages && bytes >= kHugePage) {
    // Over-map by one huge page so the table can start on a 2 MiB boundary;
    // the whole mapping is kept (and unmapped) as one range.
    std::size_t mapped = (bytes + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
    void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    auto addr = reinterpret_cast<std::uintptr_t>(raw);
    std::uintptr_t aligned = (addr + kHugePage - 1) & ~(kHugePage - 1);
    // Record the mapping's start just below the aligned table: the first
    // huge page is sacrificed when addr is already aligned, which keeps the
    // header logic uniform.
    if (aligned - addr < sizeof(void*) * 2) aligned += kHugePage;
    auto* header = reinterpret_cast<std::uintptr_t*>(aligned) - 2;
    header[0] = addr;
    header[1] = mapped;
    bool advised = madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE) == 0;
    if (advised_out) *advised_out = advised;
    count_alloc(bytes);
    return reinterpret_cast<void*>(aligned);
  }
  std::size_t rounded = (bytes + kCacheLine - 1) / kCacheLine * kCacheLine;
  // Two leading words mark the small path (header[1] == 0).
  auto* raw = static_cast<std::uintptr_t*>(std::aligned_alloc(kCacheLine, rounded + kCacheLine));
  if (!raw) throw std::bad_alloc();
  auto* table = reinterpret_cast<char*>(raw) + kCacheLine;
  auto* header = reinterpret_cast<std::uintptr_t*>(table) - 2;
  header[0] = reinterpret_cast<std::uintptr_t>(raw);
  header[1] = 0;
  std::memset(table, 0, bytes);
  count_alloc(bytes);
  return table;
}

void free_table(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  count_free(bytes);
  auto* header = static_cast<std::uintptr_t*>(p) - 2;
  if (header[1] == 0) {
    std::free(reinterpret_cast<void*>(header[0]));
  } else {
    munmap(reinterpret_cast<void*>(header[0]), header[1]);
  }
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
