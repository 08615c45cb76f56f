// peers.h — the established C++ concurrent maps mapbench measures its own
// designs against ("peers"), behind the same catalogue and the same AnyMap
// boundary as the native designs.
//
// Every peer is optional: the build defines MAPBENCH_HAVE_<PEER> only when
// its library was found (scripts/detect-peers.mjs for binding.gyp,
// find_package/pkg-config in CMakeLists.txt; MAPBENCH_PEERS=none turns them
// all off). The catalogue lists every peer this source tree knows, built
// or not, so that asking for a missing one can name the Debian package
// that provides it; only built peers join designs().
//
// map_registry.cc calls in here at three points, and nowhere else: it
// appends peer_designs() to the catalogue, asks make_peer_map() first when
// building a map, and appends peer_layouts() to the layout table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalogue/map_registry.h"

namespace mapbench {

struct PeerInfo {
  const char* name;     // the design name ("tbb")
  const char* package;  // the Debian package that provides the library
  const char* summary;
  bool built;                   // compiled into this build
  std::string library_version;  // what the library's headers declare ("" when not built or not declared)
  bool chained;                 // buckets of node lists: capacity counts buckets, not slots
  // Why the peer is left out of ThreadSanitizer builds ("" when it is not).
  const char* tsan_exclusion;
};

// Every peer this tree knows, built or not, in catalogue order.
const std::vector<PeerInfo>& peer_catalogue();
// nullptr unless `name` is a peer (built or not).
const PeerInfo* find_peer(const std::string& name);

// DesignInfo entries of the built peers (kind "map", package set).
std::vector<DesignInfo> peer_designs();
// A peer map for `o`, or nullptr when o.design is not a built peer.
// `capacity` is capacity_for(o.expected_entries, o.load_factor): the same
// hint every native design receives.
std::unique_ptr<AnyMap> make_peer_map(const MapOptions& o, std::uint64_t capacity);
// Layout entries of the built peers' padded types.
void append_peer_layouts(std::vector<LayoutEntry>& out);

}  // namespace mapbench
