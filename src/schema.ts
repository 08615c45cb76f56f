// The results schema: defined once here (zod), used by the writer, every
// reader (compare, report) and the tests. Types are inferred from the
// schema, so the runtime validator and the static types cannot drift.
//
// Version history lives in results/README.md. Bump SCHEMA_VERSION on any
// change a reader of the previous version would misread.
import { z } from 'zod';

import { CATALOGUE } from './catalogue.js';
import type { PadBytes } from './native.js';

export const SCHEMA_VERSION = 3;
/** Older versions this reader upgrades on load (see upgrade()). */
const READABLE_VERSIONS = [1, 2, 3];
export const RESULT_KIND = 'mapbench.results';
/**
 * The programs that write result files: `npm run bench` (src/cli/bench.ts) and the runner without Node
 * (bench/native/mapbench_native.cc). A file without `generator` was written by mapbench.
 */
export const GENERATORS = ['mapbench', 'mapbench_native'] as const;

const nonNeg = z.number().nonnegative();
const count = z.number().int().nonnegative();

/** Median and spread of one metric over raw repeats. */
export const Summary = z.object({
  median: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** (max - min) / median, in percent. */
  spreadPct: z.number(),
  /** Sample standard deviation / mean, in percent (0 for one repeat). */
  cvPct: z.number(),
  n: count,
});
export type Summary = z.infer<typeof Summary>;

export const LatencyStats = z.object({
  count: count,
  meanNs: nonNeg,
  minNs: nonNeg,
  p50Ns: nonNeg,
  p90Ns: nonNeg,
  p99Ns: nonNeg,
  p999Ns: nonNeg,
  p9999Ns: nonNeg,
  maxNs: nonNeg,
  /** HdrHistogram-style curve: value at percentile 100·(1 − 2^−k). */
  curve: z.array(z.object({ percentile: z.number(), ns: nonNeg })),
});
export type LatencyStats = z.infer<typeof LatencyStats>;

/** Native kLatencyKindNames and kOutcomeNames, in their order (src/catalogue.ts). */
export const LATENCY_KINDS = CATALOGUE.latencyKinds;
export const OUTCOMES = CATALOGUE.outcomes;
export const Outcomes = z.object(Object.fromEntries(OUTCOMES.map((o) => [o, count])) as Record<(typeof OUTCOMES)[number], typeof count>);

export const ThreadRecord = z.object({
  threadIndex: count,
  ops: count,
  opsPerSec: nonNeg,
  /** CPU the thread was on at start and end of its run (sched_getcpu). */
  cpuStart: z.number().int(),
  cpuEnd: z.number().int(),
  /** CPU it was asked to pin to, or null. */
  cpuPinned: z.number().int().nullable(),
  threadId: z.number().int(),
  /** When this thread saw the gate open, relative to the release, ns. */
  goSeenNs: z.number(),
  generateSeconds: nonNeg,
});

/** Per-window figures of a repeat's measured phase, merged over its threads. */
export const SeriesRecord = z.object({
  windowSeconds: z.number().positive(),
  /** Ops completed in each window, all threads, as a rate. */
  opsPerSec: z.array(nonNeg),
  /**
   * Keys added in each window, all threads: inserts of absent keys minus erases that removed one (closed loop:
   * counted per batch of ops, like opsPerSec). The prefill's entries plus their running sum are the entries over
   * time. Absent in files from before it was counted.
   */
  netInserts: z.array(z.number().int()).optional(),
  /** Longest timed op ending in each window, any thread; null where no op was timed. */
  maxLatencyNs: z.array(nonNeg.nullable()),
});
export type SeriesRecord = z.infer<typeof SeriesRecord>;

/** The map's diagnostics read by the main thread while the workers ran. */
export const DiagnosticSample = z.object({
  /** Seconds from the start of the measured phase (negative: read during stream generation or warm-up). */
  tSeconds: z.number(),
  entries: count,
  capacity: count,
  tombstones: count,
  rehashes: count,
  loadFactor: nonNeg,
  meanProbe: nonNeg,
});
export type DiagnosticSample = z.infer<typeof DiagnosticSample>;

