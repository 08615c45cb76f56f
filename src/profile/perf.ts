// Finding and driving Linux perf: which binary works, whether this user may
// sample, which clock event to use, and `perf stat -x,` parsing. Every
// problem the user can fix is a PerfUnavailable with one line saying how.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** perf cannot be used here, for a reason the user can fix; `message` says how. */
export class PerfUnavailable extends Error {
  override name = 'PerfUnavailable';
  constructor(
    message: string,
    readonly reason: 'missing' | 'permission',
  ) {
    super(message);
  }
}

export interface Perf {
  bin: string;
  /** e.g. "perf version 6.1.187" */
  version: string;
}

export const INSTALL_HINT = 'perf not found: install it with `apt-get install linux-perf` (Debian; `linux-tools-$(uname -r)` on Ubuntu), or set MAPBENCH_PERF to a perf binary';
export const PARANOID_HINT =
  'perf may not sample this process (kernel.perf_event_paranoid is too restrictive): run `sysctl kernel.perf_event_paranoid=1` as root, or profile as root';

/** Permission failures as perf prints them (perf_event_open EACCES/EPERM). */
const PERMISSION = /perf_event_paranoid|Access to performance monitoring|No permission to enable|Permission denied|Operation not permitted|EACCES|EPERM/i;

function versionOf(bin: string, env: NodeJS.ProcessEnv): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env, timeout: 10_000 });
  const out = `${r.stdout ?? ''}`.trim();
  return r.status === 0 && /^perf version/.test(out) ? out.split('\n')[0]! : null;
}

/**
 * The perf binary to use: $MAPBENCH_PERF, else `perf` on PATH, else a
 * versioned `perf_X.Y` on PATH. Debian's /usr/bin/perf is a wrapper that runs
 * perf_<kernel version> and refuses when the running kernel differs from the
 * installed linux-perf; the versioned binary works with any kernel.
 */
export function findPerf(env: NodeJS.ProcessEnv = process.env): Perf {
  const candidates: string[] = [];
  if (env.MAPBENCH_PERF) candidates.push(env.MAPBENCH_PERF);
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) candidates.push(path.join(d, 'perf'));
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(d).filter((n) => /^perf_\d+(\.\d+)*$/.test(n));
    } catch {
      continue;
    }
    names.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const n of names) candidates.push(path.join(d, n));
  }
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    const version = versionOf(bin, env);
    if (version) return { bin, version };
  }
  throw new PerfUnavailable(INSTALL_HINT, 'missing');
}

export interface Completed {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output (stdin closed). */
export function run(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdout?: 'collect' | 'ignore' } = {}): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', opts.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Streams a command's stdout line by line into `onLine`; resolves with its status and stderr. */
export function runLines(bin: string, args: string[], onLine: (line: string) => void, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', onLine);
    let closed = false;
    let exit: { status: number | null; signal: NodeJS.Signals | null } | null = null;
    const done = () => exit && closed && resolve({ ...exit, stdout: '', stderr });
    rl.on('close', () => ((closed = true), done()));
    child.on('error', reject);
    child.on('close', (status, signal) => ((exit = { status, signal }), done()));
  });
}

/** The first line of perf's stderr that says something (skips blank and decorative lines). */
export function firstMessage(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !/^Error:?$/.test(l) && !/^\[ perf record:/.test(l));
  return line ?? 'no message';
}

/** Throws PerfUnavailable('permission') when perf's output is a permission refusal. */
export function checkPermission(stderr: string): void {
  if (PERMISSION.test(stderr)) throw new PerfUnavailable(PARANOID_HINT, 'permission');
}

/**
 * Whether a hardware cycles counter counts here (`perf stat -e cycles`).
 * Virtual machines without a virtual PMU answer `<not supported>`.
 */
export async function cyclesSupported(perf: Perf): Promise<boolean> {
  const r = await run(perf.bin, ['stat', '-x,', '-e', 'cycles', '--', 'true']);
  if (r.status !== 0) return false;
  const ev = parsePerfStat(r.stderr).find((e) => e.event.startsWith('cycles'));
  return ev?.status === 'counted';
}

/**
 * A short `perf record` of `true` with the event and call graphs the profile
 * will use: a refusal here is a permission or configuration problem, not a
 * problem of the benchmark.
 */
export async function preflightRecord(perf: Perf, event: string, scratchDir: string): Promise<void> {
  const out = path.join(scratchDir, 'preflight.data');
  const r = await run(perf.bin, ['record', '-e', event, '-g', '-o', out, '--', 'true']);
  fs.rmSync(out, { force: true });
  if (r.status !== 0) {
    checkPermission(r.stderr);
    throw new Error(`perf record does not work here: ${firstMessage(r.stderr)}`);
  }
}

export interface PerfStatEvent {
  event: string;
  /** null when the event was not supported or not counted. */
  value: number | null;
  /** perf's unit: "msec" for task-clock, "" for counts. */
  unit: string;
  status: 'counted' | 'not supported' | 'not counted';
  /** Share of the run the counter was scheduled (multiplexing), percent. */
  runningPct: number | null;
}

/**
 * Parses `perf stat -x,` output: value,unit,event,run-time,pct,metric,metric-unit.
 * Comment lines (`#`) and blank lines are skipped; `:u`/`:k` modifiers perf
 * adds (e.g. task-clock:u when only user space may be counted) are kept in
 * `event` — compare with startsWith.
 */
export function parsePerfStat(text: string): PerfStatEvent[] {
  const events: PerfStatEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(',');
    if (f.length < 3) continue;
    const [raw, unit, event] = [f[0]!.trim(), f[1]!.trim(), f[2]!.trim()];
    if (!event || !/^[\w.:/=-]+$/.test(event)) continue;
    const pct = f[4] !== undefined && f[4].trim() !== '' ? Number(f[4]) : null;
    if (raw === '<not supported>' || raw === '<not counted>') {
      events.push({ event, value: null, unit, status: raw === '<not supported>' ? 'not supported' : 'not counted', runningPct: null });
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    events.push({ event, value, unit, status: 'counted', runningPct: pct !== null && Number.isFinite(pct) ? pct : null });
  }
  return events;
}

export interface TopSymbol {
  overheadPct: number;
  dso: string;
  symbol: string;
}

/** Entry lines of `perf report --stdio --sort dso,sym -g none`: "  31.92%  mapbench.node  [.] symbol". */
export function parseReportLine(line: string): TopSymbol | null {
  const m = /^\s+(\d+(?:\.\d+)?)%\s+(\S+)\s+\[(.)\]\s+(.*?)\s*$/.exec(line);
  return m ? { overheadPct: Number(m[1]), dso: m[2]!, symbol: m[4]! } : null;
}
