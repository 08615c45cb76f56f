// Runs the passes of one cell against the lab and turns the threads' raw
// reports into result records. No timing happens here: every figure comes
// from the native threads' TSC stamps and counters.
import fs from 'node:fs';

import type { ResolvedConfig } from './config.js';
import type { Lab } from './lab.js';
import { recordsOpStats } from './designs.js';
import type { Cell } from './matrix.js';
import type { MapDiagnostics, WorkerResult, WorkerSpec } from './native.js';
import {
  LATENCY_KINDS,
  type CellRecord,
  type LatencyStats,
  OUTCOMES,
  type DiagnosticSample,
  type RepeatRecord,
  type SeriesRecord,
  type StatsRecord,
  type PagesRecord,
  type StreamRecord,
} from './schema.js';
import { shardSkew, summarize } from './stats.js';
import { isReadOnly } from './workload.js';

export type Pass = 'throughput' | 'latency' | 'stats';

/** One scheduled unit of work: a pass of one repeat of one cell. */
export interface RunUnit {
  cell: Cell;
  repeat: number;
  pass: Pass;
}

/** What one pass produced, raw enough to summarise across repeats. */
export interface PassOutcome {
  record: RepeatRecord;
  /** Latency pass: per-kind sparse histograms of every thread (ticks). */
  histograms?: Record<string, number[][]>;
  timerOverhead?: number[][];
  stats?: StatsRecord;
  mapInfo: CellMapInfo;
  /** The pass that counted its streams' keys (the cell's first). */
  stream?: StreamRecord;
  /** Set when the figures are kept although the pass failed a fidelity check after its reruns: why. */
  unreliable?: string;
  memory: { rssBeforeBytes: number; rssAfterBytes: number; heapBeforeBytes: number; heapAfterBytes: number };
}

export interface CellMapInfo {
  capacity: number;
  prefillEntries: number;
  bytesPerEntry: number;
  tableBytes: number;
  /** String-keyed maps only: bytes of the key records after prefill. */
  keyBytes?: number;
  pages: PagesRecord;
  anonHugePagesBytes: number | null;
  prefillSeconds: number;
  meanProbe: number;
  maxProbe: number;
  probeHistogram: number[];
  shardEntries?: number[];
}

/** A failure that fails the cell (with this message), not the whole run. */
export class CellError extends Error {}

export const PERCENTILES = [50, 90, 99, 99.9, 99.99] as const;
const CURVE_PERCENTILES = Array.from({ length: 21 }, (_, k) => 100 * (1 - 2 ** -k));

/** The measured passes of each repeat of a cell, in the order they run. */
export function measuredPasses(cell: Cell, c: ResolvedConfig): Pass[] {
  // An open-loop cell is rate-limited: only its latency pass means anything.
  if (cell.params.rate != null) return ['latency'];
  return c.mode === 'both' ? ['throughput', 'latency'] : [c.mode];
}

/** Whether a cell gets a statistics pass (once, after its repeats). */
export function wantsStats(cell: Cell, c: ResolvedConfig): boolean {
  return c.stats && recordsOpStats(cell.params.design) && cell.params.rate == null;
}

export function unitsFor(cells: Cell[], c: ResolvedConfig): RunUnit[] {
  const units: RunUnit[] = [];
  for (const cell of cells) {
    const passes = measuredPasses(cell, c);
    for (let repeat = 0; repeat < c.repeat; repeat++) for (const pass of passes) units.push({ cell, repeat, pass });
    if (wantsStats(cell, c)) units.push({ cell, repeat: 0, pass: 'stats' });
  }
  return units;
}

