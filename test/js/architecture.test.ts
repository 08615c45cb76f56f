// The rooms hold: nothing under src/ imports from bench/ (the standalone
// tools), and the harness's modules import each other without a cycle
// (type-only imports included: a cycle of types is still two modules that
// cannot be read apart).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { packageRoot } from '../../src/native.js';

const SRC = path.join(packageRoot, 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The relative modules a file imports (`from './x.js'`, `import('./y.js')`), as .ts paths. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

test('nothing under src/ imports from bench/', () => {
  const bench = path.join(packageRoot, 'bench') + path.sep;
  const offenders = sources(SRC).flatMap((f) => imports(f).filter((i) => i.startsWith(bench)).map((i) => `${path.relative(packageRoot, f)} -> ${path.relative(packageRoot, i)}`));
  assert.deepEqual(offenders, []);
});

test('src/ has no import cycle', () => {
  const files = sources(SRC);
  const graph = new Map(files.map((f) => [f, imports(f).filter((i) => i.startsWith(SRC))]));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, trail: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(SRC, x)).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const next of graph.get(f) ?? []) visit(next, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});
