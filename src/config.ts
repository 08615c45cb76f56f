// Command-line values → one validated, fully resolved configuration.
// Every default lives in DEFAULTS; every rejection is a UsageError with a
// one-line message naming the flag.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CATALOGUE } from './catalogue.js';
import { designRow } from './designs.js';
import { UsageError } from './errors.js';
import { DEFAULTS, type RawOptions } from './flags.js';
import type { ResolvedConfigRecord } from './schema.js';
import type { DesignInfo, KeyTypeInfo, LockKind, PadBytes } from './native.js';
import { type Distribution, type Mix, type Partition, parsePartition, parseDistribution, parseMixList } from './workload.js';

/** What config needs of a design: its catalogue row (native.ts DesignInfo), or as much of it as a test fakes. */
export type DesignSummary = Pick<DesignInfo, 'name' | 'kind' | 'sharded' | 'openAddressing'> &
  Partial<Pick<DesignInfo, 'locks' | 'pads' | 'opStats' | 'baseline' | 'stringKeys' | 'stringGrowable'>>;

/** A key type of the run (--key-type), as the addon describes it (native.ts KeyTypeInfo). */
export interface KeyTypeChoice {
  /** The canonical name, as cells record it: `u64`, `str:16`, `str:4-12`, `str:order`, `str:uuid`. */
  name: string;
  strings: boolean;
  meanLength: number;
  /** Bytes per replayed op (op word plus key tape): streamPlan's budget unit. */
  streamBytesPerOp: number;
  /** The hash the maps use for it. */
  hash: string;
}

/** The integer key type: what every run had before --key-type, and the default. */
export const U64_KEYS: KeyTypeChoice = { name: 'u64', strings: false, meanLength: 8, streamBytesPerOp: 8, hash: 'murmur3-fmix64' };

/** Whether a design has a string-keyed form: its trait, else its catalogue row's (fakes name designs without traits). */
export function hasStringForm(d: DesignSummary): boolean {
  return d.stringKeys ?? designRow(d.name)?.stringKeys ?? false;
}

function growsWithStrings(d: DesignSummary): boolean {
  return d.stringGrowable ?? designRow(d.name)?.stringGrowable ?? false;
}

/**
 * A map as the user names it: a design, plus for sharded designs a lock and
 * optionally a shard padding (`sharded:spin`, `sharded:mutex:packed`,
 * `sharded:spin:128`).
 */
export interface MapChoice {
  label: string;
  design: string;
  lock: LockKind | null;
  /** Sharded maps: 0 = packed shard headers, 64 or 128 bytes per shard; null = the build's pad. */
  pad: PadBytes | null;
  sharded: boolean;
  /** The design has a string-keyed form; without one (the pseudo-maps) its cells are u64 only. */
  stringKeys: boolean;
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
  /** How the threads split the key space (native workload.h Partition). */
  partitions: Partition[];
  /** Key types, one cell each (--key-type); u64 alone by default. */
  keyTypes: KeyTypeChoice[];
  shards: number[];
  /** Open-loop offered rates (ops/s, all threads); null = closed loop. */
  rates: number[] | null;
  /** Ops per batch (closed loop), one cell per size; null = the per-op loop, batch not in the cell key. */
  batches: number[] | null;
  /** Per-window series of the measured phase; null = none. */
  seriesWindowSeconds: number | null;
  /** Read the map's diagnostics this often while the workers run; null = never. */
  sampleDiagnosticsSeconds: number | null;
  /** Fraction of the keys inserted before each run (1 = all; 0 = the map starts empty). */
  prefill: number;
  /** Slots the map starts with (it grows online from there); null = presized for keys / load factor. */
  initialCapacity: number | null;
  /** Load (entries + tombstones) / capacity past which maps grow; null = the design's default. */
  maxLoadFactor: number | null;
  durationSeconds: number;
  warmupSeconds: number;
  /** Repeats per cell: the fixed count, or with `adaptive` the minimum. */
  repeat: number;
  /** --repeat auto: repeat each cell until its median's interval is narrow enough or its time is spent; null: a fixed count. */
  adaptive: AdaptivePlan | null;
  mode: Mode;
  sampleEvery: number;
  stats: boolean;
  seed: number;
  interleave: boolean;
  hugePages: boolean;
  /** Ops per thread's replayed stream; null = derived per cell from its keys and threads (native default_stream_length). */
  streamLength: number | null;
  /** Bytes of op streams all threads of a cell may hold when the length is derived. */
  streamBudgetBytes: number;
  gateTimeoutSeconds: number;
  /** A run whose threads began measuring further apart than this fraction of the duration is rerun. */
  maxSkew: number;
  /** Exit 1 when a cell is unreliable (kept figures that failed --max-skew after their reruns), as for a failed cell. */
  strict: boolean;
  out: string;
  quiet: boolean;
  json: boolean;
  /** What the console shows after a run: the pivoted summary, or one row per cell. */
  table: 'summary' | 'cells';
  /** List every warning instance instead of one line per kind. */
  verbose: boolean;
  /** Set when the run is a named scenario. */
  scenario: string | null;
}

