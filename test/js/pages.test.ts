// One page policy for every design: --huge-pages reaches each map's large
// memory, and the result file records what the policy placed and what the
// kernel backed — through the real CLI and addon.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addon } from '../../src/native.js';
import { type BenchRun, runBenchCli } from './bench-cli.js';

const bench = (args: string[]): BenchRun => runBenchCli(['--threads', '1', '--load-factors', '0.5', '--duration', '0.02', '--warmup', '0', '--repeat', '1', '--no-stats', '--mix', 'C', '--keys', '3e5'], args);

const MAPS = 'lockfree,mutex,sharded,chained,chained-pool,readmostly';

for (const policy of ['on', 'off'] as const) {
  test(`--huge-pages ${policy}: every design's placed memory follows the policy, and the file says what it got`, () => {
    const r = bench(['--maps', MAPS, '--huge-pages', policy]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.doc!.config.hugePages, policy === 'on');
    for (const c of r.doc!.cells) {
      assert.equal(c.status, 'ok', c.key);
      if (c.status !== 'ok') continue;
      const p = c.map.pages!;
      assert.equal(p.hugePages, policy === 'on', c.key);
      assert.ok(p.placedBytes >= 2 ** 21, `${c.key}: placed ${p.placedBytes}`);
      assert.equal(p.advisedBytes, policy === 'on' ? p.placedBytes : 0, c.key);
      assert.ok(p.hugeBackedBytes !== null && p.hugeBackedBytes <= p.placedBytes, c.key);
      if (policy === 'off') assert.equal(p.hugeBackedBytes, 0, `${c.key}: MADV_NOHUGEPAGE`);
    }
    const chained = r.doc!.cells.find((c) => c.params.design === 'chained')!;
    assert.ok(chained.status === 'ok' && chained.map.pages!.heapBytes >= 3e5 * 24, 'chained nodes are heap nodes, and counted');
  });
}

test('--no-huge-pages is --huge-pages off; a bad value is one line and exit 2', () => {
  const off = bench(['--maps', 'lockfree', '--no-huge-pages']);
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.doc!.config.hugePages, false);
  const bad = bench(['--maps', 'lockfree', '--huge-pages', 'maybe']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^mapbench: error: --huge-pages must be on or off, got 'maybe'\n$/);
});

test('addon.pages: placed memory returns to the kernel when the map is destroyed', () => {
  const id = addon.createMap({ design: 'sharded', expectedEntries: 300_000, loadFactor: 0.5, hugePages: true });
  try {
    assert.equal(addon.prefill(id, 300_000), 0);
    const p = addon.pages(id);
    assert.ok(p.placedBytes > 0 && p.advisedBytes === p.placedBytes);
  } finally {
    addon.destroyMap(id);
  }
  assert.throws(() => addon.pages(id), /unknown map id|destroyed/);
});
