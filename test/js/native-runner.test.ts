// mapbench_native (bench/native/), the runner without Node: its result file
// is read by the schema reader compare and report use, has the shape of a
// file from `npm run bench` with the same flags (the same config, cell keys
// and params; only what needs Node left out), its summaries are what
// src/stats.ts computes from its raw repeats, compare joins its cells with the
// harness file's and report renders it; bad flags exit 2 with one line and no
// file, an interrupted run keeps its completed cells. Runs the binary the
// native test suite builds (npm test runs that first); skipped without it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { readResultFile } from '../../src/result-files.js';
import { type CellRecordOk, LATENCY_KINDS, parseResultFile, ResultFileError, type ResultFile } from '../../src/schema.js';
import { summarize } from '../../src/stats.js';
import { WARNINGS, type WarningCode } from '../../src/warnings.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'build-native', 'release', 'mapbench_native');
const benchCli = path.join(root, 'dist', 'src', 'cli', 'bench.js');
const compareCli = path.join(root, 'dist', 'src', 'cli', 'compare.js');
const reportCli = path.join(root, 'dist', 'src', 'cli', 'report.js');
const skip = fs.existsSync(bin) ? false : `${path.relative(root, bin)} is not built (npm run test:native builds it)`;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-native-'));
/** One tiny matrix, given to both runners: two designs and a pseudo map, two mixes, both passes, the statistics pass. */
const FLAGS = ['--maps', 'lockfree,sharded:spin,floor', '--threads', '1', '--keys', '1e4', '--load-factors', '0.5', '--mix', 'C,cart',
  '--duration', '0.05', '--warmup', '0.01', '--repeat', '3', '--mode', 'both', '--max-skew', '100%'];

interface Runs {
  dir: string;
  nativeFile: string;
  benchFile: string;
  native: ResultFile;
  bench: ResultFile;
  stdoutDoc: unknown;
}
let runs: Runs | null = null;
/** Both runs, once for every test that reads them. */
function bothRuns(): Runs {
  if (runs) return runs;
  const dir = tmp();
  const nativeFile = path.join(dir, 'native.json');
  const benchFile = path.join(dir, 'bench.json');
  const n = spawnSync(bin, [...FLAGS, '--json', '--out', nativeFile], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(n.status, 0, n.stderr);
  const b = spawnSync(process.execPath, [benchCli, ...FLAGS, '--quiet', '--out', benchFile], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(b.status, 0, b.stderr);
  runs = {
    dir, nativeFile, benchFile,
    native: readResultFile(nativeFile).doc,
    bench: readResultFile(benchFile).doc,
    stdoutDoc: JSON.parse(n.stdout),
  };
  return runs;
}

/** Every path of a document with the type at its end (arrays by their first element). */
function shape(x: unknown, at = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(x)) {
    if (x.length) shape(x[0], `${at}[]`, out);
    else out.add(`${at}[] empty`);
  } else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) shape(v, `${at}.${k}`, out);
  } else {
    out.add(`${at}: ${x === null ? 'null' : typeof x}`);
  }
  return out;
}

const okCells = (doc: ResultFile) => doc.cells.filter((c): c is CellRecordOk => c.status === 'ok');

test('the native file passes the schema reader compare and report use, and says who wrote it', { skip }, () => {
  const { native, stdoutDoc } = bothRuns();
  assert.equal(native.generator, 'mapbench_native');
  assert.equal(native.status, 'complete');
  assert.equal(native.environment.node, undefined);
  assert.equal(native.environment.v8, undefined);
  assert.equal(native.environment.build.buildSystem, 'cmake');
  assert.equal(native.environment.commandLine[0], 'mapbench_native');
  assert.ok(native.environment.tscHz > 0 && native.environment.timerOverheadNs.p50 > 0);
  assert.ok(Object.keys(native.environment.caches).length > 0, 'caches from /sys');
  assert.equal(native.cells.length, 6);
  for (const c of okCells(native)) {
    assert.equal(c.repeats.filter((r) => r.pass === 'throughput').length, 3, c.key);
    assert.equal(c.repeats.filter((r) => r.pass === 'latency').length, 3, c.key);
    assert.equal(c.memory.heapBeforeBytes, undefined, 'no JS heap');
  }
  assert.equal(okCells(native).length, 6);
  // --json prints the document the file holds.
  const { updatedAt: _a, ...printed } = parseResultFile(stdoutDoc);
  const { updatedAt: _b, ...kept } = native;
  assert.deepEqual(printed, kept);
});

