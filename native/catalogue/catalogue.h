// catalogue.h — every fact about a map design, stated once, as data.
//
// One Design row per design (catalogue.cc) and per peer (peers/peers.cc,
// with its package from peers/peers.def): its name, kind, traits as fields,
// its factory and its layout entries. The factory's MapAdapter<M> binds the
// design's diagnose() overload (diagnose.h) and its timed loop, so the row
// is the whole of what the rest of the tree knows about a design: the
// addon, the native tests, mapbench_native and — through the addon's
// catalogue() export and src/catalogue.ts, generated from it and checked
// against it by test/js/catalogue.test.ts — the TypeScript harness.
//
// The enums the harness needs are exported from here too, with their names
// in the order the native code numbers them: op kinds (generator order,
// runtime/workload.h), outcomes and latency kinds (runtime/runner.h), run
// modes, key distributions, lock kinds and pads (any_map.h), and the
// control block's fields.
//
// Traits are what code branches on: nobody outside this file and the rows
// compares a design's name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/any_map.h"

namespace mapbench {

enum class DesignKind : std::uint8_t {
  kMap,     // a real map: prefill, verify and every op mean what they say
  kPseudo,  // a reference point with no map semantics (floor, null)
};

// What MapOptions::load_factor means for the design.
enum class LoadMeaning : std::uint8_t {
  kSlotFraction,  // entries / slots, in (0, 1): open addressing, and the peers' capacity hint
  kChainLength,   // entries / buckets, in (0, kMaxChainLoad]: separate chaining
};

// The role a pseudo design plays in results: the figures others are read against.
enum class Baseline : std::uint8_t {
  kNone,
  kMemoryFloor,  // one random slot access per op: ×floor ratios divide by it
  kLoopCost,     // no work: what the timed loop itself costs
  kLineSharing,  // per-shard counters packed or padded: what a cache line shared by threads costs
};

struct LayoutEntry {
  std::string name = {};
  std::size_t size;
  std::size_t align;
};

// A layout entry for T: what a row's `layouts` adds per padded type.
template <class T>
void add_layout(std::vector<LayoutEntry>& out, const char* name) {
  out.push_back({name, sizeof(T), alignof(T)});
}

using MapFactory = std::unique_ptr<AnyMap> (*)(const MapOptions&);
using LayoutList = void (*)(std::vector<LayoutEntry>&);

// A peer's line of peers/peers.def.
struct PeerManifest {
  const char* name;
  const char* package;  // the Debian package that provides the library
  const char* header;   // a header the build must find ("" = none)
  const char* modules;  // pkg-config modules, space-separated ("" = none)
  bool tsan;            // false: left out of ThreadSanitizer builds
};

struct Design {
  std::string name = {};
  DesignKind kind = DesignKind::kMap;
  std::string summary = {};
  LoadMeaning load = LoadMeaning::kSlotFraction;
  // Traits. Each one is what some code branches on; see its users.
  bool open_addressing = false;  // one slot array probed linearly: capacity counts slots, kFull when full
  bool chained = false;          // bucket heads with node lists: capacity counts buckets
  bool node_based = false;       // diagnostics count the nodes reachable from the map (Diagnostics::nodes)
  bool sharded = false;          // MapOptions::shards tables, each behind its own lock (takes shards, lock, pad)
  bool striped = false;          // MapOptions::shards lock stripes over one bucket array
  bool growable = false;         // grows online from MapOptions::initial_capacity; mapbench's own designs by
                                 // threshold (max_load_factor), peers by their library's policy
  bool snapshot_reads = false;   // reads a published snapshot: diagnostics count promotions and misses
  bool op_stats = true;          // the statistics pass records something (probes, CAS failures, contention)
  bool default_run = false;      // `npm run bench` with no --maps runs it
  Baseline baseline = Baseline::kNone;
  std::uint8_t locks = 0;                             // bit (1 << LockKind) per lock MapOptions::lock may choose
  std::uint8_t pads = 0;                              // bit (1 << index in kPadChoices) per MapOptions::pad it takes
  std::optional<LockKind> fixed_lock = std::nullopt;  // the one lock it always takes (profiles look for it)
  std::string frame = {};                             // regex of its C++ type in profile stacks (perf)
  bool string_keys = false;                           // has a string-key form (MapOptions::key_type, runtime/keys.h)
  bool string_growable = false;                       // its string-key form grows too
  MapFactory make = nullptr;                          // nullptr: a peer this build was made without
  LayoutList layouts = nullptr;                       // its padded or line-packed types (sizeof/alignof)
  // Peers (native/peers/) only.
  const PeerManifest* peer = nullptr;
  std::string library_version = {};  // what the library's headers declare ("" when none)
  std::string tsan_exclusion = {};   // why ThreadSanitizer builds leave it out ("" when they do not)

  bool built() const { return make != nullptr; }
  bool takes_lock(LockKind k) const { return (locks >> static_cast<int>(k)) & 1; }
  bool takes_pad(std::uint32_t bytes) const;
};

// Every design this source tree knows, built or not, in catalogue order
// (own designs, then peers).
const std::vector<Design>& catalogue();
// The built ones, in the same order: what a map can be made of.
const std::vector<Design>& designs();
// A built design, or nullptr.
const Design* find_design(std::string_view name);
// Any design of the tree, built or not, or nullptr.
const Design* find_known_design(std::string_view name);

// Names of the catalogue's enums, in their native order.
inline const char* kind_name(DesignKind k) { return k == DesignKind::kMap ? "map" : "pseudo"; }
const char* baseline_name(Baseline b);  // "" for kNone
std::optional<LockKind> lock_kind_from(std::string_view name);
std::optional<std::uint32_t> pad_from(std::string_view name);  // "packed" | "64" | "128" -> bytes

// Empty when the options are usable, else a one-line reason. Unknown and
// unbuilt designs are named (an unbuilt peer with its Debian package).
std::string validate(const MapOptions& o);
// Empty when `entries` at `load_factor` make a table whose load factor means `load`.
std::string validate_size(LoadMeaning load, std::uint64_t entries, double load_factor);

// Requires: validate(o) is empty.
std::unique_ptr<AnyMap> make_map(const MapOptions& o);

// sizeof/alignof of every built design's padded or line-packed types
// ("lockfree.slot", "sharded.mutex.64.shard", ...), row by row.
std::vector<LayoutEntry> layouts();

}  // namespace mapbench
