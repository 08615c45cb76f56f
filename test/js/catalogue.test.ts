// The TS side keeps no list of its own: src/catalogue.ts must be exactly
// what the loaded addon's catalogue renders to (src/catalogue-render.ts), and
// the addon's designs() must agree with the catalogue row by row.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { CATALOGUE } from '../../src/catalogue.js';
import { renderCatalogue } from '../../src/catalogue-render.js';
import { OP_NAMES } from '../../src/workload.js';
import { LATENCY_KINDS, OUTCOMES } from '../../src/schema.js';
import { addon, ControlField, packageRoot } from '../../src/native.js';
import { PEER_PACKAGES } from '../../src/config.js';

test('src/catalogue.ts is the image of the addon catalogue (run `npm run gen:catalogue` when this fails)', () => {
  const file = fs.readFileSync(path.join(packageRoot, 'src', 'catalogue.ts'), 'utf8');
  const rendered = renderCatalogue(addon.catalogue());
  if (file !== rendered) {
    const a = file.split('\n');
    const b = rendered.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    assert.fail(`src/catalogue.ts differs from the addon's catalogue at line ${i + 1}: file '${a[i]}' vs addon '${b[i]}'; run npm run gen:catalogue`);
  }
});

test('designs() are the built rows of the catalogue, in catalogue order, with the same traits', () => {
  const rows = addon.catalogue().designs;
  const built = rows.filter((d) => d.built);
  assert.deepEqual(addon.designs().map((d) => d.name), built.map((d) => d.name));
  for (const d of addon.designs()) assert.deepEqual(d, rows.find((r) => r.name === d.name), d.name);
  // Every design of the tree appears once.
  assert.equal(new Set(rows.map((d) => d.name)).size, rows.length);
});

test('the harness enums are the catalogue\'s, in native order', () => {
  const c = addon.catalogue();
  assert.deepEqual([...OP_NAMES], c.opKinds);
  assert.deepEqual([...OUTCOMES], c.outcomes);
  assert.deepEqual([...LATENCY_KINDS], c.latencyKinds);
  assert.deepEqual(Object.keys(ControlField), c.controlFields);
  assert.deepEqual(Object.values(ControlField), c.controlFields.map((_, i) => i));
  assert.deepEqual(PEER_PACKAGES, Object.fromEntries(c.designs.filter((d) => d.package).map((d) => [d.name, d.package])));
  assert.equal(CATALOGUE.lockKinds.length, CATALOGUE.lockFrames.length);
});

test('each built design lists layout entries that layout() reports', () => {
  const types = addon.layout().types;
  for (const d of addon.designs()) {
    for (const name of d.layouts) assert.ok(types[name], `${d.name}: layout ${name}`);
  }
  const listed = new Set(addon.designs().flatMap((d) => d.layouts));
  assert.deepEqual(Object.keys(types).filter((n) => !listed.has(n)), [], 'every layout entry belongs to a design');
});

test('traits hold together: sharded and striped maps take locks, growable ones address openly or are peers', () => {
  for (const d of addon.catalogue().designs) {
    if ((d.sharded || d.striped) && d.kind === 'map') assert.ok(d.locks.length > 0, d.name);
    // mapbench's own growing designs grow by threshold over slots; peers grow by their library's policy.
    if (d.growable) assert.ok(d.openAddressing || d.package !== undefined, d.name);
    if (d.loadMeaning === 'chain-length') assert.ok(d.chained, d.name);
    if (d.kind === 'pseudo') assert.notEqual(d.baseline, null, d.name);
    if (d.package) assert.equal(typeof d.tsanExclusion, 'string', d.name);
  }
});
