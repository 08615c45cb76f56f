// test_layout.cc — the padded and line-packed types: static_asserts on the
// types themselves, and a check of every entry mapbench::layouts() reports
// (the same table the addon exposes): 16-byte slots four to a line, maps
// and shards whole multiples of their padding unit and aligned to it.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "check.h"
#include "maps/chained_map.h"
#include "maps/locked_map.h"
#include "maps/lockfree_map.h"
#include "maps/sharded_map.h"
#include "runtime/alloc.h"
#include "runtime/runner.h"

namespace mb = mapbench;

// ---- compile time ----
static_assert(sizeof(mb::LockFreeMap::Slot) == 16 && alignof(mb::LockFreeMap::Slot) == 16);
static_assert(sizeof(mb::TableSlot) == 16);
static_assert(mb::kSlotsPerLine == 4);
static_assert(mb::kCacheLine % sizeof(mb::TableSlot) == 0);
static_assert(sizeof(mb::MutexMap) % mb::kPad == 0 && alignof(mb::MutexMap) == mb::kPad);
static_assert(sizeof(mb::RwLockMap) % mb::kPad == 0 && alignof(mb::RwLockMap) == mb::kPad);
static_assert(sizeof(mb::SpinMap) % mb::kPad == 0 && alignof(mb::SpinMap) == mb::kPad);
template <class Lock, std::size_t Pad>
constexpr bool shard_ok() {
  using S = typename mb::ShardedMap<Lock, Pad>::Shard;
  return sizeof(S) % Pad == 0 && alignof(S) == Pad;
}
static_assert(shard_ok<mb::MutexLock, 64>() && shard_ok<mb::MutexLock, 128>());
static_assert(shard_ok<mb::SpinLock, 64>() && shard_ok<mb::SpinLock, 128>());
static_assert(shard_ok<mb::RwLock, 64>() && shard_ok<mb::RwLock, 128>());
static_assert(sizeof(mb::Control) == 64);
// Packed shards keep their natural alignment and are not whole lines, so
// neighbours share a line (the point of the variant).
template <class Lock>
constexpr bool packed_shard_shares() {
  using S = typename mb::ShardedMap<Lock, 0>::Shard;
  return alignof(S) < mb::kCacheLine && sizeof(S) % mb::kCacheLine != 0;
}
static_assert(packed_shard_shares<mb::MutexLock>() && packed_shard_shares<mb::SpinLock>() &&
              packed_shard_shares<mb::RwLock>());
static_assert(sizeof(mb::ChainNode) == 24);
static_assert(sizeof(mb::NodePool<mb::ChainNode>::Slot) == mb::kPad);

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

