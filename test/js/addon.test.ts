// Tests of the addon through its typed loader: loading in the main thread
// and in workers, maps shared across threads by id, argument checking,
// layout and build introspection, runWorker's start gate and results,
// histogram summaries, prefill and verify. Every assertion is an
// invariant; none depends on speed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'node:test';
import { Worker } from 'node:worker_threads';

import {
  ControlField,
  addon,
  addonPath,
  keyOf,
  packageRoot,
  prefillValueOf,
  type MapbenchAddon,
  type MapId,
  type MapOptions,
  type WorkerResult,
  type WorkerSpec,
} from '../../src/native.js';
import type { CallMessage, ReadyMessage, ReplyMessage } from './fixtures/addon-worker.js';

// ---- helpers ----

type AddonFunction = {
  [K in keyof MapbenchAddon]: MapbenchAddon[K] extends (...args: never[]) => unknown ? K : never;
}[keyof MapbenchAddon];
type Fn<K extends AddonFunction> = MapbenchAddon[K] extends (...args: infer A) => infer R ? (...args: A) => R : never;

const ERROR_CLASSES: Record<string, new (message: string) => Error> = { TypeError, RangeError, Error };

/** A worker_threads Worker that loaded the addon and runs addon calls on request. */
class AddonWorker {
  private seq = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly worker: Worker,
    readonly ready: ReadyMessage,
  ) {
    worker.on('message', (m: ReplyMessage) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if ('error' in m) p.reject(new (ERROR_CLASSES[m.error.name] ?? Error)(m.error.message));
      else p.resolve(m.value);
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
  }

  static start(): Promise<AddonWorker> {
    const worker = new Worker(new URL('./fixtures/addon-worker.js', import.meta.url));
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      const onExit = (code: number) => reject(new Error(`worker exited with code ${code} before it was ready`));
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.once('message', (m: ReadyMessage) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(new AddonWorker(worker, m));
      });
    });
  }

  call<K extends AddonFunction>(method: K, ...args: Parameters<Fn<K>>): Promise<ReturnType<Fn<K>>> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ seq, method, args } satisfies CallMessage);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

async function withWorkers<T>(n: number, body: (ws: AddonWorker[]) => Promise<T>): Promise<T> {
  const ws = await Promise.all(Array.from({ length: n }, () => AddonWorker.start()));
  try {
    return await body(ws);
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

function makeMap(options: Partial<MapOptions> = {}): MapId {
  return addon.createMap({ design: 'lockfree', expectedEntries: 1000, loadFactor: 0.5, ...options });
}

function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(addon.controlBytes));
}

const HZ = addon.tscHz();

function workerSpec(threadIndex: number, threads: number, over: Partial<WorkerSpec> = {}, keys = 1000): WorkerSpec {
  return {
    workload: {
      mix: [100, 0, 0, 0, 0],
      dist: 'uniform',
      keys,
      seed: 42,
      threadIndex,
      streamLength: 1 << 14,
    },
    threads,
    mode: 'throughput',
    sampleEvery: 32,
    cpu: 0,
    warmupSeconds: 0.05,
    durationSeconds: 0.2,
    gateTimeoutSeconds: 30,
    tscHz: HZ,
    ...over,
  };
}

async function waitForGo(control: Int32Array, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Atomics.load(control, ControlField.go) === 0) {
    if (Date.now() > until) throw new Error('the start gate never opened');
    await sleep(1);
  }
}

function outcomeTotal(r: WorkerResult): number {
  return Object.values(r.outcomes).reduce((a, b) => a + b, 0);
}

function assertRunOk(r: WorkerResult): void {
  assert.equal(r.error, '');
  assert.equal(r.ok, true);
  assert.ok(r.ops > 0, 'ops > 0');
  assert.equal(r.ops % 256, 0, 'ops come in whole batches');
  assert.equal(outcomeTotal(r), r.ops, 'every measured op has one outcome');
  assert.ok(r.arriveTicks <= r.goSeenTicks, 'arrived before it saw the gate open');
  assert.ok(r.measureStartTicks < r.measureEndTicks, 'a measured window');
}

// ---- loading ----

test('the addon loads in the main thread with every export', () => {
  const expected: AddonFunction[] = [
    'designs', 'capacityFor', 'createMap', 'destroyMap', 'liveMaps', 'get', 'insert', 'update', 'erase', 'size',
    'capacity', 'diagnostics', 'prefill', 'verify', 'runWorker', 'histogramSummary', 'tscHz', 'timerOverhead',
    'allocCounts', 'layout', 'buildInfo',
  ];
  for (const name of expected) assert.equal(typeof addon[name], 'function', name);
  assert.equal(addon.controlBytes, 64);
  if (!process.env['MAPBENCH_ADDON']) assert.match(addonPath, /build[/\\]Release[/\\]mapbench\.node$/);
  assert.ok(HZ > 0);
  const names = addon.designs().map((d) => d.name);
  for (const n of ['mutex', 'rwlock', 'spin', 'sharded', 'lockfree', 'floor', 'null']) assert.ok(names.includes(n as never), n);
  for (const d of addon.designs()) assert.ok(d.kind === 'map' || d.kind === 'pseudo');
});

