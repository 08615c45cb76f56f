// `npm run profile`: one bench cell under `perf record -g` (stacks through
// the addon's C++ and JS frames), then the same cell again under `perf stat`,
// kept together in results/profile-<id>/:
//
//   perf.data          the samples (perf report -i …; JS names need perf-<pid>.map copied back to /tmp)
//   perf-<pid>.map     the JIT symbol map node wrote (--perf-basic-prof)
//   top-symbols.txt    perf report --no-children: self overhead by symbol, top 40
//   folded.txt         folded stacks (frames root-first joined by ';', then samples)
//   flamegraph.svg     rendered from folded.txt
//   perf-stat.json     counters of the second run (perf-stat.csv: perf's own output)
//   result.json        the bench result of the profiled run, with perfStat on its cell
//   profile.json       what ran, the event, samples, top symbols and the map frames found
//
// The two runs are separate so that sampling never sits in the counted run
// and counting never in the sampled one (the profiled run's throughput is a
// little lower than a plain bench run's; read figures from bench, not here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CATALOGUE } from '../catalogue.js';
import { designRow } from '../designs.js';
import type { Cell } from '../matrix.js';
import { writeJsonAtomic, writeResultFile } from '../results-writer.js';
import { type CellParams, type PerfStatRecord, parseResultFile } from '../schema.js';
import { Collapser, type Folded, formatFolded, inclusiveFrames, totalSamples } from './folded.js';
import { renderFlameGraph } from './flamegraph.js';
import {
  checkPermission,
  cyclesSupported,
  findPerf,
  firstMessage,
  parsePerfStat,
  parseReportLine,
  type Perf,
  type PerfStatEvent,
  preflightRecord,
  run,
  runLines,
  type TopSymbol,
} from './perf.js';

/** The counters perf stat is asked for; hardware ones read "not supported" in most VMs. */
export const STAT_EVENTS = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults', 'cycles', 'instructions', 'cache-misses', 'branch-misses'] as const;
export const TOP_SYMBOLS = 40;

/** A profile could not be made for a reason other than perf's availability (one line). */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

export interface ProfileRequest {
  /** Bench flags selecting exactly one cell, forwarded to bench.js as given (no --out, no --json). */
  benchArgs: string[];
  cell: Cell;
  /** Directory that receives profile-<id>/. */
  root: string;
  /** Repository root: stripped from JS frame paths. */
  repoDir: string;
  /** Compiled bench CLI (dist/src/cli/bench.js). */
  benchJs: string;
  log: (line: string) => void;
  /** Set to true (e.g. on SIGINT) to stop after the step in progress. */
  control?: { aborted: boolean };
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export interface MapFrames {
  /** The frames expected for this map (a regex source), for messages. */
  expected: string;
  found: Array<{ frame: string; samples: number; sharePct: number }>;
}

export interface ProfileOutcome {
  dir: string;
  perf: Perf;
  event: string;
  samples: number;
  topSymbols: TopSymbol[];
  mapFrames: MapFrames;
  jsFrames: Array<{ frame: string; samples: number }>;
  perfStat: PerfStatRecord;
}

/** A short, file-name-safe description of a cell: lockfree-t1-lf0.5-k10000-C-uniform. */
export function cellSlug(p: CellParams): string {
  const parts = [p.map, `t${p.threads}`, `lf${p.loadFactor}`, `k${p.keys}`, p.mix, p.dist];
  if (p.shards !== null) parts.push(`s${p.shards}`);
  if (p.cpus) parts.push(`cpu${p.cpus.join('+')}`);
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9.+_-]+/g, '_')
    .slice(0, 100);
}

export function profileId(p: CellParams, now: Date): string {
  const stamp = now.toISOString().replace(/[:-]/g, '').replace(/\..*$/, '');
  return `${stamp}-${cellSlug(p)}`;
}

/**
 * Frames that show the map under test was sampled. The map's own methods are
 * usually inlined into the run loop, so the loop's template instance
 * (run_phase<…, mapbench::LockFreeMap, …>) is what appears; lock-based maps
 * also show their lock acquisition when it is not inlined (pthread_mutex_lock,
 * pthread_rwlock_rdlock, SpinLock::lock).
 */
export function mapFramePatterns(p: CellParams): { map: RegExp; lock: RegExp | null } {
  const row = designRow(p.design);
  // The lock a cell takes: the one it chose (sharded), else the design's own.
  const lock = p.lock ?? row?.fixedLock ?? null;
  const lockIndex = CATALOGUE.lockKinds.findIndex((l) => l === lock);
  return {
    map: row ? new RegExp(row.frame) : new RegExp(`run_phase<.*${p.design}`, 'i'),
    lock: lockIndex >= 0 ? new RegExp(CATALOGUE.lockFrames[lockIndex]!) : null,
  };
}

