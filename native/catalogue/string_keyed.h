// string_keyed.h — how a string-keyed design sits behind AnyMap's 64-bit
// key words, so that everything above the catalogue (prefill, the post-run
// check, the timed loop, the addon) drives it unchanged.
//
// StringKeyed<M> holds a string-keyed map M (its ops take std::string_view)
// and the map's KeyArena (runtime/keys.h). Two key words reach it:
//   - single ops and batches (AnyMap's get/insert/..., the addon, prefill
//     and verify): word = key index + kFirstUserKey, so word 2 is key 0 of
//     the arena, and words outside [2, 2 + 2 x keys) are rejected like a
//     sentinel key (AnyMap::key_word gives the word of an index);
//   - the timed loop: word = the address of the key's record in the
//     thread's tape (tape_stream), a sequential read — run_worker asks for
//     an indexed stream and replays its tape instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/keys.h"
#include "runtime/op_stats.h"

namespace mapbench {

// M built from (pages, args...) when it takes its Pages first, else from
// (args...): how MapAdapter and StringKeyed hand a design its page policy.
template <class M, class... Args>
M make_with_pages(alloc::Pages& pages, Args&&... args) {
  if constexpr (std::is_constructible_v<M, alloc::Pages&, Args...>)
    return M(pages, std::forward<Args>(args)...);
  else
    return M(std::forward<Args>(args)...);
}

template <class M>
class StringKeyed {
 public:
  template <class... Args>
  StringKeyed(alloc::Pages& pages, std::shared_ptr<const KeyArena> arena, Args&&... args)
      : arena_(std::move(arena)), map_(make_with_pages<M>(pages, std::forward<Args>(args)...)) {}

  // The timed loop's ops: `word` is a tape record's address.
  template <class Sink = NoStats>
  bool get(std::uint64_t word, std::uint64_t* value, Sink& sink) {
    return map_.get(tape_key(word).view(), value, sink);
  }
  template <class Sink = NoStats>
  Status insert(std::uint64_t word, std::uint64_t value, Sink& sink) {
    return map_.insert(tape_key(word).view(), value, sink);
  }
  template <class Sink = NoStats>
  bool update(std::uint64_t word, std::uint64_t value, Sink& sink) {
    return map_.update(tape_key(word).view(), value, sink);
  }
  template <class Sink = NoStats>
  bool erase(std::uint64_t word, Sink& sink) {
    return map_.erase(tape_key(word).view(), sink);
  }

  // This thread's tape of `indexed` (an indexed_keys stream), built once
  // per thread and stream, before the gate; the stream it returns replays
  // the same ops with tape addresses for keys.
  const OpStream& tape_stream(const OpStream& indexed) {
    struct Cached {
      std::vector<std::uint64_t> from;      // the indexed ops the tape was built from
      std::weak_ptr<const KeyArena> arena;  // identity only: does not keep a dead map's keys alive
      KeyTape tape;
    };
    thread_local Cached cached;
    const bool same_arena =
        !cached.arena.expired() && !cached.arena.owner_before(arena_) && !arena_.owner_before(cached.arena);
    if (!same_arena || cached.from != indexed.ops) {
      cached.tape = KeyTape{};
      build_tape(*arena_, indexed, &cached.tape);
      cached.from = indexed.ops;
      cached.arena = arena_;
    }
    return cached.tape.stream;
  }

  // Single ops' words (see the header comment).
  bool accepts(std::uint64_t word) const { return word >= kFirstUserKey && word - kFirstUserKey < arena_->size(); }
  std::string_view key(std::uint64_t word) const { return arena_->key(word - kFirstUserKey); }
  const KeyArena& arena() const { return *arena_; }

  std::size_t size() { return map_.size(); }
  void settle() {
    if constexpr (requires(M & m) { m.settle(); }) map_.settle();
  }
  M& inner() { return map_; }

 private:
  std::shared_ptr<const KeyArena> arena_;  // immutable; shared with the AnyMap
  M map_;
};

template <class M>
inline constexpr bool kIsStringKeyed = false;
template <class M>
inline constexpr bool kIsStringKeyed<StringKeyed<M>> = true;

}  // namespace mapbench
