// --repeat auto against the fake lab with scripted noise: the stopping rule,
// the interleaving of repeats, what each cell records and which cells warn.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runBench, stopReason } from '../../src/bench.js';
import { resolveConfig, type RawOptions } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { type Environment, parseResultFile, type ResultFile } from '../../src/schema.js';
import { FAKE_ENV, FakeLab } from './fake-lab.js';

const env: Environment = FAKE_ENV;

function config(lab: FakeLab, raw: RawOptions) {
  return resolveConfig(
    { keys: '1000', duration: '0.1', warmup: '0', threads: '1', loadFactors: '0.5', mix: 'C', out: '/tmp/unused.json', ...raw },
    { designs: lab.designs(), capacityFor: lab.capacityFor.bind(lab), availableCpus: [0, 1], skipOutCheck: true },
  );
}

async function run(lab: FakeLab, raw: RawOptions, control = { aborted: false }) {
  const writes: ResultFile[] = [];
  const doc = await runBench(config(lab, raw), lab, env, { write: (d) => writes.push(structuredClone(d)), clock: () => lab.clock() }, control);
  return { doc, writes };
}

/** mutex quiet; lockfree alternates ±20% on every run, so its interval never narrows to ±3%. */
const scripted = () =>
  new FakeLab({ secondsPerRun: 0.125, noise: (design, n) => (design === 'lockfree' ? (n % 2 === 0 ? 0.8 : 1.2) : 1) });

const byMap = (doc: ResultFile, map: string) => {
  const c = doc.cells.find((x) => x.params.map === map)!;
  assert.equal(c.status, 'ok');
  return c.status === 'ok' ? c : (undefined as never);
};

test('auto is the default: a quiet cell stops early at the target, a noisy one when its time is spent', async () => {
  const lab = scripted();
  const { doc } = await run(lab, { maps: 'mutex,lockfree', maxCellTime: '1s', stats: false });
  assert.deepEqual(doc.config.adaptive, { targetCiPct: 3, maxCellSeconds: 1, minRepeats: 3, maxRepeats: 15 });
  const quiet = byMap(doc, 'mutex');
  // Six repeats are the fewest with a 95% interval of the median.
  assert.equal(quiet.precision?.stoppedBy, 'target');
  assert.equal(quiet.precision?.repeats, 6);
  assert.equal(quiet.precision?.ciPct, 0);
  assert.equal(quiet.repeats.length, 6);
  const noisy = byMap(doc, 'lockfree');
  assert.equal(noisy.precision?.stoppedBy, 'time');
  assert.equal(noisy.precision?.repeats, 8, '8 runs × 0.125 s = the 1 s budget');
  assert.ok(noisy.precision!.ciPct! > 3);
  assert.equal(noisy.precision?.seconds, 1);
  // Only the cell that missed the target warns; no highVariance or fewRepeats next to it.
  assert.deepEqual(doc.warnings.map((w) => [w.code, w.cellKey]), [['ciMissed', noisy.key]]);
  parseResultFile(JSON.parse(JSON.stringify(doc)));
});

test('a noisy cell with time to spare stops at the most repeats allowed', async () => {
  const lab = scripted();
  const { doc } = await run(lab, { maps: 'lockfree', maxCellTime: '60s', stats: false });
  const noisy = byMap(doc, 'lockfree');
  assert.equal(noisy.precision?.stoppedBy, 'maxRepeats');
  assert.equal(noisy.precision?.repeats, 15);
});

test('repeats of different cells interleave, round by round over the cells still running', async () => {
  const lab = scripted();
  await run(lab, { maps: 'mutex,lockfree', maxCellTime: '1s', stats: false });
  // Rounds 1–6 alternate; mutex stops after round 6, lockfree runs on alone to its budget.
  assert.deepEqual(lab.log, [...Array(6).fill(['mutex', 'lockfree']).flat(), 'lockfree', 'lockfree']);
});

test('the statistics pass runs once per cell, after its last repeat, outside its time budget', async () => {
  const lab = scripted();
  const { doc } = await run(lab, { maps: 'mutex', maxCellTime: '1s' });
  const c = byMap(doc, 'mutex');
  assert.equal(c.repeats.filter((r) => r.pass === 'throughput').length, 6);
  assert.ok(c.stats);
  assert.equal(c.precision?.seconds, 6 * 0.125);
});

test('interrupted: every recorded cell is kept, the cells still repeating are dropped', async () => {
  const control = { aborted: false };
  const lab = new FakeLab({
    secondsPerRun: 0.125,
    noise: (design, n) => (design === 'lockfree' ? (n % 2 === 0 ? 0.8 : 1.2) : 1),
    beforeRun: (i) => {
      if (i === 13) control.aborted = true; // after mutex is recorded (12 runs), during lockfree's 7th repeat
    },
  });
  const { doc } = await run(lab, { maps: 'mutex,lockfree', maxCellTime: '10s', stats: false }, control);
  assert.equal(doc.status, 'interrupted');
  assert.deepEqual(doc.cells.map((c) => c.params.map), ['mutex']);
});

test('a fixed --repeat keeps its count and records no precision', async () => {
  const lab = scripted();
  const { doc } = await run(lab, { maps: 'mutex,lockfree', repeat: '4', stats: false });
  assert.equal(doc.config.adaptive, undefined);
  for (const c of doc.cells) if (c.status === 'ok') assert.equal(c.precision, undefined);
  assert.equal(lab.runs, 8);
  assert.ok(doc.warnings.some((w) => w.code === 'highVariance'));
});

test('stopReason: the minimum first, then the target, the most repeats and the time budget', () => {
  const plan = { targetCiPct: 3, maxCellSeconds: 1, minRepeats: 3, maxRepeats: 15 };
  assert.equal(stopReason([1, 1, 1], 5, plan).stop, 'time', 'at the minimum with no interval yet, the budget ends it');
  assert.equal(stopReason([1, 1], 5, plan).stop, null, 'never below the minimum');
  assert.equal(stopReason([1, 1, 1, 1, 1], 0.1, plan).stop, null, 'five repeats give no 95% interval');
  assert.equal(stopReason([100, 101, 99, 100, 102, 98], 0.1, plan).stop, 'target');
  assert.equal(stopReason([100, 110, 90, 100, 120, 80], 0.1, plan).stop, null);
});

test('--target-ci and --max-cell-time are validated', () => {
  const lab = new FakeLab();
  assert.throws(() => config(lab, { targetCi: '0' }), (e: unknown) => e instanceof UsageError && /--target-ci must be a percentage/.test(e.message));
  assert.throws(() => config(lab, { maxCellTime: 'soon' }), UsageError);
  assert.equal(config(lab, { targetCi: '±2%' }).adaptive?.targetCiPct, 2);
});
