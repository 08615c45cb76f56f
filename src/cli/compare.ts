// `npm run compare -- BASE.json NEW.json [...]`: read result files, compute
// the diff (src/compare/diff.ts), render it in one format.
// Exit codes: 0 compared; 1 a significant regression beyond
// --fail-on-regression; 2 bad flags or an unusable file (one line on stderr);
// 3 with --fail-on-regression, no regression found but a comparison whose
// repeat counts cannot reach --alpha (so a regression is not ruled out).
import { Command, Option } from 'commander';

import { compareFiles, compareMaps, type CompareOptions, DEFAULT_OPTIONS, mapsOf, METRIC_NAMES, type MetricName } from '../compare/diff.js';
import { readResultFile } from '../result-files.js';
import { type Format, FORMATS, render } from '../compare/render.js';
import { BASELINE_MAP } from '../designs.js';
import { UsageError } from '../errors.js';
import { parseArgs, runCli } from './run-cli.js';

export const EXIT_REGRESSION = 1;
export const EXIT_INCONCLUSIVE = 3;

function program(): Command {
  return new Command('mapbench compare')
    .description(
      'Compare mapbench result files: each file against the first, cell by cell (joined on the cell key), ' +
        'with a Mann–Whitney U test over the raw repeats. Or, with --pivot map, every map of one file against a baseline map.',
    )
    .argument('<files...>', 'result files: the base first, then one or more to compare against it')
    .option('--metric <list>', `metrics to compare: ${METRIC_NAMES.join(', ')}`, DEFAULT_OPTIONS.metrics.join(','))
    .option('--alpha <p>', 'significance level: a change needs p below it', String(DEFAULT_OPTIONS.alpha))
    .option('--noise <pct>', 'changes of the median smaller than this are reported as ~', `${DEFAULT_OPTIONS.noisePct}%`)
    .option('--fail-on-regression <pct>', 'exit 1 if any metric got significantly worse by more than this (e.g. 5%); else exit 3 if a comparison\'s repeat counts cannot reach --alpha')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .addOption(new Option('--pivot <param>', 'compare inside one file: every value of <param> against --baseline').choices(['map']))
    .option('--baseline <map>', 'with --pivot map: the map the others are compared against', BASELINE_MAP)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** "5%", "5" → 5. */
function parsePct(flag: string, s: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*%?\s*$/i.exec(s);
  const v = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${flag} must be a non-negative percentage like 5%, not '${s}'`);
  return v;
}

function parseMetrics(s: string): MetricName[] {
  const names = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) throw new UsageError('--metric needs at least one metric');
  for (const n of names) {
    if (!(METRIC_NAMES as string[]).includes(n)) throw new UsageError(`unknown metric '${n}' in --metric (choose from ${METRIC_NAMES.join(', ')})`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--metric lists '${twice}' more than once`);
  return names as MetricName[];
}

interface RawOptions {
  metric: string;
  alpha: string;
  noise: string;
  failOnRegression?: string;
  format: Format;
  pivot?: 'map';
  baseline: string;
}

function resolveOptions(raw: RawOptions): CompareOptions {
  const alpha = Number(raw.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be in (0, 1), not '${raw.alpha}'`);
  return {
    metrics: parseMetrics(raw.metric),
    alpha,
    noisePct: parsePct('--noise', raw.noise),
    failOnRegressionPct: raw.failOnRegression === undefined ? null : parsePct('--fail-on-regression', raw.failOnRegression),
  };
}

function main(argv: string[]): number {
  const cmd = program();
  if (parseArgs(cmd, argv) === null) return 0;
  const raw = cmd.opts() as RawOptions;
  const options = resolveOptions(raw);
  const files = cmd.processedArgs[0] as string[];

  let diff;
  if (raw.pivot === 'map') {
    if (files.length !== 1) throw new UsageError(`--pivot map compares the maps inside one file; got ${files.length} files`);
    const file = readResultFile(files[0]!);
    const maps = mapsOf(file.doc);
    if (!maps.includes(raw.baseline)) {
      throw new UsageError(`--baseline ${raw.baseline}: no such map in ${file.name} (its maps: ${maps.join(', ') || 'none'})`);
    }
    diff = compareMaps(file, raw.baseline, options);
  } else {
    if (cmd.getOptionValueSource('baseline') === 'cli') throw new UsageError('--baseline only applies with --pivot map');
    if (files.length < 2) throw new UsageError('give at least two result files (the base first), or one file with --pivot map');
    diff = compareFiles(files.map(readResultFile), options);
  }
  process.stdout.write(`${render(diff, raw.format)}\n`);
  if (diff.regressions.length > 0) return EXIT_REGRESSION;
  return options.failOnRegressionPct !== null && diff.inconclusive.length > 0 ? EXIT_INCONCLUSIVE : 0;
}

runCli('mapbench compare', main);
