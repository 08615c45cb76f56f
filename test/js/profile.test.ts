// npm run profile: the collapser, perf stat parsing and the flame graph on
// fixed text; the CLI's refusals (more than one cell, no perf, perf not
// permitted) with stand-ins for perf; and one real profile of a tiny
// lock-free run, skipped with a message where perf is missing or refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { collapse, formatFolded, inclusiveFrames, parseFolded } from '../../src/profile/folded.js';
import { escapeXml, frameKind, renderFlameGraph } from '../../src/profile/flamegraph.js';
import { findPerf, parsePerfStat, PerfUnavailable, preflightRecord } from '../../src/profile/perf.js';
import { cellSlug, findMapFrames, JS_ENTRY } from '../../src/profile/run.js';
import { parseResultFile } from '../../src/schema.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/profile.js');
const made: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-profile-test-'));
  made.push(d);
  return d;
};
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
const profile = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env });
const ONE_CELL = ['--maps', 'lockfree', '--threads', '1', '--keys', '1e4', '--load-factors', '0.5', '--mix', 'C', '--warmup', '0.02', '--duration', '0.2', '--repeat', '1', '--no-stats'];

const SCRIPT = [
  'node  100/107  cpu-clock: ',
  '\t           231ee mapbench::detail::run_phase<false, mapbench::LockFreeMap, mapbench::NoStats> (/repo/build/Release/mapbench.node)',
  '\t           33642 mapbench::run_worker<mapbench::LockFreeMap> (/repo/build/Release/mapbench.node)',
  '\t    7f71c80ce69c JS:~runThread file:///repo/dist/src/worker.js:5:34 (/tmp/perf-100.map)',
  '\t           891f5 start_thread (/usr/lib/x86_64-linux-gnu/libc.so.6)',
  '',
  'node  100/107  cpu-clock: ',
  '\t           231ee mapbench::detail::run_phase<false, mapbench::LockFreeMap, mapbench::NoStats>+0x14e (/repo/build/Release/mapbench.node)',
  '\t           33642 mapbench::run_worker<mapbench::LockFreeMap> (/repo/build/Release/mapbench.node)',
  '\t    7f71c80ce69c JS:~runThread file:///repo/dist/src/worker.js:5:34 (/tmp/perf-100.map)',
  '\t           891f5 start_thread (/usr/lib/x86_64-linux-gnu/libc.so.6)',
  '',
  'node  100/100  cpu-clock: ',
  '\tffffffff81601cb0 exc_page_fault ([kernel.kallsyms])',
  '\t           14ea0 [unknown] (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)',
  '\t    7ffc3df74df0 a;b<c> ([unknown])',
  '',
  'git 200/200  cpu-clock: ',
  '\t           1234 main (/usr/bin/git)',
].join('\n');

test('collapse: root-first frames, counts, offsets stripped, kernel marked, unknown symbols named by their object', () => {
  const folded = collapse(SCRIPT, { stripPrefix: '/repo' });
  assert.equal(
    formatFolded(folded),
    [
      'git;main 1',
      'node;a:b<c>;[ld-linux-x86-64.so.2];exc_page_fault_[k] 1',
      'node;start_thread;JS:~runThread dist/src/worker.js:5:34;mapbench::run_worker<mapbench::LockFreeMap>;mapbench::detail::run_phase<false, mapbench::LockFreeMap, mapbench::NoStats> 2',
      '',
    ].join('\n'),
  );
  assert.deepEqual(parseFolded(formatFolded(folded)), folded, 'folded text round-trips');
  assert.deepEqual(inclusiveFrames(folded, JS_ENTRY), [{ frame: 'JS:~runThread dist/src/worker.js:5:34', samples: 2 }]);
});