/** The cell's stream length per thread: --stream-length when given, else the native default for its keys and threads. */
export function streamPlanFor(cell: Cell, c: ResolvedConfig, lab: Lab): { opsPerThread: number; idealOpsPerThread: number; given: boolean; budgetCapped: boolean; readRangeShare: number } {
  const p = cell.params;
  // String keys: each op also holds its key's place on the thread's key tape.
  const bytesPerOp = cell.keyType.strings ? cell.keyType.streamBytesPerOp : undefined;
  const plan = lab.streamPlan([...cell.mix.weights] as WorkerSpec['workload']['mix'], p.keys, p.threads, c.streamBudgetBytes, bytesPerOp);
  const given = c.streamLength !== null;
  return {
    opsPerThread: given ? c.streamLength! : plan.opsPerThread,
    idealOpsPerThread: plan.idealPerThread,
    given,
    budgetCapped: !given && plan.capped,
    readRangeShare: plan.readRangeShare,
  };
}

export function workerSpecs(unit: RunUnit, c: ResolvedConfig, tscHz: number, streamLength: number, coverage?: BigUint64Array): WorkerSpec[] {
  const p = unit.cell.params;
  return Array.from({ length: p.threads }, (_, threadIndex) => ({
    workload: {
      mix: [...unit.cell.mix.weights] as WorkerSpec['workload']['mix'],
      dist: unit.cell.dist.dist,
      ...(unit.cell.dist.theta !== undefined ? { theta: unit.cell.dist.theta } : {}),
      ...(unit.cell.dist.hotFraction !== undefined ? { hotFraction: unit.cell.dist.hotFraction } : {}),
      ...(unit.cell.dist.hotOpFraction !== undefined ? { hotOpFraction: unit.cell.dist.hotOpFraction } : {}),
      keys: p.keys,
      seed: c.seed,
      threadIndex,
      streamLength,
      ...(coverage ? { coverage } : {}),
      ...(p.partition !== undefined ? { partition: p.partition } : {}),
      ...(p.partition === 'shard' ? { shards: p.shards! } : {}),
    },
    threads: p.threads,
    mode: unit.pass,
    sampleEvery: c.sampleEvery,
    cpu: c.cpus ? c.cpus[threadIndex % c.cpus.length]! + 1 : 0,
    warmupSeconds: c.warmupSeconds,
    durationSeconds: c.durationSeconds,
    gateTimeoutSeconds: c.gateTimeoutSeconds,
    tscHz,
    ...(p.rate != null && unit.pass === 'latency' ? { ratePerSecond: p.rate / p.threads } : {}),
    ...(c.seriesWindowSeconds !== null ? { seriesWindowSeconds: c.seriesWindowSeconds } : {}),
    ...(p.batch !== undefined ? { batch: p.batch } : {}),
  }));
}

/**
 * Bytes of this process's memory on transparent huge pages right after
 * prefill (/proc/self/smaps_rollup), or null where the kernel has no such
 * file. Advising is a request; this says whether the kernel granted it.
 */
