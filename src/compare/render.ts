// Renderers of a CompareDiff: one per format, behind one function. They
// format; they decide nothing. The table and markdown renderers share a
// neutral layout (headings, notes, warnings, tables) built once by `layout`;
// json is the diff object itself.
import Table from 'cli-table3';

import { type CellDiff, type CellRef, CHECKED_FIELDS, type CompareDiff, type EnvDifference, type CompareOptions, METRICS, type MetricDiff, type MetricName, type PairDiff } from './diff.js';

export const FORMATS = ['table', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(diff: CompareDiff, format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(diff, null, 2);
    case 'markdown':
      return renderMarkdown(layout(diff));
    case 'table':
      return renderTable(layout(diff));
  }
}

// ---- the neutral layout -------------------------------------------------------

type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'warning'; text: string; items?: string[] }
  | { kind: 'list'; title: string; items: string[] }
  | { kind: 'table'; title: string; head: string[]; rows: string[][]; footer?: string[] };

const UNIT_HEAD: Record<MetricName, string> = { qps: 'Mops/s', p99: 'ns', allocs: 'allocs/op' };

export function formatValue(metric: MetricName, v: number): string {
  switch (metric) {
    case 'qps':
      return (v / 1e6).toFixed(v >= 1e8 ? 0 : 2);
    case 'p99':
      return v.toFixed(0);
    case 'allocs':
      return v.toFixed(3);
  }
}

export function formatDelta(d: number | null): string {
  if (d === null) return 'from 0';
  const s = Math.abs(d) < 0.005 ? '0.00' : d.toFixed(2);
  return `${d > 0 && s !== '0.00' ? '+' : ''}${s}%`;
}