test('map frames: the run loop of the map under test, and for lock-based maps the lock acquisition', () => {
  const params = { map: 'lockfree', design: 'lockfree', lock: null, shards: null, threads: 1, cpus: null, loadFactor: 0.5, keys: 10000, mix: 'C', mixWeights: [100, 0, 0, 0, 0], dist: 'uniform' };
  const folded = collapse(SCRIPT);
  const lf = findMapFrames(folded, params);
  assert.deepEqual(lf.found.map((f) => f.frame), ['mapbench::detail::run_phase<false, mapbench::LockFreeMap, mapbench::NoStats>', 'mapbench::run_worker<mapbench::LockFreeMap>']);
  assert.equal(lf.found[0]!.sharePct, 50);
  const mutex = parseFolded('node;mapbench::detail::run_phase<false, mapbench::LockedMap<mapbench::MutexLock>, mapbench::NoStats>;pthread_mutex_lock 3\nnode;x 1\n');
  const m = findMapFrames(mutex, { ...params, map: 'mutex', design: 'mutex' });
  assert.deepEqual(m.found.map((f) => [f.frame, f.sharePct]), [
    ['mapbench::detail::run_phase<false, mapbench::LockedMap<mapbench::MutexLock>, mapbench::NoStats>', 75],
    ['pthread_mutex_lock', 75],
  ]);
  assert.deepEqual(findMapFrames(mutex, params).found, [], 'a lock-free profile without LockFreeMap frames finds nothing');
  assert.equal(cellSlug({ ...params, map: 'sharded:spin', design: 'sharded', lock: 'spin', shards: 64, dist: 'zipf:0.99' }), 'sharded_spin-t1-lf0.5-k10000-C-zipf_0.99-s64');
});

test('perf stat -x, output: counted, not supported, not counted, modifiers kept', () => {
  const csv = [
    '# started on Sun Nov 22 07:35:51 2026',
    '',
    '61.68,msec,task-clock:u,61683132,100.00,0.600,CPUs utilized',
    '50,,context-switches,61683132,100.00,810.594,/sec',
    '<not supported>,,cycles,0,100.00,,',
    '<not counted>,,instructions,0,0.00,,',
    '1234,,branch-misses,5000,50.00,,',
  ].join('\n');
  assert.deepEqual(parsePerfStat(csv), [
    { event: 'task-clock:u', value: 61.68, unit: 'msec', status: 'counted', runningPct: 100 },
    { event: 'context-switches', value: 50, unit: '', status: 'counted', runningPct: 100 },
    { event: 'cycles', value: null, unit: '', status: 'not supported', runningPct: null },
    { event: 'instructions', value: null, unit: '', status: 'not counted', runningPct: null },
    { event: 'branch-misses', value: 1234, unit: '', status: 'counted', runningPct: 50 },
  ]);
});

test('flame graph: one titled rect per frame, widths by samples, names escaped, narrow frames left out', () => {
  const folded = parseFolded('node;main;run_phase<Map&> 3\nnode;main;tiny 1\n');
  const svg = renderFlameGraph(folded, { title: 'a <b> & c', width: 420, minWidthPx: 0 });
  assert.match(svg, /^<\?xml /);
  assert.equal((svg.match(/<rect [^>]*rx="2"/g) ?? []).length, 5, 'all, node, main, run_phase, tiny');
  assert.ok(svg.includes('<title>run_phase&lt;Map&amp;&gt; (3 samples, 75.00%)</title>'));
  assert.ok(svg.includes('a &lt;b&gt; &amp; c'));
  for (const [, content] of svg.matchAll(/>([^<]*)<\/(?:title|text)>/g)) {
    assert.ok(!/>|&(?!amp;|lt;|gt;|quot;|apos;)/.test(content!), `escaped: ${content}`);
  }
  const widths = [...svg.matchAll(/<title>([^<]*)<\/title><rect [^>]*width="([\d.]+)"/g)].map((m) => [m[1]!.split(' (')[0], Number(m[2])] as const);
  const w = Object.fromEntries(widths);
  assert.equal(w['all'], 400);
  assert.equal(w['run_phase&lt;Map&amp;&gt;'], 300);
  assert.equal(w['tiny'], 100);
  const pruned = renderFlameGraph(folded, { title: 't', width: 420, minWidthPx: 150 });
  assert.ok(!pruned.includes('<title>tiny'), 'a 100 px frame is under a 150 px minimum');
  assert.equal(escapeXml(`<'&">`), '&lt;&apos;&amp;&quot;&gt;');
  assert.deepEqual(['JS:~f a.js:1:1', 'exc_page_fault_[k]', 'mapbench::run_worker<X>', 'malloc'].map(frameKind), ['js', 'kernel', 'map', 'native']);
});