function anonHugePagesBytes(): number | null {
  try {
    const m = /^AnonHugePages:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function ticksToNs(ticks: number, hz: number): number {
  return (ticks / hz) * 1e9;
}

export function latencyStats(lab: Lab, histograms: number[][], hz: number): LatencyStats {
  const ps = [...PERCENTILES, ...CURVE_PERCENTILES];
  const s = lab.histogramSummary(histograms, ps);
  const ns = (t: number) => ticksToNs(t, hz);
  const at = (i: number) => ns(s.percentiles[i] ?? 0);
  const curve = CURVE_PERCENTILES.map((percentile, k) => ({ percentile, ns: at(PERCENTILES.length + k) }));
  // Keep the curve only as far as the sample supports (about count points).
  const usable = curve.filter((_, k) => 2 ** k <= Math.max(1, s.count));
  return {
    count: s.count,
    meanNs: ns(s.mean),
    minNs: ns(s.min),
    p50Ns: at(0),
    p90Ns: at(1),
    p99Ns: at(2),
    p999Ns: at(3),
    p9999Ns: at(4),
    maxNs: ns(s.max),
    curve: [...usable, { percentile: 100, ns: ns(s.max) }],
  };
}

/** Runs one pass: fresh map, prefill, T threads, check, diagnostics, destroy. */
export async function runPass(unit: RunUnit, c: ResolvedConfig, lab: Lab, hz: number): Promise<PassOutcome> {
  const p = unit.cell.params;
  const memBefore = process.memoryUsage();
  const allocBefore = lab.allocCounts();
  const id = lab.createMap({
    design: p.design,
    expectedEntries: p.keys,
    loadFactor: p.loadFactor,
    ...(p.shards !== null ? { shards: p.shards } : {}),
    ...(unit.cell.map.lock !== null ? { lock: unit.cell.map.lock } : {}),
    ...(p.pad != null ? { pad: p.pad } : {}),
    ...(p.initialCapacity !== undefined ? { initialCapacity: p.initialCapacity } : {}),
    ...(p.maxLoadFactor !== undefined ? { maxLoadFactor: p.maxLoadFactor } : {}),
    hugePages: c.hugePages,
    // A string-keyed map spells its keys from the run's seed.
    ...(unit.cell.keyType.strings ? { keyType: unit.cell.keyType.name, keySeed: c.seed } : {}),
  });
  try {
    const t0 = performance.now();
    const prefilled = Math.round((p.prefill ?? 1) * p.keys);
    const failed = lab.prefill(id, prefilled);
    const prefillSeconds = (performance.now() - t0) / 1e3;
    if (failed > 0) throw new CellError(`prefill: ${failed} of ${prefilled} keys did not fit`);
    const allocAfter = lab.allocCounts();
    const prefillDiag = lab.diagnostics(id);
    const hugePagesBytes = anonHugePagesBytes();
    const pages = lab.pages(id);

    // Test hook: MAPBENCH_TEST_KILL_WORKER=<map> kills thread 0's worker in that map's cells.
    const dying = process.env.MAPBENCH_TEST_KILL_WORKER === p.map ? 0 : undefined;
    const samples: TimedSample[] = [];
    const sampler = c.sampleDiagnosticsSeconds === null ? null : sampleDiagnostics(lab, id, c.sampleDiagnosticsSeconds, samples);
    // Every repeat replays the same streams (one seed), so the first pass of
    // a cell counts their keys for all of them.
    const plan = streamPlanFor(unit.cell, c, lab);
    const countKeys = unit.repeat === 0 && unit.pass === measuredPasses(unit.cell, c)[0];
    const bitmap = countKeys ? new BigUint64Array(new SharedArrayBuffer(8 * Math.ceil((2 * p.keys) / 64))) : undefined;
    let results: WorkerResult[];
    try {
      results = await lab.runThreads(id, workerSpecs(unit, c, hz, plan.opsPerThread, bitmap), dying);
    } finally {
      if (sampler) clearInterval(sampler);
    }
    const bad = results.find((r) => !r.ok);
    if (bad) throw new CellError(`thread ${results.indexOf(bad)}: ${bad.error}`);
    const tids = new Set(results.map((r) => r.threadId));
    if (tids.size !== results.length) throw new CellError('two benchmark threads ran on one worker thread');

    const endDiag = lab.diagnostics(id);
    const isMap = lab.designs().find((d) => d.name === p.design)?.kind === 'map';
    // A read-only run must leave every prefilled key in place; with a partial
    // prefill the keys past it were never there, so only values are checked.
    const readOnly = isReadOnly(p.mixWeights) && (p.prefill ?? 1) === 1;
    const checkMessage = isMap ? lab.verify(id, p.keys, p.threads, readOnly) : null;
    const memAfter = process.memoryUsage();

    const record = repeatRecord(unit, results, hz, c, {
      prefillLoadFactor: prefillDiag.loadFactor,
      endLoadFactor: endDiag.loadFactor,
      endEntries: endDiag.entries,
      check: checkMessage === null ? null : { ok: checkMessage === '', message: checkMessage },
    });
    if (p.rate != null) {
      record.offeredOpsPerSec = p.rate;
      record.missedOps = results.reduce((a, r) => a + (r.missedOps ?? 0), 0);
    }
    if (p.batch !== undefined && p.batch > 1) record.batchPrefetch = results.every((r) => r.batchPrefetch === true);
    const series = seriesRecord(results, hz);
    if (series) record.series = series;
    if (sampler) {
      // On the workers' clock: seconds from the measured phase's common start.
      const start = results[0]!.releaseTsc + BigInt(Math.round(Math.min(...results.map((r) => r.measureStartTicks))));
      record.samples = samples.map(({ tsc, ...s }) => ({ ...s, tSeconds: Number(tsc - start) / hz }));
    }
    if (endDiag.migrations !== undefined) {
      record.growth = {
        migrations: endDiag.migrations,
        migrationMaxNs: ticksToNs(endDiag.migrationTicksMax ?? 0, hz),
        migrationTotalNs: ticksToNs(endDiag.migrationTicksTotal ?? 0, hz),
        ...(endDiag.migrationTicksEach ? { migrationNs: endDiag.migrationTicksEach.map((t) => ticksToNs(t, hz)) } : {}),
        peakTableBytes: endDiag.peakTableBytes ?? endDiag.tableBytes,
        endCapacity: endDiag.capacity,
      };
    }
    if (endDiag.promotions !== undefined) record.snapshot = snapshotRecord(prefillDiag, endDiag, hz);
    const streamOps = results.reduce((a, r) => a + r.streamOps, 0);
    if (streamOps > 0) record.streamWraps = record.ops / streamOps;
    const outcome: PassOutcome = {
      record,
      ...(bitmap ? { stream: streamRecord(lab, unit.cell, plan, bitmap) } : {}),
      mapInfo: {
        capacity: prefillDiag.capacity,
        prefillEntries: prefillDiag.entries,
        bytesPerEntry:
          prefilled > 0 ? (allocAfter.bytesAllocated - allocAfter.bytesFreed - (allocBefore.bytesAllocated - allocBefore.bytesFreed)) / prefilled : 0,
        tableBytes: prefillDiag.tableBytes,
        ...(unit.cell.keyType.strings ? { keyBytes: prefillDiag.keyBytes ?? 0 } : {}),
        pages,
        anonHugePagesBytes: hugePagesBytes,
        prefillSeconds,
        meanProbe: prefillDiag.meanProbe,
        maxProbe: prefillDiag.maxProbe,
        probeHistogram: prefillDiag.probeHistogram,
        ...(prefillDiag.shardEntries ? { shardEntries: prefillDiag.shardEntries } : {}),
      },
      memory: {
        rssBeforeBytes: memBefore.rss,
        rssAfterBytes: memAfter.rss,
        heapBeforeBytes: memBefore.heapUsed,
        heapAfterBytes: memAfter.heapUsed,
      },
    };
    if (unit.pass === 'latency') {
      outcome.histograms = Object.fromEntries(LATENCY_KINDS.map((k) => [k, results.map((r) => r.latency?.[k] ?? [])]));
      if (results.some((r) => r.batchLatency)) outcome.histograms[BATCH_LATENCY] = results.map((r) => r.batchLatency ?? []);
      outcome.timerOverhead = results.map((r) => r.timerOverhead ?? []);
      record.latency = latencyRecord(lab, outcome.histograms, hz);
    }
    if (unit.pass === 'stats') outcome.stats = statsRecord(results, endDiag.shardOps);
    if (record.check && !record.check.ok) throw new CellError(`correctness check failed: ${record.check.message}`);
    return outcome;
  } finally {
    lab.destroyMap(id);
  }
}

function streamRecord(lab: Lab, cell: Cell, plan: ReturnType<typeof streamPlanFor>, bitmap: BigUint64Array): StreamRecord {
  const p = cell.params;
  const counted = lab.streamCoverage(bitmap, p.keys);
  // The range whose coverage counts: the prefilled keys, unless the mix reads only misses.
  const missOnly = p.mixWeights.every((w, i) => (i === 1 ? true : w === 0));
  const distinct = missOnly ? counted.miss : counted.present;
  const draws = plan.idealOpsPerThread * p.threads * plan.readRangeShare;
  return {
    opsPerThread: plan.opsPerThread,
    idealOpsPerThread: plan.idealOpsPerThread,
    given: plan.given,
    budgetCapped: plan.budgetCapped,
    distinctKeys: counted.present,
    distinctMissKeys: counted.miss,
    coverage: distinct / p.keys,
    expectedCoverageAtIdeal: lab.expectedCoverage(
      {
        dist: cell.dist.dist,
        ...(cell.dist.theta !== undefined ? { theta: cell.dist.theta } : {}),
        ...(cell.dist.hotFraction !== undefined ? { hotFraction: cell.dist.hotFraction } : {}),
        ...(cell.dist.hotOpFraction !== undefined ? { hotOpFraction: cell.dist.hotOpFraction } : {}),
      },
      p.keys,
      draws,
    ),
  };
}

/**
 * Reads the map's diagnostics every `seconds` on the main thread while the
 * workers run. The read walks the table (a few ms for a million slots) and
 * takes each design's own locks, so it costs the run some throughput: the
 * scenarios that sample say so.
 */
/** A diagnostics sample stamped with the TSC it was read at (placed on the run's time line afterwards). */
type TimedSample = Omit<DiagnosticSample, 'tSeconds'> & { tsc: bigint };

function sampleDiagnostics(lab: Lab, id: number, seconds: number, out: TimedSample[]): NodeJS.Timeout {
  return setInterval(() => {
    const d = lab.diagnostics(id);
    out.push({
      tsc: lab.tscNow(),
      entries: d.entries,
      capacity: d.capacity,
      tombstones: d.tombstones,
      rehashes: d.rehashes,
      loadFactor: d.loadFactor,
      meanProbe: d.meanProbe,
    });
  }, seconds * 1e3);
}

/** Merges the threads' aligned windows: ops summed, max latency over threads. */
export function seriesRecord(results: WorkerResult[], hz: number): SeriesRecord | undefined {
  const all = results.map((r) => r.series).filter((s) => s !== undefined);
  if (all.length === 0) return undefined;
  // The native side keeps one window past the deadline for the last
  // batch's overshoot; it is not part of the measured duration, so it is
  // left out (its few ops would read as a collapse of the rate).
  const windows = Math.max(...all.map((s) => s.ops.length)) - 1;
  const windowSeconds = all[0]!.windowTicks / hz;
  const opsPerSec: number[] = [];
  const netInserts: number[] = [];
  const maxLatencyNs: (number | null)[] = [];
  for (let i = 0; i < windows; i++) {
    const ops = all.reduce((a, s) => a + (s.ops[i] ?? 0), 0);
    const max = Math.max(0, ...all.map((s) => s.maxTicks[i] ?? 0));
    opsPerSec.push(ops / windowSeconds);
    netInserts.push(all.reduce((a, s) => a + (s.netInserts[i] ?? 0), 0));
    maxLatencyNs.push(max > 0 ? ticksToNs(max, hz) : null);
  }
  return { windowSeconds, opsPerSec, netInserts, maxLatencyNs };
}

/**
 * Batch cells' latency: the op kinds (and overall) hold each timed batch's ticks / batch, every op's share;
 * this entry holds whole timed batches.
 */
const BATCH_LATENCY = 'batch';

function latencyRecord(lab: Lab, histograms: Record<string, number[][]>, hz: number): Record<string, LatencyStats> {
  const out: Record<string, LatencyStats> = {};
  for (const kind of LATENCY_KINDS) {
    const hs = histograms[kind] ?? [];
    if (hs.some((h) => h.length > 0)) out[kind] = latencyStats(lab, hs, hz);
  }
  out.overall = latencyStats(lab, LATENCY_KINDS.flatMap((k) => histograms[k] ?? []), hz);
  const batches = histograms[BATCH_LATENCY] ?? [];
  if (batches.some((h) => h.length > 0)) out[BATCH_LATENCY] = latencyStats(lab, batches, hz);
  return out;
}

export function repeatRecord(
  unit: RunUnit,
  results: WorkerResult[],
  hz: number,
  c: ResolvedConfig,
  extra: Pick<RepeatRecord, 'prefillLoadFactor' | 'endLoadFactor' | 'endEntries' | 'check'>,
): RepeatRecord {
  const ops = results.reduce((a, r) => a + r.ops, 0);
  const start = Math.min(...results.map((r) => r.measureStartTicks));
  const end = Math.max(...results.map((r) => r.measureEndTicks));
  const windowSeconds = (end - start) / hz;
  const goSeen = results.map((r) => r.goSeenTicks);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, results.reduce((a, r) => a + r.outcomes[o], 0)])) as RepeatRecord['outcomes'];
  const allocations = results.reduce((a, r) => a + r.allocs.allocations, 0);
  const bytes = results.reduce((a, r) => a + r.allocs.bytesAllocated, 0);
  let checksum = 0n;
  for (const r of results) checksum = (checksum + r.checksum) & 0xffffffffffffffffn;
  return {
    repeat: unit.repeat,
    pass: unit.pass,
    opsPerSec: windowSeconds > 0 ? ops / windowSeconds : 0,
    ops,
    windowSeconds,
    startSkewNs: ticksToNs(Math.max(...goSeen) - Math.min(...goSeen), hz),
    windowSkewNs: ticksToNs(Math.max(...results.map((r) => r.measureStartTicks)) - start, hz),
    allocationsPerOp: ops ? allocations / ops : 0,
    bytesPerOp: ops ? bytes / ops : 0,
    outcomes,
    threads: results.map((r, threadIndex) => {
      const secs = (r.measureEndTicks - r.measureStartTicks) / hz;
      return {
        threadIndex,
        ops: r.ops,
        opsPerSec: secs > 0 ? r.ops / secs : 0,
        cpuStart: r.cpuStart,
        cpuEnd: r.cpuEnd,
        cpuPinned: c.cpus ? c.cpus[threadIndex % c.cpus.length]! : null,
        threadId: r.threadId,
        goSeenNs: ticksToNs(r.goSeenTicks, hz),
        generateSeconds: r.generateSeconds,
      };
    }),
    ...extra,
    checksum: checksum.toString(16),
  };
}