test('the addon loads inside a worker_threads Worker', async () => {
  await withWorkers(1, async ([w]) => {
    assert.equal(w!.ready.isMainThread, false);
    assert.ok(w!.ready.threadId > 0);
    assert.equal(w!.ready.addonPath, addonPath);
    assert.equal(w!.ready.controlBytes, addon.controlBytes);
    assert.ok((await w!.call('tscHz')) > 0);
    assert.deepEqual(await w!.call('layout'), addon.layout());
  });
});

/** Imports src/native.js in a fresh process with MAPBENCH_ADDON set, from another directory. */
function loadWithOverride(value: string): { status: number | null; stderr: string; stdout: string } {
  const nativeUrl = new URL('../../src/native.js', import.meta.url).href;
  const script = `import(${JSON.stringify(nativeUrl)}).then((m) => console.log(m.addonPath, m.addon.controlBytes))`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: tmpdir(),
    env: { ...process.env, MAPBENCH_ADDON: value },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('MAPBENCH_ADDON overrides the addon path, relative to the package root', () => {
  const r = loadWithOverride(relative(packageRoot, addonPath));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${addonPath} 64`);
});

test('a missing addon fails with a message that says how to build it', () => {
  const r = loadWithOverride('build-nowhere/Release/mapbench.node');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /native addon not found at .*build-nowhere[/\\]Release[/\\]mapbench\.node/);
  assert.match(r.stderr, /npm run build/);
});

test('keyOf mirrors the native key scrambler', () => {
  const id = makeMap({ expectedEntries: 100 });
  try {
    assert.equal(addon.prefill(id, 100), 0);
    for (let i = 0; i < 100; i++) {
      const k = keyOf(i);
      assert.ok(k >= 2n);
      assert.equal(addon.get(id, k), prefillValueOf(k), `key index ${i}`);
      assert.equal(addon.get(id, keyOf(100 + i)), undefined, `miss index ${100 + i}`);
    }
  } finally {
    addon.destroyMap(id);
  }
});

// ---- maps shared across threads ----

test('a map created in the main thread is used from a worker', async () => {
  const id = makeMap();
  try {
    assert.equal(addon.insert(id, 5n, 50n), 'inserted');
    await withWorkers(1, async ([w]) => {
      assert.equal(await w!.call('get', id, 5n), 50n);
      assert.equal(await w!.call('get', id, 5), 50n);
      assert.equal(await w!.call('insert', id, 6, 60), 'inserted');
      assert.equal(await w!.call('update', id, 5n, 55n), true);
      assert.equal(await w!.call('size', id), 2);
    });
    assert.equal(addon.get(id, 6n), 60n);
    assert.equal(addon.get(id, 5n), 55n);
  } finally {
    assert.equal(addon.destroyMap(id), true);
  }
});

test('a map created in a worker is seen from the main thread', async () => {
  const before = addon.liveMaps();
  await withWorkers(1, async ([w]) => {
    const id = await w!.call('createMap', { design: 'sharded', expectedEntries: 1000, loadFactor: 0.5, shards: 4, lock: 'spin' });
    assert.equal(addon.liveMaps(), before + 1);
    assert.equal(await w!.call('insert', id, 7n, 70n), 'inserted');
    assert.equal(addon.get(id, 7n), 70n);
    assert.equal(addon.insert(id, 8n, 80n), 'inserted');
    assert.equal(await w!.call('get', id, 8n), 80n);
    assert.equal(addon.diagnostics(id).shardEntries?.length, 4);
    assert.equal(addon.destroyMap(id), true);
    await assert.rejects(w!.call('get', id, 8n), { name: 'RangeError', message: /does not exist/ });
  });
  assert.equal(addon.liveMaps(), before);
});

test('maps outlive the worker that created them', async () => {
  const id = await withWorkers(1, async ([w]) => {
    const id = await w!.call('createMap', { design: 'mutex', expectedEntries: 100, loadFactor: 0.5 });
    await w!.call('insert', id, 3n, 30n);
    return id;
  });
  try {
    assert.equal(addon.get(id, 3n), 30n);
  } finally {
    assert.equal(addon.destroyMap(id), true);
  }
});

// ---- single operations ----

test('single operations return what each design promises', () => {
  for (const d of addon.designs().filter((x) => x.kind === 'map')) {
    const id = addon.createMap({ design: d.name, expectedEntries: 100, loadFactor: 0.5, ...(d.sharded ? { shards: 4 } : {}) });
    try {
      assert.equal(addon.get(id, 10n), undefined, d.name);
      assert.equal(addon.update(id, 10n, 1n), false, d.name);
      assert.equal(addon.erase(id, 10n), false, d.name);
      assert.equal(addon.insert(id, 10n, 1n), 'inserted', d.name);
      assert.equal(addon.insert(id, 10n, 2n), 'assigned', d.name);
      assert.equal(addon.get(id, 10n), 2n, d.name);
      assert.equal(addon.update(id, 10n, 3n), true, d.name);
      assert.equal(addon.get(id, 10n), 3n, d.name);
      // The extreme user key and value round-trip.
      assert.equal(addon.insert(id, 2n ** 64n - 1n, 2n ** 63n - 3n), 'inserted', d.name);
      assert.equal(addon.get(id, 2n ** 64n - 1n), 2n ** 63n - 3n, d.name);
      assert.equal(addon.insert(id, 2, 0), 'inserted', d.name);
      assert.equal(addon.get(id, 2n), 0n, d.name);
      assert.equal(addon.size(id), 3, d.name);
      assert.equal(addon.erase(id, 10n), true, d.name);
      assert.equal(addon.erase(id, 10n), false, d.name);
      assert.equal(addon.get(id, 10n), undefined, d.name);
      assert.equal(addon.size(id), 2, d.name);
      // Open addressing gets exactly capacityFor slots; chaining rounds its
      // bucket count up to a power of two.
      if (d.openAddressing) assert.equal(addon.capacity(id), addon.capacityFor(100, 0.5), d.name);
      else assert.ok(addon.capacity(id) >= addon.capacityFor(100, 0.5), d.name);
    } finally {
      addon.destroyMap(id);
    }
  }
});

test('a full lock-free table answers "full" and keeps its contents', () => {
  const id = makeMap({ expectedEntries: 1, loadFactor: 0.5 });
  try {
    const cap = addon.capacity(id);
    assert.equal(cap, 8, 'the minimum capacity is two lines');
    const statuses = Array.from({ length: cap + 1 }, (_, i) => addon.insert(id, BigInt(100 + i), BigInt(i)));
    assert.ok(statuses.includes('full'));
    const stored = statuses.filter((s) => s === 'inserted').length;
    assert.equal(addon.size(id), stored);
    assert.ok(stored <= cap);
    statuses.forEach((s, i) => assert.equal(addon.get(id, BigInt(100 + i)), s === 'inserted' ? BigInt(i) : undefined));
  } finally {
    addon.destroyMap(id);
  }
});

// ---- batched forms ----

test('getMany/insertMany/updateMany/eraseMany agree with the single ops on every design', () => {
  for (const d of addon.designs().filter((x) => x.kind === 'map')) {
    const id = addon.createMap({ design: d.name, expectedEntries: 200, loadFactor: 0.5, ...(d.sharded ? { shards: 4 } : {}) });
    try {
      const keys = BigUint64Array.from({ length: 70 }, (_, i) => BigInt(2 + (i % 50)));  // repeats inside the batch
      const values = BigUint64Array.from(keys, (k) => k * 3n);
      assert.equal(addon.insertMany(id, keys, values), 50, d.name);
      assert.equal(addon.size(id), 50, d.name);
      const out = new BigUint64Array(keys.length + 10);
      const probe = BigUint64Array.from({ length: out.length }, (_, i) => BigInt(2 + i));
      assert.equal(addon.getMany(id, probe, out), 50, d.name);
      for (let i = 0; i < probe.length; i++) {
        const single = addon.get(id, probe[i]!);
        assert.equal(out[i], single ?? 2n ** 64n - 1n, `${d.name} key ${probe[i]}`);
      }
      assert.equal(addon.updateMany(id, probe, probe), 50, d.name);
      assert.equal(addon.get(id, 7n), 7n, d.name);
      assert.equal(addon.eraseMany(id, probe.subarray(0, 10)), 10, d.name);
      assert.equal(addon.size(id), 40, d.name);
    } finally {
      addon.destroyMap(id);
    }
  }
});

test('batched forms: wrong array types throw TypeError, bad lengths and sentinels RangeError', () => {
  const id = makeMap();
  const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  try {
    const keys = BigUint64Array.of(5n, 6n);
    assert.throws(() => a['getMany']!(id, [5n, 6n], new BigUint64Array(2)), { name: 'TypeError', message: /keys must be a BigUint64Array/ });
    assert.throws(() => a['getMany']!(id, keys, new BigInt64Array(2)), { name: 'TypeError', message: /out must be a BigUint64Array/ });
    assert.throws(() => a['insertMany']!(id, keys, new Float64Array(2)), { name: 'TypeError', message: /values must be a BigUint64Array/ });
    assert.throws(() => a['getMany']!(id, keys), { name: 'TypeError', message: /expected getMany\(id, keys/ });
    assert.throws(() => addon.getMany(id, keys, new BigUint64Array(3)), { name: 'RangeError', message: /out must have as many elements as keys/ });
    assert.throws(() => addon.insertMany(id, BigUint64Array.of(5n, 1n), BigUint64Array.of(1n, 1n)), { name: 'RangeError', message: /reserved sentinels/ });
    assert.equal(addon.size(id), 0, 'a rejected batch does nothing');
  } finally {
    addon.destroyMap(id);
  }
});

// ---- argument checking ----

test('wrong argument types throw TypeError naming the argument', () => {
  const id = makeMap();
  const bad = (f: () => unknown, message: RegExp) => assert.throws(f, { name: 'TypeError', message });
  const a = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  try {
    bad(() => a['get']!(id, 'x'), /key must be a bigint or a number/);
    bad(() => a['get']!(id), /expected get\(id, key\)/);
    bad(() => a['get']!('1', 5n), /map id must be a number/);
    bad(() => a['insert']!(id, 5n, 'v'), /value must be a bigint or a number/);
    bad(() => a['insert']!(id, 5n), /expected insert\(id, key, value\)/);
    bad(() => a['createMap']!('lockfree'), /options must be an object/);
    bad(() => a['createMap']!({ design: 5, expectedEntries: 10, loadFactor: 0.5 }), /options\.design must be a string/);
    bad(() => a['createMap']!({ design: 'lockfree', expectedEntries: '10', loadFactor: 0.5 }), /options\.expectedEntries must be a number/);
    bad(() => a['createMap']!({ design: 'lockfree', expectedEntries: 10, loadFactor: 0.5, hugePages: 1 }), /options\.hugePages must be a boolean/);
    bad(() => a['verify']!(id, 10, 1, 'yes'), /readOnly must be a boolean/);
    bad(() => a['runWorker']!(id, [0, 0, 0, 0], workerSpec(0, 1)), /control must be an Int32Array/);
    bad(() => a['runWorker']!(id, new Uint32Array(new SharedArrayBuffer(64)), workerSpec(0, 1)), /control must be an Int32Array/);
    bad(() => a['runWorker']!(id, newControl(), null), /spec must be an object/);
    const shortMix = workerSpec(0, 1);
    (shortMix.workload as { mix: number[] }).mix = [100, 0, 0, 0];
    bad(() => addon.runWorker(id, newControl(), shortMix), /spec\.workload\.mix must be an array of 5 weights/);
    bad(() => a['histogramSummary']!([[1, 1]], 50), /percentiles must be an array/);
    bad(() => a['histogramSummary']!([{}], [50]), /histogram must be an array/);
  } finally {
    addon.destroyMap(id);
  }
});

test('out-of-range values throw RangeError with a clear message', () => {
  const id = makeMap();
  const bad = (f: () => unknown, message: RegExp) => assert.throws(f, { name: 'RangeError', message });
  try {
    for (const key of [0, 1, 0n, 1n]) {
      bad(() => addon.get(id, key), /keys 0 and 1 and values above 2\^63-3 are reserved/);
      bad(() => addon.insert(id, key, 5n), /reserved/);
      bad(() => addon.update(id, key, 5n), /reserved/);
      bad(() => addon.erase(id, key), /reserved/);
    }
    bad(() => addon.insert(id, 5n, 2n ** 64n - 1n), /reserved/);
    bad(() => addon.insert(id, 5n, 2n ** 63n - 2n), /reserved/);
    bad(() => addon.update(id, 5n, 2n ** 64n - 1n), /reserved/);
    bad(() => addon.get(id, -1), /key must be a non-negative safe integer/);
    bad(() => addon.get(id, 1.5), /key must be a non-negative safe integer/);
    bad(() => addon.get(id, 2 ** 53), /key must be a non-negative safe integer/);
    bad(() => addon.get(id, Number.NaN), /key must be a non-negative safe integer/);
    bad(() => addon.get(id, -1n), /key must fit in an unsigned 64-bit integer/);
    bad(() => addon.get(id, 2n ** 64n), /key must fit in an unsigned 64-bit integer/);
    bad(() => addon.insert(id, 5n, -3), /value must be a non-negative safe integer/);
    bad(() => addon.createMap({ design: 'nope', expectedEntries: 10, loadFactor: 0.5 }), /unknown map design 'nope'/);
    bad(() => addon.createMap({ design: 'lockfree', expectedEntries: 10, loadFactor: 1.5 }), /load factor must be in \(0, 1\)/);
    bad(() => addon.createMap({ design: 'lockfree', expectedEntries: 10, loadFactor: 0 }), /load factor must be in \(0, 1\)/);
    bad(() => addon.createMap({ design: 'lockfree', expectedEntries: 0, loadFactor: 0.5 }), /options\.expectedEntries must be an integer in \[1, /);
    bad(() => addon.createMap({ design: 'sharded', expectedEntries: 1000, loadFactor: 0.5, shards: 3 }), /shards must be a power of two/);
    bad(() => addon.createMap({ design: 'sharded', expectedEntries: 10, loadFactor: 0.5, shards: 64 }), /key space too small/);
    bad(() => addon.createMap({ design: 'sharded', expectedEntries: 1000, loadFactor: 0.5, lock: 'ticket' as never }), /options\.lock must be one of mutex, spin, rw/);
    bad(() => addon.createMap({ design: 'sharded', expectedEntries: 1000, loadFactor: 0.5, pad: 96 as never }), /pad must be 0 \(packed\), 64 or 128/);
    bad(() => addon.capacityFor(10, 1.5), /load factor must be in \(0, 1\)/);
    bad(() => addon.get(987654321, 5n), /map 987654321 does not exist/);
    bad(() => addon.get(0, 5n), /map id must be an integer in \[1, /);
    bad(() => addon.runWorker(id, new Int32Array(new SharedArrayBuffer(16)), workerSpec(0, 1)), /control must be at least controlBytes long/);
    const spec = (over: Partial<WorkerSpec>, wl: Partial<WorkerSpec['workload']> = {}) => {
      const s = workerSpec(0, 1, over);
      return { ...s, workload: { ...s.workload, ...wl } };
    };
    bad(() => addon.runWorker(id, newControl(), spec({}, { dist: 'gauss' as never })), /spec\.workload\.dist must be one of/);
    bad(() => addon.runWorker(id, newControl(), spec({}, { threadIndex: 1 })), /threadIndex must be < spec\.threads/);
    bad(() => addon.runWorker(id, newControl(), spec({ mode: 'fast' as never })), /spec\.mode must be one of/);
    bad(() => addon.runWorker(id, newControl(), spec({ durationSeconds: 0 })), /durations must be positive/);
    bad(() => addon.runWorker(id, newControl(), spec({}, { streamLength: 100 })), /streamLength must be an integer in \[256, /);
    bad(() => addon.runWorker(id, newControl(), spec({}, { mix: [0, 0, 0, 0, 0] })), /spec\.workload: /);
    bad(() => addon.histogramSummary([[1, 2, 3]], [50]), /histogram must have an even length/);
    bad(() => addon.histogramSummary([[99999, 1]], [50]), /histogram index must be an integer/);
    bad(() => addon.histogramSummary([[1, 1]], [101]), /percentiles must be in \[0, 100\]/);
  } finally {
    addon.destroyMap(id);
  }
  // A destroyed map's id is refused everywhere, and destroying it again is a no-op.
  assert.equal(addon.destroyMap(id), false);
  bad(() => addon.get(id, 5n), new RegExp(`map ${id} does not exist`));
  bad(() => addon.insert(id, 5n, 1n), /does not exist/);
  bad(() => addon.size(id), /does not exist/);
  bad(() => addon.diagnostics(id), /does not exist/);
  bad(() => addon.prefill(id, 10), /does not exist/);
  bad(() => addon.runWorker(id, newControl(), workerSpec(0, 1)), /does not exist/);
});

test('errors thrown inside a worker keep their class', async () => {
  const id = makeMap();
  try {
    await withWorkers(1, async ([w]) => {
      await assert.rejects(w!.call('get', id, 'x' as never), { name: 'TypeError', message: /key must be a bigint or a number/ });
      await assert.rejects(w!.call('get', id, 1n), { name: 'RangeError', message: /reserved/ });
    });
  } finally {
    addon.destroyMap(id);
  }
});

// ---- introspection ----

test('layout: padded types fill whole cache lines, slots pack four to a line', () => {
  const l = addon.layout();
  assert.equal(l.cacheLine, 64);
  assert.ok(l.pad === 64 || l.pad === 128);
  assert.equal(l.slotsPerLine, 4);
  assert.equal(l.uses16ByteCas, false);
  assert.equal(l.types['lockfree.slot']?.size, 16);
  assert.equal(l.types['open_table.slot']?.size, 16);
  assert.equal(l.slotsPerLine * (l.types['lockfree.slot']?.size ?? 0), l.cacheLine);
  const entries = Object.entries(l.types);
  // Packed shards share lines on purpose (the false-sharing scenario's control).
  const padded = entries.filter(([name]) => (name.endsWith('.map') || name.endsWith('.shard')) && !name.includes('.packed.'));
  const packed = entries.filter(([name]) => name.includes('.packed.'));
  assert.ok(packed.length >= 3, 'packed shards are listed');
  for (const [name, t] of packed) assert.ok(t.align < l.cacheLine && t.size % l.cacheLine !== 0, `${name} is packed`);
  assert.ok(padded.length >= 9, 'maps and shards are listed');
  for (const [name, t] of padded) {
    assert.equal(t.size % l.cacheLine, 0, `${name} size ${t.size}`);
    assert.equal(t.align % l.cacheLine, 0, `${name} align ${t.align}`);
  }
  for (const [name, t] of entries.filter(([n]) => n.includes('.128.'))) {
    assert.equal(t.size % 128, 0, `${name} size ${t.size}`);
    assert.equal(t.align, 128, `${name} align`);
  }
});

test('buildInfo: an optimised build that keeps frame pointers', () => {
  const b = addon.buildInfo();
  assert.match(b.flags, /(^|\s)-O3(\s|$)/);
  assert.match(b.flags, /(^|\s)-fno-omit-frame-pointer(\s|$)/);
  assert.ok(['node-gyp', 'cmake-js'].includes(b.buildSystem), b.buildSystem);
  assert.equal(b.pad, addon.layout().pad);
  assert.equal(b.debug, false);
  assert.equal(typeof b.marchNative, 'boolean');
  assert.ok(['always', 'madvise', 'never', 'unavailable'].includes(b.transparentHugePages));
  assert.match(b.compiler, /\S/);
});

test('capacityFor rounds up to whole lines, at least two', () => {
  assert.equal(addon.capacityFor(1, 0.5), 8);
  assert.equal(addon.capacityFor(1000, 0.5), 2000);
  assert.equal(addon.capacityFor(1001, 0.5), 2004);
  assert.equal(addon.capacityFor(100, 0.3), 336);
  for (const [n, lf] of [[7, 0.9], [12345, 0.75], [1e6, 0.5]] as const) {
    const c = addon.capacityFor(n, lf);
    assert.equal(c % 4, 0);
    assert.ok(c >= n / lf && c < n / lf + 4);
  }
});

// ---- histograms ----

test('histogramSummary merges sparse histograms and reads percentiles', () => {
  // Values below 256 have a bucket each; 1000 falls in bucket 506 = [1000, 1003].
  const s = addon.histogramSummary([[10, 5, 20, 5]], [0, 50, 50.1, 100]);
  assert.equal(s.count, 10);
  assert.equal(s.min, 10);
  assert.equal(s.max, 20);
  assert.equal(s.mean, 15);
  assert.deepEqual(s.percentiles, [10, 10, 20, 20]);
  assert.deepEqual(s.histogram, [10, 5, 20, 5]);

  const m = addon.histogramSummary([[10, 5, 20, 5], [10, 1, 506, 2], []], [50, 90, 99, 100]);
  assert.equal(m.count, 13);
  assert.equal(m.min, 10);
  assert.equal(m.max, 1003);
  assert.deepEqual(m.histogram, [10, 6, 20, 5, 506, 2]);
  // rank ceil(0.5 * 13) = 7 -> bucket 20; ceil(0.9 * 13) = 12 -> bucket 506, midpoint 1001.5.
  assert.deepEqual(m.percentiles, [20, 1001.5, 1001.5, 1003]);
  assert.equal(m.mean, (6 * 10 + 5 * 20 + 2 * 1001) / 13);

  // A bucket listed with a zero count holds nothing and moves neither min nor max.
  const z = addon.histogramSummary([[10, 5, 506, 0]], [100]);
  assert.deepEqual([z.count, z.min, z.max, z.percentiles[0]], [5, 10, 10, 10]);
  assert.deepEqual(z.histogram, [10, 5]);

  const empty = addon.histogramSummary([], [50]);
  assert.deepEqual({ ...empty }, { count: 0, min: 0, max: 0, mean: 0, percentiles: [0], histogram: [] });
});

test('timerOverhead records one sample per bracket', () => {
  const h = addon.timerOverhead(1000);
  assert.equal(h.length % 2, 0);
  assert.equal(addon.histogramSummary([h], []).count, 1000);
});

// ---- prefill, diagnostics, verify ----

test('prefill fills exactly `keys` entries at the requested load factor', () => {
  const cases: Array<{ options: MapOptions; keys: number }> = [
    { options: { design: 'lockfree', expectedEntries: 10_000, loadFactor: 0.5 }, keys: 10_000 },
    { options: { design: 'lockfree', expectedEntries: 9_999, loadFactor: 0.9 }, keys: 9_999 },
    { options: { design: 'mutex', expectedEntries: 10_000, loadFactor: 0.75 }, keys: 10_000 },
    { options: { design: 'rwlock', expectedEntries: 5_000, loadFactor: 0.25 }, keys: 5_000 },
    { options: { design: 'spin', expectedEntries: 5_000, loadFactor: 0.5 }, keys: 5_000 },
    { options: { design: 'sharded', expectedEntries: 20_000, loadFactor: 0.5, shards: 16, lock: 'rw' }, keys: 20_000 },
  ];
  for (const { options, keys } of cases) {
    const id = addon.createMap(options);
    const label = `${options.design} lf ${options.loadFactor}`;
    try {
      assert.equal(addon.prefill(id, keys), 0, label);
      const d = addon.diagnostics(id);
      assert.equal(d.design, options.design, label);
      assert.equal(d.entries, keys, label);
      assert.equal(addon.size(id), keys, label);
      assert.equal(d.capacity, addon.capacityFor(keys, options.loadFactor), label);
      assert.equal(d.tombstones, 0, label);
      assert.ok(Math.abs(d.loadFactor - options.loadFactor) <= 4 / d.capacity + 1e-12, `${label}: ${d.loadFactor}`);
      assert.ok(d.loadFactor <= options.loadFactor, label);
      assert.equal(d.probeHistogram.reduce((a, b) => a + b, 0), keys, `${label}: one probe length per key`);
      assert.equal(d.maxProbe, d.probeHistogram.length, label);
      assert.ok(d.meanProbe >= 1 && d.meanProbe <= d.maxProbe, label);
      if (options.shards !== undefined) {
        assert.equal(d.shardEntries?.length, options.shards, label);
        assert.equal(d.shardEntries?.reduce((a, b) => a + b, 0), keys, label);
        assert.equal(d.shardCapacity?.reduce((a, b) => a + b, 0), d.capacity, label);
      } else {
        assert.equal(d.shardEntries, undefined, label);
      }
      assert.equal(addon.verify(id, keys, 1, true), '', label);
      // Prefilling again only reassigns the same keys.
      assert.equal(addon.prefill(id, keys), 0, label);
      assert.equal(addon.size(id), keys, label);
    } finally {
      addon.destroyMap(id);
    }
  }
});

test('verify reports a changed, a missing and a stray key', () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    assert.equal(addon.verify(id, 1000, 1, true), '');
    addon.update(id, keyOf(3), 12345n);
    assert.match(addon.verify(id, 1000, 1, true), /key index 3/);
    addon.update(id, keyOf(3), prefillValueOf(keyOf(3)));
    addon.erase(id, keyOf(4));
    assert.match(addon.verify(id, 1000, 1, true), /prefilled key index 4 is missing/);
    assert.equal(addon.verify(id, 1000, 1, false), '', 'a missing key is fine after a writing run');
    addon.insert(id, keyOf(4), prefillValueOf(keyOf(4)));
    addon.insert(id, keyOf(1000 + 7), 1n);
    assert.match(addon.verify(id, 1000, 1, true), /never-inserted key index 1007 is present/);
  } finally {
    addon.destroyMap(id);
  }
});

// ---- runWorker ----

test('a single-thread run in the main thread: outcomes, allocations, verify', () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    const r = addon.runWorker(id, newControl(), workerSpec(0, 1, { durationSeconds: 0.1 }));
    assertRunOk(r);
    assert.equal(r.outcomes.getHit, r.ops, 'every get of a prefilled key hits');
    assert.equal(r.allocs.allocations, 0, 'no allocation in the measured loop');
    assert.equal(r.latency, undefined);
    assert.equal(r.stats, undefined);
    assert.equal(typeof r.releaseTsc, 'bigint');
    assert.equal(typeof r.checksum, 'bigint');
    assert.equal(addon.verify(id, 1000, 1, true), '');
  } finally {
    addon.destroyMap(id);
  }
});

test('two workers sharing one control block run together', async () => {
  const id = makeMap({ expectedEntries: 10_000 });
  try {
    assert.equal(addon.prefill(id, 10_000), 0);
    const control = newControl();
    const results = await withWorkers(2, (ws) =>
      Promise.all(ws.map((w, i) => w.call('runWorker', id, control, workerSpec(i, 2, { mode: 'throughput' }, 10_000)))),
    );
    const [a, b] = results as [WorkerResult, WorkerResult];
    for (const r of results) {
      assertRunOk(r);
      assert.equal(r.outcomes.getHit, r.ops);
      assert.ok(r.arriveTicks <= 0, 'every thread arrived before the release');
      assert.ok(r.measureStartTicks >= 0.05 * HZ * 0.999, 'measurement starts after the warm-up');
      assert.ok(r.measureEndTicks >= 0.25 * HZ * 0.999, 'and ends after warm-up + duration');
    }
    assert.notEqual(a.threadId, b.threadId);
    assert.equal(a.releaseTsc, b.releaseTsc, 'one release for both');
    assert.equal(Atomics.load(control, ControlField.arrived), 2);
    assert.equal(Atomics.load(control, ControlField.go), 1);
    assert.equal(Atomics.load(control, ControlField.abort), 0);
    const overlapStart = Math.max(a.measureStartTicks, b.measureStartTicks);
    const overlapEnd = Math.min(a.measureEndTicks, b.measureEndTicks);
    assert.ok(overlapStart < overlapEnd, `measured windows overlap: [${overlapStart}, ${overlapEnd}]`);
    assert.equal(addon.verify(id, 10_000, 2, true), '');
  } finally {
    addon.destroyMap(id);
  }
});

test('two workers with a mixed read/write workload leave a consistent map', async () => {
  const id = makeMap({ expectedEntries: 2000 });
  try {
    addon.prefill(id, 2000);
    const control = newControl();
    const spec = (i: number): WorkerSpec => {
      const s = workerSpec(i, 2, {}, 2000);
      return { ...s, workload: { ...s.workload, mix: [40, 10, 20, 20, 10], dist: 'zipf', theta: 0.9 } };
    };
    const results = await withWorkers(2, (ws) => Promise.all(ws.map((w, i) => w.call('runWorker', id, control, spec(i)))));
    for (const r of results) {
      assertRunOk(r);
      assert.ok(r.outcomes.updateHit + r.outcomes.updateMiss > 0);
      assert.ok(r.outcomes.eraseHit + r.outcomes.eraseMiss > 0);
      assert.ok(r.outcomes.insertNew + r.outcomes.insertAssign > 0);
      assert.equal(r.outcomes.insertFull, 0);
    }
    assert.equal(addon.verify(id, 2000, 2, false), '');
    assert.ok(addon.size(id) <= 2000, 'inserts draw from the prefilled key set');
  } finally {
    addon.destroyMap(id);
  }
});

test('destroying a map while two workers run on it lets the runs complete', async () => {
  const id = makeMap({ expectedEntries: 10_000 });
  assert.equal(addon.prefill(id, 10_000), 0);
  const live = addon.liveMaps();
  const control = newControl();
  await withWorkers(2, async (ws) => {
    const runs = ws.map((w, i) => w.call('runWorker', id, control, workerSpec(i, 2, { durationSeconds: 0.3 }, 10_000)));
    await waitForGo(control);
    assert.equal(addon.destroyMap(id), true);
    assert.equal(addon.liveMaps(), live - 1);
    assert.equal(addon.destroyMap(id), false);
    assert.throws(() => addon.get(id, keyOf(0)), { name: 'RangeError', message: /does not exist/ });
    const results = await Promise.all(runs);
    for (const r of results) {
      assertRunOk(r);
      assert.equal(r.outcomes.getHit, r.ops, 'the map kept its contents until the runs ended');
    }
    // The workers are still healthy, and the id stays dead for them too.
    for (const w of ws) {
      await assert.rejects(w.call('runWorker', id, newControl(), workerSpec(0, 1)), { name: 'RangeError', message: /does not exist/ });
      assert.equal(await w.call('liveMaps'), live - 1);
    }
  });
});

test('a thread alone at a two-thread gate times out and raises abort', () => {
  const id = makeMap();
  try {
    const control = newControl();
    const r = addon.runWorker(id, control, workerSpec(0, 2, { gateTimeoutSeconds: 0.1 }));
    assert.equal(r.ok, false);
    assert.match(r.error, /start gate timed out: 1 of 2 threads arrived/);
    assert.equal(r.ops, 0);
    assert.equal(Atomics.load(control, ControlField.abort), 1);
  } finally {
    addon.destroyMap(id);
  }
});

test('setting abort stops running threads within a batch', async () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    const control = newControl();
    await withWorkers(2, async (ws) => {
      const t0 = performance.now();
      const runs = ws.map((w, i) => w.call('runWorker', id, control, workerSpec(i, 2, { durationSeconds: 60 })));
      await waitForGo(control);
      Atomics.store(control, ControlField.abort, 1);
      const results = await Promise.all(runs);
      assert.ok(performance.now() - t0 < 30_000, 'the runs ended long before their 60 s duration');
      for (const r of results) {
        assert.equal(r.ok, false);
        // A waiter that had not yet seen the gate open when abort landed
        // reports the abort as before its start.
        assert.match(r.error, /^run aborted( before start)?$/);
      }
      assert.ok(results.some((r) => r.error === 'run aborted'), 'the releasing thread had started');
    });
  } finally {
    addon.destroyMap(id);
  }
});

test('an aborted control block stops a new thread before the gate opens', () => {
  const id = makeMap();
  try {
    const control = newControl();
    Atomics.store(control, ControlField.abort, 1);
    const r = addon.runWorker(id, control, workerSpec(0, 2));
    assert.equal(r.ok, false);
    assert.equal(r.error, 'run aborted before start');
  } finally {
    addon.destroyMap(id);
  }
});

test('latency mode samples one op in sampleEvery into per-kind histograms', () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    const spec = workerSpec(0, 1, { mode: 'latency', sampleEvery: 7, durationSeconds: 0.1 });
    const r = addon.runWorker(id, newControl(), { ...spec, workload: { ...spec.workload, mix: [50, 50, 0, 0, 0] } });
    assertRunOk(r);
    assert.ok(r.latency && r.timerOverhead);
    assert.deepEqual(Object.keys(r.latency).sort(), ['erase', 'getHit', 'getMiss', 'insert', 'update']);
    const count = (h: number[]) => addon.histogramSummary([h], []).count;
    const timed = Object.values(r.latency).reduce((a, h) => a + count(h), 0);
    assert.equal(timed, Math.ceil(r.ops / 7), 'one op in 7 is timed');
    assert.ok(count(r.latency.getHit) > 0 && count(r.latency.getMiss) > 0);
    assert.equal(count(r.latency.insert), 0);
    assert.equal(count(r.timerOverhead), 20_000);
    assert.equal(r.outcomes.getHit + r.outcomes.getMiss, r.ops);
  } finally {
    addon.destroyMap(id);
  }
});

test('optional workload parameters may be undefined', () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    const base = workerSpec(0, 1, { durationSeconds: 0.05, warmupSeconds: 0 });
    for (const dist of ['uniform', 'zipf', 'hotspot'] as const) {
      const spec = { ...base, workload: { ...base.workload, dist, theta: undefined, hotFraction: undefined, hotOpFraction: undefined } };
      assertRunOk(addon.runWorker(id, newControl(), spec));
    }
  } finally {
    addon.destroyMap(id);
  }
});

test('stats mode counts lookups that match the outcomes', () => {
  const id = makeMap();
  try {
    addon.prefill(id, 1000);
    const spec = workerSpec(0, 1, { mode: 'stats', durationSeconds: 0.1 });
    const r = addon.runWorker(id, newControl(), { ...spec, workload: { ...spec.workload, mix: [50, 50, 0, 0, 0] } });
    assertRunOk(r);
    assert.ok(r.stats);
    assert.equal(r.stats.hitLookups, r.outcomes.getHit);
    assert.equal(r.stats.missLookups, r.outcomes.getMiss);
    assert.ok(r.stats.hitProbes >= r.stats.hitLookups);
    assert.ok(r.stats.missProbes >= r.stats.missLookups);
    assert.equal(r.stats.casFailures, 0, 'no CAS in a read-only run');
    assert.equal(r.latency, undefined);
  } finally {
    addon.destroyMap(id);
  }
});

test('a used control block is refused, not replayed with a stale release time', () => {
  const id = addon.createMap({ design: 'lockfree', expectedEntries: 1000, loadFactor: 0.5 });
  addon.prefill(id, 1000);
  const control = new Int32Array(new SharedArrayBuffer(addon.controlBytes));
  const spec = {
    workload: { mix: [100, 0, 0, 0, 0] as [number, number, number, number, number], dist: 'uniform' as const, keys: 1000, seed: 1, threadIndex: 0, streamLength: 256 },
    threads: 1, mode: 'throughput' as const, sampleEvery: 1, cpu: 0, warmupSeconds: 0, durationSeconds: 0.01, gateTimeoutSeconds: 1, tscHz: 0,
  };
  assert.equal(addon.runWorker(id, control, spec).ok, true);
  const again = addon.runWorker(id, control, spec);
  assert.equal(again.ok, false);
  assert.match(again.error, /control block already used/);
  addon.destroyMap(id);
});

test('capacityFor and createMap refuse a load factor that would need an absurd table', () => {
  assert.throws(() => addon.capacityFor(1, 1e-20), RangeError);
  assert.throws(() => addon.createMap({ design: 'mutex', expectedEntries: 1, loadFactor: 1e-12 }), /exceed 2\^37 slots/);
});
