// `npm run report -- FILES... [--out results/report.html]`: one
// self-contained HTML report of result files, plus SVG images of the key
// charts beside it. Bad input: one line on stderr, exit 2, nothing written.
import { Command, CommanderError } from 'commander';

import { EXIT_USAGE, UsageError } from '../errors.js';
import { buildReport, SVG_CHARTS, svgPath } from '../report/index.js';

const DEFAULT_OUT = 'results/report.html';

function program(): Command {
  return new Command('mapbench report')
    .description('Render result files as one self-contained HTML page (charts, every cell, environment, warnings).')
    .argument('<files...>', 'result files written by npm run bench')
    .option('--out <file>', `the HTML file; SVG images of key charts are written beside it (${SVG_CHARTS.map((c) => svgPath('NAME', c.suffix)).join(', ')})`, DEFAULT_OUT)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

function main(argv: string[]): number {
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
  const { out } = cmd.opts<{ out: string }>();
  const written = buildReport(cmd.args, out);
  for (const f of written) process.stdout.write(`${f}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`mapbench report: error: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`mapbench report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
