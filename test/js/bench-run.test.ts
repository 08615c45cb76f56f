// runBench against the fake lab: scheduling, writing, interruption,
// failures and warnings with deterministic numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runBench } from '../../src/bench.js';
import { tscFlagsFromCpuinfo } from '../../src/environment.js';
import { resolveConfig, type RawOptions } from '../../src/config.js';
import { isUnreliable, parseResultFile, type Environment, type ResultFile } from '../../src/schema.js';
import { renderTable } from '../../src/table.js';
import { FAKE_ENV, FakeLab } from './fake-lab.js';

const env: Environment = FAKE_ENV;

function config(lab: FakeLab, raw: RawOptions) {
  return resolveConfig(
    { keys: '1000', duration: '0.1', warmup: '0', repeat: '5', out: '/tmp/unused.json', ...raw },
    { designs: lab.designs(), capacityFor: lab.capacityFor.bind(lab), availableCpus: [0, 1], skipOutCheck: true },
  );
}

async function run(lab: FakeLab, raw: RawOptions, control = { aborted: false }, environment: Environment = env) {
  const writes: ResultFile[] = [];
  const doc = await runBench(config(lab, raw), lab, environment, { write: (d) => writes.push(structuredClone(d)) }, control);
  return { doc, writes };
}

test('every cell is written as it completes, and the file validates', async () => {
  const lab = new FakeLab({ rate: (d) => (d === 'floor' ? 100e6 : 10e6) });
  const { doc, writes } = await run(lab, { maps: 'lockfree,floor', threads: '1,2', loadFactors: '0.5', mix: 'C' });
  assert.equal(doc.status, 'complete');
  assert.equal(doc.cells.length, 4);
  // one initial write, one per cell, one final
  assert.equal(writes.length, 1 + 4 + 1);
  assert.deepEqual(writes.map((w) => w.cells.length), [0, 1, 2, 3, 4, 4]);
  for (const w of writes) parseResultFile(JSON.parse(JSON.stringify(w)));
  const cell = doc.cells.find((c) => c.params.map === 'lockfree' && c.params.threads === 2)!;
  assert.equal(cell.status, 'ok');
  if (cell.status !== 'ok') return;
  assert.equal(cell.repeats.length, 5);
  assert.equal(Math.round(cell.summary.opsPerSec!.median), 20e6);
  assert.equal(cell.summary.opsPerSec!.spreadPct, 0);
  assert.equal(cell.repeats[0]!.threads.length, 2);
  assert.equal(cell.repeats[0]!.startSkewNs, 100);
  assert.ok(cell.stats, 'statistics pass recorded');
  assert.equal(cell.stats!.meanProbeHit, 2);
  assert.equal(cell.stats!.contendedPerOp, 0.1);
  assert.equal(lab.runs, 4 * (5 + 1));
});

test('latency pass: percentiles ordered, timer overhead recorded', async () => {
  const lab = new FakeLab();
  const { doc } = await run(lab, { maps: 'lockfree', threads: '1', loadFactors: '0.5', mix: 'C', mode: 'both', repeat: '1' });
  const cell = doc.cells[0]!;
  assert.equal(cell.status, 'ok');
  if (cell.status !== 'ok') return;
  const o = cell.summary.latency!.overall!;
  assert.equal(o.count, 100);
  assert.equal(o.p50Ns, 100);
  assert.equal(o.p99Ns, 1000);
  assert.ok(o.p50Ns <= o.p99Ns && o.p99Ns <= o.maxNs);
  assert.deepEqual(cell.timerOverheadNs, { p50: 20, mean: 20 });
  assert.ok(cell.summary.opsPerSec && cell.summary.latencyOpsPerSec);
});

test('a failing cell is recorded and the run goes on', async () => {
  const lab = new FakeLab({ failDesign: 'mutex' });
  const { doc } = await run(lab, { maps: 'mutex,lockfree', threads: '1', loadFactors: '0.5', mix: 'C', repeat: '2' });
  assert.equal(doc.status, 'complete');
  const failed = doc.cells.find((c) => c.params.map === 'mutex')!;
  assert.equal(failed.status, 'failed');
  if (failed.status === 'failed') assert.match(failed.error, /thread 0: planted failure/);
  assert.equal(doc.cells.find((c) => c.params.map === 'lockfree')!.status, 'ok');
});

