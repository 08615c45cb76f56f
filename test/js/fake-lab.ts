// A Lab with deterministic numbers and no threads, so scheduling, writing,
// interruption and warnings can be tested exactly.
import type { DesignSummary } from '../../src/config.js';
import type { CoverageDistribution, CreateMapOptions, Lab } from '../../src/lab.js';
import type { Environment } from '../../src/schema.js';
import { addon } from '../../src/native.js';
import type { AllocCounts, HashCostInfo, HistogramSummary, KeyTypeInfo, MapDiagnostics, OpMix, PagesReport, StreamCoverage, StreamPlan, WorkerResult, WorkerSpec } from '../../src/native.js';

export const FAKE_HZ = 1e9; // 1 tick = 1 ns

/** The environment block the fake runs record. */
export const FAKE_ENV: Environment = {
  hostname: 'test', platform: 'linux x64', kernel: '6', cpuModel: 'fake', logicalCores: 2, caches: {}, memoryBytes: 1,
  loadAverage: [0, 0, 0], tscHz: FAKE_HZ, node: 'v20', v8: '11',
  build: { compiler: 'g++', flags: '-O3', buildSystem: 'node-gyp', pad: 64, marchNative: false, debug: false, transparentHugePages: 'madvise' },
  git: { commit: null, dirty: null }, commandLine: ['mapbench'], timerOverheadNs: { p50: 20, mean: 20 },
};

export interface FakeLabOptions {
  /** ops per second per thread, by design. */
  rate?: (design: string, threads: number) => number;
  /** Called before each run; may throw or flip an abort flag. */
  beforeRun?: (runIndex: number) => void;
  failDesign?: string;
  /** Ticks by which thread 1's measured window starts late, per run. */
  lateStart?: (runIndex: number) => number;
  /** What the post-run correctness check says for this design ('' = passed). */
  verify?: (design: string) => string;
  /** Scripted noise: a factor on the rate of this design's n-th run (0-based, counted per design). */
  noise?: (design: string, nthRun: number) => number;
  /** Virtual seconds each run takes on clock(). */
  secondsPerRun?: number;
}

export class FakeLab implements Lab {
  runs = 0;
  /** Designs of the runs in the order they ran. */
  log: string[] = [];
  aborted = false;
  closed = false;
  private maps = new Map<number, CreateMapOptions & { entries: number }>();
  private nextId = 1;
  constructor(private o: FakeLabOptions = {}) {}

