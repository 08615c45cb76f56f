// Faults: a worker thread that dies, a machine busy with other work, a disk
// that fills up, maps destroyed while threads run on them. The process must
// neither crash nor lose completed work; noise is flagged, not failed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { addon } from '../../src/native.js';
import { availableCpus } from '../../src/config.js';
import { isUnreliable, parseResultFile } from '../../src/schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../src/cli/bench.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-faults-'));
const quickRun = ['--threads', '2', '--keys', '1000', '--load-factors', '0.5', '--mix', 'C', '--duration', '0.05', '--warmup', '0.01',
  '--repeat', '2', '--no-stats', '--max-skew', '100%', '--quiet'];

test('a worker thread that dies fails its cell, names it, and the run goes on', () => {
  const out = path.join(tmp(), 'r.json');
  const r = spawnSync(process.execPath, [cli, '--maps', 'lockfree,mutex,floor', ...quickRun, '--out', out],
    { encoding: 'utf8', env: { ...process.env, MAPBENCH_TEST_KILL_WORKER: 'mutex' }, timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^mapbench: cell map=mutex\|threads=2\|[^\n]* failed: thread 0: worker thread died/m);
  const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.equal(doc.status, 'complete');
  const byMap = Object.fromEntries(doc.cells.map((c) => [c.params.map, c]));
  assert.equal(byMap.mutex!.status, 'failed');
  assert.equal(byMap.lockfree!.status, 'ok', 'the cells after the failure still ran');
  assert.equal(byMap.floor!.status, 'ok');
});

/**
 * Starts a busy loop on one CPU of this process (taskset where present) and
 * stops it after `fn`: the bench's threads then share their CPUs with it.
 */
async function withHog<T>(fn: () => Promise<T> | T): Promise<T> {
  const loop = ['-e', 'for (;;) {}'];
  const pinned = spawnSync('taskset', ['--version']).status === 0;
  const hog = pinned ? spawn('taskset', ['-c', String(availableCpus()[0]!), process.execPath, ...loop], { stdio: 'ignore' })
    : spawn(process.execPath, loop, { stdio: 'ignore' });
  try {
    return await fn();
  } finally {
    hog.kill('SIGKILL');
  }
}

const runAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

test('a busy machine: skewed cells are kept, flagged unreliable, exit 0; --strict exits 1', async () => {
  // A CPU hog beside two benchmark threads on this machine's CPUs; a --max-skew of
  // a few nanoseconds of the run makes exceeding it certain however quiet the rest is.
  const dir = tmp();
  const args = (out: string) => ['--maps', 'spin,floor', '--threads', '2', '--keys', '1000', '--load-factors', '0.5', '--mix', 'C',
    '--duration', '0.05', '--warmup', '0.01', '--repeat', '2', '--no-stats', '--max-skew', '0.00001%', '--out', out];
  const [lenient, strict] = await withHog(async () => [await runAsync(args(path.join(dir, 'a.json'))), await runAsync([...args(path.join(dir, 'b.json')), '--strict'])]);

  assert.equal(lenient.status, 0, lenient.stderr);
  const doc = parseResultFile(JSON.parse(fs.readFileSync(path.join(dir, 'a.json'), 'utf8')));
  assert.equal(doc.status, 'complete');
  for (const c of doc.cells) {
    assert.equal(c.status, 'ok', c.key);
    assert.ok(isUnreliable(c), `${c.key} is flagged`);
    if (c.status === 'ok') assert.equal(c.repeats.length, 2, 'its data are kept');
  }
  assert.match(lenient.stdout, /^! unreliable cell \(kept runs exceeded --max-skew\)$/m);
  assert.match(lenient.stdout, /^  skewExceeded ×2: .*threads began measuring further apart than --max-skew allows in every run/m);
  assert.match(lenient.stdout, /\(2 cells, 2 unreliable, complete\)/);

  assert.equal(strict.status, 1, strict.stderr);
  assert.match(strict.stderr, /^mapbench: --strict: 2 unreliable cells \(map=spin\|/m);
  const strictDoc = parseResultFile(JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')));
  assert.equal(strictDoc.config.strict, true);
  assert.ok(strictDoc.cells.every(isUnreliable), 'the same data are written');
});

test('a full disk: one line, exit 2, the last complete file intact, no temporary files', (t) => {
  const dir = tmp();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a small tmpfs here (${mounted.stderr.trim() || 'mount failed'})`);
    return;
  }
  try {
    const out = path.join(dir, 'r.json');
    const r = spawnSync(process.execPath, [cli, '--maps', 'lockfree,mutex,spin,rwlock,floor,null', '--threads', '1,2', '--keys', '1000',
      '--load-factors', '0.5,0.7,0.9', '--mix', 'C', '--duration', '0.02', '--warmup', '0', '--repeat', '3', '--max-skew', '100%', '--quiet', '--out', out],
      { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^mapbench: error: cannot write .*r\.json: no space left on device$/);
    const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
    assert.ok(doc.cells.length >= 1, 'cells completed before the disk filled are kept');
    assert.deepEqual(fs.readdirSync(dir), ['r.json']);
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('bad flags leave an existing result file untouched', () => {
  const out = path.join(tmp(), 'r.json');
  fs.writeFileSync(out, 'precious');
  const r = spawnSync(process.execPath, [cli, '--maps', 'nope', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(fs.readFileSync(out, 'utf8'), 'precious');
});

test('maps created and destroyed while threads run on them: no crash, clean errors', async () => {
  const workerSource = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData.addonPath);
    parentPort.on('message', ({ id, control, spec }) => {
      let r;
      try { r = addon.runWorker(id, control, spec); } catch (e) { r = { ok: false, error: e.constructor.name + ': ' + e.message }; }
      parentPort.postMessage({ ok: r.ok, error: r.error });
    });`;
  const { addonPath } = await import('../../src/native.js');
  const workers = [0, 1].map(() => new Worker(workerSource, { eval: true, workerData: { addonPath } }));
  const ask = (w: Worker, msg: unknown) => new Promise<{ ok: boolean; error: string }>((resolve) => {
    w.once('message', resolve);
    w.postMessage(msg);
  });
  try {
    for (let round = 0; round < 40; round++) {
      const design = ['lockfree', 'mutex', 'sharded', 'spin'][round % 4]!;
      const id = addon.createMap({ design, expectedEntries: 2000, loadFactor: 0.5 });
      addon.prefill(id, 2000);
      const control = new Int32Array(new SharedArrayBuffer(addon.controlBytes));
      const spec = (threadIndex: number) => ({
        workload: { mix: [50, 0, 20, 20, 10] as [number, number, number, number, number], dist: 'uniform' as const, keys: 2000, seed: round, threadIndex, streamLength: 4096 },
        threads: 2, mode: 'throughput' as const, sampleEvery: 1, cpu: 0, warmupSeconds: 0, durationSeconds: 0.01, gateTimeoutSeconds: 5, tscHz: 0,
      });
      // Odd rounds destroy the map before the threads even start: they must fail cleanly.
      if (round % 2 === 1) addon.destroyMap(id);
      const runs = workers.map((w, i) => ask(w, { id, control, spec: spec(i) }));
      if (round % 2 === 0) {
        // Destroy once both threads are inside runWorker (they have arrived at the gate), so each holds its own reference.
        while (Atomics.load(control, 0) < 2) await new Promise((r) => setTimeout(r, 1));
        assert.equal(addon.destroyMap(id), true);
      }
      const results = await Promise.all(runs);
      for (const r of results) {
        if (round % 2 === 1) assert.match(r.error, /^RangeError: map \d+ does not exist/);
        else assert.equal(r.ok, true, r.error);
      }
      assert.throws(() => addon.get(id, 5n), /does not exist/);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
