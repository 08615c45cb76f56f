// Command-line values → one validated, fully resolved configuration.
// Every default lives in DEFAULTS; every rejection is a UsageError with a
// one-line message naming the flag.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { UsageError } from './errors.js';
import { type Distribution, type Mix, parseDistribution, parseMixList } from './workload.js';

export interface DesignSummary {
  name: string;
  kind: string;
  sharded: boolean;
  openAddressing: boolean;
}

/** A map as the user names it: a design, plus a lock for sharded designs (`sharded:spin`). */
export interface MapChoice {
  label: string;
  design: string;
  lock: 'mutex' | 'spin' | 'rw' | null;
  sharded: boolean;
}

export type Mode = 'throughput' | 'latency' | 'both';

export interface ResolvedConfig {
  maps: MapChoice[];
  threads: number[];
  cpus: number[] | null;
  loadFactors: number[];
  keys: number[];
  mixes: Mix[];
  dists: Distribution[];
  shards: number;
  durationSeconds: number;
  warmupSeconds: number;
  repeat: number;
  mode: Mode;
  sampleEvery: number;
  stats: boolean;
  seed: number;
  interleave: boolean;
  hugePages: boolean;
  streamLength: number;
  gateTimeoutSeconds: number;
  /** A run whose threads began measuring further apart than this fraction of the duration is rerun. */
  maxSkew: number;
  out: string;
  quiet: boolean;
  json: boolean;
}

/** Raw flag values as the CLI parser hands them over (strings or booleans). */
export interface RawOptions {
  maps?: string;
  threads?: string;
  cpus?: string;
  loadFactors?: string;
  keys?: string;
  mix?: string;
  dist?: string;
  shards?: string;
  duration?: string;
  warmup?: string;
  repeat?: string;
  mode?: string;
  sampleEvery?: string;
  stats?: boolean;
  seed?: string;
  interleave?: boolean;
  hugePages?: boolean;
  streamLength?: string;
  gateTimeout?: string;
  maxSkew?: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
}

export const DEFAULTS = {
  threads: '1,2',
  loadFactors: '0.5,0.9',
  keys: '1e6',
  mix: 'C,cart',
  dist: 'uniform',
  shards: '64',
  duration: '0.15s',
  warmup: '0.03s',
  repeat: '3',
  mode: 'throughput',
  sampleEvery: '128',
  seed: '1',
  streamLength: '262144',
  gateTimeout: '10s',
  maxSkew: '5%',
} as const;

const LOCKS = ['mutex', 'spin', 'rw'] as const;

function list(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new UsageError(`${flag} must be a comma-separated list with no empty items`);
  return items;
}

/** Parses 1000, 1e6, 3e7, 1_000_000. */
function parseCount(flag: string, s: string, min: number, max: number): number {
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be integers in [${min}, ${max}], got '${s}'`);
  }
  return n;
}

/** Parses `0.5`, `500ms`, `2s` into seconds. */
export function parseSeconds(flag: string, s: string, allowZero: boolean): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(s.trim());
  const value = m ? Number(m[1]) * (m[2] === 'ms' ? 1e-3 : 1) : NaN;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || value > 3600) {
    throw new UsageError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} duration such as 0.5, 200ms or 2s (at most 1 hour), got '${s}'`);
  }
  return value;
}

function unique<T>(xs: T[], key: (x: T) => string = String): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

export function parseMaps(text: string, designs: DesignSummary[]): MapChoice[] {
  return unique(
    list('--maps', text).map((label) => {
      const [name, lock, extra] = label.split(':');
      const design = designs.find((d) => d.name === name);
      if (!design || extra !== undefined) {
        throw new UsageError(`unknown map '${label}' (known: ${designs.map((d) => d.name).join(', ')}; sharded:spin and sharded:rw pick a shard lock)`);
      }
      if (lock !== undefined && !design.sharded) throw new UsageError(`map '${label}': only sharded designs take a lock kind`);
      if (lock !== undefined && !(LOCKS as readonly string[]).includes(lock)) {
        throw new UsageError(`map '${label}': lock must be one of ${LOCKS.join(', ')}`);
      }
      const chosen = design.sharded ? ((lock ?? 'mutex') as MapChoice['lock']) : null;
      return { label: design.sharded && lock === undefined ? name! : label, design: design.name, lock: chosen, sharded: design.sharded };
    }),
    (m) => m.label,
  );
}

/** CPU list with ranges: `0,2,4-7`. Each CPU must exist on this machine. */
export function parseCpus(text: string, available: number[]): number[] {
  const cpus: number[] = [];
  for (const item of list('--cpus', text)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) throw new UsageError(`--cpus must list CPU numbers or ranges like 0,2-3, got '${item}'`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new UsageError(`--cpus range '${item}' is backwards`);
    for (let c = lo; c <= hi; c++) {
      if (!available.includes(c)) {
        throw new UsageError(`--cpus: CPU ${c} does not exist or is not available (this process may use ${formatCpus(available)})`);
      }
      cpus.push(c);
    }
  }
  return unique(cpus);
}

function formatCpus(cpus: number[]): string {
  return cpus.length ? cpus.join(',') : 'none';
}

/** CPUs this process may run on (from /proc/self/status when present). */
export function availableCpus(): number[] {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(status);
    if (m?.[1]) {
      const out: number[] = [];
      for (const part of m[1].split(',')) {
        const [a, b] = part.split('-').map(Number);
        for (let c = a!; c <= (b ?? a!); c++) out.push(c);
      }
      return out;
    }
  } catch {
    // fall through
  }
  return os.cpus().map((_, i) => i);
}

/**
 * Checks --out can be written without writing the result itself: the path
 * must not be a directory and its directory must accept a new file.
 */
