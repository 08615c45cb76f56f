import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type RawOptions, resolveConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { buildMatrix, cellKey } from '../../src/matrix.js';
import { parseDistribution, parseMixList } from '../../src/workload.js';
import { FakeLab } from './fake-lab.js';

const lab = new FakeLab();
const ctx = { designs: lab.designs(), capacityFor: lab.capacityFor.bind(lab), availableCpus: [0, 1], skipOutCheck: true };
const resolve = (raw: RawOptions) => resolveConfig(raw, ctx);

test('defaults resolve to a full matrix', () => {
  const c = resolve({});
  assert.deepEqual(c.threads, [1, 2]);
  assert.deepEqual(c.loadFactors, [0.5, 0.9]);
  assert.deepEqual(c.mixes.map((m) => m.name), ['C', 'cart']);
  assert.equal(c.mode, 'throughput');
  assert.match(c.out, /^results\/.*\.json$/);
});

const rejections: Array<[string, RawOptions, RegExp]> = [
  ['unknown map', { maps: 'lockfree,nope' }, /unknown map 'nope'/],
  ['lock on unsharded map', { maps: 'mutex:spin' }, /only sharded designs/],
  ['bad lock', { maps: 'sharded:ticket' }, /lock must be one of/],
  ['load factor 1', { loadFactors: '0.5,1' }, /--load-factors must be in \(0, 1\)/],
  ['load factor 0', { loadFactors: '0' }, /--load-factors must be in \(0, 1\)/],
  ['load factor text', { loadFactors: 'x' }, /--load-factors/],
  ['threads 0', { threads: '0' }, /--threads must be integers in \[1, 1024\]/],
  ['threads fraction', { threads: '1.5' }, /--threads/],
  ['empty list item', { threads: '1,,2' }, /no empty items/],
  ['cpu missing', { cpus: '0,7' }, /CPU 7 does not exist/],
  ['cpu range backwards', { cpus: '1-0' }, /backwards/],
  ['cpu junk', { cpus: 'a' }, /--cpus must list/],
  ['keys too small for shards', { maps: 'sharded', keys: '10', shards: '64' }, /too small for sharded with 64 shards/],
  ['keys zero', { keys: '0' }, /--keys/],
  ['shards not power of two', { shards: '16,12' }, /powers of two/],
  ['bad mix', { mix: 'Z' }, /unknown mix 'Z'/],
  ['bad mix op', { mix: 'get=50,put=50' }, /bad mix term 'put=50'/],
  ['zero mix', { mix: 'get=0' }, /no non-zero weight/],
  ['bad dist', { dist: 'pareto' }, /unknown distribution/],
  ['zipf theta 1', { dist: 'zipf:1' }, /0 < θ < 1/],
  ['hotspot fraction', { dist: 'hotspot:2:0.5' }, /0 < f < 1/],
  ['duration zero', { duration: '0' }, /--duration must be a positive/],
  ['duration junk', { duration: 'soon' }, /--duration/],
  ['warmup negative', { warmup: '-1' }, /--warmup/],
  ['repeat zero', { repeat: '0' }, /--repeat/],
  ['mode', { mode: 'fast' }, /--mode must be/],
  ['stream length', { streamLength: '1000' }, /multiple of 256/],
  ['max skew zero', { maxSkew: '0%' }, /--max-skew must be a percentage/],
  ['max skew junk', { maxSkew: 'lots' }, /--max-skew/],
  ['batch zero', { batch: '0' }, /--batch must be powers of two in \[1, 256\], got '0'/],
  ['batch not a power of two', { batch: '1,12' }, /--batch must be powers of two/],
  ['batch too large', { batch: '512' }, /--batch must be powers of two/],
  ['batch junk', { batch: 'many' }, /--batch must be powers of two/],
  ['batch with rate', { batch: '16', rate: '1e6', mode: 'latency' }, /--batch runs the closed loop/],
];