test('the native file has the harness file\'s config, cell keys, params and shape', { skip }, () => {
  const { native, bench, nativeFile, benchFile } = bothRuns();
  assert.deepEqual({ ...native.config, out: '' }, { ...bench.config, out: '' });
  assert.equal(native.config.out, nativeFile);
  assert.equal(bench.config.out, benchFile);
  assert.deepEqual(native.cells.map((c) => c.key), bench.cells.map((c) => c.key));
  assert.deepEqual(native.cells.map((c) => c.params), bench.cells.map((c) => c.params));
  // Field by field, only what needs Node is missing; nothing is there that the harness does not write.
  const nativeShape = shape(native);
  const benchShape = shape(bench);
  const onlyBench = [...benchShape].filter((s) => !nativeShape.has(s));
  const onlyNative = [...nativeShape].filter((s) => !benchShape.has(s));
  assert.deepEqual(onlyBench.sort(), [
    '.cells[].memory.heapAfterBytes: number', '.cells[].memory.heapBeforeBytes: number', '.environment.node: string', '.environment.v8: string',
  ]);
  assert.deepEqual(onlyNative.filter((s) => !s.endsWith('[] empty')), []);
  for (const [a, b] of native.cells.map((c, i) => [c, bench.cells[i]!] as const)) {
    if (a.status !== 'ok' || b.status !== 'ok') continue;
    assert.deepEqual(a.stream === undefined, b.stream === undefined, a.key);
    assert.deepEqual(a.stats === undefined, b.stats === undefined, a.key);
    assert.equal(a.map.capacity, b.map.capacity, a.key);
    assert.equal(a.map.prefillEntries, b.map.prefillEntries, a.key);
    assert.deepEqual(a.map.probeHistogram, b.map.probeHistogram, `${a.key}: the same keys in the same table`);
    assert.deepEqual({ ...a.stream, }, { ...b.stream }, `${a.key}: the same streams`);
  }
  // The same warning codes as the harness's catalogue, with its advice.
  for (const w of native.warnings) {
    assert.ok(Object.hasOwn(WARNINGS, w.code), w.code);
    if (w.code === 'streamCoverage') continue;  // its advice depends on its arguments
    const fn = WARNINGS[w.code as WarningCode] as (...a: unknown[]) => { advice: string };
    assert.equal(w.advice, fn(0, 0, 0, 0, false).advice, w.code);
  }
  assert.ok(native.warnings.some((w) => w.code === 'fewRepeats'), 'three repeats warn, as in the harness');
});

test('the native summaries are what src/stats.ts computes from the raw repeats', { skip }, () => {
  const { native } = bothRuns();
  for (const c of okCells(native)) {
    const tp = c.repeats.filter((r) => r.pass === 'throughput');
    const lat = c.repeats.filter((r) => r.pass === 'latency');
    assert.deepEqual(c.summary.opsPerSec, summarize(tp.map((r) => r.opsPerSec)), c.key);
    assert.deepEqual(c.summary.latencyOpsPerSec, summarize(lat.map((r) => r.opsPerSec)), c.key);
    assert.equal(c.summary.endLoadFactor, summarize(tp.map((r) => r.endLoadFactor)).median, c.key);
    const ops = tp.reduce((a, r) => a + r.ops, 0);
    assert.equal(c.summary.allocationsPerOp, tp.reduce((a, r) => a + r.allocationsPerOp * r.ops, 0) / ops, c.key);
    assert.equal(c.summary.bytesPerOp, tp.reduce((a, r) => a + r.bytesPerOp * r.ops, 0) / ops, c.key);
    for (const r of c.repeats) {
      assert.equal(r.opsPerSec, r.ops / r.windowSeconds, c.key);
      assert.equal(r.ops, r.threads.reduce((a, t) => a + t.ops, 0), c.key);
    }
    // Latency: every kind the harness records, the same percentile fields, counts that add up, the curve's percentiles.
    for (const r of lat) {
      const kinds = Object.keys(r.latency!);
      assert.ok(kinds.includes('overall') && kinds.every((k) => k === 'overall' || (LATENCY_KINDS as readonly string[]).includes(k)), c.key);
      const overall = r.latency!.overall!;
      assert.equal(kinds.filter((k) => k !== 'overall').reduce((a, k) => a + r.latency![k]!.count, 0), overall.count, c.key);
      assert.ok(overall.minNs <= overall.p50Ns && overall.p50Ns <= overall.p99Ns && overall.p99Ns <= overall.maxNs, c.key);
      const ps = overall.curve.map((p) => p.percentile);
      const expected = Array.from({ length: 21 }, (_, k) => 100 * (1 - 2 ** -k)).filter((_, k) => 2 ** k <= Math.max(1, overall.count));
      assert.deepEqual(ps, [...expected, 100], c.key);
    }
    const merged = c.summary.latency!.overall!;
    assert.equal(merged.count, lat.reduce((a, r) => a + r.latency!.overall!.count, 0), `${c.key}: merged over the repeats`);
  }
});

