// native.ts — the one place the addon is loaded, and the TypeScript shape
// of everything it exports (native/addon/addon.cc is the source of truth).
//
// The addon is a context-aware Node-API module: it loads in the main thread
// and in every worker_threads Worker, and maps live in a process-wide
// registry, so a map id created on one thread is usable from any other.
//
// Location: <package root>/build/Release/mapbench.node (node-gyp), where the
// package root is the nearest directory above this file holding
// package.json. MAPBENCH_ADDON overrides it: `cmake` picks the cmake-js build
// (build-cmake/Release/mapbench.node); anything else is a path to a .node
// file, absolute or relative to the package root.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CATALOGUE } from './catalogue.js';
import type { CatalogueDesign, NativeCatalogue } from './catalogue-render.js';

// ---- values crossing the boundary ----

/** Map ids are positive safe integers, never reused within a process. */
export type MapId = number;

/**
 * A 64-bit key or value: a bigint, or a non-negative safe-integer number.
 * Keys 0 and 1 and values above 2^63-3 are reserved sentinels (RangeError).
 */
export type U64 = bigint | number;

// The names below come from the native catalogue (src/catalogue.ts is
// generated from it): no list of designs or enum order is kept here.

/** Every design the source tree knows (peers present only when built). */
export type DesignName = (typeof CATALOGUE.designs)[number]['name'];
export type LockKind = (typeof CATALOGUE.lockKinds)[number];
/** A shard padding as users write it (`packed`, `64`, `128`). */
export type PadName = (typeof CATALOGUE.pads)[number]['name'];
export type PadBytes = (typeof CATALOGUE.pads)[number]['bytes'];

/**
 * One entry of designs() or catalogue().designs: the design's row of the
 * native catalogue, with its traits (see native/catalogue/catalogue.h).
 */
export interface DesignInfo extends CatalogueDesign {
  name: DesignName;
}

/** createMap's options. Optional fields may be omitted or undefined. */
export interface MapOptions {
  /** A name from designs(); an unknown name throws RangeError. */
  design: DesignName | (string & {});
  /** Integer in [1, 2^36]. */
  expectedEntries: number;
  /** In (0, 1); capacity = capacityFor(expectedEntries, loadFactor). */
  loadFactor: number;
  /** Sharded designs: a power of two in [1, 65536] (default 64). */
  shards?: number;
  /** Sharded designs: the lock of each shard (default mutex). */
  lock?: LockKind;
  /** Sharded designs: bytes per shard, 64 or 128, or 0 = packed (shards share lines); default: the build's pad. */
  pad?: PadBytes;
  /** madvise tables of 2 MiB or more onto huge pages (default true). */
  hugePages?: boolean;
  /**
   * Open-addressing designs (mutex, rwlock, spin, sharded, lockfree): first capacity in slots, all shards
   * (rounded up to whole lines, at least 8). Default 0: presized from expectedEntries / loadFactor.
   * Setting it or maxLoadFactor makes the map grow online; with neither, capacity is fixed as before.
   */
  initialCapacity?: number;
  /**
   * Open-addressing designs: the load (live entries plus tombstones) / capacity past which the map moves to
   * a new table (twice the capacity, or the same one when half its load is tombstones), in (0, 1).
   * Default 0: 0.75 when initialCapacity is set, else no growth. A presized map needs it >= loadFactor.
   */
  maxLoadFactor?: number;
  /**
   * The keys' type: `u64` (default), `str:N` (N bytes, 1..1024), `str:A-B` (lengths uniform in [A, B]),
   * `str:order`, `str:uuid`. A string-keyed map spells 2 × expectedEntries keys into its own arena from
   * keySeed; designs without a string form (DesignInfo.stringKeys false) throw RangeError.
   */
  keyType?: string;
  /** Seed of a string-keyed map's key arena, a safe integer >= 0 (default 0). */
  keySeed?: number;
}

