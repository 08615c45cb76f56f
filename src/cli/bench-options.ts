// The bench flags as a commander program, built from their one table
// (src/flags.ts): `npm run bench` parses them, and `npm run profile` parses
// the same ones (plus its own) and forwards them.
import { Command, Option } from 'commander';

import { SCENARIOS } from '../scenarios/index.js';
import { AUTO_MAX_REPEATS, AUTO_MIN_REPEATS, availableCpus, DEFAULT_MAPS, type RawOptions, type ResolvedConfig, resolveConfig } from '../config.js';
import { BENCH_FLAGS, type HelpContext } from '../flags.js';
import { addon } from '../native.js';
import { NAMED_MIXES } from '../workload.js';

/** The commander program with every bench flag (src/flags.ts); callers may add options of their own. */
export function benchProgram(name = 'mapbench'): Command {
  const help: HelpContext = {
    scenarios: SCENARIOS.map((sc) => sc.name),
    designs: addon.designs().map((d) => d.name),
    defaultMaps: DEFAULT_MAPS,
    mixes: Object.entries(NAMED_MIXES).map(([n, m]) => `${n} (${m.summary})`).join('; '),
    autoRepeats: { min: AUTO_MIN_REPEATS, max: AUTO_MAX_REPEATS },
  };
  const program = new Command(name).description('Benchmark concurrent hash maps: several threads hammer one shared native map.');
  for (const row of BENCH_FLAGS) {
    const option = new Option(row.flag, typeof row.help === 'function' ? row.help(help) : row.help);
    // A negated switch (--no-stats) defaults to true by itself, as commander does.
    if ('default' in row) option.default(row.default);
    program.addOption(option);
  }
  return program.exitOverride().configureOutput({ writeErr: () => {} });
}

/** resolveConfig against this machine's addon and CPUs. */
export function resolveHere(raw: RawOptions, opts: { skipOutCheck?: boolean } = {}): ResolvedConfig {
  return resolveConfig(raw, {
    designs: addon.designs(),
    capacityFor: (e, lf) => addon.capacityFor(e, lf),
    availableCpus: availableCpus(),
    keyType: (text, keys) => addon.keyType(text, keys),
    ...(opts.skipOutCheck ? { skipOutCheck: true } : {}),
  });
}