export function checkWritable(out: string): void {
  const dir = path.dirname(path.resolve(out));
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(out);
  } catch {
    // not there yet: fine
  }
  if (st?.isDirectory()) throw new UsageError(`--out '${out}' is a directory; give a file name`);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new UsageError(`--out '${out}': directory '${dir}' does not exist`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`--out '${out}': '${dir}' is not a directory`);
  const probe = path.join(dir, `.mapbench-write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`--out '${out}' cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function defaultOutPath(now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  return path.join('results', `${stamp}-${os.hostname()}.json`);
}

export interface ResolveContext {
  designs: DesignSummary[];
  /** capacity_for from the native core: the one place capacity is derived. */
  capacityFor: (entries: number, loadFactor: number) => number;
  availableCpus: number[];
  /** Skip the --out writability probe (tests, --json dry runs). */
  skipOutCheck?: boolean;
  now?: Date;
}

export function resolveConfig(raw: RawOptions, ctx: ResolveContext): ResolvedConfig {
  const maps = parseMaps(raw.maps ?? ctx.designs.map((d) => d.name).join(','), ctx.designs);
  const threads = unique(list('--threads', raw.threads ?? DEFAULTS.threads).map((s) => parseCount('--threads', s, 1, 1024)));
  const cpus = raw.cpus === undefined ? null : parseCpus(raw.cpus, ctx.availableCpus);
  const loadFactors = unique(
    list('--load-factors', raw.loadFactors ?? DEFAULTS.loadFactors).map((s) => {
      const lf = Number(s);
      if (!(lf > 0 && lf < 1)) throw new UsageError(`--load-factors must be in (0, 1), got '${s}'`);
      return lf;
    }),
  );
  const keys = unique(list('--keys', raw.keys ?? DEFAULTS.keys).map((s) => parseCount('--keys', s, 1, 2 ** 36)));
  const mixes = unique(parseMixList(raw.mix ?? DEFAULTS.mix), (m) => m.name);
  const dists = unique(list('--dist', raw.dist ?? DEFAULTS.dist).map(parseDistribution), (d) => d.name);
  const shards = parseCount('--shards', raw.shards ?? DEFAULTS.shards, 1, 65536);
  if ((shards & (shards - 1)) !== 0) throw new UsageError(`--shards must be a power of two, got ${shards}`);
  const durationSeconds = parseSeconds('--duration', raw.duration ?? DEFAULTS.duration, false);
  const warmupSeconds = parseSeconds('--warmup', raw.warmup ?? DEFAULTS.warmup, true);
  const repeat = parseCount('--repeat', raw.repeat ?? DEFAULTS.repeat, 1, 1000);
  const mode = (raw.mode ?? DEFAULTS.mode) as Mode;
  if (!['throughput', 'latency', 'both'].includes(mode)) throw new UsageError(`--mode must be throughput, latency or both, got '${mode}'`);
  const sampleEvery = parseCount('--sample-every', raw.sampleEvery ?? DEFAULTS.sampleEvery, 1, 2 ** 30);
  const seed = parseCount('--seed', raw.seed ?? DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER);
  const streamLength = parseCount('--stream-length', raw.streamLength ?? DEFAULTS.streamLength, 256, 2 ** 28);
  if (streamLength % 256 !== 0) throw new UsageError(`--stream-length must be a multiple of 256, got ${streamLength}`);
  const gateTimeoutSeconds = parseSeconds('--gate-timeout', raw.gateTimeout ?? DEFAULTS.gateTimeout, false);
  const skewText = raw.maxSkew ?? DEFAULTS.maxSkew;
  const skewPct = Number(skewText.replace(/%$/, ''));
  if (!(skewPct > 0 && skewPct <= 100)) throw new UsageError(`--max-skew must be a percentage in (0, 100], got '${skewText}'`);

  for (const m of maps.filter((m) => m.sharded)) {
    for (const k of keys) {
      for (const lf of loadFactors) {
        if (ctx.capacityFor(k, lf) < 2 * shards) {
          throw new UsageError(
            `--keys ${k} is too small for ${m.label} with ${shards} shards at load factor ${lf}: each shard needs at least 2 slots (use more keys or fewer --shards)`,
          );
        }
      }
    }
  }

  const out = raw.out ?? defaultOutPath(ctx.now);
  if (!ctx.skipOutCheck) checkWritable(out);

  return {
    maps, threads, cpus, loadFactors, keys, mixes, dists, shards, durationSeconds, warmupSeconds, repeat, mode,
    sampleEvery, stats: raw.stats ?? true, seed, interleave: raw.interleave ?? false, hugePages: raw.hugePages ?? true,
    streamLength, gateTimeoutSeconds, maxSkew: skewPct / 100, out, quiet: raw.quiet ?? false, json: raw.json ?? false,
  };
}

/** The config as stored in result files (see schema.ts ResolvedConfigSchema). */
export function configRecord(c: ResolvedConfig) {
  return {
    maps: c.maps.map((m) => m.label),
    threads: c.threads,
    cpus: c.cpus,
    loadFactors: c.loadFactors,
    keys: c.keys,
    mixes: c.mixes.map((m) => ({ name: m.name, weights: [...m.weights] })),
    dists: c.dists.map((d) => d.name),
    shards: c.shards,
    durationSeconds: c.durationSeconds,
    warmupSeconds: c.warmupSeconds,
    repeat: c.repeat,
    mode: c.mode,
    sampleEvery: c.sampleEvery,
    stats: c.stats,
    seed: c.seed,
    interleave: c.interleave,
    hugePages: c.hugePages,
    streamLength: c.streamLength,
    gateTimeoutSeconds: c.gateTimeoutSeconds,
    maxSkew: c.maxSkew,
    out: c.out,
  };
}
