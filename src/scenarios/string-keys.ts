// string-keys: what keys that are strings cost each design. Every design
// with a string form (the locked tables, the shards, the lock-free table, the chains)
// and the peers that have one (libcuckoo, TBB, the Abseil shards), at 1e6
// keys and load factor 0.5, with u64 keys and three string types: 16 bytes,
// 64 bytes, and order ids ("order:" + 12 digits, 18 bytes, a long shared
// prefix). Mixes C (reads only) and cart (inserts of new keys among them),
// 1 and 2 threads. Each design is read against its own u64 form; the hash
// calibration (XXH3 alone, ns per key) says how much of an op the hash is.
import { keyTypeOf } from '../matrix.js';
import type { CellRecordOk, ResultFile } from '../schema.js';
import {
  type Finding, fmt, mops, mostThreads, okCells, qpsOf, ratio, type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';

const MAPS = ['mutex', 'rwlock', 'spin', 'sharded', 'lockfree', 'chained', 'chained-pool'];
const PEERS = ['libcuckoo', 'tbb', 'absl-sharded'];
export const KEY_TYPES = ['u64', 'str:16', 'str:64', 'str:order'];
const MIXES = ['C', 'cart'];

/** Key types of the file's ok cells: u64 first, then the string types in the order the run listed them. */
export function keyTypes(doc: ResultFile): string[] {
  const seen = [...new Set(okCells(doc).map((c) => keyTypeOf(c.params)))];
  return [...seen.filter((k) => k === 'u64'), ...seen.filter((k) => k !== 'u64')];
}

function maps(doc: ResultFile): string[] {
  return [...new Set(okCells(doc).map((c) => c.params.map))];
}

function mixes(doc: ResultFile): string[] {
  return [...new Set(okCells(doc).map((c) => c.params.mix))];
}

/** The ok cell of a map, key type, mix and thread count. */
export function cellOf(doc: ResultFile, map: string, keyType: string, mix: string, threads: number): CellRecordOk | undefined {
  return okCells(doc).find((c) => c.params.map === map && keyTypeOf(c.params) === keyType && c.params.mix === mix && c.params.threads === threads);
}

/** Nanoseconds one thread spends per op: threads / ops per second (all threads). */
export function nsPerOp(c: CellRecordOk | undefined): number | null {
  const q = qpsOf(c);
  return c && q !== null && q > 0 ? (c.params.threads / q) * 1e9 : null;
}

/** Bytes per entry after prefill (the counting allocator: table and key records) and the key records' share of them. */
function memoryOf(c: CellRecordOk | undefined): { perEntry: number; keysPerEntry: number } | null {
  if (!c || c.map.prefillEntries === 0) return null;
  return { perEntry: c.map.bytesPerEntry, keysPerEntry: (c.map.keyBytes ?? 0) / c.map.prefillEntries };
}

/** The best map of a key type, mix and thread count, and the runner-up. */
export function winnerOf(doc: ResultFile, keyType: string, mix: string, threads: number): { map: string; qps: number; runnerUp: { map: string; qps: number } | null } | null {
  const ranked = maps(doc)
    .map((map) => ({ map, qps: qpsOf(cellOf(doc, map, keyType, mix, threads)) }))
    .filter((x): x is { map: string; qps: number } => x.qps !== null)
    .sort((a, b) => b.qps - a.qps);
  if (ranked.length === 0) return null;
  return { ...ranked[0]!, runnerUp: ranked[1] ?? null };
}

const times = (x: number | null) => (x === null ? 'n/a' : `${fmt(x)}×`);
const pct = (x: number | null) => (x === null ? 'n/a' : `${fmt(x * 100, 2)}%`);

export const stringKeys: Scenario = {
  name: 'string-keys',
  title: 'String keys: 16 and 64 bytes and order ids against u64',
  claim:
    'With string keys the hash and the key compare, not the table\'s synchronisation, set the cost of an op, so the designs draw together and the ranking u64 keys give does not carry over.',
  flags: {
    maps: MAPS.join(','),
    keyType: KEY_TYPES.join(','),
    threads: '1,2',
    keys: '1e6',
    loadFactors: '0.5',
    mix: MIXES.join(','),
    mode: 'throughput',
    stats: false,
    repeat: '2',
    // Each pass builds its map, prefills 1e6 keys and spells its streams' key tapes: 0.25 s measured keeps
    // the 128 cells near 9 minutes on 2 cores.
    duration: '0.25s',
    warmup: '0.05s',
  },
  peerMaps: PEERS,
  smoke: { threads: '2', keys: '1e4', duration: '20ms' },

  findings(doc) {
    const out: Finding[] = [];
    const t = mostThreads(doc);
    const types = keyTypes(doc);
    const strings = types.filter((k) => k !== 'u64');
    // Each design against its own u64 form.
    for (const mix of mixes(doc)) {
      for (const map of maps(doc)) {
        const base = qpsOf(cellOf(doc, map, 'u64', mix, t));
        const rel = strings.map((k) => ({ k, r: ratio(qpsOf(cellOf(doc, map, k, mix, t)), base) }));
        if (rel.every((x) => x.r === null)) continue;
        out.push({
          text: `${map}, mix ${mix}, ${t} thread${t === 1 ? '' : 's'}: ${rel.map((x) => `${x.k} ${times(x.r)}`).join(', ')} its u64 throughput (${mops(base)})`,
          value: rel[0]!.r,
        });
      }
    }
    // The winner per key type, against u64's.
    for (const mix of mixes(doc)) {
      const u64 = winnerOf(doc, 'u64', mix, t);
      for (const k of strings) {
        const w = winnerOf(doc, k, mix, t);
        if (!w) continue;
        const margin = w.runnerUp ? ratio(w.qps, w.runnerUp.qps) : null;
        const same = u64 === null ? 'no u64 cells to set it against' : u64.map === w.map ? `the same as u64's` : `u64's winner is ${u64.map}`;
        out.push({
          text: `mix ${mix}, ${t} thread${t === 1 ? '' : 's'}, ${k}: ${w.map} wins with ${mops(w.qps)}${w.runnerUp ? ` (${times(margin)} ${w.runnerUp.map})` : ''}; ${same}`,
          value: margin,
        });
      }
    }
    // The hash alone against each design's time per op.
    const costs = doc.calibration?.hashCost ?? {};
    for (const k of strings) {
      const cost = costs[k];
      if (!cost) continue;
      for (const mix of mixes(doc)) {
        const shares = maps(doc).map((map) => {
          const ns = nsPerOp(cellOf(doc, map, k, mix, t));
          return { map, ns, share: ns === null ? null : cost.nsPerKey / ns };
        }).filter((x) => x.ns !== null);
        if (shares.length === 0) continue;
        const most = shares.reduce((a, b) => ((b.share ?? 0) > (a.share ?? 0) ? b : a));
        out.push({
          text: `${k}, mix ${mix}, ${t} thread${t === 1 ? '' : 's'}: ${cost.hash} alone takes ${fmt(cost.nsPerKey)} ns per key (${fmt(cost.meanBytes)} bytes); per op ${shares.map((x) => `${x.map} ${fmt(x.ns)} ns`).join(', ')}: at most ${pct(most.share)} of an op (${most.map})`,
          value: most.share,
        });
      }
    }
    // Memory and allocations of 16-byte keys under inserts.
    const k16 = strings.includes('str:16') ? 'str:16' : strings[0];
    const cartMix = mixes(doc).includes('cart') ? 'cart' : mixes(doc)[0];
    if (k16 !== undefined && cartMix !== undefined) {
      for (const map of maps(doc)) {
        const c = cellOf(doc, map, k16, cartMix, t);
        const m = memoryOf(c);
        if (!c || !m) continue;
        const u = memoryOf(cellOf(doc, map, 'u64', cartMix, t));
        out.push({
          text: `${map}, ${k16}, mix ${cartMix}, ${t} thread${t === 1 ? '' : 's'}: ${fmt(c.summary.allocationsPerOp)} allocations per op, ${fmt(m.perEntry)} bytes per entry (${fmt(m.keysPerEntry)} of them key records${u ? `; ${fmt(u.perEntry)} with u64 keys` : ''})`,
          value: c.summary.allocationsPerOp,
        });
      }
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const t = mostThreads(doc);
    const types = keyTypes(doc);
    const bar = (id: string, title: string, yLabel: string, y: (map: string, k: string) => number | null): ScenarioChart => ({
      id, title, kind: 'bar', xLabel: 'key type', yLabel, xType: 'category',
      series: maps(doc).map((map) => ({ name: map, points: types.map((k) => [k, y(map, k)] as [string, number | null]) })),
    });
    return [
      ...mixes(doc).map((mix) =>
        bar(`string-keys-qps-${mix}`, `Throughput by key type, mix ${mix}, ${t} thread(s)`, 'ops/s', (map, k) => qpsOf(cellOf(doc, map, k, mix, t)))),
      ...mixes(doc).map((mix) =>
        bar(`string-keys-rel-${mix}`, `Throughput against the design's own u64 keys, mix ${mix}, ${t} thread(s)`, '× u64', (map, k) =>
          ratio(qpsOf(cellOf(doc, map, k, mix, t)), qpsOf(cellOf(doc, map, 'u64', mix, t))))),
      ...(mixes(doc).includes('cart')
        ? [bar('string-keys-bytes', `Bytes per entry after prefill (table and key records), mix cart, ${t} thread(s)`, 'bytes/entry', (map, k) =>
            memoryOf(cellOf(doc, map, k, 'cart', t))?.perEntry ?? null)]
        : []),
    ];
  },

  tables(doc): ScenarioTable[] {
    const costs = doc.calibration?.hashCost ?? {};
    const rows: ScenarioTable['rows'] = [];
    for (const k of keyTypes(doc)) {
      for (const mix of mixes(doc)) {
        for (const t of [...new Set(okCells(doc).map((c) => c.params.threads))].sort((a, b) => a - b)) {
          for (const map of maps(doc)) {
            const c = cellOf(doc, map, k, mix, t);
            if (!c) continue;
            const ns = nsPerOp(c);
            const m = memoryOf(c);
            const hash = costs[k]?.nsPerKey;
            rows.push([
              k, mix, t, map, mops(qpsOf(c)), times(ratio(qpsOf(c), qpsOf(cellOf(doc, map, 'u64', mix, t)))), ns === null ? 'n/a' : fmt(ns),
              hash === undefined || ns === null ? '' : pct(hash / ns), fmt(c.summary.allocationsPerOp), m ? fmt(m.perEntry) : 'n/a', m ? fmt(m.keysPerEntry) : 'n/a',
            ]);
          }
        }
      }
    }
    return [{
      title: 'Every cell',
      columns: ['key type', 'mix', 'threads', 'map', 'throughput', '× own u64', 'ns/op (one thread)', 'hash share of an op', 'allocations/op', 'bytes/entry', 'key record bytes/entry'],
      rows,
    }];
  },
};
