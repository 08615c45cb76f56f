// The peer maps (native/peers/): established C++ concurrent maps behind the
// same addon API, CLI and result files as mapbench's own designs. Each test
// adapts to the build: a peer whose library was not found is absent from
// designs(), and then asking for it must fail with the package to install.
// Invariants only: nothing here depends on speed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PEER_PACKAGES, type RawOptions, parseMaps, resolveConfig } from '../../src/config.js';
import { debianPackageVersion, peerVersions } from '../../src/environment.js';
import { UsageError } from '../../src/errors.js';
import { addon, keyOf, packageRoot } from '../../src/native.js';
import { buildModel, loadedFiles } from '../../src/report/model.js';
import { parseResultFile } from '../../src/schema.js';
import { FakeLab } from './fake-lab.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchCli = path.resolve(here, '../../src/cli/bench.js');
const compareCli = path.resolve(here, '../../src/cli/compare.js');
const run = (cli: string, args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

const peerNames = Object.keys(PEER_PACKAGES);
const built = addon.designs().filter((d) => d.package !== undefined);
const builtNames = built.map((d) => d.name as string);
const missing = peerNames.filter((n) => !builtNames.includes(n));

test('every built peer is a known peer, a "map", and names its Debian package', () => {
  for (const d of built) {
    assert.ok(peerNames.includes(d.name), `${d.name} is not in PEER_PACKAGES`);
    assert.equal(d.package, PEER_PACKAGES[d.name], d.name);
    assert.equal(d.kind, 'map', d.name);
    assert.equal(typeof d.libraryVersion, 'string', d.name);
  }
  for (const d of addon.designs().filter((x) => x.package === undefined)) assert.ok(!peerNames.includes(d.name), d.name);
  console.log(`    built peers: ${builtNames.join(', ') || 'none'}; not built: ${missing.join(', ') || 'none'}`);
});

test('the built peers are among those the build-time detection finds', () => {
  const r = spawnSync(process.execPath, [path.join(packageRoot, 'scripts/detect-peers.mjs'), 'summary'], { encoding: 'utf8', env: { ...process.env, MAPBENCH_PEERS: 'auto' } });
  assert.equal(r.status, 0, r.stderr);
  for (const name of builtNames) assert.match(r.stdout, new RegExp(`^${name} +found$`, 'm'), `${name} built but its library is not found now`);
});

test('MAPBENCH_PEERS=none detects nothing; an unknown name fails the detection', () => {
  const detect = (env: string, mode: string) =>
    spawnSync(process.execPath, [path.join(packageRoot, 'scripts/detect-peers.mjs'), mode], { encoding: 'utf8', env: { ...process.env, MAPBENCH_PEERS: env } });
  for (const mode of ['defines', 'cflags', 'libs']) {
    const r = detect('none', mode);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '', mode);
  }
  const bad = detect('tbb,nope', 'defines');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown peer 'nope'/);
});

test('asking for a peer that is not built names its Debian package (config level)', () => {
  const lab = new FakeLab();  // FakeLab's designs hold no peer
  const ctx = { designs: lab.designs(), capacityFor: lab.capacityFor.bind(lab), availableCpus: [0, 1], skipOutCheck: true };
  for (const name of peerNames) {
    assert.throws(
      () => resolveConfig({ maps: `lockfree,${name}` } as RawOptions, ctx),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `map '${name}' is not built: install Debian package ${PEER_PACKAGES[name]} (npm run setup:peers) and rebuild`,
    );
  }
  // A real unknown name still gets the general message.
  assert.throws(() => parseMaps('tbbx', lab.designs()), /unknown map 'tbbx'/);
});

test('the CLI: a missing peer exits 2 with one line; the known maps list the built peers', () => {
  for (const name of missing) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-peers-'));
    const r = run(benchCli, ['--maps', name, '--out', path.join(dir, 'r.json')]);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`map '${name}' is not built: install Debian package ${PEER_PACKAGES[name]}`));
    assert.deepEqual(fs.readdirSync(dir), []);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-peers-'));
  const unknown = run(benchCli, ['--maps', 'nope', '--out', path.join(dir, 'r.json')]);
  assert.equal(unknown.status, 2, unknown.stderr);
  const known = /known: ([^;)]*)/.exec(unknown.stderr)?.[1]?.split(', ') ?? [];
  for (const name of builtNames) assert.ok(known.includes(name), `${name} is built but not among the known maps: ${unknown.stderr}`);
  for (const name of missing) assert.ok(!known.includes(name), `${name} is not built but listed: ${unknown.stderr}`);
});