export function findMapFrames(folded: Folded, p: CellParams): MapFrames {
  const { map, lock } = mapFramePatterns(p);
  const total = totalSamples(folded);
  const re = lock ? new RegExp(`${map.source}|${lock.source}`) : map;
  const hits = inclusiveFrames(folded, re);
  // A frame matching only the lock pattern counts only alongside a map frame.
  const found = hits.some((h) => map.test(h.frame)) ? hits : [];
  return {
    expected: re.source,
    found: found.map((h) => ({ ...h, sharePct: total > 0 ? (100 * h.samples) / total : 0 })),
  };
}

/**
 * JS frames of the harness that lead to the map: the bench CLI, the cell
 * runner, the lab and the worker whose runThread calls into the addon (paths
 * are relative to the repository once collapsed).
 */
export const JS_ENTRY = /^(?:JS|LazyCompile|Function|Script):\S*\s+(?:\S*\/)?dist\/src\/(?:cli\/bench|bench|cell-runner|lab|worker)\.js:/;

function uniqueDir(root: string, id: string): string {
  for (let i = 1; ; i++) {
    const dir = path.join(root, `profile-${id}${i === 1 ? '' : `-${i}`}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\[ perf record:/.test(l))
    .slice(-n)
    .join(' | ');
}

/** Why the bench under perf failed: a failed cell's error, else bench's last words. */
function benchFailure(resultPath: string, stderr: string, status: number | null): string {
  try {
    const doc = parseResultFile(JSON.parse(fs.readFileSync(resultPath, 'utf8')), resultPath);
    const failed = doc.cells.find((c) => c.status === 'failed');
    if (failed && failed.status === 'failed') return `the cell failed: ${failed.error}`;
  } catch {
    // no usable result file: fall back to stderr
  }
  return `bench exited with status ${status}: ${lastLines(stderr, 2) || 'no message'}`;
}

export async function runProfile(req: ProfileRequest): Promise<ProfileOutcome> {
  const env = req.env ?? process.env;
  const control = req.control ?? { aborted: false };
  const stop = () => {
    if (control.aborted) throw new ProfileError('interrupted');
  };
  const perf = findPerf(env);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-profile-'));
  try {
    const event = (await cyclesSupported(perf)) ? 'cycles' : 'cpu-clock';
    await preflightRecord(perf, event, scratch);
    const root = path.resolve(req.root);
    fs.mkdirSync(root, { recursive: true });
    const dir = uniqueDir(root, profileId(req.cell.params, req.now ?? new Date()));
    const resultPath = path.join(dir, 'result.json');
    const perfData = path.join(dir, 'perf.data');
    const node = process.execPath;
    const bench = [req.benchJs, ...req.benchArgs, '--quiet'];

    // 1. Sampled run. --perf-basic-prof writes /tmp/perf-<pid>.map so perf can
    // name JIT code; --interpreted-frames-native-stack gives interpreted JS
    // functions their own frames; the V8 log it implies goes to scratch.
    const nodeFlags = ['--perf-basic-prof', '--interpreted-frames-native-stack', '--no-logfile-per-isolate', `--logfile=${path.join(scratch, 'v8.log')}`];
    const recordArgs = ['record', '-e', event, '-g', '-o', perfData, '--', node, ...nodeFlags, ...bench, '--out', resultPath];
    req.log(`recording: ${req.cell.key} (perf record -e ${event} -g)`);
    const rec = await run(perf.bin, recordArgs, { cwd: scratch, env, stdout: 'ignore' });
    stop();
    if (rec.status !== 0) {
      checkPermission(rec.stderr);
      if (!fs.existsSync(perfData)) throw new ProfileError(`perf record failed: ${firstMessage(rec.stderr)}`);
      throw new ProfileError(benchFailure(resultPath, rec.stderr, rec.status));
    }

    // 2. Stacks → folded.txt, then top symbols; both need the JIT map still in /tmp.
    const collapser = new Collapser({ stripPrefix: req.repoDir });
    const script = await runLines(perf.bin, ['script', '-i', perfData, '-F', 'comm,pid,tid,event,ip,sym,dso'], (l) => collapser.push(l), { env });
    const folded = collapser.end();
    if (script.status !== 0) throw new ProfileError(`perf script failed: ${firstMessage(script.stderr)}`);
    fs.writeFileSync(path.join(dir, 'folded.txt'), formatFolded(folded));
    const samples = totalSamples(folded);

    const report = await run(perf.bin, ['report', '-i', perfData, '--stdio', '--no-children', '-g', 'none', '--sort', 'dso,sym', '--percent-limit', '0'], { env });
    if (report.status !== 0) throw new ProfileError(`perf report failed: ${firstMessage(report.stderr)}`);
    const reportLines = report.stdout.split('\n');
    const entries = reportLines.filter((l) => parseReportLine(l) !== null).slice(0, TOP_SYMBOLS);
    const topSymbols = entries.map((l) => parseReportLine(l)!);
    const header = reportLines.filter((l) => /^# (Samples|Event count|Total Lost)/.test(l));
    fs.writeFileSync(
      path.join(dir, 'top-symbols.txt'),
      [
        `# ${req.cell.key}`,
        `# top ${TOP_SYMBOLS} symbols by self overhead: perf report --stdio --no-children -g none --sort dso,sym`,
        ...header,
        '#',
        '# Overhead  Shared Object  Symbol',
        ...entries.map((l) => l.trimEnd()),
        '',
      ].join('\n'),
    );

    // Keep node's JIT maps with the data (and out of /tmp).
    for (const pid of collapser.stats.pids) {
      const map = path.join('/tmp', `perf-${pid}.map`);
      if (!fs.existsSync(map)) continue;
      fs.copyFileSync(map, path.join(dir, path.basename(map)));
      fs.rmSync(map, { force: true });
    }

    const p = req.cell.params;
    fs.writeFileSync(
      path.join(dir, 'flamegraph.svg'),
      renderFlameGraph(folded, {
        title: `mapbench profile: ${p.map}, ${p.threads} thread${p.threads === 1 ? '' : 's'}, lf ${p.loadFactor}, ${p.keys} keys, mix ${p.mix}, ${p.dist}`,
        subtitle: `${samples} samples of ${event} (perf record -g), whole process: start-up, prefill, warm-up and every pass`,
      }),
    );
    const mapFrames = findMapFrames(folded, p);
    const jsFrames = inclusiveFrames(folded, JS_ENTRY);
    stop();

    // 3. Counted run.
    const statCsv = path.join(dir, 'perf-stat.csv');
    const statArgs = ['stat', '-x,', '-o', statCsv, '-e', STAT_EVENTS.join(','), '--', node, ...bench, '--out', path.join(scratch, 'stat-result.json')];
    req.log(`counting: perf stat -e ${STAT_EVENTS.join(',')}`);
    const stat = await run(perf.bin, statArgs, { cwd: scratch, env, stdout: 'ignore' });
    stop();
    if (stat.status !== 0) {
      checkPermission(stat.stderr);
      throw new ProfileError(fs.existsSync(statCsv) ? benchFailure(path.join(scratch, 'stat-result.json'), stat.stderr, stat.status) : `perf stat failed: ${firstMessage(stat.stderr)}`);
    }
    const events = statEvents(parsePerfStat(fs.readFileSync(statCsv, 'utf8')));
    const perfStat: PerfStatRecord = {
      perfVersion: perf.version,
      scope: 'a second run of this cell under perf stat; counts cover the whole process (start-up, prefill, warm-up, every pass, child processes)',
      commandLine: ['perf', ...statArgs.slice(0, 7), 'node', ...bench.map((a) => (a === req.benchJs ? path.relative(req.repoDir, a) : a))],
      events,
    };
    writeJsonAtomic(path.join(dir, 'perf-stat.json'), { cellKey: req.cell.key, ...perfStat });

    // 4. The profiled run's result file, with the counters on its cell.
    const doc = parseResultFile(JSON.parse(fs.readFileSync(resultPath, 'utf8')), resultPath);
    for (const c of doc.cells) if (c.status === 'ok' && c.key === req.cell.key) c.perfStat = perfStat;
    writeResultFile(resultPath, doc);

    const outcome: ProfileOutcome = { dir, perf, event, samples, topSymbols, mapFrames, jsFrames, perfStat };
    writeJsonAtomic(path.join(dir, 'profile.json'), {
      kind: 'mapbench.profile',
      cellKey: req.cell.key,
      perfVersion: perf.version,
      event,
      samples,
      record: ['perf', ...recordArgs.slice(0, 7), 'node', ...nodeFlags.slice(0, 2), ...bench.map((a) => (a === req.benchJs ? path.relative(req.repoDir, a) : a))],
      topSymbols: topSymbols.slice(0, 10),
      mapFrames,
      jsEntryFrames: jsFrames.slice(0, 5),
    });
    return outcome;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** One entry per requested counter, in request order; absent ones read "not supported". */
function statEvents(parsed: PerfStatEvent[]): PerfStatEvent[] {
  return STAT_EVENTS.map(
    (name) =>
      parsed.find((e) => e.event === name || e.event.startsWith(`${name}:`)) ?? { event: name, value: null, unit: '', status: 'not supported' as const, runningPct: null },
  );
}