/**
 * The stopping rule of --repeat auto. A cell stops after a repeat when it has
 * at least minRepeats and either the 95% confidence interval of its median
 * throughput lies within ±targetCiPct of the median, its passes have taken
 * maxCellSeconds, or it has maxRepeats.
 */
export interface AdaptivePlan {
  targetCiPct: number;
  maxCellSeconds: number;
  minRepeats: number;
  maxRepeats: number;
}

/** Bounds of --repeat auto: 6 is the fewest repeats with a 95% interval of the median ([min, max] holds it with 1 − 2/64). */
export const AUTO_MIN_REPEATS = 3;
export const AUTO_MAX_REPEATS = 15;

export type { RawOptions } from './flags.js';

/**
 * The default run's maps (the catalogue's defaultRun trait): mapbench's own
 * open-addressing designs and the two pseudo-maps that frame them. Designs
 * added for one study (readmostly, chained) and peer libraries are named
 * explicitly, which keeps the default run near a minute.
 */
export const DEFAULT_MAPS = CATALOGUE.designs.filter((d) => d.defaultRun).map((d) => d.name).join(',');

export { DEFAULTS } from './flags.js';

const LOCKS: readonly LockKind[] = CATALOGUE.lockKinds;
const PADS: ReadonlyMap<string, PadBytes> = new Map(CATALOGUE.pads.map((p) => [p.name, p.bytes]));

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

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30, t: 1e12, tb: 1e12, tib: 2 ** 40 };

