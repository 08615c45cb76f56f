// string_hash.h — the one hash of byte-string keys: XXH3-64 from Debian's
// libxxhash-dev (header-only here: XXH_INLINE_ALL compiles it into each
// caller, so short keys hash without a call). Every string-keyed design and
// every peer's string form hashes with StringHash, so designs differ in
// structure, not in hashing — as hash_key() does for integer keys.
//
// Why XXH3: it is the fastest well-reviewed non-cryptographic 64-bit hash
// packaged by Debian, passes SMHasher, and has dedicated paths for 1–16,
// 17–128 and 129–240-byte inputs, which are the key lengths measured here.
//
// The library is optional, like the peers': a build without xxhash.h has
// no string-key forms (kHaveStringKeys false), and asking for one names
// the package to install.
#pragma once

#include <cstdint>
#include <string_view>

#if __has_include(<xxhash.h>)
#define XXH_INLINE_ALL
#include <xxhash.h>
#define MAPBENCH_HAVE_XXHASH 1
#endif

namespace mapbench {

#ifdef MAPBENCH_HAVE_XXHASH
inline constexpr bool kHaveStringKeys = true;
inline constexpr const char* kStringHashName = "XXH3-64";
inline std::uint64_t string_hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
#else
inline constexpr bool kHaveStringKeys = false;
inline constexpr const char* kStringHashName = "";
// Never called in such a build (no string-keyed map can be made); defined
// so that the string templates still compile.
inline std::uint64_t string_hash(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}
#endif
inline constexpr const char* kStringHashPackage = "libxxhash-dev";

// The hash object string-keyed designs and peers take (transparent: it
// hashes std::string and std::string_view alike, so lookups build no string).
struct StringHash {
  using is_transparent = void;
  std::uint64_t operator()(std::string_view s) const noexcept { return string_hash(s); }
};

}  // namespace mapbench
