// The bench CLI end to end, with the real addon and real worker threads.
// Invariants only: no assertion here depends on how fast anything ran.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseResultFile } from '../../src/schema.js';
import { assertRejected } from './bench-cli.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/bench.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-cli-'));
const bench = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

const badFlags: Array<[string[], RegExp]> = [
  [['--maps', 'nope'], /unknown map 'nope'/],
  [['--load-factors', '1.2'], /--load-factors must be in \(0, 1\)/],
  [['--threads', '0'], /--threads/],
  [['--cpus', '4096'], /CPU 4096 does not exist/],
  [['--maps', 'sharded', '--keys', '16'], /too small/],
  [['--bogus'], /unknown option '--bogus'/],
  [['--duration'], /argument missing/],
  [['--out', '/proc/nope/x.json'], /--out/],
  [['--maps', 'lockfree,lockfree'], /^mapbench: error: --maps lists 'lockfree' more than once$/],
  [['--threads', '1,2,1'], /--threads lists '1' more than once/],
  [['--repeat', 'often'], /--repeat/],
  [['--target-ci', '-1%'], /--target-ci must be a percentage/],
  [['--table', 'boxes'], /--table must be summary or cells/],
];

for (const [args, message] of badFlags) {
  test(`bad flags ${args.join(' ')}: one line, exit 2, nothing written`, () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    assertRejected([...(args.includes('--out') ? [] : ['--out', out]), ...args], message, dir);
  });
}

test('--help documents every flag with its default', () => {
  const r = bench(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--maps', '--threads', '--cpus', '--load-factors', '--keys', '--mix', '--dist', '--shards', '--duration',
    '--warmup', '--repeat', '--mode', '--seed', '--out', '--quiet', '--json', '--interleave', '--sample-every']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /default: "0\.5,0\.9"/);
});