void every_layout_entry() {
  const auto ls = mb::layouts();
  CHECK(!ls.empty());
  std::printf("      %-26s %6s %6s\n", "type", "size", "align");
  for (const auto& e : ls) {
    std::printf("      %-26s %6zu %6zu\n", e.name.c_str(), e.size, e.align);
    CHECK_GT(e.size, 0u, e.name);
    CHECK_EQ(e.size % e.align, 0u, e.name);
    if (ends_with(e.name, ".slot")) {
      CHECK_EQ(e.size, 16u, e.name, ": slots are 16 bytes");
      CHECK_EQ(mb::kCacheLine / e.size, 4u, e.name, ": four slots per line");
      CHECK_GE(e.align, 8u, e.name);
    } else if (ends_with(e.name, ".map")) {
      CHECK_EQ(e.size % mb::kCacheLine, 0u, e.name, ": maps fill whole lines");
      CHECK_EQ(e.size % mb::kPad, 0u, e.name, ": maps fill whole pads");
      CHECK_EQ(e.align, mb::kPad, e.name);
    } else if (ends_with(e.name, ".packed.shard")) {
      // sharded.<lock>.packed.shard: natural alignment, not whole lines.
      CHECK_LT(e.align, mb::kCacheLine, e.name, ": a packed shard is not line-aligned");
      CHECK_NE(e.size % mb::kCacheLine, 0u, e.name, ": a packed shard's neighbour starts inside its last line");
    } else if (ends_with(e.name, ".shard")) {
      // sharded.<lock>.<pad>.shard
      const std::size_t dot2 = e.name.rfind('.'), dot1 = e.name.rfind('.', dot2 - 1);
      const std::size_t pad = std::strtoul(e.name.substr(dot1 + 1, dot2 - dot1 - 1).c_str(), nullptr, 10);
      CHECK(pad == 64 || pad == 128, e.name);
      CHECK_EQ(e.size % pad, 0u, e.name, ": a shard ends on a pad boundary");
      CHECK_EQ(e.size % mb::kCacheLine, 0u, e.name);
      CHECK_EQ(e.align, pad, e.name, ": a shard starts on its own pad");
    } else if (ends_with(e.name, ".stripe") || ends_with(e.name, ".cache")) {
      // A chained map's lock stripe, a pool's per-thread free list: one pad each.
      CHECK_EQ(e.size % mb::kPad, 0u, e.name, ": fills whole pads");
      CHECK_EQ(e.align, mb::kPad, e.name);
    } else if (ends_with(e.name, ".entry")) {
      CHECK_EQ(e.size, 16u, e.name, ": {word, expunged}");
    } else if (ends_with(e.name, ".counter")) {
      // counters.<packed|64|128>.counter: 8 bytes packed, one pad each when padded.
      const std::size_t dot2 = e.name.rfind('.'), dot1 = e.name.rfind('.', dot2 - 1);
      const std::string pad = e.name.substr(dot1 + 1, dot2 - dot1 - 1);
      if (pad == "packed") {
        CHECK_EQ(e.size, 8u, e.name, ": packed counters share lines, eight to one");
      } else {
        CHECK_EQ(e.size, std::strtoul(pad.c_str(), nullptr, 10), e.name, ": a padded counter owns its pad");
        CHECK_EQ(e.align, e.size, e.name);
      }
    } else if (ends_with(e.name, ".node")) {
      CHECK_EQ(e.size, 24u, e.name, ": {key, value, next}");
      CHECK_EQ(e.align, 8u, e.name);
    } else {
      CHECK(false, "unclassified layout entry ", e.name, ": teach test_layout.cc what it must satisfy");
    }
  }
  // layouts() reports the real types.
  auto find = [&](const std::string& n) -> const mb::LayoutEntry* {
    for (const auto& e : ls)
      if (e.name == n) return &e;
    return nullptr;
  };
  const mb::LayoutEntry* lf = find("lockfree.slot");
  CHECK(lf != nullptr);
  CHECK_EQ(lf->size, sizeof(mb::LockFreeMap::Slot));
  const mb::LayoutEntry* mm = find("mutex.map");
  CHECK(mm != nullptr);
  CHECK_EQ(mm->size, sizeof(mb::MutexMap));
  CHECK_EQ(mm->align, alignof(mb::MutexMap));
  const mb::LayoutEntry* sh = find("sharded.spin.128.shard");
  CHECK(sh != nullptr);
  CHECK_EQ(sh->size, sizeof(mb::ShardedMap<mb::SpinLock, 128>::Shard));
  // Every map design has at least one layout entry.
  for (const auto& d : mb::designs()) {
    if (d.kind != mapbench::DesignKind::kMap) continue;
    bool any = false;
    for (const auto& e : ls) any = any || starts_with(e.name, d.name + ".");
    CHECK(any, "design ", d.name, " has no layout entry");
  }
}

// Where two neighbouring shards of a live map lie: the last byte of shard i
// and the first byte of shard i + 1 share a 64-byte line exactly when the
// shards are packed.
template <class Lock, std::size_t Pad>
bool neighbours_share_a_line() {
  using S = typename mb::ShardedMap<Lock, Pad>::Shard;
  mb::alloc::Pages pages(false);
  mb::ShardedMap<Lock, Pad> map(pages, 64 * 16, 16);
  bool shared = false;
  for (std::size_t i = 0; i + 1 < 16; ++i) {
    const auto last_of_a = reinterpret_cast<std::uintptr_t>(map.shard_address(i)) + sizeof(S) - 1;
    const auto first_of_b = reinterpret_cast<std::uintptr_t>(map.shard_address(i + 1));
    CHECK_EQ(first_of_b, last_of_a + 1, "shards are one array");
    shared = shared || last_of_a / mb::kCacheLine == first_of_b / mb::kCacheLine;
  }
  return shared;
}

