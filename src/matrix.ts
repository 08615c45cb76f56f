// The sweep: every combination of the configured lists is one cell, with a
// stable key that compare and report join on.
import type { KeyTypeChoice, MapChoice, ResolvedConfig } from './config.js';
import type { CellParams } from './schema.js';
import type { Distribution, Mix } from './workload.js';

export interface Cell {
  key: string;
  params: CellParams;
  map: MapChoice;
  mix: Mix;
  dist: Distribution;
  keyType: KeyTypeChoice;
}

/** A cell's key type: the string type it records, else u64. */
export function keyTypeOf(p: Pick<CellParams, 'keyType'>): string {
  return p.keyType ?? 'u64';
}

/**
 * The key names every parameter that distinguishes a cell, in a fixed order,
 * so the same experiment gets the same key in every file. Parameters that do
 * not apply to a design (shards for unsharded maps) are written as '-'.
 * Parameters added after the first schema (open-loop rate) are appended
 * only when set, so every earlier cell keeps its key: the key type only
 * when it is not u64.
 */
export function cellKey(p: CellParams): string {
  const later = [
    ...(p.rate != null ? [`rate=${p.rate}`] : []),
    ...(p.batch !== undefined ? [`batch=${p.batch}`] : []),
    ...(p.prefill !== undefined ? [`prefill=${p.prefill}`] : []),
    ...(p.initialCapacity !== undefined ? [`cap0=${p.initialCapacity}`] : []),
    ...(p.maxLoadFactor !== undefined ? [`maxlf=${p.maxLoadFactor}`] : []),
    ...(p.partition !== undefined ? [`partition=${p.partition}`] : []),
    ...(keyTypeOf(p) !== 'u64' ? [`keytype=${p.keyType}`] : []),
  ];
  return [
    `map=${p.map}`,
    `threads=${p.threads}`,
    `cpus=${p.cpus ? p.cpus.join('+') : '-'}`,
    `lf=${p.loadFactor}`,
    `keys=${p.keys}`,
    `mix=${p.mix}`,
    `dist=${p.dist}`,
    `shards=${p.shards ?? '-'}`,
    ...later,
  ].join('|');
}

/**
 * "The same cell, on a different map": the cell key without what belongs to
 * the map (its label and shard count). Compare's map pivot, the ×floor
 * ratio and the report pair cells by it.
 */
export function experimentKey(p: CellParams): string {
  return cellKey(p)
    .split('|')
    .filter((s) => !s.startsWith('map=') && !s.startsWith('shards='))
    .join('|');
}

export function buildMatrix(c: ResolvedConfig): Cell[] {
  const cells: Cell[] = [];
  for (const threads of c.threads) {
    for (const map of c.maps) {
      for (const shards of map.sharded ? c.shards : [null]) {
        for (const keys of c.keys) {
          for (const loadFactor of c.loadFactors) {
            for (const mix of c.mixes) {
              for (const dist of c.dists) {
                for (const partition of c.partitions) {
                for (const keyType of c.keyTypes) {
                // Maps without a string form (the pseudo-maps) run their u64 cells only.
                if (keyType.strings && !map.stringKeys) continue;
                for (const rate of c.rates ?? [null]) {
                for (const batch of c.batches ?? [null]) {
                  const params: CellParams = {
                    map: map.label,
                    design: map.design,
                    lock: map.lock,
                    shards,
                    threads,
                    cpus: c.cpus,
                    loadFactor,
                    keys,
                    mix: mix.name,
                    mixWeights: [...mix.weights],
                    dist: dist.name,
                    ...(partition !== 'none' ? { partition } : {}),
                    // Absent = u64, as in every file from before key types (and mapbench_native's).
                    ...(keyType.strings ? { keyType: keyType.name } : {}),
                    ...(map.pad !== null ? { pad: map.pad } : {}),
                    ...(rate !== null ? { rate } : {}),
                    ...(batch !== null ? { batch } : {}),
                    ...(c.prefill !== 1 ? { prefill: c.prefill } : {}),
                    ...(c.initialCapacity !== null ? { initialCapacity: c.initialCapacity } : {}),
                    ...(c.maxLoadFactor !== null ? { maxLoadFactor: c.maxLoadFactor } : {}),
                  };
                  cells.push({ key: cellKey(params), params, map, mix, dist, keyType });
                }
                }
                }
                }
              }
            }
          }
        }
      }
    }
  }
  return cells;
}
