// Op mixes and key distributions: names users type, resolved to the
// weights and parameters the native generator takes.
import { CATALOGUE } from './catalogue.js';
import { UsageError } from './errors.js';
import type { KeyDistribution, OpMix } from './native.js';

/** Weight order shared with the native generator (native kOpKindNames): get, miss, update, insert, erase. */
export const OP_NAMES = CATALOGUE.opKinds;
export type OpName = (typeof OP_NAMES)[number];
export type MixWeights = OpMix;

export interface Mix {
  name: string;
  weights: MixWeights;
}

export const NAMED_MIXES: Record<string, { weights: MixWeights; summary: string }> = {
  C: { weights: [100, 0, 0, 0, 0], summary: '100% get (YCSB C)' },
  B: { weights: [95, 0, 5, 0, 0], summary: '95% get, 5% update (YCSB B)' },
  A: { weights: [50, 0, 50, 0, 0], summary: '50% get, 50% update (YCSB A)' },
  cart: { weights: [25, 0, 30, 40, 5], summary: 'get 25, update 30, insert 40, erase 5' },
  churn: { weights: [0, 0, 0, 50, 50], summary: 'insert 50, erase 50' },
  miss: { weights: [0, 100, 0, 0, 0], summary: '100% get of never-inserted keys' },
  grow: { weights: [5, 0, 10, 80, 5], summary: 'insert 80, update 10, get 5, erase 5 (RapidGrow): with --prefill 0 the map fills as it runs' },
};

/** Parses a named mix or `get=90,update=5,insert=4,erase=1[,miss=..]`. */
export function parseMix(text: string): Mix {
  const named = NAMED_MIXES[text];
  if (named) return { name: text, weights: [...named.weights] as MixWeights };
  if (!text.includes('=')) {
    throw new UsageError(`unknown mix '${text}' (named: ${Object.keys(NAMED_MIXES).join(', ')}; or get=90,update=10,...)`);
  }
  const weights = OP_NAMES.map(() => 0) as MixWeights;
  const seen = new Set<number>();
  for (const part of text.split(',')) {
    const [op, value, extra] = part.split('=');
    const index = OP_NAMES.indexOf(op as OpName);
    if (index < 0 || value === undefined || extra !== undefined) {
      throw new UsageError(`bad mix term '${part}': use op=weight with op one of ${OP_NAMES.join(', ')}`);
    }
    const w = Number(value);
    if (!Number.isInteger(w) || w < 0 || w > 1_000_000) {
      throw new UsageError(`bad mix weight '${part}': weights are integers in [0, 1000000]`);
    }
    if (seen.has(index)) throw new UsageError(`mix '${text}' names '${op}' twice`);
    seen.add(index);
    weights[index] = w;
  }
  if (weights.every((w) => w === 0)) throw new UsageError(`mix '${text}' has no non-zero weight`);
  return { name: text, weights };
}

/**
 * Splits a --mix list into mixes. Named mixes are single terms; consecutive
 * op=weight terms form one custom mix, and repeating an op starts the next:
 * `C,get=90,update=10,cart` → C | get=90,update=10 | cart.
 */
export function parseMixList(text: string): Mix[] {
  const out: string[] = [];
  let custom: string[] = [];
  const flush = () => {
    if (custom.length) out.push(custom.join(','));
    custom = [];
  };
  for (const term of text.split(',').map((t) => t.trim())) {
    if (!term.includes('=')) {
      flush();
      out.push(term);
      continue;
    }
    const op = term.split('=')[0];
    if (custom.some((t) => t.split('=')[0] === op)) flush();
    custom.push(term);
  }
  flush();
  return out.map(parseMix);
}

const WRITES: ReadonlySet<OpName> = new Set<OpName>(['update', 'insert', 'erase']);

/** A mix that never writes leaves the prefill intact (checked exactly after each run). */
export function isReadOnly(weights: MixWeights | number[]): boolean {
  return OP_NAMES.every((op, i) => !WRITES.has(op) || weights[i] === 0);
}

/** Key partitioning among a cell's threads (native kPartitionNames). */
export type Partition = (typeof CATALOGUE.partitions)[number];

export function parsePartition(text: string): Partition {
  const p = CATALOGUE.partitions.find((x) => x === text);
  if (p === undefined) throw new UsageError(`--partition must be ${CATALOGUE.partitions.join(', ')}, got '${text}'`);
  return p;
}

export interface Distribution {
  name: string;
  dist: KeyDistribution;
  theta?: number;
  hotFraction?: number;
  hotOpFraction?: number;
}

/** `uniform`, `zipf[:θ]`, `hotspot[:fraction[:opFraction]]`, `hotkey`. */
export function parseDistribution(text: string): Distribution {
  const [kind, a, b, extra] = text.split(':');
  const num = (s: string | undefined, fallback: number): number => (s === undefined ? fallback : Number(s));
  if (kind === 'uniform' && a === undefined) return { name: 'uniform', dist: 'uniform' };
  if (kind === 'hotkey' && a === undefined) return { name: 'hotkey', dist: 'hotkey' };
  if (kind === 'zipf' && b === undefined) {
    const theta = num(a, 0.99);
    if (!(theta > 0 && theta < 1)) throw new UsageError(`--dist zipf:θ needs 0 < θ < 1, got '${a}'`);
    return { name: `zipf:${theta}`, dist: 'zipf', theta };
  }
  if (kind === 'hotspot' && extra === undefined) {
    const hotFraction = num(a, 0.01);
    const hotOpFraction = num(b, 0.9);
    if (!(hotFraction > 0 && hotFraction < 1)) throw new UsageError(`--dist hotspot:f:p needs 0 < f < 1, got '${a}'`);
    if (!(hotOpFraction >= 0 && hotOpFraction <= 1)) throw new UsageError(`--dist hotspot:f:p needs 0 <= p <= 1, got '${b}'`);
    return { name: `hotspot:${hotFraction}:${hotOpFraction}`, dist: 'hotspot', hotFraction, hotOpFraction };
  }
  throw new UsageError(`unknown distribution '${text}' (uniform, zipf:0.99, hotspot:0.01:0.9, hotkey)`);
}