test('interruption keeps completed cells and drops the unit in flight', async () => {
  const control = { aborted: false };
  const lab = new FakeLab({
    beforeRun: (i) => {
      if (i === 7) {
        control.aborted = true;
        lab.abort();
      }
    },
  });
  const { doc, writes } = await run(lab, { maps: 'mutex,lockfree,floor', threads: '1', loadFactors: '0.5', mix: 'C', repeat: '3', stats: false }, control);
  assert.equal(doc.status, 'interrupted');
  // 3 repeats per cell: runs 0-2 and 3-5 complete two cells; run 7 is in the third.
  assert.equal(doc.cells.length, 2);
  assert.ok(doc.cells.every((c) => c.status === 'ok'));
  assert.equal(writes.at(-1)!.status, 'interrupted');
});

test('warnings: oversubscription, variance, few repeats, once each', async () => {
  let n = 0;
  const lab = new FakeLab({ rate: () => (n++ % 2 ? 10e6 : 12e6) });
  const { doc } = await run(lab, { maps: 'lockfree', threads: '1,4', loadFactors: '0.5', mix: 'C', repeat: '3', stats: false });
  const codes = doc.warnings.map((w) => w.code);
  assert.ok(codes.includes('oversubscribed'));
  assert.ok(codes.includes('fewRepeats'));
  assert.equal(codes.filter((c) => c === 'highVariance').length, 2, 'one per cell');
  for (const w of doc.warnings) assert.ok(w.advice.length > 0);
});

test('--interleave runs every unit once, in a seeded order', async () => {
  const orders: string[][] = [];
  for (const interleave of [true, true, false]) {
    const lab = new FakeLab();
    const seen: string[] = [];
    const c = config(lab, { maps: 'mutex,lockfree', threads: '1', loadFactors: '0.5,0.9', mix: 'C', repeat: '2', interleave, stats: false });
    await runBench(c, lab, env, { write: () => {}, onUnit: (_d, _t, u) => seen.push(`${u.cell.key}#${u.repeat}`) }, { aborted: false });
    orders.push(seen);
  }
  const [a, b, plain] = orders as [string[], string[], string[]];
  assert.equal(a.length, 8);
  assert.deepEqual([...a].sort(), [...plain].sort(), 'same units');
  assert.deepEqual(a, b, 'same seed, same order');
  assert.notDeepEqual(a, plain, 'shuffled');
});

test('a run whose threads began measuring too far apart is rerun, then kept and marked unreliable', async () => {
  // duration 0.1 s, --max-skew 5%: 5 ms allowed; thread 1 starts 6 ms late.
  const late = 6e6;
  const sometimes = new FakeLab({ lateStart: (run) => (run === 0 ? late : 0) });
  const once = await run(sometimes, { maps: 'lockfree', threads: '2', loadFactors: '0.5', mix: 'C', repeat: '1', stats: false });
  const rerun = once.doc.cells[0]!;
  assert.equal(rerun.status, 'ok');
  assert.equal(sometimes.runs, 2, 'the skewed run was rerun');
  assert.ok(once.doc.warnings.some((w) => w.code === 'skewRetried'));
  assert.equal(isUnreliable(rerun), false, 'a rerun that measured together is reliable');

  // Repeat 1's three attempts start 6, 7 and 8 ms late; the closest is kept. Repeat 0 measures together.
  const always = new FakeLab({ lateStart: (r) => (r === 0 ? 0 : late + (r - 1) * 1e6) });
  const noisy = await run(always, { maps: 'lockfree', threads: '2', loadFactors: '0.5', mix: 'C', repeat: '2', stats: false });
  assert.equal(noisy.doc.status, 'complete');
  const cell = noisy.doc.cells[0]!;
  assert.equal(cell.status, 'ok', 'skew is noise in the figure, not a failed cell');
  if (cell.status !== 'ok') return;
  assert.ok(isUnreliable(cell));
  assert.equal(cell.repeats.length, 2, 'the data are kept');
  assert.deepEqual(cell.unreliable!.map((u) => [u.repeat, u.pass]), [[1, 'throughput']]);
  assert.match(cell.unreliable![0]!.reason, /began measuring 6\.00 ms apart, more than 5% of the 0\.1s run \(--max-skew\), in each of 3 attempts/);
  assert.equal(cell.repeats[1]!.windowSkewNs, late, 'the attempt that measured closest together is the one kept');
  assert.equal(always.runs, 1 + 3, 'two reruns, then the cell is kept');
  const warning = noisy.doc.warnings.find((w) => w.code === 'skewExceeded');
  assert.ok(warning, 'warned about');
  assert.equal(warning.cellKey, cell.key);
  parseResultFile(JSON.parse(JSON.stringify(noisy.doc)));
  assert.match(renderTable(noisy.doc), /UNRELIABLE: 1 run over --max-skew/);

  const loose = new FakeLab({ lateStart: () => late });
  const tolerated = await run(loose, { maps: 'lockfree', threads: '2', loadFactors: '0.5', mix: 'C', repeat: '1', stats: false, maxSkew: '10%' });
  assert.equal(tolerated.doc.cells[0]!.status, 'ok');
  assert.equal(isUnreliable(tolerated.doc.cells[0]!), false);
  assert.ok(tolerated.doc.warnings.some((w) => w.code === 'startSkew'), 'still warned about');
  assert.doesNotMatch(renderTable(tolerated.doc), /reliable/, 'no column when every cell is reliable');
});

