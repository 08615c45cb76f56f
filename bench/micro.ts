// bench/micro.ts — the per-call cost of crossing the N-API boundary, from
// JavaScript, single-threaded: addon get / insert on a lock-free map against
// a JS Map holding the same keys.
//
//   npm run bench:micro                 table
//   npm run bench:micro -- --json       machine-readable output on stdout
//   options: --keys N (100000), --batch N (1000 calls per task call),
//            --time MS (500 per task)
//
// tinybench times each call of a task function with performance.now(),
// which adds ~140 ns per call here, so every task function makes `batch`
// map calls and the figures are divided by `batch`.
//
// Keys. The bigint rows use the keys prefill() inserted (keyOf(i), full
// 64-bit). Those do not fit in a Number, so the number rows use a second
// lock-free map of the same size filled by insert() with 53-bit keys
// (keyOf(i) >> 11, all >= 2 and distinct). Every key is generated before
// timing; the tasks walk the key array in order (the keys are scrambled, so
// table positions are random). "insert" replaces the value of a present key
// (the steady state of a full table); JS Map.set does the same.
//
// Batched rows: addon.getMany over BigUint64Array views of B keys (B = 1,
// 16, 64, 256), one N-API crossing per B keys; their ns/op is per key. The
// worker rows run the same getMany loop on a worker thread while a second
// worker runs it on the same shared map (timed with performance.now around
// a whole pass, not per call), to show the cost holds when the map is shared.
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import Table from 'cli-table3';
import { Bench } from 'tinybench';

import { addon, keyOf, prefillValueOf, type MapId } from '../src/native.js';

interface Options {
  json: boolean;
  keys: number;
  batch: number;
  timeMs: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      keys: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '1000' },
      time: { type: 'string', default: '500' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:micro -- [--json] [--keys N] [--batch N] [--time MS]\n' +
        '  --keys N    prefilled keys per map (default 100000)\n' +
        '  --batch N   map calls per timed task call (default 1000)\n' +
        '  --time MS   time budget per task in ms (default 500)\n' +
        '  --json      print machine-readable results on stdout\n',
    );
    process.exit(0);
  }
  const int = (name: string, text: string, lo: number, hi: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new RangeError(`--${name} must be an integer in [${lo}, ${hi}]`);
    return n;
  };
  return {
    json: values.json,
    keys: int('keys', values.keys, 1, 10_000_000),
    batch: int('batch', values.batch, 1, 1_000_000),
    timeMs: int('time', values.time, 10, 600_000),
  };
}

type KeyType = 'bigint' | 'number' | 'none';
type Impl = 'addon' | 'js-map' | 'baseline';
type Op = 'get' | 'insert' | 'empty-call' | `getMany[${number}]`;

/** Batch sizes of the getMany rows. */
const MANY_SIZES = [1, 16, 64, 256] as const;

/** Views of `keys`, `size` at a time, covering it once (the last view may be short of `size`: left out). */
function viewsOf(keys: BigUint64Array, size: number): BigUint64Array[] {
  const out: BigUint64Array[] = [];
  for (let i = 0; i + size <= keys.length; i += size) out.push(keys.subarray(i, i + size));
  return out;
}

/** Runs getMany over `views` for `keysWanted` keys from view `start`; returns [hits, next start]. */
function getManyPass(id: MapId, views: BigUint64Array[], out: BigUint64Array, keysWanted: number, start: number): [number, number] {
  let hits = 0;
  let v = start;
  for (let done = 0; done < keysWanted; done += out.length) {
    hits += addon.getMany(id, views[v]!, out);
    if (++v === views.length) v = 0;
  }
  return [hits, v];
}

interface TaskSpec {
  name: string;
  op: Op;
  keyType: KeyType;
  impl: Impl;
  /** Runs `batch` calls (getMany rows: `perRun` keys); returns how many found / changed something. */
  run: () => number;
  /** Keys per run when not `batch` (getMany rows: whole views). */
  perRun?: number;
}

interface TaskFigures {
  name: string;
  op: Op;
  keyType: KeyType;
  impl: Impl;
  /** Mean ns per map call (task mean / batch). */
  nsPerOp: number;
  /** Median ns per map call. */
  nsPerOpMedian: number;
  opsPerSec: number;
  /** Relative margin of error of the mean, percent. */
  rmePercent: number;
  /** Timed task calls. */
  samples: number;
}

