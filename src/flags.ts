// The bench flags, declared once: each row is a flag's name, its value
// kind, its default and its help. From this table come commander's options
// (src/cli/bench-options.ts, shared by `npm run bench` and `npm run
// profile`), the raw option type resolveConfig takes (RawOptions) and the
// defaults it falls back on (DEFAULTS). What a resolved field means and how
// it is stored (src/config.ts configRecord, typed by the results schema's
// ResolvedConfigSchema) is checked against this table by
// test/js/flags.test.ts: a flag without a use, or a use without a flag,
// fails it.
//
// Adding a flag: a row here, its parsing in resolveConfig, and its field in
// ResolvedConfig and the schema (the compiler holds configRecord to it).

/** What a flag's value is on the command line. */
type ValueKind = 'text' | 'switch' | 'on-off';

export interface FlagRow {
  /** The RawOptions key (commander's camel-cased attribute name). */
  readonly key: string;
  /** The flag as commander declares it: `--threads <list>`, `--strict`, `--no-stats`. */
  readonly flag: string;
  readonly value: ValueKind;
  /** Applied by resolveConfig when the flag is absent (commander shows it in --help). */
  readonly default?: string | boolean;
  /** Limits commander enforces with its own message. */
  readonly choices?: readonly string[];
  readonly help: string | ((h: HelpContext) => string);
}

/** What some help texts list: known at run time, from the addon and the scenario table. */
export interface HelpContext {
  scenarios: readonly string[];
  designs: readonly string[];
  defaultMaps: string;
  mixes: string;
  autoRepeats: { min: number; max: number };
}