test('each built peer through the single-op API: statuses, values, size, diagnostics', () => {
  for (const name of builtNames) {
    const id = addon.createMap({ design: name, expectedEntries: 2000, loadFactor: 0.5, hugePages: false });
    try {
      assert.ok(addon.capacity(id) >= 4000, name);
      const keys = Array.from({ length: 1000 }, (_, i) => keyOf(i));
      for (const k of keys) assert.equal(addon.insert(id, k, k >> 3n), 'inserted', name);
      assert.equal(addon.insert(id, keys[0]!, 7n), 'assigned', name);
      assert.equal(addon.get(id, keys[0]!), 7n, name);
      assert.equal(addon.update(id, keys[1]!, 9n), true, name);
      assert.equal(addon.get(id, keys[1]!), 9n, name);
      assert.equal(addon.update(id, keyOf(5000), 1n), false, name);
      assert.equal(addon.get(id, keyOf(5000)), undefined, name);
      for (let i = 0; i < 1000; i += 2) assert.equal(addon.erase(id, keys[i]!), true, name);
      assert.equal(addon.erase(id, keys[0]!), false, name);
      assert.equal(addon.get(id, keys[2]!), undefined, name);
      assert.equal(addon.get(id, keys[3]!), keys[3]! >> 3n, name);
      // The largest legal value and the reserved ones, as for every design.
      assert.equal(addon.insert(id, keys[0]!, (1n << 63n) - 3n), 'inserted', name);
      assert.equal(addon.get(id, keys[0]!), (1n << 63n) - 3n, name);
      assert.throws(() => addon.insert(id, keys[0]!, (1n << 63n) - 2n), RangeError);
      assert.throws(() => addon.insert(id, keys[0]!, (1n << 64n) - 1n), RangeError);
      assert.throws(() => addon.get(id, 1n), RangeError);
      assert.equal(addon.size(id), 501, name);
      const d = addon.diagnostics(id);
      assert.equal(d.design, name);
      assert.equal(d.entries, 501, name);
      assert.equal(d.tombstones, 0, name);
      assert.deepEqual(d.probeHistogram, [], `${name}: a peer has no probe lengths`);
      if (d.capacity > 0) assert.ok(d.capacity >= addon.capacity(id), `${name}: capacity below the hint`);
    } finally {
      assert.equal(addon.destroyMap(id), true);
    }
  }
});

test('environment: one entry per built peer, with the package manager version', () => {
  const peers = peerVersions(addon.designs());
  assert.deepEqual(peers.map((p) => p.map), builtNames);
  for (const p of peers) {
    assert.equal(p.package, PEER_PACKAGES[p.map]);
    assert.equal(p.packageVersion, debianPackageVersion(p.package));
  }
  assert.deepEqual(peerVersions([{ name: 'mutex' }]), []);
});

test('a bench run with the peers: checked cells, versions recorded, --pivot map --baseline <peer>, peer style in the report', (t) => {
  if (builtNames.length === 0) {
    t.skip('no peer is built here (npm run setup:peers, then rebuild)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-peers-'));
  const out = path.join(dir, 'peers.json');
  const maps = ['lockfree', ...builtNames].join(',');
  // Two thread counts, so the report draws its throughput-vs-threads chart (one value would leave it out).
  const r = run(benchCli, ['--maps', maps, '--threads', '1,2', '--keys', '20000', '--load-factors', '0.5', '--mix', 'C,cart',
    '--duration', '0.05', '--warmup', '0.02', '--repeat', '1', '--max-skew', '100%', '--out', out, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const doc = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
  const cells = doc.cells.filter((c) => builtNames.includes(c.params.design));
  assert.equal(cells.length, builtNames.length * 2 * 2);
  for (const c of cells) {
    assert.equal(c.status, 'ok', `${c.key}: ${c.status === 'failed' ? c.error : ''}`);
    if (c.status !== 'ok') continue;
    for (const rep of c.repeats) if (rep.check) assert.ok(rep.check.ok, `${c.key}: ${JSON.stringify(rep.check)}`);
  }
  assert.deepEqual(doc.environment.peers?.map((p) => p.map), builtNames);

  const baseline = builtNames[0]!;
  const cmp = run(compareCli, [out, '--pivot', 'map', '--baseline', baseline]);
  assert.equal(cmp.status, 0, cmp.stderr);
  assert.ok(cmp.stdout.includes(baseline), cmp.stdout);

  const model = buildModel(loadedFiles([{ path: out, doc }]));
  for (const row of model.rows) assert.equal(row.peer, builtNames.includes(row.map), row.map);
  const chart = model.charts.find((c) => c.section === 'qps-threads');
  assert.ok(chart);
  const series = chart.option.series as Array<{ name: string; lineStyle?: { type?: string }; symbol?: string }>;
  for (const s of series) {
    const peer = builtNames.includes(s.name);
    assert.equal(s.lineStyle?.type === 'dotted', peer, `${s.name}: peers and only peers are dotted`);
    assert.equal(s.symbol === 'diamond', peer, s.name);
  }
});