/** What a snapshot-read map's promotions and dirty copies did in one run (counts and times less prefill's). */
function snapshotRecord(prefill: MapDiagnostics, end: MapDiagnostics, hz: number): NonNullable<RepeatRecord['snapshot']> {
  const less = (f: (d: MapDiagnostics) => number | undefined) => (f(end) ?? 0) - (f(prefill) ?? 0);
  return {
    dirtyAfterPrefill: prefill.dirtyPending ?? false,
    promotionsAtPrefill: prefill.promotions ?? 0,
    promotions: less((d) => d.promotions),
    promotionMaxNs: ticksToNs(end.promotionTicksMax ?? 0, hz),
    promotionTotalNs: ticksToNs(less((d) => d.promotionTicksTotal), hz),
    dirtyCopies: less((d) => d.dirtyCopies),
    dirtyCopyMaxNs: ticksToNs(end.dirtyCopyTicksMax ?? 0, hz),
    dirtyCopyTotalNs: ticksToNs(less((d) => d.dirtyCopyTicksTotal), hz),
  };
}

function statsRecord(results: WorkerResult[], shardOps: number[] | undefined): StatsRecord {
  const sum = (f: (s: NonNullable<WorkerResult['stats']>) => number) => results.reduce((a, r) => a + (r.stats ? f(r.stats) : 0), 0);
  const ops = results.reduce((a, r) => a + r.ops, 0);
  const hitLookups = sum((s) => s.hitLookups);
  const missLookups = sum((s) => s.missLookups);
  return {
    hitLookups,
    meanProbeHit: hitLookups ? sum((s) => s.hitProbes) / hitLookups : 0,
    maxProbeHit: Math.max(0, ...results.map((r) => r.stats?.hitMaxProbe ?? 0)),
    missLookups,
    meanProbeMiss: missLookups ? sum((s) => s.missProbes) / missLookups : 0,
    maxProbeMiss: Math.max(0, ...results.map((r) => r.stats?.missMaxProbe ?? 0)),
    casFailuresPerOp: ops ? sum((s) => s.casFailures) / ops : 0,
    contendedPerOp: ops ? sum((s) => s.contendedAcquisitions) / ops : 0,
    ...(shardOps ? { shardOps, shardSkew: shardSkew(shardOps) } : {}),
  };
}