test('compare joins the native cells with the harness file\'s, and report renders both', { skip }, () => {
  const { dir, native, nativeFile, benchFile } = bothRuns();
  const cmp = spawnSync(process.execPath, [compareCli, benchFile, nativeFile, '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(cmp.status, 0, cmp.stderr);
  const diff = JSON.parse(cmp.stdout) as {
    pairs: Array<{ cells: Array<{ key: string }>; onlyInBase: unknown[]; onlyInNew: unknown[]; notCompared: unknown[]; envDifferences: Array<{ field: string; new: string }> }>;
  };
  const pair = diff.pairs[0]!;
  assert.deepEqual(pair.cells.map((c) => c.key).sort(), native.cells.map((c) => c.key).sort());
  assert.deepEqual([pair.onlyInBase, pair.onlyInNew, pair.notCompared], [[], [], []]);
  assert.deepEqual(pair.envDifferences.find((d) => d.field === 'node')?.new, 'none');
  const table = spawnSync(process.execPath, [compareCli, nativeFile, benchFile], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /node: none → v\d+/);

  const html = path.join(dir, 'report', 'report.html');
  fs.mkdirSync(path.dirname(html));
  const rep = spawnSync(process.execPath, [reportCli, nativeFile, benchFile, '--out', html], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(rep.status, 0, rep.stderr);
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /written by mapbench_native/);
  assert.match(page, /mapbench_native --maps lockfree,sharded:spin,floor/);
});

test('the schema lets only mapbench_native leave out what needs Node', { skip }, () => {
  const { native, bench } = bothRuns();
  const asHarness = { ...structuredClone(native), generator: 'mapbench' };
  assert.throws(() => parseResultFile(asHarness), (e: unknown) => e instanceof ResultFileError && /at environment\.node/.test(e.message));
  const { node: _n, ...noNode } = bench.environment;
  assert.throws(() => parseResultFile({ ...bench, environment: noNode }), /at environment\.node/);
  assert.equal(parseResultFile(bench).generator, 'mapbench');
  const { generator: _g, ...older } = bench;
  assert.equal(parseResultFile(older).generator, undefined, 'files from before the field still read');
});

test('bad flags: one line on stderr, exit 2, no file', { skip }, () => {
  const cases: Array<[string[], RegExp]> = [
    [['--maps', 'nope'], /unknown map 'nope' \(known: .*lockfree/],
    [['--maps', 'mutex:spin'], /map 'mutex:spin': only sharded designs take a lock kind/],
    [['--maps', 'lockfree,lockfree'], /--maps lists 'lockfree' more than once/],
    [['--threads', '0'], /--threads must be integers in \[1, 1024\], got '0'/],
    [['--load-factors', '1.5'], /--load-factors must be in \(0, 1\), got '1.5'/],
    [['--mix', 'get=-1'], /bad mix weight 'get=-1'/],
    [['--mix', '100,0,0,0,0'], /unknown mix '100'.*get=100/],
    [['--dist', 'zipf:2'], /--dist zipf:θ needs 0 < θ < 1, got '2'/],
    [['--duration', 'soon'], /--duration must be a positive duration/],
    [['--repeat', 'auto'], /--repeat auto is npm run bench's/],
    [['--stream-length', '300'], /multiple of 256/],
    [['--map', 'lockfree'], /unknown option '--map' \(it is --maps now/],
    [['--lf', '0.5'], /unknown option '--lf' \(it is --load-factors now/],
    [['--rate', '1e6'], /unknown option '--rate'/],
    [['--keys'], /option '--keys <list>' argument missing/],
  ];
  for (const [args, message] of cases) {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    const r = spawnSync(bin, ['--maps', 'lockfree', '--threads', '1', '--keys', '1000', '--load-factors', '0.5', '--mix', 'C', '--duration', '0.05',
      '--repeat', '1', '--out', out, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^mapbench_native: error: /);
    assert.match(r.stderr, message);
    assert.deepEqual(fs.readdirSync(dir), [], `${args.join(' ')}: nothing written`);
  }
  const dir = tmp();
  const r = spawnSync(bin, ['--out', dir], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out '.*' is a directory; give a file name/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('an interrupted run keeps every completed cell, status interrupted, exit 130', { skip }, async () => {
  const dir = tmp();
  const out = path.join(dir, 'r.json');
  const child = spawn(bin, ['--maps', 'lockfree,mutex,spin,rwlock', '--threads', '1', '--keys', '1e4', '--load-factors', '0.5', '--mix', 'C',
    '--duration', '0.2', '--warmup', '0.01', '--repeat', '2', '--no-stats', '--quiet', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait for the first completed cell, then interrupt.
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (fs.existsSync(out) && readResultFile(out).doc.cells.length > 0) break;
  }
  child.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  const doc = readResultFile(out).doc;
  assert.equal(doc.status, 'interrupted');
  assert.ok(doc.cells.length >= 1 && doc.cells.length < 4, `${doc.cells.length} cells`);
  for (const c of doc.cells) assert.equal(c.status, 'ok');
  assert.match(stderr, /interrupted; \d+ completed cells kept in /);
  assert.deepEqual(fs.readdirSync(dir), ['r.json'], 'no temporary file left behind');
});