void packed_shards_share_lines() {
  CHECK((neighbours_share_a_line<mb::MutexLock, 0>()), "packed mutex shards");
  CHECK((neighbours_share_a_line<mb::SpinLock, 0>()), "packed spin shards");
  CHECK((neighbours_share_a_line<mb::RwLock, 0>()), "packed rw shards");
  CHECK(!(neighbours_share_a_line<mb::MutexLock, 64>()), "64-byte padded mutex shards");
  CHECK(!(neighbours_share_a_line<mb::SpinLock, 64>()), "64-byte padded spin shards");
  CHECK(!(neighbours_share_a_line<mb::RwLock, 128>()), "128-byte padded rw shards");
  std::printf("      packed shard bytes: mutex %zu, spin %zu, rw %zu\n",
              sizeof(mb::ShardedMap<mb::MutexLock, 0>::Shard), sizeof(mb::ShardedMap<mb::SpinLock, 0>::Shard),
              sizeof(mb::ShardedMap<mb::RwLock, 0>::Shard));
}

void objects_and_tables_are_aligned() {
  // Heap-allocated maps start on their own pad (over-aligned new).
  mb::alloc::Pages pages(false);
  auto m1 = std::make_unique<mb::MutexMap>(pages, 64);
  auto m2 = std::make_unique<mb::RwLockMap>(pages, 64);
  auto m3 = std::make_unique<mb::SpinMap>(pages, 64);
  CHECK_EQ(reinterpret_cast<std::uintptr_t>(m1.get()) % mb::kPad, 0u, "mutex");
  CHECK_EQ(reinterpret_cast<std::uintptr_t>(m2.get()) % mb::kPad, 0u, "rwlock");
  CHECK_EQ(reinterpret_cast<std::uintptr_t>(m3.get()) % mb::kPad, 0u, "spin");
  // Table memory under either page policy: zeroed, line-aligned; tables of
  // 2 MiB or more 2 MiB-aligned; every block counted; the ledger says what
  // was placed and advised, and is empty once everything is freed.
  constexpr std::size_t kHuge = mb::alloc::Pages::kHugePage;
  const mb::alloc::Counts before = mb::alloc::thread_counts();
  for (bool huge : {false, true}) {
    mb::alloc::Pages p(huge);
    const std::size_t sizes[] = {64, 1024, 4096, std::size_t{1} << 20, std::size_t{3} << 20};
    std::vector<unsigned char*> blocks;
    for (std::size_t bytes : sizes) {
      auto* t = static_cast<unsigned char*>(p.allocate_table(bytes));
      CHECK(t != nullptr);
      const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(t);
      CHECK_EQ(a % mb::kCacheLine, 0u, bytes, " bytes");
      if (bytes >= kHuge) CHECK_EQ(a % kHuge, 0u, bytes, " bytes: a mapping of its own");
      std::size_t nonzero = 0;
      for (std::size_t i = 0; i < bytes; i += 61) nonzero += t[i] != 0;
      CHECK_EQ(nonzero, 0u, "table memory is zeroed");
      t[0] = 1;
      t[bytes - 1] = 1;  // the whole range is writable
      blocks.push_back(t);
    }
    const auto r = p.report();
    CHECK_EQ(r.huge_pages, huge);
    // 1 KiB, 4 KiB and 1 MiB share one 2 MiB chunk; 3 MiB rounds to 4 MiB.
    CHECK_EQ(r.placed_bytes, kHuge + 2 * kHuge);
    CHECK_EQ(r.advised_bytes, huge ? r.placed_bytes : 0u, "advised only under the huge policy");
    CHECK_EQ(r.heap_bytes, 64u, "a block below kPlacedMin comes from the heap");
    for (std::size_t i = 0; i < blocks.size(); ++i) p.free_table(blocks[i], sizes[i]);
    const auto empty = p.report();
    CHECK_EQ(empty.placed_bytes, 0u, "every chunk and mapping returned");
    CHECK_EQ(empty.heap_bytes, 0u);
  }
  const mb::alloc::Counts after = mb::alloc::thread_counts();
  CHECK_EQ(after.allocations - before.allocations, 10u, "every table allocation is counted");
  CHECK_EQ(after.frees - before.frees, after.allocations - before.allocations);
  CHECK_EQ(after.bytes_allocated - before.bytes_allocated, after.bytes_freed - before.bytes_freed);
  std::printf("      transparent huge pages: %s\n", mb::alloc::transparent_huge_pages_mode());
}

}  // namespace

int main() {
  mbtest::Suite suite("test_layout");
  std::printf("kCacheLine %zu, kPad %zu\n", mb::kCacheLine, mb::kPad);
  suite.run("every entry of layouts()", every_layout_entry);
  suite.run("objects and table memory are aligned and zeroed", objects_and_tables_are_aligned);
  suite.run("packed shards share lines with their neighbours, padded ones never", packed_shards_share_lines);
  return suite.finish();
}
