// `npm run bench`: parse flags, resolve the configuration, run the matrix,
// print a table, keep a JSON result file. Usage errors: one line, exit 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import cliProgress from 'cli-progress';

import { runBench } from '../bench.js';
import { captureEnvironment } from '../environment.js';
import type { RawOptions } from '../config.js';
import { EXIT_SIGINT, EXIT_SIGTERM, UsageError } from '../errors.js';
import { NativeLab } from '../lab.js';
import { latencyStats } from '../cell-runner.js';
import { addon } from '../native.js';
import { writeResultFile } from '../results-writer.js';
import { renderTable } from '../table.js';
import { benchProgram, resolveHere } from './bench-options.js';
import { parseArgs, runCli } from './run-cli.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(argv: string[]): Promise<number> {
  const raw = parseArgs<RawOptions>(benchProgram(), argv);
  if (raw === null) return 0;
  const cfg = resolveHere(raw);

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

runCli('mapbench', main);
