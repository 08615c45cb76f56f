// The on-screen table of a result document.
import Table from 'cli-table3';

import { keyTypeOf } from './matrix.js';
import { isUnreliable, type ResultFile } from './schema.js';
import { floorOf } from './summary.js';

export { floorOf };

function fmtRate(opsPerSec: number): string {
  return (opsPerSec / 1e6).toFixed(opsPerSec >= 1e8 ? 0 : 2);
}

function fmtNs(ns: number | undefined): string {
  if (ns === undefined) return '';
  return ns >= 1e4 ? `${(ns / 1e3).toFixed(1)}µ` : ns.toFixed(0);
}

export function renderTable(doc: ResultFile): string {
  const hasLatency = doc.cells.some((c) => c.status === 'ok' && c.summary.latency);
  // The key type column only when some cell's keys are not u64.
  const hasKeyTypes = doc.cells.some((c) => keyTypeOf(c.params) !== 'u64');
  const head = ['map', 'thr', 'lf', 'keys', ...(hasKeyTypes ? ['key type'] : []), 'mix', 'dist', 'Mops/s', '±%', '×floor'];
  if (hasLatency) head.push('p50 ns', 'p99 ns', 'p99.9 ns');
  head.push('allocs/op', 'lf end', 'check');
  // Shown only when needed: most runs have no unreliable cell.
  const hasUnreliable = doc.cells.some(isUnreliable);
  if (hasUnreliable) head.push('reliable');
  const table = new Table({ head, style: { head: [], border: [] } });
  const sorted = [...doc.cells].sort((a, b) =>
    a.params.mix.localeCompare(b.params.mix) || a.params.keys - b.params.keys || a.params.loadFactor - b.params.loadFactor ||
    a.params.threads - b.params.threads || keyTypeOf(a.params).localeCompare(keyTypeOf(b.params), 'en', { numeric: true }) ||
    a.params.map.localeCompare(b.params.map),
  );
  for (const c of sorted) {
    const p = c.params;
    const row: string[] = [p.map, String(p.threads), String(p.loadFactor), String(p.keys), ...(hasKeyTypes ? [keyTypeOf(p)] : []), p.mix, p.dist];
    if (c.status !== 'ok') {
      const why = c.status === 'failed' ? `FAILED: ${c.error}` : `skipped: ${c.reason}`;
      row.push(why, '', '');
      if (hasLatency) row.push('', '', '');
      row.push('', '', '');
      if (hasUnreliable) row.push('');
      table.push(row);
      continue;
    }
    const tp = c.summary.opsPerSec ?? c.summary.latencyOpsPerSec;
    const floor = floorOf(doc.cells, c);
    const floorRate = floor?.status === 'ok' ? (floor.summary.opsPerSec ?? floor.summary.latencyOpsPerSec)?.median : undefined;
    row.push(
      tp ? fmtRate(tp.median) : '',
      tp ? tp.spreadPct.toFixed(1) : '',
      tp && floorRate ? (tp.median / floorRate).toFixed(2) : '',
    );
    if (hasLatency) {
      const o = c.summary.latency?.overall;
      row.push(fmtNs(o?.p50Ns), fmtNs(o?.p99Ns), fmtNs(o?.p999Ns));
    }
    const checks = c.repeats.map((r) => r.check);
    const check = checks.every((x) => x === null) ? 'n/a' : checks.every((x) => x === null || x.ok) ? 'ok' : 'FAIL';
    row.push(c.summary.allocationsPerOp.toFixed(3), c.summary.endLoadFactor.toFixed(3), check);
    if (hasUnreliable) row.push(c.unreliable?.length ? `UNRELIABLE: ${c.unreliable.length} run${c.unreliable.length === 1 ? '' : 's'} over --max-skew` : 'yes');
    table.push(row);
  }
  return table.toString();
}