/** Parses `1GiB`, `512MiB`, `2e9`, `64k` into bytes. */
export function parseBytes(flag: string, s: string, min: number): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)$/i.exec(s.trim());
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  const value = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a size of at least ${min} bytes such as 1GiB, 512MiB or 2e9, got '${s}'`);
  }
  return value;
}

function parseOnOff(flag: string, v: boolean | string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new UsageError(`${flag} must be on or off, got '${v}'`);
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

/**
 * The items of a list flag, which must all differ: a repeated item would run
 * its cells twice in one matrix (`--maps lockfree,lockfree`), or means a typo.
 */
export function distinct<T>(flag: string, xs: T[], key: (x: T) => string = String): T[] {
  const seen = new Set<string>();
  for (const x of xs) {
    const k = key(x);
    if (seen.has(k)) throw new UsageError(`${flag} lists '${k}' more than once`);
    seen.add(k);
  }
  return xs;
}

/**
 * The peer maps (native/peers/peers.def): established C++ concurrent maps
 * built when their Debian package is installed (npm run setup:peers). The
 * addon lists only the built ones in designs(); this names the package of a
 * missing one.
 */
export const PEER_PACKAGES: Readonly<Record<string, string>> = Object.fromEntries(
  CATALOGUE.designs.flatMap((d) => ('package' in d ? [[d.name, d.package]] : [])),
);

export function isPeer(design: string): boolean {
  return Object.hasOwn(PEER_PACKAGES, design);
}

export function parseMaps(text: string, designs: DesignSummary[]): MapChoice[] {
  return distinct(
    '--maps',
    list('--maps', text).map((label) => {
      const parts = label.split(':');
      const design = designs.find((d) => d.name === parts[0]);
      // A design that takes a padding but no lock (the counters calibration) is named name:pad.
      if (design && design.locks !== undefined && design.locks.length === 0 && (design.pads?.length ?? 0) > 0 && parts.length === 2) {
        parts.splice(1, 0, '');
      }
      const [name, lockText, pad, extra] = parts;
      const lock = lockText === '' ? undefined : lockText;
      if (!design && name !== undefined && extra === undefined && isPeer(name)) {
        throw new UsageError(`map '${name}' is not built: install Debian package ${PEER_PACKAGES[name]} (npm run setup:peers) and rebuild`);
      }
      if (!design || extra !== undefined) {
        throw new UsageError(
          `unknown map '${label}' (known: ${designs.map((d) => d.name).join(', ')}; sharded:spin and sharded:rw pick a shard lock, sharded:mutex:packed|64|128 a shard padding, chained:spin a stripe lock)`,
        );
      }
      // The catalogue's traits say which locks and pads a design takes (a
      // fake design without them: sharded ones take all, others none).
      const locks: readonly string[] = design.locks ?? (design.sharded ? LOCKS : []);
      const pads: readonly string[] = design.pads ?? (design.sharded ? [...PADS.keys()] : []);
      const takers = designs.filter((d) => (d.locks ?? (d.sharded ? LOCKS : [])).length > 0).map((d) => d.name);
      if (lock !== undefined && locks.length === 0) {
        throw new UsageError(`map '${label}': only sharded designs and lock-striped ones take a lock kind (${takers.join(', ')})`);
      }
      const lockKind = LOCKS.find((l) => l === lock && locks.includes(l));
      if (lock !== undefined && lockKind === undefined) {
        throw new UsageError(`map '${label}': lock must be one of ${locks.join(', ')}`);
      }
      if (pad !== undefined && pads.length === 0) throw new UsageError(`map '${label}': only sharded designs take a shard padding`);
      if (pad !== undefined && !pads.includes(pad)) throw new UsageError(`map '${label}': padding must be ${pads.join(', ')}`);
      // Sharded maps always name their lock (the native default, mutex, when
      // none is given); a striped design keeps null unless one is chosen, so
      // its cells keep their keys.
      const chosen = design.sharded && locks.length > 0 ? (lockKind ?? LOCKS[0]!) : (lockKind ?? null);
      return {
        label: design.sharded && lock === undefined && pad === undefined ? name! : label,
        design: design.name,
        lock: chosen,
        pad: pad === undefined ? null : PADS.get(pad)!,
        sharded: design.sharded,
        stringKeys: hasStringForm(design),
      };
    }),
    // The map a label resolves to: `sharded` and `sharded:mutex` are one map.
    (m) => [m.design, m.lock, m.pad === null ? null : m.pad === 0 ? 'packed' : String(m.pad)].filter((x) => x !== null).join(':'),
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
  return distinct('--cpus', cpus);
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

/** A key-type message of the addon ("key type str:0: ...") as a --key-type one. */
function keyTypeMessage(item: string, message: string): string {
  const line = message.split('\n')[0]!;
  return line.startsWith('key type ') ? `--key-type ${line.slice('key type '.length)}` : `--key-type ${item}: ${line}`;
}

/**
 * --key-type: each item described by the addon, and checked against every --keys count (a type must
 * spell as many keys again for the miss range). The same type twice (`str:16,str:16-16`) is rejected.
 */
export function parseKeyTypes(text: string, keys: number[], describe: ResolveContext['keyType']): KeyTypeChoice[] {
  const items = list('--key-type', text).map((item): KeyTypeChoice => {
    if (describe === undefined) {
      if (item === U64_KEYS.name) return U64_KEYS;
      throw new UsageError(`--key-type ${item}: string keys need the native addon`);
    }
    let info: KeyTypeInfo;
    try {
      info = describe(item);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(keyTypeMessage(item, e.message));
      throw e;
    }
    for (const k of keys) {
      const error = describe(item, k).error;
      if (error !== null) throw new UsageError(keyTypeMessage(item, error));
    }
    return { name: info.name, strings: info.strings, meanLength: info.meanLength, streamBytesPerOp: info.streamBytesPerOp, hash: info.hash };
  });
  return distinct('--key-type', items, (k) => k.name);
}

/**
 * String key types against the maps and workload: every real map needs a string form (lockfree's does
 * not grow), the shard partition follows integer keys' hashes, and a pseudo-map named with only string
 * types would have no cell at all. Pseudo-maps of a run with u64 too (or of the default list) keep
 * their u64 cells; the run says so once (the u64OnlyMaps warning).
 */
function checkKeyTypes(keyTypes: KeyTypeChoice[], maps: MapChoice[], ctx: ResolveContext, raw: RawOptions, partitions: Partition[], grows: boolean): void {
  const strings = keyTypes.filter((k) => k.strings);
  if (strings.length === 0) return;
  const first = strings[0]!.name;
  const formOf = (m: MapChoice) => ctx.designs.find((d) => d.name === m.design)!;
  const named = ctx.designs.filter(hasStringForm).map((d) => d.name);
  for (const m of maps) {
    const d = formOf(m);
    if (d.kind === 'pseudo' && !m.stringKeys) {
      if (raw.maps !== undefined && strings.length === keyTypes.length) {
        throw new UsageError(
          `--maps ${m.label}: the pseudo-map has no string-key form and --key-type ${keyTypes.map((k) => k.name).join(',')} lists only string types (add u64, or leave ${m.label} out)`,
        );
      }
      continue;
    }
    if (!m.stringKeys) {
      throw new UsageError(`--key-type ${first}: map design '${m.design}' has no string-key form (string keys: ${named.join(', ')})`);
    }
    if (grows && !growsWithStrings(d)) {
      throw new UsageError(`--key-type ${first}: ${m.label}'s string form does not grow; drop --initial-capacity and --max-load-factor, or run it with u64 keys`);
    }
  }
  if (partitions.includes('shard')) {
    throw new UsageError(`--partition shard follows integer keys' hashes: string key types (${first}) take --partition none or thread`);
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
  /**
   * The addon's keyType(): what a --key-type item is, and with `keys` whether that many keys can be
   * spelled. Throws RangeError for unparsable text. Absent (tests with fakes): u64 only.
   */
  keyType?: (text: string, keys?: number) => KeyTypeInfo;
  /** Skip the --out writability probe (tests, --json dry runs). */
  skipOutCheck?: boolean;
  now?: Date;
}

