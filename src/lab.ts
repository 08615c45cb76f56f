// The lab: everything the harness needs from the native side, behind one
// interface so scheduling, writing and warnings can be tested against a
// fake with deterministic numbers (test/js/fake-lab.ts).
import { Piscina } from 'piscina';

import {
  addon,
  ControlField,
  type LockKind,
  type PadBytes,
  type AllocCounts,
  type HashCostInfo,
  type HistogramSummary,
  type KeyDistribution,
  type MapDiagnostics,
  type OpMix,
  type PagesReport,
  type StreamCoverage,
  type StreamPlan,
  type WorkerResult,
  type WorkerSpec,
} from './native.js';
import type { DesignSummary } from './config.js';

export interface CreateMapOptions {
  design: string;
  expectedEntries: number;
  loadFactor: number;
  shards?: number;
  lock?: LockKind;
  /** Sharded: 0 = packed shard headers, 64 or 128 bytes per shard. */
  pad?: PadBytes;
  /** Growing maps: slots at creation (0 / absent = presized). */
  initialCapacity?: number;
  /** Growing maps: load past which they grow (absent = the design's default). */
  maxLoadFactor?: number;
  hugePages?: boolean;
  /** String key types (`str:16`, ...); absent = u64. */
  keyType?: string;
  /** Seed of a string-keyed map's key arena. */
  keySeed?: number;
}

export interface CoverageDistribution {
  dist: KeyDistribution;
  theta?: number;
  hotFraction?: number;
  hotOpFraction?: number;
}

export interface Lab {
  designs(): DesignSummary[];
  capacityFor(entries: number, loadFactor: number): number;
  tscHz(): number;
  /** The TSC now, on the clock of WorkerResult.releaseTsc. */
  tscNow(): bigint;
  createMap(o: CreateMapOptions): number;
  destroyMap(id: number): void;
  prefill(id: number, keys: number): number;
  verify(id: number, keys: number, threads: number, readOnly: boolean): string;
  diagnostics(id: number): MapDiagnostics;
  pages(id: number): PagesReport;
  allocCounts(): AllocCounts;
  histogramSummary(histograms: number[][], percentiles: number[]): HistogramSummary;
  /** The default per-thread stream length (native default_stream_length); bytesPerOp for string keys' tapes. */
  streamPlan(mix: OpMix, keys: number, threads: number, budgetBytes: number, bytesPerOp?: number): StreamPlan;
  /** The string hash's own cost per key of a key type (a calibration). */
  hashCost(keyType: string, keys: number, seed: number, seconds: number): HashCostInfo;
  /** Distinct indices in a coverage bitmap the run's threads filled. */
  streamCoverage(bitmap: BigUint64Array, keys: number): StreamCoverage;
  /** Expected fraction of `keys` indices that `draws` draws from `dist` touch. */
  expectedCoverage(dist: CoverageDistribution, keys: number, draws: number): number;
  /**
   * Runs one thread per spec, all on distinct workers, sharing one start
   * gate. `dyingThread` (fault injection for tests) makes that thread's
   * worker die instead of running.
   */
  runThreads(mapId: number, specs: WorkerSpec[], dyingThread?: number): Promise<WorkerResult[]>;
  /** Stops the run in progress (its threads return within one batch). */
  abort(): void;
  close(): Promise<void>;
}

const WORKER_FILE = new URL('./worker.js', import.meta.url);

/** The real lab: the addon plus one piscina pool per thread count. */
export class NativeLab implements Lab {
  private pools = new Map<number, Piscina>();
  private control: Int32Array | null = null;

