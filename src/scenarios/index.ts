// The scenarios `npm run bench -- --scenario NAME|all` knows, in the order
// `all` runs them. docs/SCENARIOS.md describes each and what it measured.
import type { Scenario } from './scenario.js';
import { alloc } from './alloc.js';
import { batch } from './batch.js';
import { falseSharing } from './false-sharing.js';
import { grow } from './grow.js';
import { lfKnee } from './lf-knee.js';
import { oversubscribe } from './oversubscribe.js';
import { readMostly } from './read-mostly.js';
import { shards } from './shards.js';
import { stepped } from './stepped.js';
import { stringKeys } from './string-keys.js';
import { tombstones } from './tombstones.js';

export const SCENARIOS: readonly Scenario[] = [lfKnee, shards, falseSharing, readMostly, stepped, alloc, tombstones, oversubscribe, grow, batch, stringKeys];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