/** Cycles through an array `batch` entries at a time. */
function cursor(length: number, batch: number): () => number {
  let pos = 0;
  return () => {
    const start = pos;
    pos += batch;
    if (pos >= length) pos -= length;
    return start;
  };
}

function buildTasks(o: Options, lockfreeBig: MapId, lockfreeNum: MapId) {
  const n = o.keys;
  const batch = o.batch;
  const bigKeys: bigint[] = Array.from({ length: n }, (_, i) => keyOf(i));
  const bigValues: bigint[] = bigKeys.map(prefillValueOf);
  const bigArray = BigUint64Array.from(bigKeys);
  const numKeys: number[] = bigKeys.map((k) => Number(k >> 11n));
  const numValues: number[] = numKeys.map((k) => Math.floor(k / 2));
  if (new Set(numKeys).size !== n || numKeys.some((k) => k < 2)) throw new Error('53-bit keys collide; pick another --keys');

  for (let i = 0; i < n; i++) {
    if (addon.insert(lockfreeNum, numKeys[i]!, numValues[i]!) !== 'inserted') throw new Error('number-key map did not take every key');
  }
  const jsBig = new Map<bigint, bigint>(bigKeys.map((k, i) => [k, bigValues[i]!]));
  const jsNum = new Map<number, number>(numKeys.map((k, i) => [k, numValues[i]!]));

  // Each task walks its keys `batch` at a time from a cursor, wrapping
  // around. The loops are written out one per task (no shared callback), so
  // each call site sees one callee and the JIT treats every row alike.
  const span = batch % n;
  const cursors = new Map<string, () => number>();
  const from = (name: string): number => {
    let c = cursors.get(name);
    if (!c) cursors.set(name, (c = cursor(n, span)));
    return c();
  };

  const tasks: TaskSpec[] = [
    {
      name: 'addon.get', op: 'get', keyType: 'bigint', impl: 'addon',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('get-big-addon'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (addon.get(lockfreeBig, bigKeys[i]!) !== undefined) hits++;
        }
        return hits;
      },
    },
    {
      name: 'Map.get', op: 'get', keyType: 'bigint', impl: 'js-map',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('get-big-js'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (jsBig.get(bigKeys[i]!) !== undefined) hits++;
        }
        return hits;
      },
    },
    {
      name: 'addon.get', op: 'get', keyType: 'number', impl: 'addon',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('get-num-addon'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (addon.get(lockfreeNum, numKeys[i]!) !== undefined) hits++;
        }
        return hits;
      },
    },
    {
      name: 'Map.get', op: 'get', keyType: 'number', impl: 'js-map',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('get-num-js'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (jsNum.get(numKeys[i]!) !== undefined) hits++;
        }
        return hits;
      },
    },
    {
      name: 'addon.insert', op: 'insert', keyType: 'bigint', impl: 'addon',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('ins-big-addon'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (addon.insert(lockfreeBig, bigKeys[i]!, bigValues[i]!) === 'assigned') hits++;
        }
        return hits;
      },
    },
    {
      name: 'Map.set', op: 'insert', keyType: 'bigint', impl: 'js-map',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('ins-big-js'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (jsBig.set(bigKeys[i]!, bigValues[i]!).size === n) hits++;
        }
        return hits;
      },
    },
    {
      name: 'addon.insert', op: 'insert', keyType: 'number', impl: 'addon',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('ins-num-addon'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (addon.insert(lockfreeNum, numKeys[i]!, numValues[i]!) === 'assigned') hits++;
        }
        return hits;
      },
    },
    {
      name: 'Map.set', op: 'insert', keyType: 'number', impl: 'js-map',
      run: () => {
        let hits = 0;
        for (let j = 0, i = from('ins-num-js'); j < batch; j++, i = i + 1 === n ? 0 : i + 1) {
          if (jsNum.set(numKeys[i]!, numValues[i]!).size === n) hits++;
        }
        return hits;
      },
    },
    ...MANY_SIZES.map((size): TaskSpec => {
      const views = viewsOf(bigArray, size);
      const out = new BigUint64Array(size);
      const perRun = Math.ceil(batch / size) * size;
      let start = 0;
      return {
        name: `addon.getMany[${size}]`, op: `getMany[${size}]`, keyType: 'bigint', impl: 'addon', perRun,
        run: () => {
          const [hits, next] = getManyPass(lockfreeBig, views, out, perRun, start);
          start = next;
          return hits;
        },
      };
    }),
    {
      // Reference: the cheapest addon call (returns a cached double).
      name: 'addon.tscHz', op: 'empty-call', keyType: 'none', impl: 'baseline',
      run: () => {
        let hits = 0;
        for (let j = 0; j < batch; j++) if (addon.tscHz() > 0) hits++;
        return hits;
      },
    },
  ];
  return tasks;
}