/** One repeat of one pass (throughput or latency) of a cell. */
export const RepeatRecord = z.object({
  repeat: count,
  pass: z.enum(['throughput', 'latency', 'stats']),
  opsPerSec: nonNeg,
  ops: count,
  windowSeconds: nonNeg,
  /** max − min of the threads' gate-release observations, ns. */
  startSkewNs: nonNeg,
  /**
   * max − min of the threads' measured-window starts, ns. Deadlines are
   * shared, so a thread that sees the gate late only loses warm-up; this is
   * the skew that matters for the figures.
   */
  windowSkewNs: nonNeg,
  allocationsPerOp: nonNeg,
  bytesPerOp: nonNeg,
  outcomes: Outcomes,
  threads: z.array(ThreadRecord),
  /** Load factor after prefill and at the end of the run (entries / capacity). */
  prefillLoadFactor: nonNeg,
  endLoadFactor: nonNeg,
  endEntries: count,
  /** Post-run correctness check; null when not applicable (pseudo maps). */
  check: z.object({ ok: z.boolean(), message: z.string() }).nullable(),
  /** Latency pass only: per kind and overall, merged across threads. */
  latency: z.record(z.string(), LatencyStats).optional(),
  /** Open-loop cells: the rate offered (all threads); opsPerSec is what was achieved. */
  offeredOpsPerSec: nonNeg.optional(),
  /** --batch cells above 1: whether the map prefetched each batch (false: it ran the batch op by op). */
  batchPrefetch: z.boolean().optional(),
  /**
   * Open-loop cells: ops that fell due in the measured phase but were not issued by its deadline (all
   * threads); ops + missedOps is what the schedule held. Absent in files from before it was counted.
   */
  missedOps: count.optional(),
  series: SeriesRecord.optional(),
  samples: z.array(DiagnosticSample).optional(),
  /**
   * Measured ops / ops in the threads' streams: how many times the measured
   * phase replayed its stream (summed over threads, divided by their
   * stream ops together). Absent in files before version 3.
   */
  streamWraps: nonNeg.optional(),
  /** Maps that can grow: what growth did during this run (prefill included). */
  growth: z
    .object({
      migrations: count,
      /** The longest single migration (table install to last entry moved) and their sum, ns. */
      migrationMaxNs: nonNeg,
      migrationTotalNs: nonNeg,
      /** Every migration's duration in the order they finished, ns (lock-free designs; the first 4096). */
      migrationNs: z.array(nonNeg).optional(),
      /** Table memory high-water mark: old and new tables together during a move. */
      peakTableBytes: count,
      endCapacity: count,
    })
    .optional(),
  /**
   * Snapshot-read maps (readmostly): the state prefill left (dirtyAfterPrefill false = promoted, the
   * steady state) and what the run did: promotions and dirty copies (counts and summed time under the
   * map's mutex less prefill's; the longest since the map was made). Absent in files from before it was recorded.
   */
  snapshot: z
    .object({
      dirtyAfterPrefill: z.boolean(),
      promotionsAtPrefill: count,
      promotions: count,
      promotionMaxNs: nonNeg,
      promotionTotalNs: nonNeg,
      dirtyCopies: count,
      dirtyCopyMaxNs: nonNeg,
      dirtyCopyTotalNs: nonNeg,
    })
    .optional(),
  checksum: z.string(),
});
export type RepeatRecord = z.infer<typeof RepeatRecord>;

export const CellParams = z.object({
  map: z.string(),
  design: z.string(),
  lock: z.string().nullable(),
  shards: z.number().int().nullable(),
  threads: z.number().int().positive(),
  cpus: z.array(z.number().int().nonnegative()).nullable(),
  loadFactor: z.number(),
  keys: z.number().int().positive(),
  mix: z.string(),
  /** Weights [get, miss, update, insert, erase]. */
  mixWeights: z.array(count).length(CATALOGUE.opKinds.length),
  dist: z.string(),
  /** Key partitioning among the threads (workload.h); absent = none, every thread draws from every key. */
  partition: z.enum(['thread', 'shard']).optional(),
  /**
   * The keys' type (--key-type) when it is a string type (`str:16`, `str:4-12`, `str:order`, `str:uuid`);
   * absent = u64 (as in every file from before key types). The cell key names it only when it is set.
   */
  keyType: z.string().optional(),
  /** Sharded maps picked with a pad in their label (`sharded:spin:packed`): 0 = packed, else bytes per shard. */
  pad: z.union(CATALOGUE.pads.map((p) => z.literal(p.bytes)) as unknown as [z.ZodLiteral<PadBytes>, z.ZodLiteral<PadBytes>]).nullable().optional(),
  /** Open-loop cells: offered ops per second, all threads. */
  rate: z.number().positive().nullable().optional(),
  /** --batch cells: ops per batch (1 = the per-op loop, named in the key because --batch was given). */
  batch: z.number().int().positive().optional(),
  /** Fraction of the keys prefilled, when not all of them. */
  prefill: z.number().min(0).max(1).optional(),
  /** Growing maps: slots at creation, and the load past which they grow. */
  initialCapacity: count.optional(),
  maxLoadFactor: z.number().optional(),
});
export type CellParams = z.infer<typeof CellParams>;