test('real faults still fail the cell: a failed correctness check, a thread that errs', async () => {
  const lab = new FakeLab({ verify: (d) => (d === 'mutex' ? 'key 7 lost' : ''), lateStart: () => 6e6 });
  const { doc } = await run(lab, { maps: 'mutex,lockfree', threads: '2', loadFactors: '0.5', mix: 'C', repeat: '1', stats: false });
  const byMap = Object.fromEntries(doc.cells.map((c) => [c.params.map, c]));
  assert.equal(byMap.mutex!.status, 'failed', 'a skewed run does not hide a failed check');
  if (byMap.mutex!.status === 'failed') assert.match(byMap.mutex!.error, /correctness check failed: key 7 lost/);
  assert.equal(byMap.lockfree!.status, 'ok');

  const dying = new FakeLab({ failDesign: 'lockfree', lateStart: () => 6e6 });
  const died = await run(dying, { maps: 'lockfree', threads: '2', loadFactors: '0.5', mix: 'C', repeat: '1', stats: false });
  assert.equal(died.doc.cells[0]!.status, 'failed');
});

test('TSC invariance: read from cpuinfo flags, warned about where missing or unknown', async () => {
  assert.deepEqual(tscFlagsFromCpuinfo('processor\t: 0\nflags\t\t: fpu tsc constant_tsc nonstop_tsc\n'), { constantTsc: true, nonstopTsc: true });
  assert.deepEqual(tscFlagsFromCpuinfo('flags : tsc constant_tsc_x nonstop_tsc\n'), { constantTsc: false, nonstopTsc: true });
  assert.equal(tscFlagsFromCpuinfo('processor : 0\n'), null);
  const raw = { maps: 'lockfree', threads: '1', loadFactors: '0.5', mix: 'C', repeat: '1', stats: false };
  const codes = async (tscInvariant: Environment['tscInvariant']) => {
    const { doc } = await run(new FakeLab(), raw, { aborted: false }, { ...env, tscInvariant });
    parseResultFile(JSON.parse(JSON.stringify(doc)));
    return doc.warnings.filter((w) => w.code === 'tscNotInvariant').map((w) => w.message);
  };
  assert.deepEqual(await codes({ constantTsc: true, nonstopTsc: true }), []);
  assert.deepEqual(await codes(undefined), [], 'nothing recorded (an older environment): nothing to say');
  const [missing] = await codes({ constantTsc: true, nonstopTsc: false });
  assert.match(missing!, /lacks nonstop_tsc$/);
  const [both] = await codes({ constantTsc: false, nonstopTsc: false });
  assert.match(both!, /lacks constant_tsc and nonstop_tsc/);
  const [unknown] = await codes(null);
  assert.match(unknown!, /unknown/);
});
