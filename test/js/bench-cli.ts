// Runs the bench CLI (compiled) in a child process with a fresh --out, and
// reads back the result file it left, if any: for tests that check what a
// real run records.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseResultFile, type ResultFile } from '../../src/schema.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/bench.js');

export interface BenchRun {
  status: number | null;
  stderr: string;
  doc: ResultFile | null;
}

/** `defaults` come first, so `args` can override any of them. */
export function runBenchCli(defaults: string[], args: string[]): BenchRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-run-'));
  const out = path.join(dir, 'r.json');
  const r = spawnSync(process.execPath, [cli, '--quiet', '--out', out, ...defaults, ...args], { encoding: 'utf8', timeout: 120_000 });
  const doc = fs.existsSync(out) ? parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8'))) : null;
  return { status: r.status, stderr: r.stderr, doc };
}

/** Runs the bench CLI with exactly `args` (no defaults, no --quiet). */
export function benchCli(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/**
 * Bad input as users must see it: exit code 2, one `mapbench: error:` line matching `message`, nothing on
 * stdout, and nothing written in `dir`.
 */
export function assertRejected(args: string[], message: RegExp, dir: string): void {
  const r = benchCli(args);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^mapbench: error: /);
  assert.match(lines[0]!, message);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readdirSync(dir), []);
}