test('findPerf: a Debian wrapper that refuses the running kernel gives way to the versioned perf_X.Y beside it', () => {
  const bin = tmp();
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  fs.writeFileSync(path.join(bin, 'perf'), script('echo "perf: warning: perf not found for kernel 6.12" >&2; exit 1'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'perf_5.10'), script('echo "perf version 5.10.0"'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'perf_6.1'), script('echo "perf version 6.1.187"'), { mode: 0o755 });
  assert.deepEqual(findPerf({ PATH: bin }), { bin: path.join(bin, 'perf_6.1'), version: 'perf version 6.1.187' });
  assert.deepEqual(findPerf({ PATH: bin, MAPBENCH_PERF: path.join(bin, 'perf_5.10') }).version, 'perf version 5.10.0');
  assert.throws(() => findPerf({ PATH: tmp() }), (e: unknown) => e instanceof PerfUnavailable && e.reason === 'missing');
});

function oneLine(r: ReturnType<typeof profile>): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0]!;
}

test('flags that select more than one cell: one line naming them, exit 2, nothing written', () => {
  const root = tmp();
  const r = profile(['--maps', 'lockfree,mutex', '--threads', '1', '--load-factors', '0.5', '--mix', 'C', '--profile-root', root]);
  assert.equal(r.status, 2, r.stderr);
  const line = oneLine(r);
  assert.match(line, /^mapbench profile: error: profile needs flags that select exactly one cell; these select 2 \(--maps has 2\)/);
  assert.deepEqual(fs.readdirSync(root), []);
  const d = profile(['--profile-root', root]);
  assert.equal(d.status, 2);
  assert.match(oneLine(d), /--maps has \d+, --threads has 2, --load-factors has 2, --mix has 2/);
  const o = profile([...ONE_CELL, '--out', path.join(root, 'x.json')]);
  assert.equal(o.status, 2);
  assert.match(oneLine(o), /--out is not taken by profile/);
  assert.deepEqual(fs.readdirSync(root), []);
});

test('no perf on PATH: one line naming the package, exit 2, nothing written', () => {
  const root = tmp();
  const empty = tmp();
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: empty };
  delete env.MAPBENCH_PERF;
  const r = profile([...ONE_CELL, '--profile-root', root], env);
  assert.equal(r.status, 2, r.stderr);
  assert.match(oneLine(r), /^mapbench profile: error: perf not found: install it with `apt-get install linux-perf`/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(fs.readdirSync(root), []);
});