export const StatsRecord = z.object({
  hitLookups: count,
  meanProbeHit: nonNeg,
  maxProbeHit: count,
  missLookups: count,
  meanProbeMiss: nonNeg,
  maxProbeMiss: count,
  casFailuresPerOp: nonNeg,
  contendedPerOp: nonNeg,
  /** Sharded maps: ops per shard (warm-up included) and their skew. */
  shardOps: z.array(count).optional(),
  shardSkew: z
    .object({ maxOverMean: nonNeg, cv: nonNeg, hottestShare: nonNeg, hottestShard: count })
    .optional(),
});
export type StatsRecord = z.infer<typeof StatsRecord>;

/**
 * A map's page policy and what it got (native alloc::Pages::Report): every
 * design's large memory — tables, shard tables, bucket arrays, node
 * batches, snapshots, and peer libraries' arrays through their allocators —
 * is placed by one policy.
 */
export const PagesRecord = z.object({
  hugePages: z.boolean(),
  /** Bytes of mappings the policy holds for the map (whole 2 MiB units). */
  placedBytes: count,
  /** Of those, madvise(MADV_HUGEPAGE)'d. */
  advisedBytes: count,
  /** AnonHugePages of those mappings as /proc/self/smaps reports them; null when unreadable. */
  hugeBackedBytes: count.nullable(),
  /** Live small blocks (nodes) from the heap, outside the policy. */
  heapBytes: count,
});
export type PagesRecord = z.infer<typeof PagesRecord>;

export const MapInfo = z.object({
  capacity: count,
  prefillEntries: count,
  /** Heap bytes the map holds after prefill, per entry (counting allocator). */
  bytesPerEntry: nonNeg,
  tableBytes: count,
  /**
   * String-keyed cells: bytes of the stored key records beyond tableBytes, right after prefill (absent for
   * u64 keys, which have none). bytesPerEntry, from the counting allocator, includes them.
   */
  keyBytes: count.optional(),
  /** Files before version 3: whether any table was madvise'd (an OR over shards at prefill). */
  hugePagesAdvised: z.boolean().optional(),
  /** What the map's page policy placed right after prefill of the first repeat (absent before version 3). */
  pages: PagesRecord.optional(),
  /** Process memory on transparent huge pages after prefill (null: unknown). */
  anonHugePagesBytes: count.nullable(),
  prefillSeconds: nonNeg,
  /** Diagnostics snapshot right after prefill of the first repeat. */
  meanProbe: nonNeg,
  maxProbe: count,
  probeHistogram: z.array(count),
  shardEntries: z.array(count).optional(),
});

/**
 * Counters from `npm run profile`'s perf stat run of this cell (absent from
 * bench results). Counts cover that whole process, start-up included.
 */
export const PerfStatRecord = z.object({
  perfVersion: z.string(),
  scope: z.string(),
  commandLine: z.array(z.string()),
  events: z.array(
    z.object({
      event: z.string(),
      /** null when not supported or not counted. */
      value: z.number().nullable(),
      /** perf's unit: "msec" for task-clock, "" for counts. */
      unit: z.string(),
      status: z.enum(['counted', 'not supported', 'not counted']),
      runningPct: z.number().nullable(),
    }),
  ),
});
export type PerfStatRecord = z.infer<typeof PerfStatRecord>;

