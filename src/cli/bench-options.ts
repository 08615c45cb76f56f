// The bench flags, defined once: `npm run bench` parses them, and
// `npm run profile` parses the same ones (plus its own) and forwards them.
import { Command, Option } from 'commander';

import { SCENARIOS } from '../scenarios/index.js';
import { AUTO_MAX_REPEATS, AUTO_MIN_REPEATS, availableCpus, DEFAULT_MAPS, DEFAULTS, type RawOptions, type ResolvedConfig, resolveConfig } from '../config.js';
import { addon } from '../native.js';
import { NAMED_MIXES } from '../workload.js';

/** The commander program with every bench flag; callers may add options of their own. */
export function benchProgram(name = 'mapbench'): Command {
  const mixes = Object.entries(NAMED_MIXES).map(([n, m]) => `${n} (${m.summary})`).join('; ');
  return new Command(name)
    .description('Benchmark concurrent hash maps: several threads hammer one shared native map.')
    .option('--scenario <name>', `run a named study (its preset flags; flags given here override them): ${SCENARIOS.map((s) => s.name).join(', ')}, or all`)
    .option('--smoke', 'with --scenario: tiny durations and sizes, to check a scenario end to end', false)
    .option('--out-dir <dir>', 'with --scenario: where <scenario>.json files go', 'results/scenarios')
    .option('--maps <list>', `maps to run, from this build's designs: ${addon.designs().map((d) => d.name).join(', ')}; sharded[:mutex|spin|rw[:packed|64|128]] picks the shard lock and padding (default: ${DEFAULT_MAPS})`)
    .option('--threads <list>', 'thread counts', DEFAULTS.threads)
    .option('--cpus <list>', 'CPUs to pin threads to, round-robin (e.g. 0,1 or 0-3); default: no pinning')
    .option('--load-factors <list>', 'table load factors after prefill, each in (0, 1)', DEFAULTS.loadFactors)
    .option('--keys <list>', 'prefilled keys (1e3,1e5,1e6,3e7 walk L1 → RAM); capacity = keys / load factor', DEFAULTS.keys)
    .option('--mix <list>', `op mixes: ${mixes}; or custom get=90,update=5,insert=4,erase=1[,miss=..]`, DEFAULTS.mix)
    .option('--dist <list>', 'key distributions: uniform, zipf[:θ], hotspot[:f:p], hotkey', DEFAULTS.dist)
    .option('--shards <list>', 'shard counts for sharded maps (powers of two)', DEFAULTS.shards)
    .option('--rate <list>', 'open loop: offered ops/s (all threads), one cell per rate; latency from each op\'s due time (needs --mode latency)')
    .option('--series <time>', 'cut each measured run into windows this long: ops/s and max latency per window')
    .option('--prefill <fraction>', 'fraction of the keys inserted before each run (0: the map starts empty and grows)')
    .option('--initial-capacity <slots>', 'start maps this small and let them grow online (default: presized for keys / load factor)')
    .option('--max-load-factor <x>', 'load (entries + tombstones) / capacity past which maps grow (default: the design\'s)')
    .option('--sample-diagnostics <time>', 'read the map\'s diagnostics (entries, tombstones, probe length) this often while it runs')
    .option('--duration <time>', 'measured time per run (e.g. 0.5, 500ms, 2s)', DEFAULTS.duration)
    .option('--warmup <time>', 'discarded warm-up before each measured run', DEFAULTS.warmup)
    .option('--repeat <n|auto>', `repeats per cell (raw repeats are kept); auto: ${AUTO_MIN_REPEATS} to ${AUTO_MAX_REPEATS}, until the 95% interval of the median is within --target-ci or --max-cell-time is spent`, DEFAULTS.repeat)
    .option('--target-ci <pct>', '--repeat auto: stop a cell once its median throughput is known within ± this (95% interval)', DEFAULTS.targetCi)
    .option('--max-cell-time <time>', '--repeat auto: stop a cell once its measured passes have taken this long', DEFAULTS.maxCellTime)
    .addOption(new Option('--mode <mode>', 'throughput (no timers), latency (sampled TSC timing) or both').default(DEFAULTS.mode))
    .option('--sample-every <n>', 'latency mode: time one op in n', DEFAULTS.sampleEvery)
    .option('--no-stats', 'skip the statistics pass (probe lengths, CAS failures, contention, per-shard load)')
    .option('--seed <n>', 'seed of the per-thread op streams', DEFAULTS.seed)
    .option('--interleave', 'shuffle the order of the repeats: all of them with a fixed --repeat, each round\'s cells with --repeat auto (which already runs cells round-robin)', false)
    .option('--huge-pages <on|off>', 'page policy of every map\'s large memory (tables, arrays, node batches, peers\' allocations): on = madvise onto transparent huge pages, off = keep them on 4 KiB pages', 'on')
    .option('--no-huge-pages', 'the same as --huge-pages off')
    .option('--stream-length <n>', 'ops generated per thread and replayed cyclically: auto (4 draws per key over all threads, within --stream-budget) or a multiple of 256', DEFAULTS.streamLength)
    .option('--stream-budget <size>', 'memory all threads\' op streams may take when --stream-length is auto (8 bytes an op)', DEFAULTS.streamBudget)
    .option('--gate-timeout <time>', 'how long threads wait for each other at the start gate', DEFAULTS.gateTimeout)
    .option('--max-skew <pct>', 'rerun a run (twice at most, then keep the cell marked unreliable) whose threads began measuring further apart than this share of --duration', DEFAULTS.maxSkew)
    .option('--strict', 'exit 1 when any cell is unreliable (kept figures that still exceeded --max-skew), as when a cell fails', false)
    .option('--out <file>', 'result file (default results/<timestamp>-<host>.json)')
    .option('--quiet', 'no progress bar and no table', false)
    .addOption(new Option('--table <kind>', 'after the run: summary (one row per map, one column per cell group) or cells (one row per cell)').default('summary'))
    .option('--verbose', 'list every warning instance, not one line per kind', false)
    .option('--json', 'print the result document as JSON on stdout instead of the table', false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** resolveConfig against this machine's addon and CPUs. */
export function resolveHere(raw: RawOptions, opts: { skipOutCheck?: boolean } = {}): ResolvedConfig {
  return resolveConfig(raw, {
    designs: addon.designs(),
    capacityFor: (e, lf) => addon.capacityFor(e, lf),
    availableCpus: availableCpus(),
    ...(opts.skipOutCheck ? { skipOutCheck: true } : {}),
  });
}
