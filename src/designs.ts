// What readers of results need to know about a design by its name, from
// the catalogue (src/catalogue.ts, the image of native/catalogue/): which
// designs are pseudo-maps, which one is the memory floor the ×floor ratios
// divide by, which are peers. Pure data: no addon is loaded, so compare and
// report work on any machine's files.
import { CATALOGUE } from './catalogue.js';

export type CatalogueRow = (typeof CATALOGUE.designs)[number];

const ROWS: ReadonlyMap<string, CatalogueRow> = new Map(CATALOGUE.designs.map((d) => [d.name, d]));

/** The design's catalogue row, or undefined for a name this tree does not know. */
export function designRow(name: string): CatalogueRow | undefined {
  return ROWS.get(name);
}

/** Not maps: they frame the maps (the memory floor, the loop's own cost) and never win a column. */
export const PSEUDO_DESIGNS: ReadonlySet<string> = new Set(CATALOGUE.designs.filter((d) => d.kind === 'pseudo').map((d) => d.name));

/** The design whose cells the ×floor ratios divide by. */
export const FLOOR_DESIGN: string = CATALOGUE.designs.find((d) => d.baseline === 'memory-floor')!.name;

/** Whether the statistics pass records anything for the design (unknown names: yes). */
export function recordsOpStats(name: string): boolean {
  return designRow(name)?.opStats ?? true;
}

/** compare --pivot map's default baseline: the catalogue's first real map, the simplest locked table. */
export const BASELINE_MAP: string = CATALOGUE.designs.find((d) => d.kind === 'map')!.name;