/**
 * What the cell's op streams hold, counted exactly at generation (a bitmap
 * over both key ranges) in its first pass; every repeat replays the same
 * streams (one seed). `coverage` is distinct keys of the range the mix reads
 * (the prefilled range, or the miss range for a miss-only mix) over the
 * key count.
 */
export const StreamRecord = z.object({
  opsPerThread: count,
  /** What the default length asks for (4 draws per key over all threads), before the budget. */
  idealOpsPerThread: count,
  /** The length came from --stream-length rather than the default. */
  given: z.boolean(),
  /** The --stream-budget made the default length shorter than ideal. */
  budgetCapped: z.boolean(),
  distinctKeys: count,
  distinctMissKeys: count,
  coverage: nonNeg,
  /** What the key distribution gives at the ideal length (the expectation, not a count). */
  expectedCoverageAtIdeal: nonNeg,
});
export type StreamRecord = z.infer<typeof StreamRecord>;

export const CellRecordOk = z.object({
  key: z.string(),
  status: z.literal('ok'),
  params: CellParams,
  map: MapInfo,
  /** Absent in files before version 3. */
  stream: StreamRecord.optional(),
  repeats: z.array(RepeatRecord),
  summary: z.object({
    opsPerSec: Summary.optional(),
    latencyOpsPerSec: Summary.optional(),
    allocationsPerOp: nonNeg,
    bytesPerOp: nonNeg,
    /** Overall latency merged over all latency repeats. */
    latency: z.record(z.string(), LatencyStats).optional(),
    endLoadFactor: nonNeg,
  }),
  stats: StatsRecord.optional(),
  /** RSS and JS heap before the first and after the last pass; a file from mapbench_native (no JS heap) has no heap fields. */
  memory: z.object({ rssBeforeBytes: count, rssAfterBytes: count, heapBeforeBytes: count.optional(), heapAfterBytes: count.optional() }),
  timerOverheadNs: z.object({ p50: nonNeg, mean: nonNeg }).optional(),
  perfStat: PerfStatRecord.optional(),
  /**
   * Runs whose figures are kept although they still failed a fidelity check
   * (--max-skew) after their reruns; absent or empty: none did. A cell with
   * any is unreliable: its data are real, its noise beyond what the run allowed.
   */
  unreliable: z.array(z.object({ repeat: count, pass: z.enum(['throughput', 'latency', 'stats']), reason: z.string() })).optional(),
  /** --repeat auto: how the cell's repeats ended (absent with a fixed count and before this field existed). */
  precision: z
    .object({
      repeats: z.number().int().positive(),
      /** Half-width of the interval of the median throughput reached, % of the median (the larger side); null: too few repeats for one. */
      ciPct: z.number().nonnegative().nullable(),
      /** Its confidence level (0.95) and the coverage order statistics give it exactly. */
      level: z.number(),
      coverage: z.number().nullable(),
      targetCiPct: z.number().positive(),
      /** What ended the repeats: the target reached, the --max-cell-time spent, or the most repeats allowed. */
      stoppedBy: z.enum(['target', 'time', 'maxRepeats']),
      /** Wall time of the cell's measured passes (prefill, threads, checks; not the statistics pass). */
      seconds: z.number().nonnegative(),
    })
    .optional(),
});
export const CellRecordFailed = z.object({
  key: z.string(),
  status: z.literal('failed'),
  params: CellParams,
  error: z.string(),
  repeats: z.array(RepeatRecord),
});
export const CellRecordSkipped = z.object({
  key: z.string(),
  status: z.literal('skipped'),
  params: CellParams,
  reason: z.string(),
});
export const CellRecord = z.discriminatedUnion('status', [CellRecordOk, CellRecordFailed, CellRecordSkipped]);
export type CellRecord = z.infer<typeof CellRecord>;
export type CellRecordOk = z.infer<typeof CellRecordOk>;

/** True when an ok cell kept runs that failed a fidelity check (see CellRecordOk.unreliable). */
export function isUnreliable(c: CellRecord): boolean {
  return c.status === 'ok' && (c.unreliable?.length ?? 0) > 0;
}

export const WarningRecord = z.object({
  code: z.string(),
  message: z.string(),
  advice: z.string(),
  cellKey: z.string().optional(),
  /** How bad this instance is, in the code's own unit (spread %, interval %, skew ns); higher is worse. Absent in older files. */
  severity: z.number().optional(),
});
export type WarningRecord = z.infer<typeof WarningRecord>;

