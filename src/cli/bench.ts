// `npm run bench`: parse flags, resolve the configuration, run the matrix,
// print the summary (or --table cells), keep a JSON result file. Usage errors: one line, exit 2.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import cliProgress from 'cli-progress';
import type { Command } from 'commander';

import { findScenario, SCENARIOS } from '../scenarios/index.js';
import type { Scenario } from '../scenarios/scenario.js';

import { runBench } from '../bench.js';
import { captureEnvironment } from '../environment.js';
import type { RawOptions, ResolvedConfig } from '../config.js';
import { SMOKE_BASE } from '../scenarios/scenario.js';
import { type Environment, isUnreliable } from '../schema.js';
import { EXIT_SIGINT, EXIT_SIGTERM, UsageError } from '../errors.js';
import { NativeLab } from '../lab.js';
import { latencyStats } from '../cell-runner.js';
import { addon } from '../native.js';
import { writeResultFile } from '../results-writer.js';
import { renderSummary, renderWarnings } from '../summary.js';
import { renderTable } from '../table.js';
import { benchProgram, resolveHere } from './bench-options.js';
import { parseArgs, runCli } from './run-cli.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The flags given on the command line itself (not commander's defaults). */
function givenFlags(program: Command, raw: RawOptions): RawOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (program.getOptionValueSource(k) === 'cli') out[k] = v;
  return out as RawOptions;
}

/**
 * One configuration per run: the flags as given, or for --scenario each
 * scenario's preset with the given flags laid over it. Every configuration
 * is resolved (and so validated) before anything runs.
 */
function plannedRuns(program: Command, raw: RawOptions): ResolvedConfig[] {
  if (raw.scenario === undefined) {
    if (raw.smoke) throw new UsageError('--smoke only applies to --scenario');
    return [resolveHere(raw)];
  }
  const names = SCENARIOS.map((s) => s.name);
  const chosen = raw.scenario === 'all' ? [...SCENARIOS] : [findScenario(raw.scenario)];
  if (chosen[0] === undefined) throw new UsageError(`unknown scenario '${raw.scenario}' (known: ${names.join(', ')}, all)`);
  const { scenario: _s, smoke: _m, outDir: _o, ...given } = givenFlags(program, raw);
  if (given.out !== undefined && chosen.length > 1) throw new UsageError('--scenario all writes one file per scenario: use --out-dir, not --out');
  const outDir = raw.outDir ?? 'results/scenarios';
  if (given.out === undefined) {
    try {
      fs.mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw new UsageError(`--out-dir '${outDir}' cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const built = new Set<string>(addon.designs().map((d) => d.name));
  const withPeers = (s: Scenario): RawOptions => {
    const peers = (s.peerMaps ?? []).filter((m) => built.has(m));
    return peers.length > 0 && s.flags.maps !== undefined ? { ...s.flags, maps: [s.flags.maps, ...peers].join(',') } : s.flags;
  };
  return chosen.map((s) =>
    resolveHere({
      ...withPeers(s!),
      ...(raw.smoke ? { ...SMOKE_BASE, ...s!.smoke } : {}),
      ...given,
      scenario: s!.name,
      out: given.out ?? path.join(outDir, `${s!.name}.json`),
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  const program = benchProgram();
  const raw = parseArgs<RawOptions>(program, argv);
  if (raw === null) return 0;
  const cfgs = plannedRuns(program, raw);

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
  // Exit 1: a cell failed, or with --strict a cell is unreliable.
  let failed = false;
  try {
    for (const cfg of cfgs) {
      if (control.aborted) break;
      failed = (await runOne(cfg, lab, environment, control)) || failed;
    }
    return control.aborted ? signalExit : failed ? 1 : 0;
  } finally {
    await lab.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Runs one configuration to its result file; true when a cell failed, or with --strict when one is unreliable. */
async function runOne(cfg: ResolvedConfig, lab: NativeLab, environment: Environment, control: { aborted: boolean }): Promise<boolean> {
  const scenario = cfg.scenario === null ? undefined : findScenario(cfg.scenario);
  if (scenario && !cfg.quiet && !cfg.json) process.stdout.write(`\n== scenario ${scenario.name}: ${scenario.title}\n`);
  const showProgress = !cfg.quiet && !cfg.json && process.stdout.isTTY === true;
  const bar = showProgress
    ? new cliProgress.SingleBar(
        // The ETA is runBench's (mean actual unit duration × units left), not the bar's: --repeat auto changes the total as it goes.
        { format: ' {bar} {percentage}% | ETA {etaText} | {value}/{total} runs | {cell}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  try {
    const doc = await runBench(cfg, lab, environment, {
      write: (d) => {
        try {
          writeResultFile(cfg.out, d);
        } catch (e) {
          // The last complete version of the file (if any) stays in place: writes are atomic.
          const err = e as NodeJS.ErrnoException;
          throw new UsageError(`cannot write ${cfg.out}: ${err.code === 'ENOSPC' ? 'no space left on device' : (err.code ?? err.message)}`);
        }
      },
      onCell: (record) => {
        if (record.status !== 'failed') return;
        if (bar) bar.stop();
        process.stderr.write(`mapbench: cell ${record.key} failed: ${record.error}\n`);
      },
      onUnit: (done, total, unit, etaSeconds) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0, { cell: '', etaText: '' });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { etaText: formatEta(etaSeconds), cell: `${unit.cell.params.map} t=${unit.cell.params.threads} lf=${unit.cell.params.loadFactor} ${unit.cell.params.mix}${unit.cell.keyType.strings ? ` ${unit.cell.keyType.name}` : ''}` });
      },
    }, control);
    bar?.stop();
    if (cfg.json) {
      process.stdout.write(`${JSON.stringify(doc)}\n`);
    } else if (!cfg.quiet) {
      const width = process.stdout.columns;
      process.stdout.write(`${cfg.table === 'cells' ? renderTable(doc) : renderSummary(doc, width ? { width } : {})}\n`);
      const warnings = renderWarnings(doc, { verbose: cfg.verbose });
      if (warnings) process.stdout.write(`${warnings}\n`);
      const shaky = doc.cells.filter(isUnreliable).length;
      if (scenario) for (const f of scenario.findings(doc)) process.stdout.write(`finding: ${f.text}\n`);
      if (scenario && shaky) process.stdout.write(`note: these findings read ${shaky} unreliable cell${shaky === 1 ? '' : 's'} (see the warnings)\n`);
      process.stdout.write(`results: ${cfg.out} (${doc.cells.length} cells${shaky ? `, ${shaky} unreliable` : ''}, ${doc.status})\n`);
    }
    if (control.aborted) process.stderr.write(`mapbench: interrupted; ${doc.cells.length} completed cells kept in ${cfg.out}\n`);
    const unreliable = doc.cells.filter(isUnreliable);
    if (cfg.strict && unreliable.length > 0) {
      process.stderr.write(`mapbench: --strict: ${unreliable.length} unreliable cell${unreliable.length === 1 ? '' : 's'} (${unreliable.map((c) => c.key).join(', ')})\n`);
    }
    return doc.cells.some((c) => c.status === 'failed') || (cfg.strict && unreliable.length > 0);
  } finally {
    bar?.stop();
  }
}

runCli('mapbench', main);