test('a short real run produces a valid file whose figures hold together', () => {
  const dir = tmp();
  const out = path.join(dir, 'r.json');
  const r = bench([
    '--maps', 'lockfree,sharded,mutex,floor,null', '--threads', '1,2', '--keys', '20000', '--load-factors', '0.5',
    '--mix', 'C,cart', '--duration', '0.1', '--warmup', '0.03', '--repeat', '2', '--mode', 'both', '--out', out, '--quiet',
    // The start-skew rule has its own tests (bench-run.test.ts); a loaded CI host must not fail this one on it.
    '--max-skew', '100%',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.equal(doc.status, 'complete');
  assert.equal(doc.cells.length, 5 * 2 * 2);
  for (const c of doc.cells) {
    assert.equal(c.status, 'ok', `${c.key}: ${c.status === 'failed' ? c.error : ''}`);
    if (c.status !== 'ok') continue;
    assert.ok(c.summary.opsPerSec!.median > 0, c.key);
    assert.equal(c.repeats.length, 4, 'two repeats of two passes');
    for (const rep of c.repeats) {
      assert.equal(new Set(rep.threads.map((t) => t.threadId)).size, c.params.threads, 'one OS thread per benchmark thread');
      const outcomeSum = Object.values(rep.outcomes).reduce((a, b) => a + b, 0);
      assert.equal(outcomeSum, rep.ops);
      if (c.params.design !== 'null' && c.params.design !== 'floor') assert.ok(Math.abs(rep.prefillLoadFactor - 0.5) < 0.01, `${c.key} prefill lf ${rep.prefillLoadFactor}`);
      if (c.params.design !== 'floor' && c.params.design !== 'null') assert.deepEqual(rep.check, { ok: true, message: '' });
    }
    const o = c.summary.latency!.overall!;
    assert.ok(o.count > 0);
    assert.ok(o.p50Ns <= o.p99Ns && o.p99Ns <= o.p999Ns && o.p999Ns <= o.maxNs, c.key);
    if (c.params.mix === 'C') {
      assert.equal(c.summary.endLoadFactor, c.repeats[0]!.prefillLoadFactor, 'a read-only mix leaves the table as prefilled');
    }
    // Designed to allocate nothing per op: lock-free always, sharded without erases.
    if (c.params.design === 'lockfree' || (c.params.design === 'sharded' && c.params.mix === 'C')) {
      assert.equal(c.summary.allocationsPerOp, 0, c.key);
    }
  }
  const shardedCell = doc.cells.find((c) => c.params.design === 'sharded')!;
  assert.equal(shardedCell.status === 'ok' && shardedCell.stats?.shardOps?.length, 64);
  assert.ok(doc.environment.tscHz > 0);
  assert.match(doc.environment.build.flags, /-O3/);
});

test('an offered rate far above capacity stops at the deadline and counts the ops it missed', () => {
  const dir = tmp();
  const out = path.join(dir, 'r.json');
  const duration = 0.2;
  const rate = 5e8;
  const r = bench([
    '--maps', 'mutex', '--threads', '2', '--keys', '10000', '--load-factors', '0.5', '--mix', 'C', '--rate', String(rate),
    '--mode', 'latency', '--duration', String(duration), '--warmup', '0.05', '--repeat', '2', '--out', out, '--quiet',
    '--max-skew', '100%',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
  const c = doc.cells[0]!;
  assert.equal(c.status, 'ok', c.status === 'failed' ? c.error : '');
  if (c.status !== 'ok') return;
  for (const rep of c.repeats) {
    assert.equal(rep.offeredOpsPerSec, rate);
    // The measured window is the duration, not the time the backlog took.
    assert.ok(rep.windowSeconds >= duration * 0.99 && rep.windowSeconds <= duration + 0.05, `window ${rep.windowSeconds} s`);
    assert.ok(rep.ops > 0, 'ops completed');
    assert.ok(rep.missedOps! > 0, 'ops missed');
    // Issued + missed is the schedule: rate x duration, within a few ops per thread.
    assert.ok(Math.abs(rep.ops + rep.missedOps! - rate * duration) <= 10 * c.params.threads, `${rep.ops} + ${rep.missedOps}`);
    assert.ok(rep.opsPerSec < rate, 'achieved below offered');
    assert.equal(rep.latency!.overall!.count, rep.ops, 'every issued op timed');
  }
});

test('--json prints the result document on stdout', () => {
  const dir = tmp();
  const r = bench(['--maps', 'lockfree', '--threads', '1', '--keys', '1000', '--load-factors', '0.5', '--mix', 'C',
    '--duration', '0.02', '--warmup', '0', '--repeat', '1', '--no-stats', '--json', '--out', path.join(dir, 'r.json')]);
  assert.equal(r.status, 0, r.stderr);
  const doc = parseResultFile(JSON.parse(r.stdout));
  assert.equal(doc.cells.length, 1);
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} mid-run keeps every completed cell in a valid file (exit ${code})`, async () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    const child = spawn(process.execPath, [cli, '--maps', 'lockfree,mutex,spin,rwlock,floor', '--threads', '1,2', '--keys', '1000',
      '--load-factors', '0.5,0.7,0.9', '--mix', 'C', '--duration', '0.1', '--warmup', '0', '--repeat', '2', '--no-stats', '--out', out, '--quiet'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Wait until at least two cells are on disk, then interrupt.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        if (JSON.parse(fs.readFileSync(out, 'utf8')).cells.length >= 2) break;
      } catch {
        // not written yet
      }
      assert.ok(Date.now() < deadline, 'no cell completed in time');
    }
    child.kill(signal);
    assert.equal(await exited, code, stderr);
    const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
    assert.equal(doc.status, 'interrupted');
    assert.ok(doc.cells.length >= 2 && doc.cells.length < 30);
    assert.ok(doc.cells.every((c) => c.status === 'ok'));
    assert.deepEqual(fs.readdirSync(dir), ['r.json'], 'no temporary files left');
    assert.match(stderr, /interrupted; \d+ completed cells kept/);
  });
}