export const Environment = z.object({
  hostname: z.string(),
  platform: z.string(),
  kernel: z.string(),
  cpuModel: z.string(),
  logicalCores: count,
  /** Cache sizes from /sys (e.g. { L1d: "48K", L2: "2048K" }). */
  caches: z.record(z.string(), z.string()),
  memoryBytes: count,
  loadAverage: z.array(z.number()),
  tscHz: nonNeg,
  /**
   * The TSC flags of /proc/cpuinfo: an invariant TSC (both true) ticks at one rate on every core in every
   * power state, which deadlines, latencies and cross-thread order rely on. Null when they could not be
   * read; absent in files from builds before it was recorded.
   */
  tscInvariant: z.object({ constantTsc: z.boolean(), nonstopTsc: z.boolean() }).nullable().optional(),
  /** Node and V8 versions; absent in files from mapbench_native, which runs without Node. */
  node: z.string().optional(),
  v8: z.string().optional(),
  build: z.object({
    compiler: z.string(),
    flags: z.string(),
    buildSystem: z.string(),
    pad: count,
    marchNative: z.boolean(),
    debug: z.boolean(),
    transparentHugePages: z.string(),
  }),
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  commandLine: z.array(z.string()),
  timerOverheadNs: z.object({ p50: nonNeg, mean: nonNeg }),
  /** The peer maps this build holds, with their libraries' versions (absent in files from builds before peers). */
  peers: z
    .array(
      z.object({
        map: z.string(),
        /** The Debian package that provides the library. */
        package: z.string(),
        /** Its installed version from the package manager (dpkg), or null when unknown. */
        packageVersion: z.string().nullable(),
        /** The version the library's headers declare ('' when they declare none). */
        libraryVersion: z.string(),
      }),
    )
    .optional(),
});
export type Environment = z.infer<typeof Environment>;

export const ResolvedConfigSchema = z.object({
  maps: z.array(z.string()),
  threads: z.array(z.number().int().positive()),
  cpus: z.array(z.number().int().nonnegative()).nullable(),
  loadFactors: z.array(z.number()),
  keys: z.array(z.number().int().positive()),
  mixes: z.array(z.object({ name: z.string(), weights: z.array(count).length(CATALOGUE.opKinds.length) })),
  dists: z.array(z.string()),
  /** --partition (absent in files from before it: none). */
  partitions: z.array(z.enum(['none', 'thread', 'shard'])).optional(),
  /** --key-type, when it names a string type (absent: u64 alone, as in files from before it). */
  keyTypes: z.array(z.string()).optional(),
  shards: z.array(z.number().int().positive()),
  rates: z.array(z.number().positive()).nullable().optional(),
  /** --batch: ops per batch, one cell per size; absent = the per-op loop. */
  batches: z.array(z.number().int().positive()).optional(),
  seriesWindowSeconds: z.number().positive().nullable().optional(),
  sampleDiagnosticsSeconds: z.number().positive().nullable().optional(),
  prefill: z.number().min(0).max(1).optional(),
  initialCapacity: count.nullable().optional(),
  maxLoadFactor: z.number().nullable().optional(),
  durationSeconds: z.number().positive(),
  warmupSeconds: nonNeg,
  /** Repeats per cell; with `adaptive`, the minimum. */
  repeat: z.number().int().positive(),
  /** --repeat auto's stopping rule (absent: a fixed count). */
  adaptive: z
    .object({ targetCiPct: z.number().positive(), maxCellSeconds: z.number().positive(), minRepeats: z.number().int().positive(), maxRepeats: z.number().int().positive() })
    .optional(),
  mode: z.enum(['throughput', 'latency', 'both']),
  sampleEvery: z.number().int().positive(),
  stats: z.boolean(),
  seed: z.number().int().nonnegative(),
  interleave: z.boolean(),
  hugePages: z.boolean(),
  /** null: derived per cell (see StreamRecord); a number before version 3 or when given. */
  streamLength: z.number().int().positive().nullable(),
  streamBudgetBytes: count.optional(),
  gateTimeoutSeconds: z.number().positive(),
  maxSkew: z.number().positive().max(1),
  /** --strict: unreliable cells fail the run (absent in files from before the flag: false). */
  strict: z.boolean().optional(),
  out: z.string(),
});
export type ResolvedConfigRecord = z.infer<typeof ResolvedConfigSchema>;

