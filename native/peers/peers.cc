// peers.cc — the peers' catalogue rows. Each adapter is compiled only when
// the build found its library (MAPBENCH_HAVE_<PEER>, see peers.h); a row
// without one keeps its name, summary and package, and no factory.
#include "peers/peers.h"

#if defined(MAPBENCH_HAVE_LIBCUCKOO)
#include "peers/libcuckoo_map.h"
#endif
#if defined(MAPBENCH_HAVE_TBB)
#include <oneapi/tbb/version.h>

#include "peers/tbb_map.h"  // first: it switches on a TBB preview feature
#endif
#if defined(MAPBENCH_HAVE_URCU)
#include "peers/urcu_map.h"
#endif
#if defined(MAPBENCH_HAVE_ABSL_SHARDED)
#include <absl/base/config.h>

#include "peers/absl_sharded_map.h"
#endif

#include <string_view>
#include <type_traits>

#include "catalogue/map_adapter.h"

namespace mapbench {
namespace {

// Every peer's capacity is the hint every native design receives:
// capacity_for(o.expected_entries, o.load_factor), or the initial capacity
// of a map that grows (every peer grows by its own policy, so a map started
// small grows online as mapbench's growing designs do).
// S is the peer's string-keyed form (std::string keys), or void for none.
template <class M, class S = void>
std::unique_ptr<AnyMap> make_peer(const MapOptions& o) {
  const std::uint64_t capacity =
      o.initial_capacity > 0 ? capacity_for(o.initial_capacity, 1.0) : capacity_for(o.expected_entries, o.load_factor);
  if constexpr (!std::is_void_v<S>)
    if (o.key_type.strings()) return adapt_strings<S>(o, capacity);
  return std::make_unique<MapAdapter<M>>(o, capacity, capacity);
}

const PeerManifest& manifest(std::string_view name) {
  for (const auto& m : peer_manifest())
    if (name == m.name) return m;
  assert_fail("a peer row without a line in peers.def", __FILE__, __LINE__);
}

// Peers take the same load factor as the native open-addressing designs,
// in (0, 1), as a capacity hint. libcuckoo and urcu declare no version in
// their headers; the package manager's version (recorded by the harness)
// is the only one.
Design libcuckoo_row() {
  Design d{.name = "libcuckoo",
           .summary = "libcuckoo cuckoohash_map: bucketized cuckoo hashing, striped spinlocks",
           .growable = true,
           .frame = "BasicLibcuckooMap",
           .string_keys = true,
           .string_growable = true};
#if defined(MAPBENCH_HAVE_LIBCUCKOO)
  d.make = make_peer<LibcuckooMap, StrLibcuckooMap>;
  d.layouts = [](std::vector<LayoutEntry>& out) { add_layout<LibcuckooMap>(out, "libcuckoo.map"); };
#endif
  return d;
}

Design tbb_row() {
  Design d{.name = "tbb",
           .summary = "oneTBB concurrent_hash_map with accessors: chained, per-bucket and per-element rw-locks",
           .chained = true,
           .growable = true,
           .frame = "BasicTbbMap",
           .string_keys = true,
           .string_growable = true};
#if defined(MAPBENCH_HAVE_TBB)
  d.make = make_peer<TbbMap, StrTbbMap>;
  d.layouts = [](std::vector<LayoutEntry>& out) { add_layout<TbbMap>(out, "tbb.map"); };
  d.library_version = TBB_VERSION_STRING;
#endif
  return d;
}

Design urcu_row() {
  Design d{.name = "urcu",
           .summary = "userspace RCU cds_lfht (urcu-memb): lock-free resizable split-ordered list",
           .chained = true,
           .growable = true,
           .frame = "UrcuMap",
           .tsan_exclusion =
               "liburcu is not built with ThreadSanitizer: its atomics and futex waits run uninstrumented, so TSan "
               "reports memory the library hands between threads as races (seen: a block liburcu-cds allocates on "
               "the thread that destroys a map and frees on its own worker thread)"};
#if defined(MAPBENCH_HAVE_URCU)
  d.make = make_peer<UrcuMap>;
  d.layouts = [](std::vector<LayoutEntry>& out) { add_layout<UrcuMap>(out, "urcu.map"); };
#endif
  return d;
}

Design absl_sharded_row() {
  Design d{.name = "absl-sharded",
           .summary = "64 shards, each an absl::flat_hash_map (Swiss table) behind a padded std::mutex",
           .growable = true,
           .fixed_lock = LockKind::kMutex,
           .frame = "BasicAbslShardedMap",
           .string_keys = true,
           .string_growable = true};
#if defined(MAPBENCH_HAVE_ABSL_SHARDED)
  d.make = make_peer<AbslShardedMap, StrAbslShardedMap>;
  d.layouts = [](std::vector<LayoutEntry>& out) {
    add_layout<AbslShardedMap>(out, "absl-sharded.map");
    add_layout<AbslShardedMap::Shard>(out,
                                      kPad == 128 ? "absl-sharded.mutex.128.shard" : "absl-sharded.mutex.64.shard");
  };
  d.library_version = std::to_string(ABSL_LTS_RELEASE_VERSION);
#endif
  return d;
}

}  // namespace

const std::vector<PeerManifest>& peer_manifest() {
  static const std::vector<PeerManifest> lines = {
#define MAPBENCH_PEER(name, package, header, modules, tsan) {name, package, header, modules, tsan},
#include "peers/peers.def"
#undef MAPBENCH_PEER
  };
  return lines;
}

std::vector<Design> peer_designs() {
  std::vector<Design> rows = {libcuckoo_row(), tbb_row(), urcu_row(), absl_sharded_row()};
  for (auto& d : rows) d.peer = &manifest(d.name);
  if (rows.size() != peer_manifest().size()) assert_fail("a line of peers.def without a row", __FILE__, __LINE__);
  return rows;
}

}  // namespace mapbench