export const BENCH_FLAGS = [
  { key: 'scenario', flag: '--scenario <name>', value: 'text', help: (h) => `run a named study (its preset flags; flags given here override them): ${h.scenarios.join(', ')}, or all` },
  { key: 'smoke', flag: '--smoke', value: 'switch', default: false, help: 'with --scenario: tiny durations and sizes, to check a scenario end to end' },
  { key: 'outDir', flag: '--out-dir <dir>', value: 'text', default: 'results/scenarios', help: 'with --scenario: where <scenario>.json files go' },
  { key: 'maps', flag: '--maps <list>', value: 'text', help: (h) => `maps to run, from this build's designs: ${h.designs.join(', ')}; sharded[:mutex|spin|rw[:packed|64|128]] picks the shard lock and padding (default: ${h.defaultMaps})` },
  { key: 'threads', flag: '--threads <list>', value: 'text', default: '1,2', help: 'thread counts' },
  { key: 'cpus', flag: '--cpus <list>', value: 'text', help: 'CPUs to pin threads to, round-robin (e.g. 0,1 or 0-3); default: no pinning' },
  { key: 'loadFactors', flag: '--load-factors <list>', value: 'text', default: '0.5,0.9', help: 'table load factors after prefill, each in (0, 1)' },
  { key: 'keys', flag: '--keys <list>', value: 'text', default: '1e6', help: 'prefilled keys (1e3,1e5,1e6,3e7 walk L1 → RAM); capacity = keys / load factor' },
  { key: 'mix', flag: '--mix <list>', value: 'text', default: 'C,cart', help: (h) => `op mixes: ${h.mixes}; or custom get=90,update=5,insert=4,erase=1[,miss=..]` },
  { key: 'dist', flag: '--dist <list>', value: 'text', default: 'uniform', help: 'key distributions: uniform, zipf[:θ], hotspot[:f:p], hotkey' },
  { key: 'partition', flag: '--partition <list>', value: 'text', default: 'none', help: 'which keys each thread draws from: none (all keys), thread (a disjoint range each), shard (keys of its own shards of a sharded map: shard s belongs to thread s mod threads)' },
  { key: 'keyType', flag: '--key-type <list>', value: 'text', default: 'u64', help: 'key types, one cell each: u64 (8-byte integers), str:N (N-byte strings, N in 1..1024), str:A-B (lengths uniform in [A, B]), str:order ("order:" + 12 digits), str:uuid (36 characters); string keys are spelled from --seed, hashed with XXH3, and run on the designs with a string form (the pseudo-maps floor, null and counters run u64 cells only)' },
  { key: 'shards', flag: '--shards <list>', value: 'text', default: '64', help: 'shard counts for sharded maps (powers of two)' },
  { key: 'rate', flag: '--rate <list>', value: 'text', help: 'open loop: offered ops/s (all threads), one cell per rate; latency from each op\'s due time (needs --mode latency)' },
  { key: 'batch', flag: '--batch <list>', value: 'text', help: 'ops per batch, one cell per size (powers of two up to 256; 1 = the per-op loop): the timed loop runs the stream in groups, prefetching each group on maps that batch' },
  { key: 'series', flag: '--series <time>', value: 'text', help: 'cut each measured run into windows this long: ops/s and max latency per window' },
  { key: 'prefill', flag: '--prefill <fraction>', value: 'text', help: 'fraction of the keys inserted before each run (0: the map starts empty and grows)' },
  { key: 'initialCapacity', flag: '--initial-capacity <slots>', value: 'text', help: 'start maps this small and let them grow online (default: presized for keys / load factor)' },
  { key: 'maxLoadFactor', flag: '--max-load-factor <x>', value: 'text', help: 'load (entries + tombstones) / capacity past which maps grow (default: the design\'s)' },
  { key: 'sampleDiagnostics', flag: '--sample-diagnostics <time>', value: 'text', help: 'read the map\'s diagnostics (entries, tombstones, probe length) this often while it runs' },
  { key: 'duration', flag: '--duration <time>', value: 'text', default: '0.15s', help: 'measured time per run (e.g. 0.5, 500ms, 2s)' },
  { key: 'warmup', flag: '--warmup <time>', value: 'text', default: '0.03s', help: 'discarded warm-up before each measured run' },
  { key: 'repeat', flag: '--repeat <n|auto>', value: 'text', default: 'auto', help: (h) => `repeats per cell (raw repeats are kept); auto: ${h.autoRepeats.min} to ${h.autoRepeats.max}, until the 95% interval of the median is within --target-ci or --max-cell-time is spent` },
  { key: 'targetCi', flag: '--target-ci <pct>', value: 'text', default: '3%', help: '--repeat auto: stop a cell once its median throughput is known within ± this (95% interval)' },
  { key: 'maxCellTime', flag: '--max-cell-time <time>', value: 'text', default: '1s', help: '--repeat auto: stop a cell once its measured passes have taken this long' },
  { key: 'mode', flag: '--mode <mode>', value: 'text', default: 'throughput', help: 'throughput (no timers), latency (sampled TSC timing) or both' },
  { key: 'sampleEvery', flag: '--sample-every <n>', value: 'text', default: '128', help: 'latency mode: time one op in n' },
  { key: 'stats', flag: '--no-stats', value: 'switch', help: 'skip the statistics pass (probe lengths, CAS failures, contention, per-shard load)' },
  { key: 'seed', flag: '--seed <n>', value: 'text', default: '1', help: 'seed of the per-thread op streams' },
  { key: 'interleave', flag: '--interleave', value: 'switch', default: false, help: 'shuffle the order of the repeats: all of them with a fixed --repeat, each round\'s cells with --repeat auto (which already runs cells round-robin)' },
  { key: 'hugePages', flag: '--huge-pages <on|off>', value: 'on-off', default: 'on', help: 'page policy of every map\'s large memory (tables, arrays, node batches, peers\' allocations): on = madvise onto transparent huge pages, off = keep them on 4 KiB pages' },
  { key: 'hugePages', flag: '--no-huge-pages', value: 'switch', help: 'the same as --huge-pages off' },
  { key: 'streamLength', flag: '--stream-length <n>', value: 'text', default: 'auto', help: 'ops generated per thread and replayed cyclically: auto (4 draws per key over all threads, within --stream-budget) or a multiple of 256' },
  { key: 'streamBudget', flag: '--stream-budget <size>', value: 'text', default: '1GiB', help: 'memory all threads\' op streams may take when --stream-length is auto (8 bytes an op)' },
  { key: 'gateTimeout', flag: '--gate-timeout <time>', value: 'text', default: '10s', help: 'how long threads wait for each other at the start gate' },
  { key: 'maxSkew', flag: '--max-skew <pct>', value: 'text', default: '5%', help: 'rerun a run (twice at most, then keep the cell marked unreliable) whose threads began measuring further apart than this share of --duration' },
  { key: 'strict', flag: '--strict', value: 'switch', default: false, help: 'exit 1 when any cell is unreliable (kept figures that still exceeded --max-skew), as when a cell fails' },
  { key: 'out', flag: '--out <file>', value: 'text', help: 'result file (default results/<timestamp>-<host>.json)' },
  { key: 'quiet', flag: '--quiet', value: 'switch', default: false, help: 'no progress bar and no table' },
  { key: 'table', flag: '--table <kind>', value: 'text', default: 'summary', help: 'after the run: summary (one row per map, one column per cell group) or cells (one row per cell)' },
  { key: 'verbose', flag: '--verbose', value: 'switch', default: false, help: 'list every warning instance, not one line per kind' },
  { key: 'json', flag: '--json', value: 'switch', default: false, help: 'print the result document as JSON on stdout instead of the table' },
] as const satisfies readonly FlagRow[];

type Row = (typeof BENCH_FLAGS)[number];
type ValueOf<R extends Row> = R['value'] extends 'text' ? string : R['value'] extends 'switch' ? boolean : boolean | string;

/**
 * Raw flag values as the CLI parser hands them over: one optional field per
 * row key (--huge-pages and --no-huge-pages share one, 'on' | 'off' or false).
 */
export type RawOptions = { [K in Row['key']]?: ValueOf<Extract<Row, { key: K }>> };

type Defaulted = Extract<Row, { default: string }>;
/** The defaults of the text flags that have one, by key. */
export const DEFAULTS = Object.fromEntries(
  BENCH_FLAGS.flatMap((r) => ('default' in r && typeof r.default === 'string' ? [[r.key, r.default]] : [])),
) as { readonly [K in Defaulted['key']]: string };