/**
 * The string hash's own cost per key, measured once per run before the cells (addon hashCost over an
 * arena of that key type): a calibration like the floor and null rows, to set beside each map's ns/op.
 */
export const HashCostRecord = z.object({
  /** The hash ('XXH3-64'). */
  hash: z.string(),
  nsPerKey: nonNeg,
  /** Mean key length of the arena hashed, bytes. */
  meanBytes: nonNeg,
  keysHashed: count,
  /** How long it was measured. */
  seconds: z.number().positive(),
});
export type HashCostRecord = z.infer<typeof HashCostRecord>;

export const ResultFile = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  kind: z.literal(RESULT_KIND),
  /** Which program wrote the file (absent: mapbench, as in every file from before the field). */
  generator: z.enum(GENERATORS).optional(),
  status: z.enum(['running', 'complete', 'interrupted']),
  startedAt: z.string(),
  updatedAt: z.string(),
  environment: Environment,
  config: ResolvedConfigSchema,
  warnings: z.array(WarningRecord),
  /** Set when the run was a named scenario (`--scenario NAME`). */
  scenario: z.string().optional(),
  /** Measurements of the machine taken once per run, beside the cells; absent when none was taken (and in older files). */
  calibration: z
    .object({
      /** Per string key type of the run (by its name): the hash's cost per key. */
      hashCost: z.record(z.string(), HashCostRecord).optional(),
    })
    .optional(),
  cells: z.array(CellRecord),
}).superRefine((doc, ctx) => {
  // Only the runner without Node may leave out what only Node can know.
  if (doc.generator === 'mapbench_native') return;
  const missing = (path: Array<string | number>) =>
    ctx.addIssue({ code: 'custom', path, message: 'required in files written by mapbench (absent only in files from mapbench_native)' });
  if (doc.environment.node === undefined) missing(['environment', 'node']);
  if (doc.environment.v8 === undefined) missing(['environment', 'v8']);
  doc.cells.forEach((c, i) => {
    if (c.status !== 'ok') return;
    if (c.memory.heapBeforeBytes === undefined) missing(['cells', i, 'memory', 'heapBeforeBytes']);
    if (c.memory.heapAfterBytes === undefined) missing(['cells', i, 'memory', 'heapAfterBytes']);
  });
});
export type ResultFile = z.infer<typeof ResultFile>;

/** Thrown by parseResultFile with a one-line reason. */
export class ResultFileError extends Error {}

/**
 * Validates parsed JSON as a mapbench result file of this schema version;
 * throws ResultFileError with a one-line reason otherwise.
 */
export function parseResultFile(data: unknown, source = 'input'): ResultFile {
  if (typeof data !== 'object' || data === null || (data as { kind?: unknown }).kind !== RESULT_KIND) {
    throw new ResultFileError(`${source} is not a mapbench result file`);
  }
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (!READABLE_VERSIONS.includes(version as number)) {
    const newer = typeof version === 'number' && version > SCHEMA_VERSION;
    throw new ResultFileError(
      newer
        ? `${source} has schema version ${version}, newer than this mapbench (reads ${READABLE_VERSIONS.join(', ')}): update mapbench`
        : `${source} has schema version ${String(version)}; this mapbench reads versions ${READABLE_VERSIONS.join(', ')}`,
    );
  }
  const parsed = ResultFile.safeParse(upgrade(data as Record<string, unknown>));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw new ResultFileError(`${source} does not match the results schema at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Brings an older document to this version without changing what it says:
 * version 1 had one shard count for the whole run (config.shards a number);
 * every field versions 2 and 3 added is optional.
 */
function upgrade(doc: Record<string, unknown>): Record<string, unknown> {
  if (doc.schemaVersion === 2) return { ...doc, schemaVersion: SCHEMA_VERSION };
  if (doc.schemaVersion !== 1) return doc;
  const config = doc.config as Record<string, unknown> | undefined;
  const shards = config?.shards;
  return {
    ...doc,
    schemaVersion: SCHEMA_VERSION,
    ...(config ? { config: { ...config, shards: typeof shards === 'number' ? [shards] : shards } } : {}),
  };
}
