// `npm run profile -- <bench flags selecting one cell>`: that cell under
// perf record and perf stat, kept in results/profile-<id>/ (see
// src/profile/run.ts). Usage errors, a missing perf and a perf that may not
// sample: one line, exit 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EXIT_SIGINT, UsageError } from '../errors.js';
import { buildMatrix } from '../matrix.js';
import { type RawOptions, type ResolvedConfig } from '../config.js';
import { PerfUnavailable } from '../profile/perf.js';
import { ProfileError, type ProfileOutcome, runProfile } from '../profile/run.js';
import { benchProgram, resolveHere } from './bench-options.js';
import { parseArgs, runCli } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.resolve(here, '..', '..', '..');
const benchJs = path.join(here, 'bench.js');

interface ProfileFlags extends RawOptions {
  profileRoot: string;
}

/** Options of profile's own, removed before the rest is forwarded to bench. */
const OWN_FLAGS = ['--profile-root'];

function withoutOwnFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (OWN_FLAGS.includes(a)) {
      i++;
      continue;
    }
    if (OWN_FLAGS.some((f) => a.startsWith(`${f}=`))) continue;
    out.push(a);
  }
  return out;
}

/** The flags that give more than one value, for the one-cell message. */
function multiValued(cfg: ResolvedConfig): string {
  const lists: Array<[string, number]> = [
    ['--maps', cfg.maps.length],
    ['--threads', cfg.threads.length],
    ['--load-factors', cfg.loadFactors.length],
    ['--keys', cfg.keys.length],
    ['--mix', cfg.mixes.length],
    ['--dist', cfg.dists.length],
  ];
  return lists
    .filter(([, n]) => n > 1)
    .map(([f, n]) => `${f} has ${n}`)
    .join(', ');
}

function print(o: ProfileOutcome): void {
  const w = (s: string) => process.stdout.write(`${s}\n`);
  const rel = path.relative(process.cwd(), o.dir) || '.';
  w(`profile: ${rel}/ (${o.samples} samples of ${o.event}${o.event === 'cpu-clock' ? '; hardware cycles not supported here' : ''})`);
  w('top symbols (self overhead):');
  for (const s of o.topSymbols.slice(0, 8)) w(`  ${s.overheadPct.toFixed(2).padStart(6)}%  ${s.dso.padEnd(16)} ${s.symbol}`);
  w('map frames in the stacks (share of samples whose stack holds the frame):');
  if (o.mapFrames.found.length === 0) w(`  none matching /${o.mapFrames.expected}/`);
  for (const f of o.mapFrames.found.slice(0, 6)) w(`  ${f.sharePct.toFixed(2).padStart(6)}%  ${f.frame}`);
  w(`JS entry frames: ${o.jsFrames.length ? o.jsFrames.slice(0, 3).map((f) => f.frame).join('; ') : 'none'}`);
  w('perf stat (a second run of the cell, whole process):');
  for (const e of o.perfStat.events) {
    const v = e.value === null ? e.status : `${e.unit === 'msec' ? e.value.toFixed(2) : Math.round(e.value).toLocaleString('en-US')}${e.unit ? ` ${e.unit}` : ''}`;
    w(`  ${e.event.padEnd(17)} ${v}`);
  }
  w(`files: perf.data, top-symbols.txt, folded.txt, flamegraph.svg, perf-stat.json, result.json, profile.json`);
}

async function main(argv: string[]): Promise<number> {
  const cmd = benchProgram('mapbench profile')
    .description('Profile one bench cell: perf record -g (flame graph, top symbols, folded stacks) and perf stat, kept in <profile-root>/profile-<id>/. Takes the bench flags; they must select exactly one cell.')
    .option('--profile-root <dir>', 'directory that receives profile-<id>/', 'results');
  // The profile directory holds the result; --out and --json are refused below.
  for (const o of cmd.options) if (o.long === '--out' || o.long === '--json') o.hideHelp();
  const raw = parseArgs<ProfileFlags>(cmd, argv);
  if (raw === null) return 0;
  if (raw.out !== undefined) throw new UsageError('--out is not taken by profile: the result goes to result.json in the profile directory (choose where with --profile-root)');
  if (raw.json) throw new UsageError('--json is not taken by profile: the result goes to result.json in the profile directory');
  const cfg = resolveHere(raw, { skipOutCheck: true });
  const cells = buildMatrix(cfg);
  if (cells.length !== 1) {
    throw new UsageError(`profile needs flags that select exactly one cell; these select ${cells.length} (${multiValued(cfg)}): give one value each`);
  }

  const control = { aborted: false };
  const onSignal = () => {
    control.aborted = true;
  };
  process.on('SIGINT', onSignal);
  try {
    const outcome = await runProfile({
      benchArgs: withoutOwnFlags(argv),
      cell: cells[0]!,
      root: raw.profileRoot,
      repoDir,
      benchJs,
      control,
      log: (line) => process.stderr.write(`mapbench profile: ${line}\n`),
    });
    print(outcome);
    if (outcome.mapFrames.found.length === 0) {
      process.stderr.write(
        `mapbench profile: no frame of the map under test (/${outcome.mapFrames.expected}/) in the stacks: rebuild the addon with frame pointers and symbols (npm run build)\n`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (control.aborted) {
      process.stderr.write('mapbench profile: interrupted\n');
      return EXIT_SIGINT;
    }
    if (e instanceof ProfileError) {
      // perf or the profiled run failed: its first line says why.
      process.stderr.write(`mapbench profile: error: ${e.message.split('\n')[0]}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

runCli('mapbench profile', main, [PerfUnavailable]);