  designs(): DesignSummary[] {
    return [
      { name: 'mutex', kind: 'map', sharded: false, openAddressing: true },
      { name: 'sharded', kind: 'map', sharded: true, openAddressing: true },
      { name: 'lockfree', kind: 'map', sharded: false, openAddressing: true },
      { name: 'floor', kind: 'pseudo', sharded: false, openAddressing: true },
    ];
  }
  capacityFor(entries: number, lf: number): number {
    return Math.max(8, Math.ceil(Math.ceil(entries / lf) / 4) * 4);
  }
  tscHz(): number {
    return FAKE_HZ;
  }
  tscNow(): bigint {
    return BigInt(Math.round(performance.now() * 1e-3 * FAKE_HZ));
  }
  createMap(o: CreateMapOptions): number {
    const id = this.nextId++;
    this.maps.set(id, { ...o, entries: 0 });
    return id;
  }
  destroyMap(id: number): void {
    this.maps.delete(id);
  }
  prefill(id: number, keys: number): number {
    this.maps.get(id)!.entries = keys;
    return 0;
  }
  verify(id: number): string {
    return this.o.verify?.(this.maps.get(id)!.design) ?? '';
  }
  diagnostics(id: number): MapDiagnostics {
    const m = this.maps.get(id)!;
    const capacity = this.capacityFor(m.expectedEntries, m.loadFactor);
    return {
      design: m.design, entries: m.entries, capacity, tombstones: 0, rehashes: 0, loadFactor: m.entries / capacity,
      meanProbe: 1.5, maxProbe: 4, tableBytes: capacity * 16, probeHistogram: [1, 2, 3],
      // String keys: one record of the key's mean length and an 8-byte header per entry.
      keyBytes: m.keyType ? m.entries * (addon.keyType(m.keyType).meanLength + 8) : 0,
      ...(m.shards ? { shardEntries: [m.entries], shardCapacity: [capacity], shardOps: [30, 10], shardContended: [0, 0] } : {}),
    } as MapDiagnostics;
  }
  pages(id: number): PagesReport {
    const m = this.maps.get(id)!;
    const placed = Math.ceil((this.capacityFor(m.expectedEntries, m.loadFactor) * 16) / 2 ** 21) * 2 ** 21;
    const huge = m.hugePages ?? true;
    return { hugePages: huge, placedBytes: placed, advisedBytes: huge ? placed : 0, hugeBackedBytes: huge ? placed : 0, heapBytes: 0 };
  }
  allocCounts(): AllocCounts {
    return { allocations: 0, frees: 0, bytesAllocated: 0, bytesFreed: 0 };
  }
  histogramSummary(histograms: number[][], percentiles: number[]): HistogramSummary {
    // Every sparse pair is (value, count) here: exact, tiny samples.
    const values: number[] = [];
    for (const h of histograms) for (let i = 0; i < h.length; i += 2) for (let c = 0; c < h[i + 1]!; c++) values.push(h[i]!);
    values.sort((a, b) => a - b);
    const at = (p: number) => (values.length ? values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))]! : 0);
    return {
      count: values.length,
      min: values[0] ?? 0,
      max: values[values.length - 1] ?? 0,
      mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
      percentiles: percentiles.map(at),
      histogram: [],
    } as HistogramSummary;
  }
  // Stream planning and coverage are pure functions of their arguments: the real ones.
  streamPlan(mix: OpMix, keys: number, threads: number, budgetBytes: number, bytesPerOp?: number): StreamPlan {
    return addon.streamPlan(mix, keys, threads, budgetBytes, bytesPerOp);
  }
  /** Key types are pure descriptions: the real one (for resolveConfig's context). */
  keyType(text: string, keys?: number): KeyTypeInfo {
    return addon.keyType(text, keys);
  }
  /** Hash calibrations measured here, in order. */
  hashed: string[] = [];
  hashCost(keyType: string, _keys: number, _seed: number, seconds: number): HashCostInfo {
    this.hashed.push(keyType);
    // 1 ns per byte of key: a figure a test can predict.
    const meanBytes = addon.keyType(keyType).meanLength;
    return { nsPerKey: meanBytes, meanBytes, keysHashed: Math.round((seconds * 1e9) / meanBytes), checksum: 0n };
  }
  streamCoverage(_bitmap: BigUint64Array, keys: number): StreamCoverage {
    // No stream is generated here: every key of the range counts as drawn.
    return { present: keys, miss: 0 };
  }
  expectedCoverage(dist: CoverageDistribution, keys: number, draws: number): number {
    return addon.expectedCoverage(dist, keys, draws);
  }
  async runThreads(mapId: number, specs: WorkerSpec[]): Promise<WorkerResult[]> {
    const runIndex = this.runs++;
    this.o.beforeRun?.(runIndex);
    const design = this.maps.get(mapId)!.design;
    const nth = this.log.filter((d) => d === design).length;
    this.log.push(design);
    const rate = (this.o.rate?.(design, specs.length) ?? 1e6) * (this.o.noise?.(design, nth) ?? 1);
    const windowTicks = specs[0]!.durationSeconds * FAKE_HZ;
    return specs.map((s, i) => {
      const ops = Math.round(rate * specs[0]!.durationSeconds);
      const failed = this.aborted || design === this.o.failDesign;
      return {
        ok: !failed,
        error: this.aborted ? 'run aborted' : failed ? 'planted failure' : '',
        ops,
        outcomes: { getHit: ops, getMiss: 0, insertNew: 0, insertAssign: 0, insertFull: 0, updateHit: 0, updateMiss: 0, eraseHit: 0, eraseMiss: 0 },
        releaseTsc: 1000n,
        arriveTicks: -10,
        goSeenTicks: i * 100,
        measureStartTicks: s.warmupSeconds * FAKE_HZ + (i === 1 ? (this.o.lateStart?.(runIndex) ?? 0) : 0),
        measureEndTicks: s.warmupSeconds * FAKE_HZ + windowTicks,
        cpuStart: i,
        cpuEnd: i,
        threadId: 100 + i,
        checksum: 7n,
        generateSeconds: 0.001,
        streamOps: s.workload.streamLength,
        allocs: { allocations: 0, frees: 0, bytesAllocated: 0, bytesFreed: 0 },
        ...(s.mode === 'latency'
          ? { latency: { getHit: [100, 98, 1000, 2], getMiss: [], insert: [], update: [], erase: [] }, timerOverhead: [20, 10] }
          : {}),
        ...(s.mode === 'stats'
          ? { stats: { hitLookups: ops, hitProbes: ops * 2, hitMaxProbe: 5, missLookups: 0, missProbes: 0, missMaxProbe: 0, casFailures: 0, contendedAcquisitions: ops / 10 } }
          : {}),
      } as WorkerResult;
    });
  }
  /** Virtual monotonic seconds: secondsPerRun for every run so far (a BenchHooks clock). */
  clock(): number {
    return this.runs * (this.o.secondsPerRun ?? 0);
  }
  abort(): void {
    this.aborted = true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