/** keyType()'s answer: what a key type spells and how it is hashed. */
export interface KeyTypeInfo {
  /** The canonical name (`u64`, `str:16`, `str:4-12`, `str:order`, `str:uuid`). */
  name: string;
  strings: boolean;
  minLength: number;
  maxLength: number;
  meanLength: number;
  /** Bytes per replayed op of a thread's stream and key tape, for streamPlan's budget. */
  streamBytesPerOp: number;
  /** 'XXH3-64' for strings, 'murmur3-fmix64' for u64. */
  hash: string;
  /** The Debian package of the string hash. */
  hashPackage: string;
  /** False for string types when the build has no string keys. */
  available: boolean;
  /** One-line reason the asked number of keys cannot be spelled (or strings are not built); null when fine. */
  error: string | null;
}

/** hashCost()'s answer: the string hash's own cost per key (a calibration). */
export interface HashCostInfo {
  nsPerKey: number;
  meanBytes: number;
  keysHashed: number;
  checksum: bigint;
}

/** insert()'s outcome. */
export type InsertStatus = 'inserted' | 'assigned' | 'full';

export interface MapDiagnostics {
  design: string;
  /** Live keys. */
  entries: number;
  /** Slots, all shards. */
  capacity: number;
  /** Erased slots still occupying the table. */
  tombstones: number;
  /** In-place purges and growths. */
  rehashes: number;
  /** entries / capacity. */
  loadFactor: number;
  /** Mean probe length of a successful lookup. */
  meanProbe: number;
  maxProbe: number;
  tableBytes: number;
  /** String-keyed maps: bytes of the stored key records beyond tableBytes (0 for u64 keys). */
  keyBytes?: number;
  /** Table moves: growths and in-place rehashes (the locked tables' tombstone purges included). */
  migrations?: number;
  /**
   * TSC ticks spent in migrations, summed and the longest single one: lockfree from the successor's allocation (lockfree-freeze: the
   * draining CAS) to the last entry moved; locked and sharded tables the rehash under the lock.
   */
  migrationTicksTotal?: number;
  migrationTicksMax?: number;
  /** Every migration's ticks in the order they finished (lock-free designs; the first 4096). */
  migrationTicksEach?: number[];
  /** Most table bytes held at once: old + new during a move (sharded: each shard's peak, summed). */
  peakTableBytes?: number;
  /** probeHistogram[i] = stored keys found at probe length i + 1; trailing zeros trimmed. */
  probeHistogram: number[];
  /** Sharded designs only: one entry per shard. */
  shardEntries?: number[];
  shardCapacity?: number[];
  shardOps?: number[];
  shardContended?: number[];
  /** Node-based designs (chained, chained-pool, readmostly): nodes / entry cells reachable from the map. */
  nodes?: number;
  /** chained-pool: free nodes kept by the pool's per-thread lists (0 for the others). */
  pooledNodes?: number;
  /** readmostly: dirty maps promoted to the read snapshot. */
  promotions?: number;
  /** readmostly: lookups that missed the read snapshot since the last promotion. */
  misses?: number;
  /** readmostly: snapshots copied into a new dirty map (Go's dirtyLocked), on the first new key after a promotion. */
  dirtyCopies?: number;
  /** readmostly: TSC ticks under the mutex — promotions (the pointer swap) and dirty copies — summed and the longest. */
  promotionTicksTotal?: number;
  promotionTicksMax?: number;
  dirtyCopyTicksTotal?: number;
  dirtyCopyTicksMax?: number;
  /** readmostly: a dirty map holds keys the snapshot lacks (false in the steady state). */
  dirtyPending?: boolean;
}

/**
 * A sparse log-linear histogram (values in TSC ticks) as a flat array
 * [bucketIndex, count, bucketIndex, count, ...].
 */
export type SparseHistogram = number[];

/** Op weights in the native generator's order (CATALOGUE.opKinds: get, miss, update, insert, erase). */
export type OpMix = NumberPerName<typeof CATALOGUE.opKinds>;
/** A mutable tuple of numbers as long as the name tuple T (homomorphic over T, so it stays a tuple). */
type NumberPerName<T extends readonly unknown[]> = { -readonly [K in keyof T]: number };
export type OpKindName = (typeof CATALOGUE.opKinds)[number];
export type KeyDistribution = (typeof CATALOGUE.distributions)[number];
export type RunMode = (typeof CATALOGUE.runModes)[number];

