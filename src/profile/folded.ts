// `perf script` text → folded stacks: one line per distinct stack, frames
// root-first joined by ';', then a space and the number of samples. This is
// the format flame graph tools read, and what diffs and tests grep.
//
// perf script is asked for `-F comm,pid,tid,event,ip,sym,dso`, so a sample is
//
//   node  3121/3167  cpu-clock:
//   	           231ee mapbench::detail::run_phase<false, mapbench::LockFreeMap, mapbench::NoStats> (/…/mapbench.node)
//   	           33642 mapbench::run_worker<mapbench::LockFreeMap> (/…/mapbench.node)
//   	    7f71c80ce69c JS:~runThread file:///…/dist/src/worker.js:5:34 (/tmp/perf-3121.map)
//   <blank line>
//
// leaf first. The root frame of each folded stack is the command name, as in
// Brendan Gregg's stackcollapse-perf.pl; kernel frames get the suffix `_[k]`.

/** Folded stacks: stack (frames joined by ';', root first) → samples. */
export type Folded = Map<string, number>;

export interface CollapseOptions {
  /** Strip this directory (and its file:// URL) from JS frame names, e.g. the repository root. */
  stripPrefix?: string;
}

export interface CollapseStats {
  samples: number;
  /** Process ids seen (the JIT symbol map of each is /tmp/perf-<pid>.map). */
  pids: Set<number>;
}

const HEADER = /^(\S.*?)\s+(\d+)\/(\d+)\s+/;
const FRAME = /^\s+([0-9a-f]+)\s+(.+?)\s+\(([^()]*)\)\s*$/;

/** Incremental collapser: feed lines as they come, then read `folded`. */
export class Collapser {
  readonly folded: Folded = new Map();
  readonly stats: CollapseStats = { samples: 0, pids: new Set() };
  private comm: string | null = null;
  private frames: string[] = [];
  private readonly strip: string[];

  constructor(opts: CollapseOptions = {}) {
    const p = opts.stripPrefix?.replace(/\/+$/, '');
    this.strip = p ? [`file://${p}/`, `${p}/`] : [];
  }

  push(line: string): void {
    if (line.trim() === '') {
      this.flush();
      return;
    }
    if (this.comm === null) {
      const h = HEADER.exec(line);
      if (h) {
        this.comm = frameName(h[1]!);
        this.stats.pids.add(Number(h[2]));
      }
      return;
    }
    const f = FRAME.exec(line);
    if (f) this.frames.push(this.frame(f[2]!, f[3]!));
  }

  /** Ends the last sample (when the text does not end with a blank line). */
  end(): Folded {
    this.flush();
    return this.folded;
  }

  private flush(): void {
    if (this.comm === null) return;
    const stack = [this.comm, ...this.frames.reverse()].join(';');
    this.folded.set(stack, (this.folded.get(stack) ?? 0) + 1);
    this.stats.samples++;
    this.comm = null;
    this.frames = [];
  }

  private frame(sym: string, dso: string): string {
    let name = sym.replace(/\+0x[0-9a-f]+$/, '');
    if (name === '[unknown]' && dso !== '[unknown]') name = `[${dso.split('/').pop()}]`;
    for (const p of this.strip) name = name.split(p).join('');
    name = frameName(name);
    return dso === '[kernel.kallsyms]' ? `${name}_[k]` : name;
  }
}

/** Frame names may hold anything but the separators of the folded format. */
function frameName(s: string): string {
  return s.replace(/;/g, ':').replace(/[\r\n]/g, ' ');
}

export function collapse(perfScriptText: string, opts: CollapseOptions = {}): Folded {
  const c = new Collapser(opts);
  for (const line of perfScriptText.split('\n')) c.push(line);
  return c.end();
}

/** One line per stack, sorted, `frames count`. */
export function formatFolded(folded: Folded): string {
  return [...folded.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([stack, n]) => `${stack} ${n}\n`)
    .join('');
}

export function parseFolded(text: string): Folded {
  const folded: Folded = new Map();
  for (const line of text.split('\n')) {
    const m = /^(.*) (\d+)$/.exec(line);
    if (m) folded.set(m[1]!, (folded.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return folded;
}

export function totalSamples(folded: Folded): number {
  let n = 0;
  for (const c of folded.values()) n += c;
  return n;
}

/**
 * Frames whose name matches `re`, with the samples whose stack holds them
 * (inclusive: a frame counted once per sample even when recursive), most
 * first.
 */
export function inclusiveFrames(folded: Folded, re: RegExp): Array<{ frame: string; samples: number }> {
  const counts = new Map<string, number>();
  for (const [stack, n] of folded) {
    const seen = new Set(stack.split(';').filter((f) => re.test(f)));
    for (const f of seen) counts.set(f, (counts.get(f) ?? 0) + n);
  }
  return [...counts.entries()].map(([frame, samples]) => ({ frame, samples })).sort((a, b) => b.samples - a.samples || (a.frame < b.frame ? -1 : 1));
}
