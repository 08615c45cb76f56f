// addon.cc — the Node boundary. It checks argument types and ranges,
// converts between JS values and native structs, looks maps up in the
// registry, calls the core, and converts the answer back. Nothing else:
// every decision about maps and runs lives in the core.
//
// Bad input throws TypeError (wrong type) or RangeError (wrong value) with
// a message naming the argument; the process never aborts on JS input.
// The addon is context-aware (Napi::Addon: per-instance data, no JS handles
// in statics), so it loads in worker_threads; maps are shared across
// isolates through the process-wide registry by numeric id.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "catalogue/registry.h"
#include "runtime/alloc.h"
#include "runtime/histogram.h"
#include "runtime/keys.h"
#include "runtime/string_hash.h"
#include "runtime/tsc.h"

#ifndef MAPBENCH_CXX_FLAGS
#define MAPBENCH_CXX_FLAGS "unknown"
#endif
#ifndef MAPBENCH_BUILD_SYSTEM
#define MAPBENCH_BUILD_SYSTEM "unknown"
#endif

namespace mb = mapbench;

namespace {

// ---- argument conversion ----

[[noreturn]] void throw_type(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void throw_range(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

std::uint64_t to_u64(Napi::Env env, const Napi::Value& v, const char* what) {
  if (v.IsBigInt()) {
    bool lossless = false;
    std::uint64_t x = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw_range(env, std::string(what) + " must fit in an unsigned 64-bit integer");
    return x;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<std::uint64_t>(d)))
      throw_range(env, std::string(what) + " must be a non-negative safe integer (or a bigint)");
    return static_cast<std::uint64_t>(d);
  }
  throw_type(env, std::string(what) + " must be a bigint or a number");
}

double to_double(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw_type(env, std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw_range(env, std::string(what) + " must be finite");
  return d;
}

std::uint64_t to_count(Napi::Env env, const Napi::Value& v, const char* what, std::uint64_t lo, std::uint64_t hi) {
  if (!v.IsNumber()) throw_type(env, std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d))
    throw_range(env,
                std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<std::uint64_t>(d);
}

std::string to_string(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw_type(env, std::string(what) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Object to_object(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsObject() || v.IsArray()) throw_type(env, std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

// An optional property counts as absent when missing or undefined.
bool given(const Napi::Object& o, const char* key) { return o.Has(key) && !o.Get(key).IsUndefined(); }

void require_args(const Napi::CallbackInfo& info, std::size_t n, const char* signature) {
  if (info.Length() < n) throw_type(info.Env(), std::string("expected ") + signature);
}

std::shared_ptr<mb::AnyMap> lookup(const Napi::CallbackInfo& info) {
  std::uint64_t id = to_count(info.Env(), info[0], "map id", 1, 9007199254740991ULL);
  auto map = mb::registry::find(id);
  if (!map) throw_range(info.Env(), "map " + std::to_string(id) + " does not exist (never created or destroyed)");
  return map;
}

void check_status(Napi::Env env, mb::Status s) {
  if (s == mb::Status::kReservedKey) throw_range(env, "keys 0 and 1 and values above 2^63-3 are reserved sentinels");
}

Napi::Value u64(Napi::Env env, std::uint64_t x) { return Napi::Number::New(env, static_cast<double>(x)); }

Napi::Array u64_array(Napi::Env env, const std::vector<std::uint64_t>& xs) {
  Napi::Array a = Napi::Array::New(env, xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) a.Set(i, u64(env, xs[i]));
  return a;
}

Napi::Object alloc_counts(Napi::Env env, const mb::alloc::Counts& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("allocations", u64(env, c.allocations));
  o.Set("frees", u64(env, c.frees));
  o.Set("bytesAllocated", u64(env, c.bytes_allocated));
  o.Set("bytesFreed", u64(env, c.bytes_freed));
  return o;
}

// Sparse histogram as a flat [index, count, index, count, ...] array.
Napi::Array sparse_histogram(Napi::Env env, const mb::Histogram& h) {
  auto pairs = h.sparse();
  Napi::Array a = Napi::Array::New(env, pairs.size() * 2);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    a.Set(2 * i, Napi::Number::New(env, pairs[i].first));
    a.Set(2 * i + 1, u64(env, pairs[i].second));
  }
  return a;
}

mb::Histogram from_sparse(Napi::Env env, const Napi::Value& v) {
  if (!v.IsArray()) throw_type(env, "histogram must be an array of [index, count, ...]");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() % 2 != 0) throw_range(env, "histogram must have an even length");
  mb::Histogram h;
  for (std::uint32_t i = 0; i < a.Length(); i += 2) {
    std::uint64_t index = to_count(env, a.Get(i), "histogram index", 0, mb::Histogram::kBuckets - 1);
    std::uint64_t count = to_count(env, a.Get(i + 1), "histogram count", 0, 9007199254740991ULL);
    if (count != 0) h.record_count(index, count);  // an empty bucket must not move min/max
  }
  return h;
}

// ---- the exported functions ----

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("designs", &Addon::Designs),
                             InstanceMethod("catalogue", &Addon::Catalogue),
                             InstanceMethod("capacityFor", &Addon::CapacityFor),
                             InstanceMethod("createMap", &Addon::CreateMap),
                             InstanceMethod("destroyMap", &Addon::DestroyMap),
                             InstanceMethod("liveMaps", &Addon::LiveMaps),
                             InstanceMethod("get", &Addon::Get),
                             InstanceMethod("insert", &Addon::Insert),
                             InstanceMethod("update", &Addon::Update),
                             InstanceMethod("erase", &Addon::Erase),
                             InstanceMethod("getMany", &Addon::GetMany),
                             InstanceMethod("insertMany", &Addon::InsertMany),
                             InstanceMethod("updateMany", &Addon::UpdateMany),
                             InstanceMethod("eraseMany", &Addon::EraseMany),
                             InstanceMethod("size", &Addon::Size),
                             InstanceMethod("capacity", &Addon::Capacity),
                             InstanceMethod("diagnostics", &Addon::Diag),
                             InstanceMethod("pages", &Addon::Pages),
                             InstanceMethod("prefill", &Addon::Prefill),
                             InstanceMethod("verify", &Addon::Verify),
                             InstanceMethod("runWorker", &Addon::RunWorker),
                             InstanceMethod("streamPlan", &Addon::StreamPlan),
                             InstanceMethod("keyType", &Addon::KeyTypeInfo),
                             InstanceMethod("hashCost", &Addon::HashCost),
                             InstanceMethod("keyWord", &Addon::KeyWord),
                             InstanceMethod("streamCoverage", &Addon::StreamCoverage),
                             InstanceMethod("expectedCoverage", &Addon::ExpectedCoverage),
                             InstanceMethod("histogramSummary", &Addon::HistogramSummary),
                             InstanceMethod("tscHz", &Addon::TscHz),
                             InstanceMethod("tscNow", &Addon::TscNow),
                             InstanceMethod("timerOverhead", &Addon::TimerOverhead),
                             InstanceMethod("allocCounts", &Addon::AllocCounts),
                             InstanceMethod("layout", &Addon::Layout),
                             InstanceMethod("buildInfo", &Addon::BuildInfo),
                             InstanceValue("controlBytes", Napi::Number::New(env, mb::kControlBytes), napi_enumerable),
                         });
  }

 private:
  static Napi::Array names(Napi::Env env, const char* const* first, std::size_t n) {
    Napi::Array a = Napi::Array::New(env, n);
    for (std::size_t i = 0; i < n; ++i) a.Set(i, first[i]);
    return a;
  }
  template <std::size_t N>
  static Napi::Array names(Napi::Env env, const std::array<const char*, N>& xs) {
    return names(env, xs.data(), N);
  }

  static Napi::Object design_object(Napi::Env env, const mb::Design& d) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", d.name);
    o.Set("kind", mb::kind_name(d.kind));
    o.Set("summary", d.summary);
    o.Set("built", d.built());
    o.Set("loadMeaning", d.load == mb::LoadMeaning::kChainLength ? "chain-length" : "slot-fraction");
    o.Set("openAddressing", d.open_addressing);
    o.Set("chained", d.chained);
    o.Set("nodeBased", d.node_based);
    o.Set("sharded", d.sharded);
    o.Set("striped", d.striped);
    o.Set("growable", d.growable);
    o.Set("snapshotReads", d.snapshot_reads);
    o.Set("opStats", d.op_stats);
    o.Set("defaultRun", d.default_run);
    o.Set("stringKeys", d.string_keys);
    o.Set("stringGrowable", d.string_growable);
    o.Set("baseline",
          d.baseline == mb::Baseline::kNone ? env.Null() : Napi::String::New(env, mb::baseline_name(d.baseline)));
    Napi::Array locks = Napi::Array::New(env);
    for (std::size_t i = 0; i < mb::kLockKindNames.size(); ++i)
      if (d.takes_lock(static_cast<mb::LockKind>(i))) locks.Set(locks.Length(), mb::kLockKindNames[i]);
    o.Set("locks", locks);
    Napi::Array pads = Napi::Array::New(env);
    for (const auto& p : mb::kPadChoices)
      if (d.takes_pad(p.bytes)) pads.Set(pads.Length(), p.name);
    o.Set("pads", pads);
    o.Set("fixedLock",
          d.fixed_lock ? Napi::String::New(env, mb::kLockKindNames[static_cast<int>(*d.fixed_lock)]) : env.Null());
    o.Set("frame", d.frame);
    Napi::Array layouts = Napi::Array::New(env);
    if (d.layouts) {
      std::vector<mb::LayoutEntry> entries;
      d.layouts(entries);
      for (const auto& e : entries) layouts.Set(layouts.Length(), e.name);
    }
    o.Set("layouts", layouts);
    if (d.peer) {  // a peer (native/peers/)
      o.Set("package", d.peer->package);
      o.Set("libraryVersion", d.library_version);
      o.Set("tsanExclusion", d.tsan_exclusion);
    }
    return o;
  }

  // designs() -> the built designs; catalogue() -> every design of the
  // tree (built or not) and the enums' names in native order.
  Napi::Value Designs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& ds = mb::designs();
    Napi::Array out = Napi::Array::New(env, ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i) out.Set(i, design_object(env, ds[i]));
    return out;
  }

  Napi::Value Catalogue(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& all = mb::catalogue();
    Napi::Array designs = Napi::Array::New(env, all.size());
    for (std::size_t i = 0; i < all.size(); ++i) designs.Set(i, design_object(env, all[i]));
    Napi::Object o = Napi::Object::New(env);
    o.Set("designs", designs);
    o.Set("opKinds", names(env, mb::kOpKindNames));
    o.Set("outcomes", names(env, mb::kOutcomeNames));
    o.Set("latencyKinds", names(env, mb::kLatencyKindNames));
    o.Set("lockKinds", names(env, mb::kLockKindNames));
    o.Set("lockFrames", names(env, mb::kLockKindFrames));
    Napi::Array pads = Napi::Array::New(env, mb::kPadChoices.size());
    for (std::size_t i = 0; i < mb::kPadChoices.size(); ++i) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("name", mb::kPadChoices[i].name);
      p.Set("bytes", u64(env, mb::kPadChoices[i].bytes));
      pads.Set(i, p);
    }
    o.Set("pads", pads);
    o.Set("distributions", names(env, mb::kDistKindNames));
    o.Set("partitions", names(env, mb::kPartitionNames));
    o.Set("runModes", names(env, mb::kRunModeNames));
    o.Set("controlFields", names(env, mb::kControlFieldNames));
    return o;
  }

  Napi::Value CapacityFor(const Napi::CallbackInfo& info) {
    require_args(info, 2, "capacityFor(entries, loadFactor)");
    Napi::Env env = info.Env();
    std::uint64_t entries = to_count(env, info[0], "entries", 1, std::uint64_t{1} << 36);
    double lf = to_double(env, info[1], "loadFactor");
    std::string bad = mb::validate_size(mb::LoadMeaning::kSlotFraction, entries, lf);
    if (!bad.empty()) throw_range(env, bad);
    return u64(env, mb::capacity_for(entries, lf));
  }

  Napi::Value CreateMap(const Napi::CallbackInfo& info) {
    require_args(info, 1,
                 "createMap({ design, expectedEntries, loadFactor, shards?, lock?, pad?, hugePages?, initialCapacity?, "
                 "maxLoadFactor?, keyType?, keySeed? })");
    Napi::Env env = info.Env();
    Napi::Object o = to_object(env, info[0], "options");
    mb::MapOptions opts;
    opts.design = to_string(env, o.Get("design"), "options.design");
    opts.expected_entries =
        to_count(env, o.Get("expectedEntries"), "options.expectedEntries", 1, std::uint64_t{1} << 36);
    opts.load_factor = to_double(env, o.Get("loadFactor"), "options.loadFactor");
    if (given(o, "shards"))
      opts.shards = static_cast<std::uint32_t>(to_count(env, o.Get("shards"), "options.shards", 1, 65536));
    if (given(o, "pad"))
      // 0 = packed shards; validate() below names the allowed values (0, 64, 128).
      opts.pad = static_cast<std::uint32_t>(to_count(env, o.Get("pad"), "options.pad", 0, 128));
    if (given(o, "hugePages")) {
      if (!o.Get("hugePages").IsBoolean()) throw_type(env, "options.hugePages must be a boolean");
      opts.huge_pages = o.Get("hugePages").As<Napi::Boolean>().Value();
    }
    // Growth: validate() below gives the one-line reasons for bad combinations.
    if (given(o, "initialCapacity"))
      opts.initial_capacity =
          to_count(env, o.Get("initialCapacity"), "options.initialCapacity", 0, std::uint64_t{1} << 36);
    if (given(o, "maxLoadFactor"))
      opts.max_load_factor = to_double(env, o.Get("maxLoadFactor"), "options.maxLoadFactor");
    if (given(o, "keyType")) opts.key_type = to_key_type(env, o.Get("keyType"), "options.keyType");
    if (given(o, "keySeed")) opts.key_seed = to_count(env, o.Get("keySeed"), "options.keySeed", 0, 9007199254740991ULL);
    if (given(o, "lock")) {
      const auto lock = mb::lock_kind_from(to_string(env, o.Get("lock"), "options.lock"));
      if (!lock) throw_range(env, "options.lock must be one of " + mb::name_list(mb::kLockKindNames));
      opts.lock = *lock;
    }
    std::string bad = mb::validate(opts);
    if (!bad.empty()) throw_range(env, bad);
    std::shared_ptr<mb::AnyMap> map;
    try {
      map = mb::make_map(opts);
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "out of memory creating the map");
    }
    return u64(env, mb::registry::add(std::move(map)));
  }

  Napi::Value DestroyMap(const Napi::CallbackInfo& info) {
    require_args(info, 1, "destroyMap(id)");
    std::uint64_t id = to_count(info.Env(), info[0], "map id", 1, 9007199254740991ULL);
    return Napi::Boolean::New(info.Env(), mb::registry::remove(id));
  }

  Napi::Value LiveMaps(const Napi::CallbackInfo& info) { return u64(info.Env(), mb::registry::live_count()); }

  Napi::Value Get(const Napi::CallbackInfo& info) {
    require_args(info, 2, "get(id, key)");
    auto map = lookup(info);
    std::uint64_t value = 0;
    mb::Status s = map->get(to_u64(info.Env(), info[1], "key"), &value);
    check_status(info.Env(), s);
    if (s != mb::Status::kOk) return info.Env().Undefined();
    return Napi::BigInt::New(info.Env(), value);
  }

  Napi::Value Insert(const Napi::CallbackInfo& info) {
    require_args(info, 3, "insert(id, key, value)");
    auto map = lookup(info);
    mb::Status s = map->insert(to_u64(info.Env(), info[1], "key"), to_u64(info.Env(), info[2], "value"));
    check_status(info.Env(), s);
    return Napi::String::New(info.Env(), mb::status_name(s));
  }

  Napi::Value Update(const Napi::CallbackInfo& info) {
    require_args(info, 3, "update(id, key, value)");
    auto map = lookup(info);
    mb::Status s = map->update(to_u64(info.Env(), info[1], "key"), to_u64(info.Env(), info[2], "value"));
    check_status(info.Env(), s);
    return Napi::Boolean::New(info.Env(), s == mb::Status::kOk);
  }

  Napi::Value Erase(const Napi::CallbackInfo& info) {
    require_args(info, 2, "erase(id, key)");
    auto map = lookup(info);
    mb::Status s = map->erase(to_u64(info.Env(), info[1], "key"));
    check_status(info.Env(), s);
    return Napi::Boolean::New(info.Env(), s == mb::Status::kOk);
  }

  // The batched forms: one crossing per batch (AnyMap::get_batch, ...).
  static Napi::BigUint64Array to_u64_array(Napi::Env env, const Napi::Value& v, const char* what) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array)
      throw_type(env, std::string(what) + " must be a BigUint64Array");
    return v.As<Napi::BigUint64Array>();
  }
  static Napi::BigUint64Array same_length(Napi::Env env, const Napi::Value& v, const char* what, std::size_t n) {
    Napi::BigUint64Array a = to_u64_array(env, v, what);
    if (a.ElementLength() != n) throw_range(env, std::string(what) + " must have as many elements as keys");
    return a;
  }
  // Scratch for the per-op statuses of one batch (this thread's; reused).
  static std::vector<mb::Status>& statuses(std::size_t n) {
    thread_local std::vector<mb::Status> s;
    s.resize(n);
    return s;
  }
  static std::uint64_t count_of(const std::vector<mb::Status>& s, mb::Status want) {
    return static_cast<std::uint64_t>(std::count(s.begin(), s.end(), want));
  }

  Napi::Value GetMany(const Napi::CallbackInfo& info) {
    require_args(info, 3, "getMany(id, keys: BigUint64Array, out: BigUint64Array)");
    Napi::Env env = info.Env();
    auto map = lookup(info);
    Napi::BigUint64Array keys = to_u64_array(env, info[1], "keys");
    Napi::BigUint64Array out = same_length(env, info[2], "out", keys.ElementLength());
    check_status(env, map->get_batch(keys.Data(), keys.ElementLength(), out.Data()));
    const std::uint64_t* v = out.Data();
    return u64(env, static_cast<std::uint64_t>(std::count_if(v, v + out.ElementLength(),
                                                             [](std::uint64_t x) { return x != mb::kReservedValue; })));
  }

  Napi::Value InsertMany(const Napi::CallbackInfo& info) {
    require_args(info, 3, "insertMany(id, keys: BigUint64Array, values: BigUint64Array)");
    Napi::Env env = info.Env();
    auto map = lookup(info);
    Napi::BigUint64Array keys = to_u64_array(env, info[1], "keys");
    Napi::BigUint64Array values = same_length(env, info[2], "values", keys.ElementLength());
    std::vector<mb::Status>& s = statuses(keys.ElementLength());
    check_status(env, map->insert_batch(keys.Data(), values.Data(), keys.ElementLength(), s.data()));
    if (const std::uint64_t full = count_of(s, mb::Status::kFull))
      throw_range(env, "map is full: " + std::to_string(full) + " of " + std::to_string(s.size()) +
                           " inserts found no free slot (the others were applied)");
    return u64(env, count_of(s, mb::Status::kInserted));
  }

  Napi::Value UpdateMany(const Napi::CallbackInfo& info) {
    require_args(info, 3, "updateMany(id, keys: BigUint64Array, values: BigUint64Array)");
    Napi::Env env = info.Env();
    auto map = lookup(info);
    Napi::BigUint64Array keys = to_u64_array(env, info[1], "keys");
    Napi::BigUint64Array values = same_length(env, info[2], "values", keys.ElementLength());
    std::vector<mb::Status>& s = statuses(keys.ElementLength());
    check_status(env, map->update_batch(keys.Data(), values.Data(), keys.ElementLength(), s.data()));
    return u64(env, count_of(s, mb::Status::kOk));
  }

  Napi::Value EraseMany(const Napi::CallbackInfo& info) {
    require_args(info, 2, "eraseMany(id, keys: BigUint64Array)");
    Napi::Env env = info.Env();
    auto map = lookup(info);
    Napi::BigUint64Array keys = to_u64_array(env, info[1], "keys");
    std::vector<mb::Status>& s = statuses(keys.ElementLength());
    check_status(env, map->erase_batch(keys.Data(), keys.ElementLength(), s.data()));
    return u64(env, count_of(s, mb::Status::kOk));
  }

  Napi::Value Size(const Napi::CallbackInfo& info) {
    require_args(info, 1, "size(id)");
    return u64(info.Env(), lookup(info)->size());
  }

  Napi::Value Pages(const Napi::CallbackInfo& info) {
    require_args(info, 1, "pages(id)");
    Napi::Env env = info.Env();
    const mb::alloc::Pages::Report r = lookup(info)->pages();
    Napi::Object o = Napi::Object::New(env);
    o.Set("hugePages", Napi::Boolean::New(env, r.huge_pages));
    o.Set("placedBytes", u64(env, r.placed_bytes));
    o.Set("advisedBytes", u64(env, r.advised_bytes));
    o.Set("hugeBackedBytes", r.huge_backed_known ? u64(env, r.huge_backed_bytes) : env.Null());
    o.Set("heapBytes", u64(env, r.heap_bytes));
    return o;
  }

  Napi::Value Capacity(const Napi::CallbackInfo& info) {
    require_args(info, 1, "capacity(id)");
    return u64(info.Env(), lookup(info)->capacity());
  }

  Napi::Value Diag(const Napi::CallbackInfo& info) {
    require_args(info, 1, "diagnostics(id)");
    Napi::Env env = info.Env();
    mb::Diagnostics d = lookup(info)->diagnostics();
    Napi::Object o = Napi::Object::New(env);
    o.Set("design", d.design);
    o.Set("entries", u64(env, d.entries));
    o.Set("capacity", u64(env, d.capacity));
    o.Set("tombstones", u64(env, d.tombstones));
    o.Set("rehashes", u64(env, d.rehashes));
    o.Set("loadFactor", Napi::Number::New(env, d.load_factor));
    o.Set("meanProbe", Napi::Number::New(env, d.mean_probe));
    o.Set("maxProbe", u64(env, d.max_probe));
    o.Set("tableBytes", u64(env, d.table_bytes));
    o.Set("keyBytes", u64(env, d.key_bytes));
    o.Set("migrations", u64(env, d.migrations));
    o.Set("migrationTicksTotal", u64(env, d.migration_ticks_total));
    o.Set("migrationTicksMax", u64(env, d.migration_ticks_max));
    if (!d.migration_ticks_each.empty()) o.Set("migrationTicksEach", u64_array(env, d.migration_ticks_each));
    o.Set("peakTableBytes", u64(env, d.peak_table_bytes));
    std::vector<std::uint64_t> probes(d.probes.counts, d.probes.counts + mb::ProbeHistogram::kBuckets);
    while (!probes.empty() && probes.back() == 0) probes.pop_back();
    o.Set("probeHistogram", u64_array(env, probes));
    if (!d.shard_entries.empty()) {
      o.Set("shardEntries", u64_array(env, d.shard_entries));
      o.Set("shardCapacity", u64_array(env, d.shard_capacity));
      o.Set("shardOps", u64_array(env, d.shard_ops));
      o.Set("shardContended", u64_array(env, d.shard_contended));
    }
    const mb::Design* design = mb::find_design(d.design);
    if (design && design->node_based) {
      o.Set("nodes", u64(env, d.nodes));
      o.Set("pooledNodes", u64(env, d.pooled_nodes));
    }
    if (design && design->snapshot_reads) {
      o.Set("promotions", u64(env, d.promotions));
      o.Set("misses", u64(env, d.misses));
      o.Set("dirtyCopies", u64(env, d.dirty_copies));
      o.Set("promotionTicksTotal", u64(env, d.promotion_ticks_total));
      o.Set("promotionTicksMax", u64(env, d.promotion_ticks_max));
      o.Set("dirtyCopyTicksTotal", u64(env, d.dirty_copy_ticks_total));
      o.Set("dirtyCopyTicksMax", u64(env, d.dirty_copy_ticks_max));
      o.Set("dirtyPending", Napi::Boolean::New(env, d.dirty_pending));
    }
    return o;
  }

  Napi::Value Prefill(const Napi::CallbackInfo& info) {
    require_args(info, 2, "prefill(id, keys)");
    auto map = lookup(info);
    std::uint64_t keys = to_count(info.Env(), info[1], "keys", 0, std::uint64_t{1} << 36);
    return u64(info.Env(), mb::prefill(*map, keys));
  }

  Napi::Value Verify(const Napi::CallbackInfo& info) {
    require_args(info, 4, "verify(id, keys, threads, readOnly)");
    Napi::Env env = info.Env();
    auto map = lookup(info);
    std::uint64_t keys = to_count(env, info[1], "keys", 0, std::uint64_t{1} << 36);
    auto threads = static_cast<std::uint32_t>(to_count(env, info[2], "threads", 1, mb::kMaxThreads));
    if (!info[3].IsBoolean()) throw_type(env, "readOnly must be a boolean");
    return Napi::String::New(env, mb::verify(*map, keys, threads, info[3].As<Napi::Boolean>().Value()));
  }

  // {dist, theta?, hotFraction?, hotOpFraction?} of `where`.
  static mb::Distribution to_distribution(Napi::Env env, Napi::Object w, const std::string& where) {
    mb::Distribution d;
    const int dist = mb::name_index(mb::kDistKindNames, to_string(env, w.Get("dist"), (where + ".dist").c_str()));
    if (dist < 0) throw_range(env, where + ".dist must be one of " + mb::name_list(mb::kDistKindNames));
    d.kind = static_cast<mb::DistKind>(dist);
    // Optional parameters: absent or undefined keeps the default, as in createMap.
    if (given(w, "theta")) d.theta = to_double(env, w.Get("theta"), (where + ".theta").c_str());
    if (given(w, "hotFraction"))
      d.hot_fraction = to_double(env, w.Get("hotFraction"), (where + ".hotFraction").c_str());
    if (given(w, "hotOpFraction"))
      d.hot_op_fraction = to_double(env, w.Get("hotOpFraction"), (where + ".hotOpFraction").c_str());
    return d;
  }

  static void to_mix(Napi::Env env, Napi::Value mix, std::uint32_t (&out)[mb::kOpKinds], const std::string& where) {
    if (!mix.IsArray() || mix.As<Napi::Array>().Length() != mb::kOpKinds)
      throw_type(env, where + " must be an array of " + std::to_string(mb::kOpKinds) + " weights [" +
                          mb::name_list(mb::kOpKindNames) + "]");
    for (std::uint32_t i = 0; i < mb::kOpKinds; ++i)
      out[i] = static_cast<std::uint32_t>(to_count(env, mix.As<Napi::Array>().Get(i), "mix weight", 0, 1000000));
  }

  // A BigUint64Array of at least coverage_words(keys) words (a stream coverage bitmap).
  static std::uint64_t* to_coverage_bitmap(Napi::Env env, Napi::Value v, std::uint64_t keys, const std::string& where) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array)
      throw_type(env, where + " must be a BigUint64Array");
    // Data() comes from napi_get_typedarray_info, which (unlike ArrayBuffer())
    // also accepts a view over a SharedArrayBuffer.
    auto a = v.As<Napi::BigUint64Array>();
    if (a.ElementLength() < mb::coverage_words(keys))
      throw_range(env, where + " must hold at least ceil(2 * keys / 64) words");
    return a.Data();
  }

  static mb::KeyType to_key_type(Napi::Env env, Napi::Value v, const std::string& where) {
    mb::KeyType t;
    const std::string bad = mb::parse_key_type(to_string(env, v, where.c_str()), &t);
    if (!bad.empty()) throw_range(env, bad);
    return t;
  }

  // keyType(text, keys?) -> { name, strings, minLength, maxLength, meanLength,
  // streamBytesPerOp, hash, hashPackage, available, error } — error is the
  // one-line reason when `keys` keys cannot be spelled (or strings are not built).
  Napi::Value KeyTypeInfo(const Napi::CallbackInfo& info) {
    require_args(info, 1, "keyType(text, keys?)");
    Napi::Env env = info.Env();
    const mb::KeyType t = to_key_type(env, info[0], "key type");
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t.name());
    o.Set("strings", t.strings());
    o.Set("minLength", u64(env, t.min_len));
    o.Set("maxLength", u64(env, t.max_len));
    o.Set("meanLength", Napi::Number::New(env, t.mean_len()));
    o.Set("streamBytesPerOp", Napi::Number::New(env, mb::stream_bytes_per_op(t)));
    o.Set("hash", t.strings() ? mb::kStringHashName : "murmur3-fmix64");
    o.Set("hashPackage", mb::kStringHashPackage);
    o.Set("available", !t.strings() || mb::kHaveStringKeys);
    std::string err;
    if (t.strings() && !mb::kHaveStringKeys)
      err = std::string("string keys need Debian package ") + mb::kStringHashPackage +
            ": npm run setup:peers, then rebuild";
    if (err.empty() && info.Length() > 1 && !info[1].IsUndefined())
      err = mb::validate_key_space(t, to_count(env, info[1], "keys", 1, std::uint64_t{1} << 36));
    o.Set("error", err.empty() ? env.Null() : Napi::String::New(env, err));
    return o;
  }

  // hashCost(keyType, keys, seed, seconds) -> { nsPerKey, meanBytes, keysHashed }:
  // the string hash's own cost over an arena of those keys (keys.h).
  Napi::Value HashCost(const Napi::CallbackInfo& info) {
    require_args(info, 4, "hashCost(keyType, keys, seed, seconds)");
    Napi::Env env = info.Env();
    const mb::KeyType t = to_key_type(env, info[0], "key type");
    if (!t.strings()) throw_range(env, "hashCost measures a string key type");
    if (!mb::kHaveStringKeys)
      throw_range(env, std::string("string keys need Debian package ") + mb::kStringHashPackage);
    const std::uint64_t keys = to_count(env, info[1], "keys", 1, std::uint64_t{1} << 36);
    const std::uint64_t seed = to_count(env, info[2], "seed", 0, 9007199254740991ULL);
    const double seconds = to_double(env, info[3], "seconds");
    if (!(seconds > 0 && seconds <= 10)) throw_range(env, "seconds must be in (0, 10]");
    if (std::string bad = mb::validate_key_space(t, keys); !bad.empty()) throw_range(env, bad);
    const mb::KeyArena arena(t, std::min<std::uint64_t>(keys, 1u << 16), seed);
    const mb::HashCost c = mb::measure_hash_cost(arena, seconds);
    Napi::Object o = Napi::Object::New(env);
    o.Set("nsPerKey", Napi::Number::New(env, c.ns_per_key));
    o.Set("meanBytes", Napi::Number::New(env, c.mean_bytes));
    o.Set("keysHashed", u64(env, c.keys_hashed));
    o.Set("checksum", Napi::BigInt::New(env, c.checksum));
    return o;
  }

  // keyWord(id, index) -> the map's key word of key index `index` (AnyMap::key_word).
  Napi::Value KeyWord(const Napi::CallbackInfo& info) {
    require_args(info, 2, "keyWord(id, index)");
    auto map = lookup(info);
    const std::uint64_t index = to_count(info.Env(), info[1], "index", 0, (std::uint64_t{1} << 58));
    return u64(info.Env(), map->key_word(index));
  }

  Napi::Value StreamPlan(const Napi::CallbackInfo& info) {
    require_args(info, 4, "streamPlan(mix, keys, threads, budgetBytes, bytesPerOp?)");
    Napi::Env env = info.Env();
    mb::WorkloadSpec w;
    to_mix(env, info[0], w.mix, "mix");
    w.keys = to_count(env, info[1], "keys", 1, std::uint64_t{1} << 36);
    auto threads = static_cast<std::uint32_t>(to_count(env, info[2], "threads", 1, mb::kMaxThreads));
    std::uint64_t budget = to_count(env, info[3], "budgetBytes", mb::kStreamBatch * mb::kOpBytes, 9007199254740991ULL);
    double bytes_per_op = mb::kOpBytes;
    if (info.Length() > 4 && !info[4].IsUndefined()) {
      bytes_per_op = to_double(env, info[4], "bytesPerOp");
      if (!(bytes_per_op >= 1 && bytes_per_op <= 1e6)) throw_range(env, "bytesPerOp must be in [1, 1e6]");
    }
    const mb::StreamPlan p = mb::default_stream_length(w, threads, budget, bytes_per_op);
    Napi::Object o = Napi::Object::New(env);
    o.Set("opsPerThread", u64(env, p.ops_per_thread));
    o.Set("idealPerThread", u64(env, p.ideal_per_thread));
    o.Set("capped", Napi::Boolean::New(env, p.capped));
    o.Set("readRangeShare", Napi::Number::New(env, mb::read_range_share(w.mix)));
    return o;
  }

  Napi::Value StreamCoverage(const Napi::CallbackInfo& info) {
    require_args(info, 2, "streamCoverage(bitmap: BigUint64Array, keys)");
    Napi::Env env = info.Env();
    std::uint64_t keys = to_count(env, info[1], "keys", 1, std::uint64_t{1} << 36);
    const mb::Coverage c = mb::count_coverage(to_coverage_bitmap(env, info[0], keys, "bitmap"), keys);
    Napi::Object o = Napi::Object::New(env);
    o.Set("present", u64(env, c.present));
    o.Set("miss", u64(env, c.miss));
    return o;
  }

  Napi::Value ExpectedCoverage(const Napi::CallbackInfo& info) {
    require_args(info, 3, "expectedCoverage({ dist, theta?, hotFraction?, hotOpFraction? }, keys, draws)");
    Napi::Env env = info.Env();
    const mb::Distribution d = to_distribution(env, to_object(env, info[0], "distribution"), "distribution");
    std::uint64_t keys = to_count(env, info[1], "keys", 1, std::uint64_t{1} << 36);
    const double draws = to_double(env, info[2], "draws");
    if (!(draws >= 0)) throw_range(env, "draws must be >= 0");
    return Napi::Number::New(env, mb::expected_coverage(d, keys, draws));
  }

  static mb::WorkerSpec to_worker_spec(Napi::Env env, Napi::Object o) {
    mb::WorkerSpec s;
    Napi::Object w = to_object(env, o.Get("workload"), "spec.workload");
    to_mix(env, w.Get("mix"), s.workload.mix, "spec.workload.mix");
    s.workload.dist = to_distribution(env, w, "spec.workload");
    s.workload.keys = to_count(env, w.Get("keys"), "spec.workload.keys", 1, std::uint64_t{1} << 36);
    s.workload.seed = to_count(env, w.Get("seed"), "spec.workload.seed", 0, 9007199254740991ULL);
    s.workload.thread_index = static_cast<std::uint32_t>(
        to_count(env, w.Get("threadIndex"), "spec.workload.threadIndex", 0, mb::kMaxThreads - 1));
    s.workload.stream_length =
        to_count(env, w.Get("streamLength"), "spec.workload.streamLength", mb::kStreamBatch, std::uint64_t{1} << 32);
    if (given(w, "coverage"))
      s.coverage = to_coverage_bitmap(env, w.Get("coverage"), s.workload.keys, "spec.workload.coverage");
    if (given(w, "partition")) {
      const int part =
          mb::name_index(mb::kPartitionNames, to_string(env, w.Get("partition"), "spec.workload.partition"));
      if (part < 0) throw_range(env, "spec.workload.partition must be one of " + mb::name_list(mb::kPartitionNames));
      s.workload.partition = static_cast<mb::Partition>(part);
    }
    if (given(w, "shards"))
      s.workload.shards = static_cast<std::uint32_t>(to_count(env, w.Get("shards"), "spec.workload.shards", 1, 65536));

    s.threads = static_cast<std::uint32_t>(to_count(env, o.Get("threads"), "spec.threads", 1, mb::kMaxThreads));
    if (s.workload.thread_index >= s.threads) throw_range(env, "spec.workload.threadIndex must be < spec.threads");
    s.workload.threads = s.threads;
    std::string bad = mb::validate(s.workload);
    if (!bad.empty()) throw_range(env, "spec.workload: " + bad);
    const int mode = mb::name_index(mb::kRunModeNames, to_string(env, o.Get("mode"), "spec.mode"));
    if (mode < 0) throw_range(env, "spec.mode must be one of " + mb::name_list(mb::kRunModeNames));
    s.mode = static_cast<mb::RunMode>(mode);
    s.sample_every = static_cast<std::uint32_t>(to_count(env, o.Get("sampleEvery"), "spec.sampleEvery", 1, 1u << 30));
    s.cpu = static_cast<int>(to_count(env, o.Get("cpu"), "spec.cpu", 0, 100000)) - 1;  // JS passes cpu + 1; 0 = none
    s.warmup_seconds = to_double(env, o.Get("warmupSeconds"), "spec.warmupSeconds");
    s.duration_seconds = to_double(env, o.Get("durationSeconds"), "spec.durationSeconds");
    s.gate_timeout_seconds = to_double(env, o.Get("gateTimeoutSeconds"), "spec.gateTimeoutSeconds");
    s.tsc_hz = to_double(env, o.Get("tscHz"), "spec.tscHz");
    if (s.warmup_seconds < 0 || s.duration_seconds <= 0 || s.gate_timeout_seconds <= 0 || s.tsc_hz < 0)
      throw_range(env, "spec durations must be positive (warm-up may be 0)");
    if (given(o, "ratePerSecond")) {
      s.rate_per_second = to_double(env, o.Get("ratePerSecond"), "spec.ratePerSecond");
      if (!(s.rate_per_second > 0 && s.rate_per_second <= 1e10))
        throw_range(env, "spec.ratePerSecond must be in (0, 1e10] ops per second");
      if (s.mode != mb::RunMode::kLatency) throw_range(env, "spec.ratePerSecond needs spec.mode latency");
    }
    if (given(o, "batch")) {
      s.batch = static_cast<std::uint32_t>(to_count(env, o.Get("batch"), "spec.batch", 1, mb::kStreamBatch));
      if ((s.batch & (s.batch - 1)) != 0) throw_range(env, "spec.batch must be a power of two in [1, 256]");
      if (s.batch > 1 && s.rate_per_second > 0) throw_range(env, "spec.batch needs the closed loop (no ratePerSecond)");
    }
    if (given(o, "seriesWindowSeconds")) {
      s.series_window_seconds = to_double(env, o.Get("seriesWindowSeconds"), "spec.seriesWindowSeconds");
      if (!(s.series_window_seconds > 0 && s.duration_seconds / s.series_window_seconds <= 1e6))
        throw_range(env, "spec.seriesWindowSeconds must be > 0 and cut the run into at most 1e6 windows");
    }
    return s;
  }

  Napi::Value RunWorker(const Napi::CallbackInfo& info) {
    require_args(info, 3, "runWorker(id, control: Int32Array over a SharedArrayBuffer, spec)");
    Napi::Env env = info.Env();
    auto map = lookup(info);  // held for the whole run: destroyMap cannot free it under us
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw_type(env, "control must be an Int32Array");
    Napi::Int32Array ctl_array = info[1].As<Napi::Int32Array>();
    if (ctl_array.ByteLength() < mb::kControlBytes) throw_range(env, "control must be at least controlBytes long");
    auto* ctl_ptr = reinterpret_cast<std::uint8_t*>(ctl_array.Data());
    if (reinterpret_cast<std::uintptr_t>(ctl_ptr) % 8 != 0) throw_range(env, "control must be 8-byte aligned");
    mb::WorkerSpec spec = to_worker_spec(env, to_object(env, info[2], "spec"));

    mb::WorkerResult r = map->run_worker(spec, *reinterpret_cast<mb::Control*>(ctl_ptr));

    Napi::Object o = Napi::Object::New(env);
    o.Set("ok", Napi::Boolean::New(env, r.ok));
    o.Set("error", Napi::String::New(env, r.error));
    o.Set("ops", u64(env, r.ops));
    o.Set("missedOps", u64(env, r.missed_ops));
    Napi::Object outcomes = Napi::Object::New(env);
    for (int i = 0; i < mb::kOutcomeCount; ++i) outcomes.Set(mb::kOutcomeNames[i], u64(env, r.outcomes[i]));
    o.Set("outcomes", outcomes);
    auto rel = [&](std::uint64_t t) {
      return Napi::Number::New(env, t == 0 ? 0.0 : static_cast<double>(static_cast<std::int64_t>(t - r.release_tsc)));
    };
    o.Set("releaseTsc", Napi::BigInt::New(env, r.release_tsc));
    o.Set("arriveTicks", rel(r.arrive_tsc));
    o.Set("goSeenTicks", rel(r.go_seen_tsc));
    o.Set("measureStartTicks", rel(r.measure_start_tsc));
    o.Set("measureEndTicks", rel(r.measure_end_tsc));
    o.Set("cpuStart", Napi::Number::New(env, r.cpu_start));
    o.Set("cpuEnd", Napi::Number::New(env, r.cpu_end));
    o.Set("threadId", Napi::Number::New(env, static_cast<double>(r.thread_id)));
    o.Set("checksum", Napi::BigInt::New(env, r.checksum));
    o.Set("generateSeconds", Napi::Number::New(env, r.generate_seconds));
    o.Set("streamOps", u64(env, r.stream_ops));
    o.Set("allocs", alloc_counts(env, r.allocs));
    if (r.latency) {
      Napi::Object lat = Napi::Object::New(env);
      for (int k = 0; k < mb::kLatencyKinds; ++k)
        lat.Set(mb::kLatencyKindNames[k], sparse_histogram(env, r.latency[k]));
      o.Set("latency", lat);
      o.Set("timerOverhead", sparse_histogram(env, r.timer_overhead));
      if (spec.batch > 1) o.Set("batchLatency", sparse_histogram(env, r.batch_latency));
    }
    if (spec.batch > 1) o.Set("batchPrefetch", Napi::Boolean::New(env, r.batch_prefetch));
    if (r.series.enabled()) {
      Napi::Object se = Napi::Object::New(env);
      Napi::Array ops = Napi::Array::New(env, r.series.ops.size());
      Napi::Array net = Napi::Array::New(env, r.series.net_inserts.size());
      Napi::Array max = Napi::Array::New(env, r.series.max_ticks.size());
      for (std::uint32_t i = 0; i < r.series.ops.size(); ++i) {
        ops.Set(i, u64(env, r.series.ops[i]));
        net.Set(i, Napi::Number::New(env, static_cast<double>(r.series.net_inserts[i])));
        max.Set(i, u64(env, r.series.max_ticks[i]));
      }
      se.Set("windowTicks", u64(env, r.series.window_ticks));
      se.Set("originTicks", rel(r.series.origin));
      se.Set("ops", ops);
      se.Set("netInserts", net);
      se.Set("maxTicks", max);
      o.Set("series", se);
    }
    if (spec.mode == mb::RunMode::kStats) {
      Napi::Object st = Napi::Object::New(env);
      st.Set("hitLookups", u64(env, r.stats.hit_lookups));
      st.Set("hitProbes", u64(env, r.stats.hit_probes));
      st.Set("hitMaxProbe", u64(env, r.stats.hit_max_probe));
      st.Set("missLookups", u64(env, r.stats.miss_lookups));
      st.Set("missProbes", u64(env, r.stats.miss_probes));
      st.Set("missMaxProbe", u64(env, r.stats.miss_max_probe));
      st.Set("casFailures", u64(env, r.stats.cas_failures));
      st.Set("contendedAcquisitions", u64(env, r.stats.contended_acquisitions));
      o.Set("stats", st);
    }
    return o;
  }

  // histogramSummary(histograms: Array<sparse>, percentiles: number[])
  //   -> { count, min, max, mean, percentiles: number[] }   (in ticks)
  Napi::Value HistogramSummary(const Napi::CallbackInfo& info) {
    require_args(info, 2, "histogramSummary(histograms, percentiles)");
    Napi::Env env = info.Env();
    if (!info[0].IsArray()) throw_type(env, "histograms must be an array");
    if (!info[1].IsArray()) throw_type(env, "percentiles must be an array");
    mb::Histogram merged;
    Napi::Array hs = info[0].As<Napi::Array>();
    for (std::uint32_t i = 0; i < hs.Length(); ++i) merged.merge(from_sparse(env, hs.Get(i)));
    Napi::Array ps = info[1].As<Napi::Array>();
    Napi::Array values = Napi::Array::New(env, ps.Length());
    for (std::uint32_t i = 0; i < ps.Length(); ++i) {
      double p = to_double(env, ps.Get(i), "percentile");
      if (p < 0 || p > 100) throw_range(env, "percentiles must be in [0, 100]");
      values.Set(i, Napi::Number::New(env, merged.percentile(p)));
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("count", u64(env, merged.count()));
    o.Set("min", u64(env, merged.min()));
    o.Set("max", u64(env, merged.max()));
    o.Set("mean", Napi::Number::New(env, merged.mean()));
    o.Set("percentiles", values);
    o.Set("histogram", sparse_histogram(env, merged));
    return o;
  }

  Napi::Value TscHz(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), mb::tsc::hz()); }

  // tscNow() -> the TSC now, on the clock of WorkerResult.releaseTsc (so the
  // main thread can place what it observes on the workers' time line).
  Napi::Value TscNow(const Napi::CallbackInfo& info) { return Napi::BigInt::New(info.Env(), mb::tsc::now()); }

  // timerOverhead(samples) -> sparse histogram (ticks) of the timing bracket
  // around an empty operation, as latency mode uses it.
  Napi::Value TimerOverhead(const Napi::CallbackInfo& info) {
    require_args(info, 1, "timerOverhead(samples)");
    auto samples = static_cast<std::uint32_t>(to_count(info.Env(), info[0], "samples", 1, 10000000));
    mb::Histogram h;
    mb::measure_timer_overhead(h, samples);
    return sparse_histogram(info.Env(), h);
  }

  Napi::Value AllocCounts(const Napi::CallbackInfo& info) {
    return alloc_counts(info.Env(), mb::alloc::process_counts());
  }

  Napi::Value Layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("cacheLine", u64(env, mb::kCacheLine));
    o.Set("pad", u64(env, mb::kPad));
    o.Set("slotsPerLine", u64(env, mb::kSlotsPerLine));
    o.Set("uses16ByteCas", Napi::Boolean::New(env, false));
    Napi::Object types = Napi::Object::New(env);
    for (const auto& e : mb::layouts()) {
      Napi::Object t = Napi::Object::New(env);
      t.Set("size", u64(env, e.size));
      t.Set("align", u64(env, e.align));
      types.Set(e.name, t);
    }
    o.Set("types", types);
    return o;
  }

  Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("compiler", "g++ " __VERSION__);
    o.Set("flags", MAPBENCH_CXX_FLAGS);
    o.Set("buildSystem", MAPBENCH_BUILD_SYSTEM);
    o.Set("pad", u64(env, mb::kPad));
#ifdef MAPBENCH_MARCH_NATIVE
    o.Set("marchNative", true);
#else
    o.Set("marchNative", false);
#endif
#ifdef MAPBENCH_DEBUG
    o.Set("debug", true);
#else
    o.Set("debug", false);
#endif
    o.Set("transparentHugePages", mb::alloc::transparent_huge_pages_mode());
    return o;
  }
};

}  // namespace

NODE_API_ADDON(Addon)