/** One thread's workload. Optional parameters left out (or undefined) keep their defaults. */
export interface WorkloadSpec {
  /** Integer weights in [0, 1e6], [get, miss, update, insert, erase]. */
  mix: OpMix;
  dist: KeyDistribution;
  /** zipf: 0 < theta < 1 (default 0.99). */
  theta?: number;
  /** hotspot: fraction of keys that are hot, 0 < f < 1 (default 0.01). */
  hotFraction?: number;
  /** hotspot: fraction of ops that go to hot keys, 0 <= p <= 1 (default 0.9). */
  hotOpFraction?: number;
  /** Present (prefilled) keys, >= 1; miss ops use the next `keys` indices. */
  keys: number;
  /** Run seed, a safe integer >= 0; per-thread streams are derived from it. */
  seed: number;
  /** This thread's index, < WorkerSpec.threads. */
  threadIndex: number;
  /** Ops in the replayed stream: a multiple of 256, up to 2^32 (8 bytes each). */
  streamLength: number;
  /**
   * Optional: a bitmap over both key ranges (ceil(2 * keys / 64) words, over a
   * SharedArrayBuffer shared by the run's threads) in which generation marks
   * every index drawn; streamCoverage() counts it.
   */
  coverage?: BigUint64Array;
  /** Key partitioning among the WorkerSpec.threads threads (default none). */
  partition?: (typeof CATALOGUE.partitions)[number];
  /** partition 'shard': the sharded map's shard count (a power of two >= threads). */
  shards?: number;
}

/** streamPlan()'s answer: the default per-thread stream length (native default_stream_length). */
export interface StreamPlan {
  opsPerThread: number;
  /** What drawing 4 ops per key of the range the mix reads asks for, before the budget. */
  idealPerThread: number;
  /** The budget made the stream shorter than ideal. */
  capped: boolean;
  /** Share of the mix's ops that draw from the range whose coverage counts. */
  readRangeShare: number;
}

/**
 * What a map's page policy placed (native alloc::Pages::Report): every
 * design's large memory goes through one policy, chosen by
 * MapOptions.hugePages.
 */
export interface PagesReport {
  hugePages: boolean;
  /** Bytes of the mappings the policy holds for the map (tables, arrays, node batches; 2 MiB units). */
  placedBytes: number;
  /** Of those, madvise(MADV_HUGEPAGE)'d: all of them under hugePages, none otherwise. */
  advisedBytes: number;
  /** AnonHugePages of those mappings from /proc/self/smaps: what the kernel granted; null when unreadable. */
  hugeBackedBytes: number | null;
  /** Live blocks below 1 KiB that came from the heap (nodes). */
  heapBytes: number;
}

/** Distinct key indices marked in a coverage bitmap. */
export interface StreamCoverage {
  /** In [0, keys): the prefilled range. */
  present: number;
  /** In [keys, 2 * keys): the miss range. */
  miss: number;
}

export interface WorkerSpec {
  workload: WorkloadSpec;
  /** Threads meeting at the start gate, including this one. */
  threads: number;
  mode: RunMode;
  /** Latency mode: time one op in this many (>= 1). */
  sampleEvery: number;
  /** CPU to pin to, plus one; 0 = no pinning. */
  cpu: number;
  /** >= 0. */
  warmupSeconds: number;
  /** > 0. */
  durationSeconds: number;
  /** > 0: how long to wait at the gate for the other threads. */
  gateTimeoutSeconds: number;
  /** TSC frequency to use; 0 = calibrate in this call. */
  tscHz: number;
  /**
   * Latency mode: > 0 runs open loop at this many ops per second (this
   * thread), every op timed from its due time (coordinated-omission corrected).
   */
  ratePerSecond?: number;
  /** > 0: cut the measured phase into windows this long (ops and max latency per window). */
  seriesWindowSeconds?: number;
  /** Ops per batch, a power of two up to 256 (default 1: the per-op loop); closed loop only. */
  batch?: number;
}

