// `npm run bench`: parse flags, resolve the configuration, run the matrix,
// print a table, keep a JSON result file. Usage errors: one line, exit 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import cliProgress from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';

import { runBench } from '../bench.js';
import { availableCpus, DEFAULTS, type RawOptions, resolveConfig } from '../config.js';
import { captureEnvironment } from '../environment.js';
import { EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE, UsageError } from '../errors.js';
import { NativeLab } from '../lab.js';
import { latencyStats } from '../cell-runner.js';
import { addon } from '../native.js';
import { writeResultFile } from '../results-writer.js';
import { renderTable } from '../table.js';
import { NAMED_MIXES } from '../workload.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function program(): Command {
  const mixes = Object.entries(NAMED_MIXES).map(([n, m]) => `${n} (${m.summary})`).join('; ');
  return new Command('mapbench')
    .description('Benchmark concurrent hash maps: several threads hammer one shared native map.')
    .option('--maps <list>', `maps to run, sharded[:mutex|spin|rw] picks the shard lock (default: every design: ${addon.designs().map((d) => d.name).join(',')})`)
    .option('--threads <list>', 'thread counts', DEFAULTS.threads)
    .option('--cpus <list>', 'CPUs to pin threads to, round-robin (e.g. 0,1 or 0-3); default: no pinning')
    .option('--load-factors <list>', 'table load factors after prefill, each in (0, 1)', DEFAULTS.loadFactors)
    .option('--keys <list>', 'prefilled keys (1e3,1e5,1e6,3e7 walk L1 → RAM); capacity = keys / load factor', DEFAULTS.keys)
    .option('--mix <list>', `op mixes: ${mixes}; or custom get=90,update=5,insert=4,erase=1[,miss=..]`, DEFAULTS.mix)
    .option('--dist <list>', 'key distributions: uniform, zipf[:θ], hotspot[:f:p], hotkey', DEFAULTS.dist)
    .option('--shards <n>', 'shards for sharded maps (power of two)', DEFAULTS.shards)
    .option('--duration <time>', 'measured time per run (e.g. 0.5, 500ms, 2s)', DEFAULTS.duration)
    .option('--warmup <time>', 'discarded warm-up before each measured run', DEFAULTS.warmup)
    .option('--repeat <n>', 'repeats per cell (raw repeats are kept)', DEFAULTS.repeat)
    .addOption(new Option('--mode <mode>', 'throughput (no timers), latency (sampled TSC timing) or both').default(DEFAULTS.mode))
    .option('--sample-every <n>', 'latency mode: time one op in n', DEFAULTS.sampleEvery)
    .option('--no-stats', 'skip the statistics pass (probe lengths, CAS failures, contention, per-shard load)')
    .option('--seed <n>', 'seed of the per-thread op streams', DEFAULTS.seed)
    .option('--interleave', 'run the repeats of all cells in a shuffled order', false)
    .option('--no-huge-pages', 'do not advise tables onto transparent huge pages')
    .option('--stream-length <n>', 'ops generated per thread and replayed cyclically (multiple of 256)', DEFAULTS.streamLength)
    .option('--gate-timeout <time>', 'how long threads wait for each other at the start gate', DEFAULTS.gateTimeout)
    .option('--out <file>', 'result file (default results/<timestamp>-<host>.json)')
    .option('--quiet', 'no progress bar and no table', false)
    .option('--json', 'print the result document as JSON on stdout instead of the table', false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

async function main(argv: string[]): Promise<number> {
  const cmd = program();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      throw new UsageError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const raw = cmd.opts() as RawOptions;
  const cfg = resolveConfig(raw, {
    designs: addon.designs(),
    capacityFor: (e, lf) => addon.capacityFor(e, lf),
    availableCpus: availableCpus(),
  });

  const lab = new NativeLab();
  const hz = lab.tscHz();
  const timer = latencyStats(lab, [addon.timerOverhead(100_000)], hz);
  const environment = captureEnvironment({
    tscHz: hz,
    build: addon.buildInfo(),
    timerOverheadNs: { p50: timer.p50Ns, mean: timer.meanNs },
    commandLine: ['mapbench', ...argv],
    repoDir,
  });

  const control = { aborted: false };
  let signalExit = 0;
  const onSignal = (code: number) => () => {
    if (control.aborted) return;
    control.aborted = true;
    signalExit = code;
    lab.abort();
  };
  const sigint = onSignal(EXIT_SIGINT);
  const sigterm = onSignal(EXIT_SIGTERM);
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  const showProgress = !cfg.quiet && !cfg.json && process.stdout.isTTY === true;
  const bar = showProgress
    ? new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | ETA {eta_formatted} | {value}/{total} runs | {cell}', etaBuffer: 20, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  try {
    const doc = await runBench(cfg, lab, environment, {
      write: (d) => writeResultFile(cfg.out, d),
      onUnit: (done, total, unit) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0, { cell: '' });
          started = true;
        }
        bar.update(done, { cell: `${unit.cell.params.map} t=${unit.cell.params.threads} lf=${unit.cell.params.loadFactor} ${unit.cell.params.mix}` });
      },
    }, control);
    bar?.stop();
    if (cfg.json) {
      process.stdout.write(`${JSON.stringify(doc)}\n`);
    } else if (!cfg.quiet) {
      process.stdout.write(`${renderTable(doc)}\n`);
      for (const w of doc.warnings) process.stdout.write(`warning: ${w.message}${w.cellKey ? ` [${w.cellKey}]` : ''} — ${w.advice}\n`);
      process.stdout.write(`results: ${cfg.out} (${doc.cells.length} cells, ${doc.status})\n`);
    }
    if (control.aborted) process.stderr.write(`mapbench: interrupted; ${doc.cells.length} completed cells kept in ${cfg.out}\n`);
    return control.aborted ? signalExit : doc.cells.some((c) => c.status === 'failed') ? 1 : 0;
  } finally {
    bar?.stop();
    await lab.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`mapbench: error: ${e.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`mapbench: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
