// The TypeScript image of the native catalogue (native/catalogue/): what
// src/catalogue.ts holds is rendered here from the addon's catalogue()
// export, by `npm run gen:catalogue` (src/cli/gen-catalogue.ts), and
// test/js/catalogue.test.ts renders it again from the loaded addon and
// fails when the file differs. So the TS side keeps no list of its own:
// design names, traits and enum orders are C++'s, read once.
//
// Only what does not depend on the build goes in: whether a peer was built,
// its library version and the layout entries are read from the addon at
// run time (designs(), layout()).

/** What catalogue() returns for one design. */
export interface CatalogueDesign {
  name: string;
  kind: 'map' | 'pseudo';
  summary: string;
  built: boolean;
  loadMeaning: 'slot-fraction' | 'chain-length';
  openAddressing: boolean;
  chained: boolean;
  nodeBased: boolean;
  sharded: boolean;
  striped: boolean;
  growable: boolean;
  snapshotReads: boolean;
  opStats: boolean;
  defaultRun: boolean;
  /** The design has a string-keyed form (createMap's keyType str:...). */
  stringKeys: boolean;
  /** Its string-keyed form grows online (initialCapacity / maxLoadFactor). */
  stringGrowable: boolean;
  baseline: 'memory-floor' | 'loop-cost' | 'line-sharing' | null;
  locks: string[];
  pads: string[];
  fixedLock: string | null;
  frame: string;
  layouts: string[];
  package?: string;
  libraryVersion?: string;
  tsanExclusion?: string;
}

/** The addon's catalogue() export. */
export interface NativeCatalogue {
  designs: CatalogueDesign[];
  opKinds: string[];
  outcomes: string[];
  latencyKinds: string[];
  lockKinds: string[];
  lockFrames: string[];
  pads: Array<{ name: string; bytes: number }>;
  distributions: string[];
  partitions: string[];
  runModes: string[];
  controlFields: string[];
}

const BUILD_DEPENDENT = new Set(['built', 'libraryVersion', 'layouts']);

/** The source of src/catalogue.ts for a native catalogue. */
export function renderCatalogue(c: NativeCatalogue): string {
  const designs = c.designs.map((d) =>
    Object.fromEntries(Object.entries(d).filter(([k]) => !BUILD_DEPENDENT.has(k))),
  );
  const data = { ...c, designs };
  return [
    '// src/catalogue.ts — generated from the addon\'s catalogue() (native/catalogue/catalogue.cc,',
    '// native/peers/peers.cc) by `npm run gen:catalogue`: do not edit. test/js/catalogue.test.ts',
    '// fails when it differs from the addon it runs against.',
    `export const CATALOGUE = ${JSON.stringify(data, null, 2)} as const;`,
    '',
  ].join('\n');
}