/** Folds a cell's pass outcomes (all repeats) into its record. */
export function cellRecord(cell: Cell, outcomes: PassOutcome[], lab: Lab, hz: number): CellRecord {
  const repeats = outcomes.map((o) => o.record).filter((r) => r.pass !== 'stats');
  const tp = repeats.filter((r) => r.pass === 'throughput');
  const lat = repeats.filter((r) => r.pass === 'latency');
  const measured = tp.length ? tp : lat;
  const sumOps = measured.reduce((a, r) => a + r.ops, 0);
  const latOutcomes = outcomes.filter((o) => o.histograms);
  const first = outcomes[0]!;
  const stream = outcomes.find((o) => o.stream)?.stream;
  const statsOutcome = outcomes.find((o) => o.stats);
  let merged: Record<string, LatencyStats> | undefined;
  if (latOutcomes.length) {
    const byKind: Record<string, number[][]> = {};
    for (const o of latOutcomes) for (const [k, hs] of Object.entries(o.histograms!)) (byKind[k] ??= []).push(...hs);
    merged = latencyRecord(lab, byKind, hz);
  }
  const timer = latOutcomes.flatMap((o) => o.timerOverhead ?? []);
  const timerStats = timer.length ? latencyStats(lab, timer, hz) : undefined;
  const unreliable = outcomes.flatMap((o) => (o.unreliable === undefined ? [] : [{ repeat: o.record.repeat, pass: o.record.pass, reason: o.unreliable }]));
  return {
    key: cell.key,
    status: 'ok',
    params: cell.params,
    map: first.mapInfo,
    ...(stream ? { stream } : {}),
    repeats,
    summary: {
      ...(tp.length ? { opsPerSec: summarize(tp.map((r) => r.opsPerSec)) } : {}),
      ...(lat.length ? { latencyOpsPerSec: summarize(lat.map((r) => r.opsPerSec)) } : {}),
      allocationsPerOp: sumOps ? measured.reduce((a, r) => a + r.allocationsPerOp * r.ops, 0) / sumOps : 0,
      bytesPerOp: sumOps ? measured.reduce((a, r) => a + r.bytesPerOp * r.ops, 0) / sumOps : 0,
      ...(merged ? { latency: merged } : {}),
      endLoadFactor: summarize(measured.map((r) => r.endLoadFactor)).median,
    },
    ...(statsOutcome?.stats ? { stats: statsOutcome.stats } : {}),
    memory: {
      rssBeforeBytes: first.memory.rssBeforeBytes,
      rssAfterBytes: outcomes[outcomes.length - 1]!.memory.rssAfterBytes,
      heapBeforeBytes: first.memory.heapBeforeBytes,
      heapAfterBytes: outcomes[outcomes.length - 1]!.memory.heapAfterBytes,
    },
    ...(timerStats ? { timerOverheadNs: { p50: timerStats.p50Ns, mean: timerStats.meanNs } } : {}),
    ...(unreliable.length ? { unreliable } : {}),
  };
}
