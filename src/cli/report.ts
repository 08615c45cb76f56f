// `npm run report -- FILES... [--out results/report.html]`: one
// self-contained HTML report of result files, plus SVG images of the key
// charts beside it. Bad input: one line on stderr, exit 2, nothing written.
import { Command } from 'commander';

import { buildReport, SVG_CHARTS, svgPath } from '../report/index.js';
import { parseArgs, runCli } from './run-cli.js';

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
  if (parseArgs(cmd, argv) === null) return 0;
  const { out } = cmd.opts<{ out: string }>();
  const written = buildReport(cmd.args, out);
  for (const f of written) process.stdout.write(`${f}\n`);
  return 0;
}

runCli('mapbench report', main);