test('perf that may not sample: one line naming the sysctl, exit 2', () => {
  const root = tmp();
  const bin = tmp();
  // A stand-in perf that answers like perf 6.1 under kernel.perf_event_paranoid=3.
  fs.writeFileSync(
    path.join(bin, 'perf'),
    [
      '#!/bin/sh',
      'case "$1" in',
      '  --version) echo "perf version 6.1.0" ;;',
      '  stat) echo "<not supported>,,cycles,0,100.00,," >&2 ;;',
      '  *) echo "Error:" >&2; echo "Access to performance monitoring and observability operations is limited." >&2',
      '     echo "perf_event_paranoid setting is 3:" >&2; exit 255 ;;',
      'esac',
    ].join('\n'),
    { mode: 0o755 },
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
  delete env.MAPBENCH_PERF;
  const r = profile([...ONE_CELL, '--profile-root', root], env);
  assert.equal(r.status, 2, r.stderr);
  assert.match(oneLine(r), /^mapbench profile: error: perf may not sample .*`sysctl kernel\.perf_event_paranoid=1`/);
  assert.deepEqual(fs.readdirSync(root), []);
});

test('a real profile of a tiny lock-free run: map and JS frames in the stacks, perf stat figures, all files', async (t) => {
  let skip: string | null = null;
  try {
    const perf = findPerf();
    const scratch = tmp();
    await preflightRecord(perf, 'cpu-clock', scratch);
  } catch (e) {
    skip = e instanceof PerfUnavailable ? e.message : e instanceof Error ? e.message : String(e);
  }
  if (skip !== null) {
    t.skip(`perf unavailable: ${skip}`);
    return;
  }
  const root = tmp();
  const r = profile([...ONE_CELL, '--profile-root', root]);
  assert.equal(r.status, 0, r.stderr);
  const [name] = fs.readdirSync(root);
  assert.match(name!, /^profile-\d{8}T\d{6}-lockfree-t1-lf0\.5-k10000-C-uniform$/);
  const dir = path.join(root, name!);
  for (const f of ['perf.data', 'folded.txt', 'top-symbols.txt', 'flamegraph.svg', 'perf-stat.json', 'perf-stat.csv', 'result.json', 'profile.json']) {
    assert.ok(fs.statSync(path.join(dir, f)).size > 0, f);
  }

  const folded = parseFolded(fs.readFileSync(path.join(dir, 'folded.txt'), 'utf8'));
  const frames = new Set([...folded.keys()].flatMap((s) => s.split(';')));
  const mapFrames = [...frames].filter((f) => /run_phase<.*LockFreeMap|LockFreeMap::(get|find|claim|insert)/.test(f));
  assert.ok(mapFrames.length > 0, 'the lock-free map or its run loop is in the stacks');
  assert.ok([...frames].some((f) => JS_ENTRY.test(f)), 'a JS frame of the harness is in the stacks');
  // The run loop is reached from JS: some stack holds both.
  assert.ok([...folded.keys()].some((s) => /run_phase<.*LockFreeMap/.test(s) && s.split(';').some((f) => JS_ENTRY.test(f))));
  assert.match(r.stdout, /map frames in the stacks[^\n]*\n\s+[\d.]+%\s+[^\n]*LockFreeMap/);

  const stat = JSON.parse(fs.readFileSync(path.join(dir, 'perf-stat.json'), 'utf8')) as { events: Array<{ event: string; value: number | null; status: string }> };
  const taskClock = stat.events.find((e) => e.event.startsWith('task-clock'));
  assert.equal(taskClock?.status, 'counted');
  assert.ok(taskClock!.value! > 0);
  assert.deepEqual(stat.events.map((e) => e.event.split(':')[0]), ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults', 'cycles', 'instructions', 'cache-misses', 'branch-misses']);
  for (const e of stat.events) assert.ok(e.status === 'counted' || e.value === null, `${e.event}: a figure or a status, never a made-up number`);

  const doc = parseResultFile(JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')));
  assert.equal(doc.cells.length, 1);
  const cell = doc.cells[0]!;
  assert.equal(cell.status, 'ok');
  assert.deepEqual(cell.status === 'ok' ? cell.perfStat?.events : null, stat.events);

  const top = fs.readFileSync(path.join(dir, 'top-symbols.txt'), 'utf8');
  assert.match(top, /^\s+\d+\.\d+%\s+\S+\s+\[.\]\s+\S/m);
  const svg = fs.readFileSync(path.join(dir, 'flamegraph.svg'), 'utf8');
  assert.match(svg, /<title>[^<]*LockFreeMap/);
  assert.ok(!fs.readdirSync(dir).some((f) => f.startsWith('isolate-')), 'no V8 logs left behind');
});
