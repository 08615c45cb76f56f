// Folded stacks → a self-contained flame graph SVG: one rect per frame,
// width proportional to its samples, callers below callees, siblings sorted
// by name (so x order means nothing; width is all). Every rect has a <title>
// (name, samples, share) that viewers show on hover. No script, no external
// fonts or styles, so it renders the same from disk, in a browser or in a
// README.
import type { Folded } from './folded.js';

export interface FlameGraphOptions {
  title: string;
  subtitle?: string;
  width?: number;
  /** Frames narrower than this many pixels (and everything above them) are left out; default 1 (folded.txt keeps everything). */
  minWidthPx?: number;
}

interface Node {
  name: string;
  samples: number;
  children: Map<string, Node>;
}

const FRAME_H = 16;
const FONT_PX = 11;
/** Average advance of the font at FONT_PX, for truncating labels to fit. */
const CHAR_W = FONT_PX * 0.59;
const PAD = 10;
const TOP = 50;

function tree(folded: Folded): Node {
  const root: Node = { name: 'all', samples: 0, children: new Map() };
  for (const [stack, n] of folded) {
    root.samples += n;
    let node = root;
    for (const name of stack.split(';')) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { name, samples: 0, children: new Map() }));
      child.samples += n;
      node = child;
    }
  }
  return root;
}

/** Levels drawn: frames under `minSamples` (too narrow to draw) do not count. */
function depthOf(n: Node, minSamples: number): number {
  let d = 0;
  for (const c of n.children.values()) if (c.samples >= minSamples) d = Math.max(d, depthOf(c, minSamples));
  return d + 1;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Stable small hash of a name, for colour jitter that does not change between runs. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

export type FrameKind = 'map' | 'js' | 'kernel' | 'native';

/** What a frame is, from its name: the addon's own code, JS, the kernel, or other native code. */
export function frameKind(name: string): FrameKind {
  if (name.endsWith('_[k]')) return 'kernel';
  if (/^(JS|LazyCompile|Function|Script|Builtin|RegExp|Eval|Handler|Stub|BytecodeHandler):/.test(name) || name.startsWith('Builtins_')) return 'js';
  if (/\bmapbench::|\bNapi::|\(anonymous namespace\)::Addon::/.test(name)) return 'map';
  return 'native';
}

function colour(name: string): string {
  const v = hash(name);
  switch (frameKind(name)) {
    case 'map': // blue: the addon, where the map under test lives
      return `rgb(${Math.round(80 + 50 * v)},${Math.round(150 + 50 * v)},${Math.round(220 + 30 * v)})`;
    case 'js': // green
      return `rgb(${Math.round(60 + 60 * v)},${Math.round(190 + 40 * v)},${Math.round(60 + 50 * v)})`;
    case 'kernel': // lavender
      return `rgb(${Math.round(170 + 30 * v)},${Math.round(160 + 30 * v)},${Math.round(215 + 25 * v)})`;
    default: // warm red/yellow: node, V8, libc
      return `rgb(${Math.round(205 + 50 * v)},${Math.round(80 + 100 * v)},${Math.round(40 + 30 * v)})`;
  }
}

function label(name: string, widthPx: number): string {
  const fit = Math.floor((widthPx - 6) / CHAR_W);
  if (fit < 3) return '';
  return name.length <= fit ? name : `${name.slice(0, fit - 2)}..`;
}

export function renderFlameGraph(folded: Folded, opts: FlameGraphOptions): string {
  const width = opts.width ?? 1200;
  const minWidth = opts.minWidthPx ?? 1;
  const root = tree(folded);
  const scale = root.samples > 0 ? (width - 2 * PAD) / root.samples : 0;
  const depth = depthOf(root, scale > 0 ? minWidth / scale : 0);
  const height = TOP + depth * FRAME_H + PAD * 2 + 16;
  const base = height - PAD - 16; // y of the bottom edge of the root frame
  const out: string[] = [];
  const pct = (n: number) => (root.samples > 0 ? (100 * n) / root.samples : 0).toFixed(2);

  const draw = (node: Node, x: number, level: number) => {
    const w = node.samples * scale;
    if (w < minWidth) return;
    const y = base - (level + 1) * FRAME_H;
    const title = `${node.name} (${node.samples} sample${node.samples === 1 ? '' : 's'}, ${pct(node.samples)}%)`;
    const text = label(node.name, w);
    out.push(
      `<g><title>${escapeXml(title)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_H - 1}" rx="2" fill="${level === 0 ? 'rgb(200,200,200)' : colour(node.name)}"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_H - 4.5}">${escapeXml(text)}</text>` : '') +
        '</g>',
    );
    let cx = x;
    const kids = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const k of kids) {
      draw(k, cx, level + 1);
      cx += k.samples * scale;
    }
  };
  draw(root, PAD, 0);

  const legend = [
    ['rgb(105,175,235)', 'addon (map under test)'],
    ['rgb(90,210,85)', 'JavaScript / V8 builtins'],
    ['rgb(230,130,55)', 'node, V8, libc'],
    ['rgb(185,175,228)', 'kernel'],
  ];
  const legendSvg = legend
    .map(([fill, text], i) => {
      const lx = PAD + i * 210;
      return `<rect x="${lx}" y="${height - PAD - 11}" width="10" height="10" fill="${fill}"/><text x="${lx + 14}" y="${height - PAD - 2}">${escapeXml(text!)}</text>`;
    })
    .join('');

  return [
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Verdana, DejaVu Sans, sans-serif" font-size="${FONT_PX}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="rgb(250,250,245)"/>`,
    `<text x="${width / 2}" y="20" font-size="15" text-anchor="middle">${escapeXml(opts.title)}</text>`,
    opts.subtitle ? `<text x="${width / 2}" y="38" text-anchor="middle" fill="rgb(90,90,90)">${escapeXml(opts.subtitle)}</text>` : '',
    ...out,
    legendSvg,
    `</svg>`,
    '',
  ].join('\n');
}