/** Per-window figures of one thread's measured phase. */
export interface WorkerSeries {
  windowTicks: number;
  /** Start of window 0, ticks relative to releaseTsc (the same for every thread of a run). */
  originTicks: number;
  /** Ops completed in each window. */
  ops: number[];
  /** Keys added in each window: inserts of absent keys minus erases that removed one. */
  netInserts: number[];
  /** Longest timed op that ended in each window, ticks; 0 = none timed. */
  maxTicks: number[];
}

/** Per-thread counts of each replayed op's outcome (measured phase), by CATALOGUE.outcomes. */
export type OutcomeName = (typeof CATALOGUE.outcomes)[number];
export type Outcomes = Record<OutcomeName, number>;

export type LatencyKind = (typeof CATALOGUE.latencyKinds)[number];

/** Statistics-mode counters. */
export interface OpStats {
  hitLookups: number;
  hitProbes: number;
  hitMaxProbe: number;
  missLookups: number;
  missProbes: number;
  missMaxProbe: number;
  casFailures: number;
  contendedAcquisitions: number;
}

export interface AllocCounts {
  allocations: number;
  frees: number;
  bytesAllocated: number;
  bytesFreed: number;
}

export interface WorkerResult {
  ok: boolean;
  /** Empty when ok; else why the run failed (gate timeout, abort, bad pin, ...). */
  error: string;
  /** Ops replayed in the measured phase. */
  ops: number;
  /** Open loop: ops due in the measured phase that were not issued by its deadline (0 in closed loop). */
  missedOps?: number;
  outcomes: Outcomes;
  /** TSC at which the last thread opened the gate: the run's common origin. */
  releaseTsc: bigint;
  /** The following are TSC ticks relative to releaseTsc (0 = never reached). */
  arriveTicks: number;
  goSeenTicks: number;
  measureStartTicks: number;
  measureEndTicks: number;
  /** sched_getcpu() at start and end; -1 if never reached. */
  cpuStart: number;
  cpuEnd: number;
  /** OS thread id (gettid). */
  threadId: number;
  /** Sum of the values read, so the compiler cannot drop the gets. */
  checksum: bigint;
  generateSeconds: number;
  /** Ops in this thread's replayed stream. */
  streamOps: number;
  /** This thread's allocations during the measured phase. */
  allocs: AllocCounts;
  /** Latency mode only: one histogram per op kind. */
  latency?: Record<LatencyKind, SparseHistogram>;
  /** When spec.seriesWindowSeconds was given. */
  series?: WorkerSeries;
  /** Latency mode only: the timing bracket around an empty op. */
  timerOverhead?: SparseHistogram;
  /** spec.batch > 1: whether the map prefetched each batch (false: it ran op by op). */
  batchPrefetch?: boolean;
  /** Latency mode with spec.batch > 1: whole timed batches (latency's kinds hold each op's share, batch / N). */
  batchLatency?: SparseHistogram;
  /** Statistics mode only. */
  stats?: OpStats;
}

/** histogramSummary()'s answer; values in ticks. */
export interface HistogramSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** One value per requested percentile, in request order. */
  percentiles: number[];
  /** The merged histogram. */
  histogram: SparseHistogram;
}

/** A layout entry's name: each built design lists its own (DesignInfo.layouts). */
export type LayoutTypeName = string;

export interface TypeLayout {
  size: number;
  align: number;
}

export interface LayoutInfo {
  cacheLine: number;
  /** The build's padding unit, 64 or 128. */
  pad: number;
  slotsPerLine: number;
  uses16ByteCas: boolean;
  /** sizeof/alignof of each padded or line-packed type. */
  types: Record<LayoutTypeName, TypeLayout>;
}

export interface BuildInfo {
  compiler: string;
  /** The C++ flags the addon was compiled with. */
  flags: string;
  /** "node-gyp" or "cmake-js". */
  buildSystem: string;
  pad: number;
  marchNative: boolean;
  debug: boolean;
  transparentHugePages: 'always' | 'madvise' | 'never' | 'unavailable';
}

/**
 * Field indices of the Int32Array view over the control block
 * (a SharedArrayBuffer of `controlBytes`, zeroed, one per run).
 */
export const ControlField = Object.fromEntries(CATALOGUE.controlFields.map((name, i) => [name, i])) as {
  readonly [K in (typeof CATALOGUE.controlFields)[number]]: number;
};