export function formatP(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/**
 * "~ (p=0.310 n=5+5)", "+12.30% better (p=0.002 n=6+6)", "worse, was 0 (p=0.002 n=6+6)",
 * "inconclusive: 3+3 repeats cannot reach p<0.05 (p=0.100)", "~ (p=0.002 n=6+6, below 1% noise)";
 * a side with runs kept over --max-skew adds "; base unreliable".
 */
export function formatVerdict(m: MetricDiff, o: Pick<CompareOptions, 'alpha' | 'noisePct'>): string {
  const stat = `p=${formatP(m.p)} n=${m.base.n}+${m.new.n}`;
  const shaky = m.unreliable.length === 0 ? '' : `; ${m.unreliable.length === 2 ? 'both sides' : m.unreliable[0]} unreliable`;
  switch (m.reason) {
    case 'significant':
      return m.deltaPct === null ? `${m.verdict}, was 0 (${stat}${shaky})` : `${formatDelta(m.deltaPct)} ${m.verdict} (${stat}${shaky})`;
    case 'not-significant':
      return `~ (${stat}${shaky})`;
    case 'too-few-repeats':
      return `inconclusive: ${m.base.n}+${m.new.n} repeats cannot reach p<${o.alpha} (p=${formatP(m.p)}${shaky})`;
    case 'below-noise':
      return `~ (${stat}, below ${o.noisePct}% noise${shaky})`;
  }
}

/** "3+3" or "3+3, 2+3": the distinct repeat counts of inconclusive comparisons. */
function repeatCounts(diff: CompareDiff): string {
  return [...new Set(diff.inconclusive.map((i) => `${i.n[0]}+${i.n[1]}`))].join(', ');
}

const comparisons = (n: number) => `${n} comparison${n === 1 ? '' : 's'}`;

/** Splits keys into the segments all of them share and a short label per key. */
function labeller(keys: string[]): { common: string[]; label: (key: string) => string } {
  const distinct = [...new Set(keys)];
  if (distinct.length < 2) return { common: [], label: (k) => k };
  // u64 cells' keys name no key type: where other cells name one, their labels say u64.
  const typed = distinct.some((k) => k.split('|').some((s) => s.startsWith('keytype=')));
  const segments = (k: string) => {
    const segs = k.split('|');
    return typed && !segs.some((s) => s.startsWith('keytype=')) ? [...segs, 'keytype=u64'] : segs;
  };
  const segs = distinct.map(segments);
  const common = segs[0]!.filter((s) => segs.every((ss) => ss.includes(s)));
  return { common, label: (k) => segments(k).filter((s) => !common.includes(s)).join(' ') || k };
}

function fileLine(role: string, f: PairDiff['base']): string {
  const commit = f.commit ? `commit ${f.commit.slice(0, 12)}${f.dirty ? ' (dirty)' : ''}` : 'commit unknown';
  return `${role}: ${f.name} — ${commit}, started ${f.startedAt}, ${f.cells} cells${f.status === 'complete' ? '' : `, ${f.status}`}`;
}

const cellCount = (n: number) => `${n} cell${n === 1 ? '' : 's'}`;

function refDetail(r: CellRef): string {
  return r.status === 'ok' ? 'ok' : `${r.status}${r.detail ? `: ${r.detail}` : ''}`;
}

/**
 * The environment header of a two-file comparison: what differs, and a
 * warning when a difference can move the figures by itself; or one line
 * naming what was checked and found the same.
 */
function environmentBlocks(diffs: EnvDifference[]): Block[] {
  if (diffs.length === 0) return [{ kind: 'note', text: `environment: the same (${CHECKED_FIELDS.join(', ')})` }];
  const moving = diffs.filter((d) => d.moves);
  const items = diffs.map((d) => `${d.field}: ${d.base} → ${d.new}${d.moves ? ' (can move the figures)' : ''}`);
  if (moving.length === 0) return [{ kind: 'list', title: 'environment differences (none of them moves the figures by itself)', items }];
  return [
    {
      kind: 'warning',
      text: `the two files come from different environments; ${moving.map((d) => d.field).join(', ')} can move the figures, so differences may be the machine or build, not the code:`,
      items,
    },
  ];
}

function pairBlocks(diff: CompareDiff, pair: PairDiff): Block[] {
  const o = diff.options;
  const pivot = diff.mode === 'pivot';
  const baseName = pivot ? pair.base.map! : 'base';
  const newName = pivot ? pair.new.map! : 'new';
  const blocks: Block[] = [];
  if (pivot) {
    blocks.push({ kind: 'heading', text: `${pair.new.map} vs ${pair.base.map} (${pair.base.name})` });
    blocks.push({ kind: 'note', text: fileLine('file', pair.base).replace(/, \d+ cells/, '') });
  } else {
    blocks.push({ kind: 'heading', text: `${pair.new.name} vs ${pair.base.name}` });
    blocks.push({ kind: 'note', text: fileLine('base', pair.base) });
    blocks.push({ kind: 'note', text: fileLine('new', pair.new) });
  }
  if (!pivot) blocks.push(...environmentBlocks(pair.envDifferences));
  for (const f of pivot ? [pair.base] : [pair.base, pair.new]) {
    if (f.status !== 'complete') blocks.push({ kind: 'warning', text: `${f.name} is ${f.status}: it holds only the cells that completed` });
  }

  const { common, label } = labeller([
    ...pair.cells.map((c) => c.key),
    ...pair.onlyInBase.map((c) => (pivot ? pivotLabelKey(c) : c.key)),
    ...pair.onlyInNew.map((c) => (pivot ? pivotLabelKey(c) : c.key)),
    ...pair.notCompared.map((c) => c.key),
  ]);
  if (common.length > 0) blocks.push({ kind: 'note', text: `cells: ${common.join(' ')}` });

  for (const metric of o.metrics) {
    const spec = METRICS[metric];
    const rows: Array<[CellDiff, MetricDiff]> = pair.cells.flatMap((c) => c.metrics.filter((m) => m.metric === metric).map((m): [CellDiff, MetricDiff] => [c, m]));
    const title = `${spec.label} (${spec.unit}, ${spec.better} is better)`;
    if (rows.length === 0) {
      const hint = metric === 'p99' ? ' (latency percentiles need --mode latency or both)' : '';
      blocks.push({ kind: 'note', text: `${spec.label}: no cell has it on both sides${hint}` });
      continue;
    }
    const g = pair.geomeans.find((x) => x.metric === metric)!;
    const footer =
      g.base !== null && g.new !== null
        ? ['geomean', formatValue(metric, g.base), '', formatValue(metric, g.new), '', formatDelta(g.deltaPct),
          `${g.cells} cells${g.excluded ? `; ${g.excluded} with a zero median left out` : ''}`]
        : ['geomean', '', '', '', '', '', `n/a: every median is zero`];
    blocks.push({
      kind: 'table',
      title,
      head: ['cell', `${baseName} ${UNIT_HEAD[metric]}`, '±', `${newName} ${UNIT_HEAD[metric]}`, '±', 'delta', 'verdict'],
      rows: rows.map(([c, m]) => [
        label(c.key),
        formatValue(metric, m.base.median),
        `${m.base.spreadPct.toFixed(1)}%`,
        formatValue(metric, m.new.median),
        `${m.new.spreadPct.toFixed(1)}%`,
        formatDelta(m.deltaPct),
        formatVerdict(m, o),
      ]),
      footer,
    });
    const oneSided = pair.cells.filter((c) => c.missing.some((x) => x.metric === metric && x.side !== 'both'));
    if (oneSided.length > 0) {
      blocks.push({
        kind: 'list',
        title: `${spec.label} is on one side only — ${cellCount(oneSided.length)}`,
        items: oneSided.map((c) => `${label(c.key)} (missing in ${c.missing.find((x) => x.metric === metric)!.side === 'base' ? baseName : newName})`),
      });
    }
    const shaky = rows.filter(([, m]) => m.unreliable.length > 0);
    if (shaky.length > 0) {
      blocks.push({
        kind: 'list',
        title: `${spec.label} from unreliable runs (threads measured further apart than --max-skew, reruns included) — ${cellCount(shaky.length)}`,
        items: shaky.map(([c, m]) => `${label(c.key)} (${m.unreliable.map((s) => (s === 'base' ? baseName : newName)).join(' and ')})`),
      });
    }
    const mismatched = pair.cells.filter((c) => c.passMismatch.includes(metric));
    if (mismatched.length > 0) {
      blocks.push({ kind: 'list', title: `${spec.label} comes from different passes (throughput vs latency) — ${cellCount(mismatched.length)}`, items: mismatched.map((c) => label(c.key)) });
    }
  }

  const refLabel = (r: CellRef) => label(pivot ? pivotLabelKey(r) : r.key);
  if (pair.onlyInBase.length > 0) {
    blocks.push({ kind: 'list', title: `only in ${pivot ? baseName : `base (${pair.base.name})`} — ${cellCount(pair.onlyInBase.length)}`, items: pair.onlyInBase.map(refLabel) });
  }
  if (pair.onlyInNew.length > 0) {
    blocks.push({ kind: 'list', title: `only in ${pivot ? newName : `new (${pair.new.name})`} — ${cellCount(pair.onlyInNew.length)}`, items: pair.onlyInNew.map(refLabel) });
  }
  if (pair.notCompared.length > 0) {
    blocks.push({
      kind: 'list',
      title: `not compared, not ok on both sides — ${cellCount(pair.notCompared.length)}`,
      items: pair.notCompared.map((c) => `${label(c.key)} — ${baseName}: ${refDetail(c.base)}; ${newName}: ${refDetail(c.new)}`),
    });
  }
  return blocks;
}

/** In pivot mode cells are joined without their map; label one-sided cells the same way. */
function pivotLabelKey(r: CellRef): string {
  return r.key.split('|').filter((s) => !s.startsWith('map=') && !s.startsWith('shards=')).join('|');
}

function layout(diff: CompareDiff): Block[] {
  const blocks = diff.pairs.flatMap((p) => pairBlocks(diff, p));
  const t = diff.options.failOnRegressionPct;
  const gated = diff.pairs.reduce((a, p) => a + p.cells.reduce((b, c) => b + c.metrics.length, 0), 0);
  const undecided = diff.inconclusive.length;
  if (undecided > 0) {
    // Stated whether or not a threshold is set: an undecidable comparison must never read as "no change".
    const consequence = t === null ? 'no verdict either way' : `a regression beyond ${t}% cannot be ruled out there`;
    blocks.push({
      kind: 'warning',
      text: `inconclusive: ${repeatCounts(diff)} repeats cannot reach p<${diff.options.alpha}; use --repeat ${diff.repeatsNeeded} or more on both sides (${comparisons(undecided)} of ${gated}: ${consequence})`,
    });
  }
  if (diff.unreliable.length > 0) {
    blocks.push({
      kind: 'warning',
      text: `${comparisons(diff.unreliable.length)} read figures from unreliable runs (threads measured further apart than --max-skew, reruns included): their verdicts carry more noise than the bench allowed`,
    });
  }
  if (t !== null) {
    if (diff.regressions.length === 0 && undecided === 0) {
      blocks.push({ kind: 'note', text: `no significant regression beyond ${t}%` });
    } else if (diff.regressions.length === 0 && undecided < gated) {
      blocks.push({ kind: 'note', text: `no significant regression beyond ${t}% in the other ${comparisons(gated - undecided)}` });
    } else if (diff.regressions.length > 0) {
      blocks.push({
        kind: 'list',
        title: `significant regressions beyond ${t}% — ${diff.regressions.length}`,
        items: diff.regressions.map((r) => {
          const p = diff.pairs[r.pair]!;
          const which = diff.mode === 'pivot' ? `${p.new.map} vs ${p.base.map}` : `${p.new.name}`;
          return `${which}: ${r.key} ${r.metric} ${formatDelta(r.deltaPct)}`;
        }),
      });
    }
  }
  return blocks;
}

// ---- table (terminal) ------------------------------------------------------------

function renderTable(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        if (out.length > 0) out.push('');
        out.push(`== ${b.text} ==`);
        break;
      case 'note':
        out.push(b.text);
        break;
      case 'warning':
        out.push(`warning: ${b.text}`, ...(b.items ?? []).map((i) => `  ${i}`));
        break;
      case 'list':
        out.push('', `${b.title}:`, ...b.items.map((i) => `  ${i}`));
        break;
      case 'table': {
        const table = new Table({ head: b.head, style: { head: [], border: [] } });
        for (const r of b.rows) table.push(r);
        if (b.footer) table.push(b.footer);
        out.push('', b.title, table.toString());
        break;
      }
    }
  }
  return out.join('\n');
}

// ---- markdown ---------------------------------------------------------------------

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

function renderMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`## ${b.text}`, '');
        break;
      case 'note':
        out.push(`${b.text}  `);
        break;
      case 'warning':
        out.push('', `> **warning:** ${b.text}`, ...(b.items ?? []).map((i) => `> - ${i}`), '');
        break;
      case 'list':
        out.push('', `${b.title}:`, '', ...b.items.map((i) => `- \`${i}\``), '');
        break;
      case 'table': {
        const row = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
        out.push('', `### ${b.title}`, '', row(b.head), `|${b.head.map((_, i) => (i === 0 || i === b.head.length - 1 ? ' --- |' : ' ---: |')).join('')}`);
        for (const r of b.rows) out.push(row(r));
        if (b.footer) out.push(row(b.footer.map((c, i) => (i === 0 ? `**${c}**` : c))));
        out.push('');
        break;
      }
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
