// The console's answer: the pivoted summary and the grouped warnings, from
// small fixture documents to exact text.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type ResultFile, type WarningRecord } from '../../src/schema.js';
import { buildPivot, groupWarnings, renderSummary, renderWarnings } from '../../src/summary.js';
import { type CellSpec, resultFile, series } from './fixtures/compare/make.js';

/** mutex, lockfree and the floor at 1 and 2 threads; lockfree's 1-thread lead over mutex is within noise. */
const SPECS: CellSpec[] = [
  { map: 'floor', threads: 1, qps: series(200e6, 6) },
  { map: 'mutex', threads: 1, qps: series(20e6, 6) },
  { map: 'mutex', threads: 2, qps: series(12e6, 6) },
  { map: 'lockfree', threads: 1, qps: series(20.2e6, 6) },
  { map: 'lockfree', threads: 2, qps: series(75e6, 6) },
  { map: 'floor', threads: 2, qps: series(400e6, 3) },
];

const EXPECTED = `\
Mops/s: median ±95% CI of the median (order statistics), × floor; * best map
~: too few repeats for that CI; the larger distance of min or max from the median
every column: C, lf0.5, 1000 keys, uniform

map                     1T                2T
mutex      19.9 ±1.8% 0.10   12.0 ±1.8% 0.03
lockfree  *20.1 ±1.8% 0.10  *74.8 ±1.8% 0.19
floor            200 ±1.8%         398 ~1.5%

winner 1T: lockfree, 1.01× mutex (intervals overlap: not a clear win)
winner 2T: lockfree, 6.25× mutex`;

test('the pivot: one row per map, one column per group, the best marked, winners and ratios under it', () => {
  const doc = resultFile(SPECS);
  assert.equal(renderSummary(doc), EXPECTED);
});

test('the pivot never crowns a pseudo-map, and lists maps before them', () => {
  const p = buildPivot(resultFile(SPECS));
  assert.deepEqual(p.rows, ['mutex', 'lockfree', 'floor']);
  assert.deepEqual(p.columns.map((c) => c.winner?.row), ['lockfree', 'lockfree']);
});

test('the pivot splits into blocks of columns that fit the width, with no box lines', () => {
  const specs: CellSpec[] = [];
  for (const threads of [1, 2, 3, 4, 5, 6, 7, 8]) for (const map of ['mutex', 'lockfree']) specs.push({ map, threads, qps: series(threads * (map === 'mutex' ? 1e7 : 3e7), 6) });
  const text = renderSummary(resultFile(specs), { width: 80 });
  const lines = text.split('\n');
  for (const l of lines.filter((l) => !l.startsWith('winner') && !l.startsWith('every'))) assert.ok(l.length <= 80, `fits 80 columns: '${l}'`);
  const headers = lines.filter((l) => l.startsWith('map '));
  assert.ok(headers.length >= 2, 'split into blocks');
  assert.doesNotMatch(text, /[─│┌┼]/, 'no box lines');
  assert.equal(lines.filter((l) => l.startsWith('winner ')).length, 8);
  // 120 columns fit more per block.
  assert.ok(renderSummary(resultFile(specs), { width: 120 }).split('\n').filter((l) => l.startsWith('map ')).length < headers.length);
});

function withWarnings(warnings: WarningRecord[]): ResultFile {
  const doc = resultFile(SPECS);
  doc.warnings = warnings;
  return doc;
}

const KEY = (map: string, t: number) => `map=${map}|threads=${t}|cpus=-|lf=0.5|keys=1000|mix=C|dist=uniform|shards=-`;
const WARNINGS: WarningRecord[] = [
  { code: 'fewRepeats', message: 'only 3 repeat(s) per cell', advice: 'use --repeat 5 or more' },
  { code: 'highVariance', message: 'spread 7.0%', advice: 'quiet the machine', cellKey: KEY('mutex', 1), severity: 7 },
  { code: 'highVariance', message: 'spread 31.0%', advice: 'quiet the machine', cellKey: KEY('lockfree', 2), severity: 31 },
  { code: 'highVariance', message: 'spread 9.0%', advice: 'quiet the machine', cellKey: KEY('mutex', 2), severity: 9 },
];

test('warnings: one line per kind with its count, worst cell and advice; --verbose lists each', () => {
  const doc = withWarnings(WARNINGS);
  assert.equal(
    renderWarnings(doc),
    [
      'warnings (4 in 2 kinds; --verbose lists each):',
      '  fewRepeats ×1: only 3 repeat(s) per cell — use --repeat 5 or more',
      '  highVariance ×3: worst lockfree 2T: spread 31.0% — quiet the machine',
    ].join('\n'),
  );
  assert.deepEqual(groupWarnings(doc.warnings).map((g) => [g.code, g.count]), [['fewRepeats', 1], ['highVariance', 3]]);
  const verbose = renderWarnings(doc, { verbose: true }).split('\n');
  assert.equal(verbose.length, 4);
  assert.equal(verbose[2], 'warning: spread 31.0% [lockfree 2T] — quiet the machine');
  assert.equal(renderWarnings(withWarnings([])), '');
});

test('warnings without a severity (older files) name an example, not the worst', () => {
  const doc = withWarnings(WARNINGS.map(({ severity: _s, ...w }) => w));
  assert.match(renderWarnings(doc), /highVariance ×3: e\.g\. mutex 1T: spread 7\.0%/);
});