/** Every export of build/Release/mapbench.node. Bad arguments throw TypeError / RangeError. */
export interface MapbenchAddon {
  /** The built designs, in catalogue order. */
  designs(): DesignInfo[];
  /** Every design of the source tree (built or not) and the enums' names in native order (src/catalogue.ts is its image). */
  catalogue(): NativeCatalogue;
  /** Slots for `entries` at `loadFactor`: ceil(entries / lf) in whole 64-byte lines, at least two. */
  capacityFor(entries: number, loadFactor: number): number;
  createMap(options: MapOptions): MapId;
  /** False if the id was unknown or already destroyed. Runs in progress keep their map alive. */
  destroyMap(id: MapId): boolean;
  liveMaps(): number;
  /** The value, or undefined if the key is absent. */
  get(id: MapId, key: U64): bigint | undefined;
  insert(id: MapId, key: U64, value: U64): InsertStatus;
  /** True if the key was present (and now holds `value`). */
  update(id: MapId, key: U64, value: U64): boolean;
  /** True if the key was present. */
  erase(id: MapId, key: U64): boolean;
  /**
   * Batched forms, one crossing per batch: each op is the single op, in order (maps that batch prefetch each
   * group first). getMany writes each key's value to out (same length), 2^64-1 when absent, and returns the
   * hits; insertMany returns the keys inserted new (RangeError when any found the table full, the others
   * applied); updateMany and eraseMany return how many applied. Wrong array types throw TypeError.
   */
  getMany(id: MapId, keys: BigUint64Array, out: BigUint64Array): number;
  insertMany(id: MapId, keys: BigUint64Array, values: BigUint64Array): number;
  updateMany(id: MapId, keys: BigUint64Array, values: BigUint64Array): number;
  eraseMany(id: MapId, keys: BigUint64Array): number;
  size(id: MapId): number;
  capacity(id: MapId): number;
  diagnostics(id: MapId): MapDiagnostics;
  /** The map's page policy and what it placed; reads /proc/self/smaps (milliseconds). */
  pages(id: MapId): PagesReport;
  /** Inserts the workload's key indices [0, keys); returns how many did not fit (0 on success). */
  prefill(id: MapId, keys: number): number;
  /** Checks a quiescent map after a run: '' when consistent, else the first violation. */
  verify(id: MapId, keys: number, threads: number, readOnly: boolean): string;
  /**
   * Runs one benchmark thread on this (worker) thread, blocking it until the
   * run ends. `control` is an Int32Array over a zeroed SharedArrayBuffer of at
   * least `controlBytes`, shared by the spec.threads threads of the run.
   */
  runWorker(id: MapId, control: Int32Array, spec: WorkerSpec): WorkerResult;
  /**
   * The default stream length per thread for a mix over `keys` keys, within `budgetBytes` for all threads;
   * bytesPerOp (default 8) is KeyTypeInfo.streamBytesPerOp for string keys, whose threads also hold key tapes.
   */
  streamPlan(mix: OpMix, keys: number, threads: number, budgetBytes: number, bytesPerOp?: number): StreamPlan;
  /** What a key type is; with `keys`, error says when that many keys (and as many misses) cannot be spelled. RangeError for unparsable text. */
  keyType(text: string, keys?: number): KeyTypeInfo;
  /** The string hash's cost per key over an arena of that key type, measured for `seconds` (in (0, 10]). */
  hashCost(keyType: string, keys: number, seed: number, seconds: number): HashCostInfo;
  /** The key word of key index `index` for that map (u64 maps: keyOf(index); string maps: index + 2). */
  keyWord(id: MapId, index: number): number;
  /** Counts a coverage bitmap filled by runWorker (WorkloadSpec.coverage). */
  streamCoverage(bitmap: BigUint64Array, keys: number): StreamCoverage;
  /** Expected fraction of `keys` indices that `draws` draws from the distribution touch. */
  expectedCoverage(
    dist: { dist: KeyDistribution; theta?: number; hotFraction?: number; hotOpFraction?: number },
    keys: number,
    draws: number,
  ): number;
  /** Merges sparse histograms and reads percentiles (each in [0, 100]) from the merge. */
  histogramSummary(histograms: readonly (readonly number[])[], percentiles: readonly number[]): HistogramSummary;
  /** Calibrated TSC frequency. */
  tscHz(): number;
  /** The TSC now: the clock of WorkerResult.releaseTsc. */
  tscNow(): bigint;
  /** Sparse histogram (ticks) of the latency-mode timing bracket around nothing. */
  timerOverhead(samples: number): SparseHistogram;
  /** Process-wide allocation counters. */
  allocCounts(): AllocCounts;
  layout(): LayoutInfo;
  buildInfo(): BuildInfo;
  /** Bytes of the shared control block runWorker needs. */
  readonly controlBytes: number;
}