export function resolveConfig(raw: RawOptions, ctx: ResolveContext): ResolvedConfig {
  const maps = parseMaps(
    raw.maps ?? DEFAULT_MAPS.split(',').filter((n) => ctx.designs.some((d) => d.name === n)).join(','),
    ctx.designs,
  );
  const threads = distinct('--threads', list('--threads', raw.threads ?? DEFAULTS.threads).map((s) => parseCount('--threads', s, 1, 1024)));
  const cpus = raw.cpus === undefined ? null : parseCpus(raw.cpus, ctx.availableCpus);
  const loadFactors = distinct(
    '--load-factors',
    list('--load-factors', raw.loadFactors ?? DEFAULTS.loadFactors).map((s) => {
      const lf = Number(s);
      if (!(lf > 0 && lf < 1)) throw new UsageError(`--load-factors must be in (0, 1), got '${s}'`);
      return lf;
    }),
  );
  const keys = distinct('--keys', list('--keys', raw.keys ?? DEFAULTS.keys).map((s) => parseCount('--keys', s, 1, 2 ** 36)));
  const mixes = distinct('--mix', parseMixList(raw.mix ?? DEFAULTS.mix), (m) => m.name);
  const dists = distinct('--dist', list('--dist', raw.dist ?? DEFAULTS.dist).map(parseDistribution), (d) => d.name);
  const partitions = distinct('--partition', list('--partition', raw.partition ?? DEFAULTS.partition).map(parsePartition));
  const unshardable = maps.find((m) => !m.sharded);
  if (partitions.includes('shard') && unshardable) {
    throw new UsageError(`--partition shard gives each thread keys of its own shards, so it needs sharded maps ('${unshardable.label}' is not)`);
  }
  const keyTypes = parseKeyTypes(raw.keyType ?? DEFAULTS.keyType, keys, ctx.keyType);
  const shards = distinct('--shards', list('--shards', raw.shards ?? DEFAULTS.shards).map((s) => parseCount('--shards', s, 1, 65536)));
  for (const n of shards) if ((n & (n - 1)) !== 0) throw new UsageError(`--shards must be powers of two, got ${n}`);
  if (partitions.includes('shard')) {
    const few = shards.find((n) => n < Math.max(...threads));
    if (few !== undefined) throw new UsageError(`--partition shard needs at least one shard per thread: ${few} shards for ${Math.max(...threads)} threads`);
  }
  if (partitions.some((p) => p !== 'none')) {
    const few = keys.find((k) => k < 64 * Math.max(...threads));
    if (few !== undefined) throw new UsageError(`--partition needs at least 64 keys per thread, got --keys ${few} for ${Math.max(...threads)} threads`);
  }
  const rates =
    raw.rate === undefined
      ? null
      : distinct(
          '--rate',
          list('--rate', raw.rate).map((s) => {
            const r = Number(s.replace(/_/g, ''));
            if (!(r > 0 && r <= 1e10)) throw new UsageError(`--rate must be offered ops per second in (0, 1e10], got '${s}'`);
            return r;
          }),
        );
  const batches =
    raw.batch === undefined
      ? null
      : distinct(
          '--batch',
          list('--batch', raw.batch).map((s) => {
            const n = Number(s);
            if (!(Number.isInteger(n) && n >= 1 && n <= 256 && (n & (n - 1)) === 0)) {
              throw new UsageError(`--batch must be powers of two in [1, 256], got '${s}'`);
            }
            return n;
          }),
        );
  const seriesWindowSeconds = raw.series === undefined ? null : parseSeconds('--series', raw.series, false);
  const prefill = raw.prefill === undefined ? 1 : Number(raw.prefill);
  if (!(prefill >= 0 && prefill <= 1)) throw new UsageError(`--prefill must be a fraction of the keys in [0, 1], got '${raw.prefill}'`);
  const initialCapacity = raw.initialCapacity === undefined ? null : parseCount('--initial-capacity', raw.initialCapacity, 8, 2 ** 37);
  const maxLoadFactor = raw.maxLoadFactor === undefined ? null : Number(raw.maxLoadFactor);
  if (maxLoadFactor !== null && !(maxLoadFactor > 0 && maxLoadFactor < 1)) {
    throw new UsageError(`--max-load-factor must be in (0, 1), got '${raw.maxLoadFactor}'`);
  }
  const sampleDiagnosticsSeconds =
    raw.sampleDiagnostics === undefined ? null : parseSeconds('--sample-diagnostics', raw.sampleDiagnostics, false);
  const durationSeconds = parseSeconds('--duration', raw.duration ?? DEFAULTS.duration, false);
  const warmupSeconds = parseSeconds('--warmup', raw.warmup ?? DEFAULTS.warmup, true);
  const repeatText = raw.repeat ?? DEFAULTS.repeat;
  const targetText = raw.targetCi ?? DEFAULTS.targetCi;
  const targetCiPct = Number(targetText.replace(/^±/, '').replace(/%$/, ''));
  if (!(targetCiPct > 0 && targetCiPct <= 100)) throw new UsageError(`--target-ci must be a percentage in (0, 100], got '${targetText}'`);
  const maxCellSeconds = parseSeconds('--max-cell-time', raw.maxCellTime ?? DEFAULTS.maxCellTime, false);
  const adaptive: AdaptivePlan | null =
    repeatText === 'auto' ? { targetCiPct, maxCellSeconds, minRepeats: AUTO_MIN_REPEATS, maxRepeats: AUTO_MAX_REPEATS } : null;
  const repeat = adaptive ? adaptive.minRepeats : parseCount('--repeat', repeatText, 1, 1000);
  const sampleEvery = parseCount('--sample-every', raw.sampleEvery ?? DEFAULTS.sampleEvery, 1, 2 ** 30);
  const seed = parseCount('--seed', raw.seed ?? DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER);
  const streamText = raw.streamLength ?? DEFAULTS.streamLength;
  const streamLength = streamText === 'auto' ? null : parseCount('--stream-length', streamText, 256, 2 ** 32);
  if (streamLength !== null && streamLength % 256 !== 0) {
    throw new UsageError(`--stream-length must be 'auto' or a multiple of 256, got ${streamLength}`);
  }
  const streamBudgetBytes = parseBytes('--stream-budget', raw.streamBudget ?? DEFAULTS.streamBudget, 2048);
  const gateTimeoutSeconds = parseSeconds('--gate-timeout', raw.gateTimeout ?? DEFAULTS.gateTimeout, false);
  const skewText = raw.maxSkew ?? DEFAULTS.maxSkew;
  const skewPct = Number(skewText.replace(/%$/, ''));
  if (!(skewPct > 0 && skewPct <= 100)) throw new UsageError(`--max-skew must be a percentage in (0, 100], got '${skewText}'`);

  const table = (raw.table ?? 'summary') as ResolvedConfig['table'];
  if (table !== 'summary' && table !== 'cells') throw new UsageError(`--table must be summary or cells, got '${raw.table}'`);
  const mode = (raw.mode ?? DEFAULTS.mode) as Mode;
  if (!['throughput', 'latency', 'both'].includes(mode)) throw new UsageError(`--mode must be throughput, latency or both, got '${mode}'`);
  if (rates && batches) throw new UsageError('--batch runs the closed loop: it cannot be combined with --rate');
  if (rates && mode !== 'latency') {
    throw new UsageError('--rate runs open loop, which measures latency only: add --mode latency');
  }
  if (seriesWindowSeconds !== null && seriesWindowSeconds * 1e6 < durationSeconds) {
    throw new UsageError(`--series ${raw.series} would cut the ${durationSeconds}s run into more than 1e6 windows`);
  }
  if (maxLoadFactor !== null && initialCapacity === null) {
    const above = loadFactors.find((lf) => lf > maxLoadFactor);
    if (above !== undefined) {
      throw new UsageError(
        `--max-load-factor ${maxLoadFactor} is below --load-factors ${above}: a presized table would start past its growth threshold (raise it, or start small with --initial-capacity)`,
      );
    }
  }
  const most = Math.max(...shards);
  if (initialCapacity !== null && maps.some((m) => m.sharded) && initialCapacity < 2 * most) {
    throw new UsageError(`--initial-capacity ${initialCapacity} is too small for ${most} shards: each shard needs at least 2 slots`);
  }
  for (const m of maps.filter((m) => m.sharded)) {
    for (const k of keys) {
      for (const lf of loadFactors) {
        if (ctx.capacityFor(k, lf) < 2 * most) {
          throw new UsageError(
            `--keys ${k} is too small for ${m.label} with ${most} shards at load factor ${lf}: each shard needs at least 2 slots (use more keys or fewer --shards)`,
          );
        }
      }
    }
  }

  checkKeyTypes(keyTypes, maps, ctx, raw, partitions, initialCapacity !== null || maxLoadFactor !== null);

  const out = raw.out ?? defaultOutPath(ctx.now);
  if (!ctx.skipOutCheck) checkWritable(out);

  return {
    maps, threads, cpus, loadFactors, keys, mixes, dists, partitions, keyTypes, shards, rates, batches, seriesWindowSeconds, sampleDiagnosticsSeconds, prefill, initialCapacity, maxLoadFactor, durationSeconds, warmupSeconds, repeat, adaptive, mode,
    sampleEvery, stats: raw.stats ?? true, seed, interleave: raw.interleave ?? false, hugePages: parseOnOff('--huge-pages', raw.hugePages ?? true),
    streamLength, streamBudgetBytes, gateTimeoutSeconds, maxSkew: skewPct / 100, strict: raw.strict ?? false, out, quiet: raw.quiet ?? false, json: raw.json ?? false,
    table, verbose: raw.verbose ?? false, scenario: raw.scenario ?? null,
  };
}

