// peers.cc — the peer catalogue and the one place peer maps are built.
// Each adapter is compiled only when the build found its library
// (MAPBENCH_HAVE_<PEER>, see peers.h).
#include "peers/peers.h"

#if defined(MAPBENCH_HAVE_LIBCUCKOO)
#include "peers/libcuckoo_map.h"
#endif
#if defined(MAPBENCH_HAVE_TBB)
#include <oneapi/tbb/version.h>

#include "peers/tbb_map.h"
#endif
#if defined(MAPBENCH_HAVE_URCU)
#include "peers/urcu_map.h"
#endif
#if defined(MAPBENCH_HAVE_ABSL)
#include <absl/base/config.h>

#include "peers/absl_sharded_map.h"
#endif

#include "peers/peer_adapter.h"

namespace mapbench {
namespace {

#if defined(MAPBENCH_HAVE_LIBCUCKOO)
constexpr bool kLibcuckoo = true;
#else
constexpr bool kLibcuckoo = false;
#endif
#if defined(MAPBENCH_HAVE_TBB)
constexpr bool kTbb = true;
const char* const kTbbVersion = TBB_VERSION_STRING;
#else
constexpr bool kTbb = false;
const char* const kTbbVersion = "";
#endif
#if defined(MAPBENCH_HAVE_URCU)
constexpr bool kUrcu = true;
#else
constexpr bool kUrcu = false;
#endif
#if defined(MAPBENCH_HAVE_ABSL)
constexpr bool kAbsl = true;
const std::string kAbslVersion = std::to_string(ABSL_LTS_RELEASE_VERSION);
#else
constexpr bool kAbsl = false;
const std::string kAbslVersion;
#endif

// libcuckoo and urcu declare no version in their headers; the package
// manager's version (recorded by the harness) is the only one.
const std::vector<PeerInfo> kPeers = {
    {"libcuckoo", "libcuckoo-dev", "libcuckoo cuckoohash_map: bucketized cuckoo hashing, striped spinlocks",
     kLibcuckoo, "", false, ""},
    {"tbb", "libtbb-dev", "oneTBB concurrent_hash_map with accessors: chained, per-bucket and per-element rw-locks",
     kTbb, kTbbVersion, true, ""},
    {"urcu", "liburcu-dev", "userspace RCU cds_lfht (urcu-memb): lock-free resizable split-ordered list", kUrcu, "",
     true,
     "liburcu is not built with ThreadSanitizer: its atomics and futex waits run uninstrumented, so TSan "
     "reports memory the library hands between threads as races (seen: a block liburcu-cds allocates on the "
     "thread that destroys a map and frees on its own worker thread)"},
    {"absl-sharded", "libabsl-dev", "64 shards, each an absl::flat_hash_map (Swiss table) behind a padded std::mutex",
     kAbsl, kAbslVersion, false, ""},
};

}  // namespace

const std::vector<PeerInfo>& peer_catalogue() { return kPeers; }

const PeerInfo* find_peer(const std::string& name) {
  for (const auto& p : kPeers)
    if (name == p.name) return &p;
  return nullptr;
}

std::vector<DesignInfo> peer_designs() {
  std::vector<DesignInfo> out;
  for (const auto& p : kPeers) {
    if (!p.built) continue;
    // open_addressing: peers take the same load factor (in (0, 1)) as the
    // native designs, as a capacity hint.
    DesignInfo d{p.name, "map", p.summary, false, true};
    d.package = p.package;
    d.library_version = p.library_version;
    out.push_back(std::move(d));
  }
  return out;
}

std::unique_ptr<AnyMap> make_peer_map(const MapOptions& o, std::uint64_t capacity) {
  const PeerInfo* p = find_peer(o.design);
  if (!p || !p->built) return nullptr;
#if defined(MAPBENCH_HAVE_LIBCUCKOO)
  if (o.design == "libcuckoo") return std::make_unique<MapAdapter<LibcuckooMap>>(o, capacity, capacity);
#endif
#if defined(MAPBENCH_HAVE_TBB)
  if (o.design == "tbb") return std::make_unique<MapAdapter<TbbMap>>(o, capacity, capacity);
#endif
#if defined(MAPBENCH_HAVE_URCU)
  if (o.design == "urcu") return std::make_unique<MapAdapter<UrcuMap>>(o, capacity, capacity);
#endif
#if defined(MAPBENCH_HAVE_ABSL)
  if (o.design == "absl-sharded") return std::make_unique<MapAdapter<AbslShardedMap>>(o, capacity, capacity);
#endif
  return nullptr;
}

void append_peer_layouts(std::vector<LayoutEntry>& out) {
  auto add = [&](const char* name, std::size_t size, std::size_t align) { out.push_back({name, size, align}); };
  (void)add;
#if defined(MAPBENCH_HAVE_LIBCUCKOO)
  add("libcuckoo.map", sizeof(LibcuckooMap), alignof(LibcuckooMap));
#endif
#if defined(MAPBENCH_HAVE_TBB)
  add("tbb.map", sizeof(TbbMap), alignof(TbbMap));
#endif
#if defined(MAPBENCH_HAVE_URCU)
  add("urcu.map", sizeof(UrcuMap), alignof(UrcuMap));
#endif
#if defined(MAPBENCH_HAVE_ABSL)
  add("absl-sharded.map", sizeof(AbslShardedMap), alignof(AbslShardedMap));
  add(kPad == 128 ? "absl-sharded.mutex.128.shard" : "absl-sharded.mutex.64.shard", sizeof(AbslShardedMap::Shard),
      alignof(AbslShardedMap::Shard));
#endif
}

}  // namespace mapbench
