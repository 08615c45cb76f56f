// peers.h — the established C++ concurrent maps mapbench measures its own
// designs against ("peers"), behind the same catalogue rows and the same
// AnyMap boundary as the native designs.
//
// Every peer is optional: the build defines MAPBENCH_HAVE_<PEER> only when
// its library was found (scripts/detect-peers.mjs for binding.gyp,
// CMakeLists.txt for CMake, both reading peers.def; MAPBENCH_PEERS=none
// turns them all off). The catalogue lists every peer of peers.def, built
// or not, so that asking for a missing one names the Debian package that
// provides it; an unbuilt peer's row has no factory.
#pragma once

#include <vector>

#include "catalogue/catalogue.h"

namespace mapbench {

// Every line of peers.def, in its order.
const std::vector<PeerManifest>& peer_manifest();
// The catalogue rows of every peer of peers.def, built or not.
std::vector<Design> peer_designs();

}  // namespace mapbench