/** The config as stored in result files: typed by schema.ts ResolvedConfigSchema, so the two cannot drift. */
export function configRecord(c: ResolvedConfig): ResolvedConfigRecord {
  return {
    maps: c.maps.map((m) => m.label),
    threads: c.threads,
    cpus: c.cpus,
    loadFactors: c.loadFactors,
    keys: c.keys,
    mixes: c.mixes.map((m) => ({ name: m.name, weights: [...m.weights] })),
    dists: c.dists.map((d) => d.name),
    partitions: c.partitions,
    // Written when the run names a string type: a u64-only file reads as every file before key types.
    ...(c.keyTypes.some((k) => k.strings) ? { keyTypes: c.keyTypes.map((k) => k.name) } : {}),
    shards: c.shards,
    rates: c.rates,
    ...(c.batches !== null ? { batches: c.batches } : {}),
    seriesWindowSeconds: c.seriesWindowSeconds,
    sampleDiagnosticsSeconds: c.sampleDiagnosticsSeconds,
    prefill: c.prefill,
    initialCapacity: c.initialCapacity,
    maxLoadFactor: c.maxLoadFactor,
    durationSeconds: c.durationSeconds,
    warmupSeconds: c.warmupSeconds,
    repeat: c.repeat,
    ...(c.adaptive ? { adaptive: c.adaptive } : {}),
    mode: c.mode,
    sampleEvery: c.sampleEvery,
    stats: c.stats,
    seed: c.seed,
    interleave: c.interleave,
    hugePages: c.hugePages,
    streamLength: c.streamLength,
    streamBudgetBytes: c.streamBudgetBytes,
    gateTimeoutSeconds: c.gateTimeoutSeconds,
    maxSkew: c.maxSkew,
    strict: c.strict,
    out: c.out,
  };
}