async function measure(o: Options, tasks: TaskSpec[]): Promise<TaskFigures[]> {
  const bench = new Bench({ name: 'mapbench micro', time: o.timeMs, warmup: true, throws: true });
  const label = (t: TaskSpec) => `${t.name} (${t.keyType})`;
  const perRunOf = (t: TaskSpec) => t.perRun ?? o.batch;
  const misses = new Map<string, number>();
  for (const t of tasks) {
    const perRun = t.perRun ?? o.batch;
    bench.add(label(t), () => {
      const hits = t.run();
      if (hits !== perRun) misses.set(label(t), (misses.get(label(t)) ?? 0) + perRun - hits);
    });
  }
  await bench.run();
  if (misses.size > 0) {
    throw new Error(`some calls did not find their key: ${[...misses].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  }
  return tasks.map((t) => {
    const task = bench.getTask(label(t));
    const r = task?.result;
    if (!r || r.state !== 'completed') throw new Error(`task ${label(t)} did not complete (${r?.state ?? 'missing'})`);
    const nsPerOp = (r.latency.mean * 1e6) / perRunOf(t);
    return {
      name: t.name,
      op: t.op,
      keyType: t.keyType,
      impl: t.impl,
      nsPerOp,
      nsPerOpMedian: (r.latency.p50 * 1e6) / perRunOf(t),
      opsPerSec: 1e9 / nsPerOp,
      rmePercent: r.latency.rme,
      samples: r.latency.samplesCount,
    };
  });
}

interface Ratio {
  op: Op;
  keyType: KeyType;
  addonNsPerOp: number;
  jsMapNsPerOp: number;
  /** addon ns/op divided by JS Map ns/op: how many times slower the addon call is. */
  ratio: number;
}

function ratios(figures: TaskFigures[]): Ratio[] {
  const out: Ratio[] = [];
  for (const a of figures.filter((f) => f.impl === 'addon')) {
    const op = a.op.startsWith('getMany') ? 'get' : a.op;
    const m = figures.find((f) => f.impl === 'js-map' && f.op === op && f.keyType === a.keyType);
    if (m) out.push({ op: a.op, keyType: a.keyType, addonNsPerOp: a.nsPerOp, jsMapNsPerOp: m.nsPerOp, ratio: a.nsPerOp / m.nsPerOp });
  }
  return out;
}

function printTable(o: Options, figures: TaskFigures[], rs: Ratio[]): void {
  const t = new Table({
    head: ['call', 'keys', 'ns/op', 'median ns/op', 'ops/s', '± %', 'samples', 'addon / Map'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ...(process.stdout.isTTY ? {} : { style: { head: [], border: [] } }),
  });
  for (const f of figures) {
    const r = f.impl === 'addon' ? rs.find((x) => x.op === f.op && x.keyType === f.keyType) : undefined;
    t.push([
      f.name,
      f.keyType === 'none' ? '' : f.keyType,
      f.nsPerOp.toFixed(1),
      f.nsPerOpMedian.toFixed(1),
      f.opsPerSec >= 1e6 ? `${(f.opsPerSec / 1e6).toFixed(2)} M` : `${(f.opsPerSec / 1e3).toFixed(1)} k`,
      f.rmePercent.toFixed(2),
      String(f.samples),
      r ? `${r.ratio.toFixed(2)}×` : '',
    ]);
  }
  const b = addon.buildInfo();
  process.stdout.write(
    `mapbench micro: one thread, lockfree map at load factor 0.5, ${o.keys} keys, ${o.batch} calls per timed task call, ` +
      `${o.timeMs} ms per task\nnode ${process.version}, addon ${b.buildSystem} ${b.flags}\n`,
  );
  process.stdout.write(`${t.toString()}\n`);
  process.stdout.write(
    'insert = replace the value of a present key. number keys use a second map filled with 53-bit keys (64-bit keys do not fit a Number).\n' +
      'getMany[B]: ns/op is per key, one call per B keys; addon / Map against Map.get (bigint).\n',
  );
}

interface WorkerFigure {
  size: number;
  nsPerKey: number;
}

/**
 * Two workers on one shared map: both run getMany passes of each size; the
 * first times its passes (performance.now around `keys` keys, best of 5),
 * the second only loads the map. Returns the first worker's figures.
 */
async function sharedWorkers(o: Options, id: MapId): Promise<WorkerFigure[]> {
  const start = (role: 'timed' | 'load') =>
    new Worker(new URL(import.meta.url), { workerData: { role, id, keys: o.keys } });
  const load = start('load');
  const timed = start('timed');
  const figures = await new Promise<WorkerFigure[]>((resolve, reject) => {
    timed.once('message', resolve);
    timed.once('error', reject);
  });
  load.postMessage('stop');
  await new Promise((r) => load.once('exit', r));
  return figures;
}

function workerMain(): void {
  const { role, id, keys } = workerData as { role: 'timed' | 'load'; id: MapId; keys: number };
  const all = BigUint64Array.from({ length: keys }, (_, i) => keyOf(i));
  if (role === 'load') {
    let stop = false;
    parentPort!.once('message', () => (stop = true));
    const views = viewsOf(all, 64);
    const out = new BigUint64Array(64);
    const spin = () => {
      let s = 0;
      for (let r = 0; r < 20 && !stop; r++) s = getManyPass(id, views, out, keys, s)[1];
      if (stop) process.exit(0);
      setImmediate(spin);  // lets the stop message in
    };
    spin();
    return;
  }
  const figures: WorkerFigure[] = MANY_SIZES.map((size) => {
    const views = viewsOf(all, size);
    const out = new BigUint64Array(size);
    const n = views.length * size;
    getManyPass(id, views, out, n, 0);  // warm-up
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const [hits] = getManyPass(id, views, out, n, 0);
      const ns = ((performance.now() - t0) * 1e6) / n;
      if (hits !== n) throw new Error(`getMany[${size}] missed ${n - hits} keys on the worker`);
      best = Math.min(best, ns);
    }
    return { size, nsPerKey: best };
  });
  parentPort!.postMessage(figures);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const mapOptions = { design: 'lockfree', expectedEntries: o.keys, loadFactor: 0.5 } as const;
  const lockfreeBig = addon.createMap(mapOptions);
  const lockfreeNum = addon.createMap(mapOptions);
  try {
    const unfit = addon.prefill(lockfreeBig, o.keys);
    if (unfit !== 0) throw new Error(`prefill left ${unfit} keys out`);
    const tasks = buildTasks(o, lockfreeBig, lockfreeNum);
    const figures = await measure(o, tasks);
    const rs = ratios(figures);
    const shared = await sharedWorkers(o, lockfreeBig);
    if (o.json) {
      const doc = {
        benchmark: 'mapbench-micro',
        node: process.version,
        build: addon.buildInfo(),
        design: mapOptions.design,
        loadFactor: mapOptions.loadFactor,
        keys: o.keys,
        batch: o.batch,
        timeMsPerTask: o.timeMs,
        diagnostics: { bigint: addon.diagnostics(lockfreeBig), number: addon.diagnostics(lockfreeNum) },
        tasks: figures,
        ratios: rs,
        sharedWorkers: shared,
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      printTable(o, figures, rs);
      process.stdout.write(
        `from a worker, the map shared with a second worker running getMany[64] (best of 5 passes over ${o.keys} keys): ` +
          `${shared.map((f) => `getMany[${f.size}] ${f.nsPerKey.toFixed(1)} ns/key`).join(', ')}\n`,
      );
    }
  } finally {
    addon.destroyMap(lockfreeBig);
    addon.destroyMap(lockfreeNum);
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:micro: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  workerMain();
}