  designs(): DesignSummary[] {
    return addon.designs();
  }
  capacityFor(entries: number, loadFactor: number): number {
    return addon.capacityFor(entries, loadFactor);
  }
  tscHz(): number {
    return addon.tscHz();
  }
  tscNow(): bigint {
    return addon.tscNow();
  }
  createMap(o: CreateMapOptions): number {
    return addon.createMap(o);
  }
  destroyMap(id: number): void {
    addon.destroyMap(id);
  }
  prefill(id: number, keys: number): number {
    return addon.prefill(id, keys);
  }
  verify(id: number, keys: number, threads: number, readOnly: boolean): string {
    return addon.verify(id, keys, threads, readOnly);
  }
  diagnostics(id: number): MapDiagnostics {
    return addon.diagnostics(id);
  }
  pages(id: number): PagesReport {
    return addon.pages(id);
  }
  allocCounts(): AllocCounts {
    return addon.allocCounts();
  }
  histogramSummary(histograms: number[][], percentiles: number[]): HistogramSummary {
    return addon.histogramSummary(histograms, percentiles);
  }
  streamPlan(mix: OpMix, keys: number, threads: number, budgetBytes: number, bytesPerOp?: number): StreamPlan {
    return addon.streamPlan(mix, keys, threads, budgetBytes, bytesPerOp);
  }
  hashCost(keyType: string, keys: number, seed: number, seconds: number): HashCostInfo {
    return addon.hashCost(keyType, keys, seed, seconds);
  }
  streamCoverage(bitmap: BigUint64Array, keys: number): StreamCoverage {
    return addon.streamCoverage(bitmap, keys);
  }
  expectedCoverage(dist: CoverageDistribution, keys: number, draws: number): number {
    return addon.expectedCoverage(dist, keys, draws);
  }

  /**
   * A pool of exactly `threads` workers, one task each at a time: the start
   * gate needs every thread of a run on its own worker (two tasks queued on
   * one worker would wait for each other forever, until the gate times out).
   */
  private async pool(threads: number): Promise<Piscina> {
    let pool = this.pools.get(threads);
    if (pool) return pool;
    pool = new Piscina({
      filename: WORKER_FILE.href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: 2 ** 31 - 1,
    });
    this.pools.set(threads, pool);
    // Load the addon in every worker before the first timed run.
    await Promise.all(Array.from({ length: threads }, () => pool!.run(null, { name: 'ping' })));
    return pool;
  }

  async runThreads(mapId: number, specs: WorkerSpec[], dyingThread?: number): Promise<WorkerResult[]> {
    const pool = await this.pool(specs.length);
    const control = new Int32Array(new SharedArrayBuffer(addon.controlBytes));
    this.control = control;
    try {
      const settled = await Promise.allSettled(
        specs.map((spec, i) =>
          pool.run({ mapId, control, spec, ...(i === dyingThread ? { die: true } : {}) }).catch((e: unknown) => {
            Atomics.store(control, ControlField.abort, 1); // a thread died: release the others at once
            throw e;
          }),
        ),
      );
      return settled.map((s, i) => {
        if (s.status === 'fulfilled') return s.value as WorkerResult;
        const reason = s.reason instanceof Error ? s.reason.message : String(s.reason);
        return failedThread(i, `worker thread died: ${reason}`);
      });
    } finally {
      this.control = null;
    }
  }

  abort(): void {
    if (this.control) Atomics.store(this.control, 2, 1);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

function failedThread(threadIndex: number, error: string): WorkerResult {
  return {
    ok: false, error, ops: 0,
    outcomes: { getHit: 0, getMiss: 0, insertNew: 0, insertAssign: 0, insertFull: 0, updateHit: 0, updateMiss: 0, eraseHit: 0, eraseMiss: 0 },
    releaseTsc: 0n, arriveTicks: 0, goSeenTicks: 0, measureStartTicks: 0, measureEndTicks: 0,
    cpuStart: -1, cpuEnd: -1, threadId: -1 - threadIndex, checksum: 0n, generateSeconds: 0, streamOps: 0,
    allocs: { allocations: 0, frees: 0, bytesAllocated: 0, bytesFreed: 0 },
  };
}