// ---- the workload's key space (mirrors native/runtime/workload.h) ----

const KEY_MASK = (1n << 61n) - 1n;

/**
 * The key of key index `index`: native key_of(), a bijective mixer on 61-bit
 * words (a splitmix64-style finaliser on index + 1), so keys stay below 2^61
 * and an op word holds key << 3 | kind. prefill(id, n) inserts keyOf(i) for
 * i in [0, n); workload `miss` ops use indices [n, 2n). Never 0 or 1 for any
 * index below 2^58.
 */
export function keyOf(index: number | bigint): bigint {
  let z = (BigInt(index) + 1n) & KEY_MASK;
  z ^= z >> 31n;
  z = (z * 0xbf58476d1ce4e5b9n) & KEY_MASK;
  z ^= z >> 29n;
  z = (z * 0x94d049bb133111ebn) & KEY_MASK;
  return z ^ (z >> 32n);
}

/** The value prefill stores under `key` (native value_of()). */
export function prefillValueOf(key: bigint): bigint {
  return key >> 2n;
}

const FUNCTIONS: readonly (keyof MapbenchAddon)[] = [
  'designs', 'catalogue', 'capacityFor', 'createMap', 'destroyMap', 'liveMaps', 'get', 'insert', 'update', 'erase', 'size',
  'capacity', 'diagnostics', 'pages', 'prefill', 'verify', 'runWorker', 'streamPlan', 'keyType', 'hashCost', 'keyWord', 'streamCoverage', 'expectedCoverage', 'histogramSummary', 'tscHz', 'tscNow', 'timerOverhead',
  'allocCounts', 'layout', 'buildInfo',
];

// ---- loading ----

/** The nearest directory at or above `start` that holds a package.json. */
function findPackageRoot(start: string): string {
  for (let dir = start; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`mapbench: no package.json found above ${start}`);
    dir = parent;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The directory holding mapbench's package.json. */
export const packageRoot: string = findPackageRoot(here);

function addonLocation(root: string): string {
  const override = process.env['MAPBENCH_ADDON'];
  if (override === undefined || override === '') return join(root, 'build', 'Release', 'mapbench.node');
  if (override === 'cmake') return join(root, 'build-cmake', 'Release', 'mapbench.node');
  return isAbsolute(override) ? override : resolve(root, override);
}

/** The .node file this process loaded. */
export const addonPath: string = addonLocation(packageRoot);

function load(path: string): MapbenchAddon {
  if (!existsSync(path)) {
    const how = process.env['MAPBENCH_ADDON']
      ? 'check MAPBENCH_ADDON, or run `npm run build:cmake` for the cmake-js build'
      : 'run `npm install` (or `npm run build`) to build it';
    throw new Error(`mapbench: native addon not found at ${path}; ${how}`);
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`mapbench: cannot load the native addon at ${path} (${why}); rebuild it with \`npm run build\``, {
      cause: e,
    });
  }
  const obj = loaded as Record<string, unknown>;
  const missing = FUNCTIONS.filter((name) => typeof obj[name] !== 'function');
  if (typeof obj['controlBytes'] !== 'number') missing.push('controlBytes');
  if (missing.length > 0) {
    throw new Error(
      `mapbench: the native addon at ${path} is stale (missing ${missing.join(', ')}); rebuild it with \`npm run build\``,
    );
  }
  return loaded as MapbenchAddon;
}

/** The addon, loaded once per isolate (main thread or worker). */
export const addon: MapbenchAddon = load(addonPath);