for (const [name, raw, message] of rejections) {
  test(`rejects ${name}`, () => {
    assert.throws(() => resolve(raw), (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'));
  });
}

test('rejects an --out that cannot be written', () => {
  const check = (out: string, message: RegExp) =>
    assert.throws(() => resolveConfig({ out }, { ...ctx, skipOutCheck: false }), (e: unknown) => e instanceof UsageError && message.test(e.message));
  check('/nonexistent-dir/x.json', /does not exist/);
  check('/etc/hostname/x.json', /not a directory/);
  check('/tmp', /is a directory/);
  check('/proc/x.json', /cannot be written/);
});

test('custom mixes group consecutive op=weight terms', () => {
  const mixes = parseMixList('C,get=90,update=10,get=50,erase=50,cart');
  assert.deepEqual(mixes.map((m) => m.name), ['C', 'get=90,update=10', 'get=50,erase=50', 'cart']);
  assert.deepEqual(mixes[1]!.weights, [90, 0, 10, 0, 0]);
  assert.deepEqual(mixes[2]!.weights, [50, 0, 0, 0, 50]);
});

test('distributions parse with defaults', () => {
  assert.deepEqual(parseDistribution('zipf'), { name: 'zipf:0.99', dist: 'zipf', theta: 0.99 });
  assert.equal(parseDistribution('hotspot:0.01:0.9').hotOpFraction, 0.9);
  assert.equal(parseDistribution('hotkey').dist, 'hotkey');
});

test('matrix: every combination once, keys stable and unique', () => {
  const c = resolve({ maps: 'mutex,sharded,sharded:spin', threads: '1,2', loadFactors: '0.5,0.9', mix: 'C', cpus: '0-1' });
  const cells = buildMatrix(c);
  assert.equal(cells.length, 3 * 2 * 2);
  assert.equal(new Set(cells.map((x) => x.key)).size, cells.length);
  const sharded = cells.find((x) => x.params.map === 'sharded:spin')!;
  assert.equal(sharded.key, 'map=sharded:spin|threads=1|cpus=0+1|lf=0.5|keys=1000000|mix=C|dist=uniform|shards=64');
  assert.equal(cellKey(sharded.params), sharded.key);
  assert.equal(cells.find((x) => x.params.map === 'mutex')!.params.shards, null);
});

test('every list flag rejects a repeated item, named, rather than running its cells twice', () => {
  const cases: Array<[RawOptions, string]> = [
    [{ maps: 'lockfree,lockfree' }, "--maps lists 'lockfree' more than once"],
    [{ maps: 'sharded,sharded:mutex' }, "--maps lists 'sharded:mutex' more than once"],
    [{ threads: '1,2,1' }, "--threads lists '1' more than once"],
    [{ cpus: '0-1,1' }, "--cpus lists '1' more than once"],
    [{ loadFactors: '0.5,0.50' }, "--load-factors lists '0.5' more than once"],
    [{ keys: '1e6,1000000' }, "--keys lists '1000000' more than once"],
    [{ mix: 'C,cart,C' }, "--mix lists 'C' more than once"],
    [{ dist: 'uniform,uniform' }, "--dist lists 'uniform' more than once"],
    [{ shards: '16,16' }, "--shards lists '16' more than once"],
    [{ rate: '1e6,1000000', mode: 'latency' }, "--rate lists '1000000' more than once"],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => resolve(raw), (e: unknown) => e instanceof UsageError && e.message === message, JSON.stringify(raw));
  }
});

test('lock choices follow the catalogue traits: a lock-striped design takes one, a packed padding only sharded', () => {
  const designs = [
    { name: 'chained', kind: 'map', sharded: false, openAddressing: false, locks: ['mutex', 'spin', 'rw'], pads: [] },
    { name: 'mutex', kind: 'map', sharded: false, openAddressing: true, locks: [], pads: [] },
  ] as const;
  const c = resolveConfig({ maps: 'chained:spin,chained' }, { ...ctx, designs: designs.map((d) => ({ ...d, locks: [...d.locks], pads: [...d.pads] })) });
  assert.deepEqual(c.maps.map((m) => [m.label, m.lock]), [['chained:spin', 'spin'], ['chained', null]]);
  assert.throws(() => resolveConfig({ maps: 'chained:spin:packed' }, { ...ctx, designs: designs.map((d) => ({ ...d, locks: [...d.locks], pads: [...d.pads] })) }), /only sharded designs take a shard padding/);
});
