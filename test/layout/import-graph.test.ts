/**
 * The layout is the architecture (issue 19): files as nodes, imports as edges, the graph must show
 * one folder per stage, imports across stages only through a stage's index.ts, and no cycle —
 * neither between files nor between stages. Type-only imports count: they are edges a reader follows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/** The stages, lowest first: a stage imports only stages before it. */
const STAGES = [
  'domain',
  'extractors',
  'pipeline/common',
  'pipeline/warehouse',
  'pipeline/crawl',
  'pipeline/ingest',
  'pipeline/rules',
  'pipeline/outputs',
  'pipeline/run',
  'pipeline/bench',
  'pipeline/cli',
] as const;

/** Static imports and re-exports (from the start of a line, so a string holding one is not taken), `import('…')`. */
const IMPORT =
  /^(?:import|export)\b[^'";]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function stageOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'pipeline') return parts[0];
  return parts.length > 2 ? `pipeline/${parts[1]}` : `pipeline/${parts[1].replace(/\.ts$/, '')}`;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ['domain', 'extractors', 'pipeline'].flatMap(sources)) {
    const code = readFileSync(join(ROOT, file), 'utf8');
    const targets = [...code.matchAll(IMPORT)].map((m) =>
      normalize(join(dirname(file), m[1] ?? m[2] ?? m[3]))
        .replace(/\.js$/, '.ts')
        .split('\\')
        .join('/'),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph', () => {
  const graph = importGraph();

  it('puts every source file in a stage folder (pipeline/cli.ts is the one entry file)', () => {
    const loose = [...graph.keys()].filter((f) => !(STAGES as readonly string[]).includes(stageOf(f)));
    expect(loose).toEqual([]);
  });

  it('resolves every relative import to a source file', () => {
    const missing = [...graph].flatMap(([f, ts]) => ts.filter((t) => !graph.has(t)).map((t) => `${f} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('crosses into another stage only through its index.ts', () => {
    const internal = [...graph].flatMap(([f, ts]) =>
      ts.filter((t) => stageOf(t) !== stageOf(f) && !t.endsWith('/index.ts')).map((t) => `${f} -> ${t}`),
    );
    expect(internal).toEqual([]);
  });

  it('has stages that import only the stages below them', () => {
    const upward = [...graph].flatMap(([f, ts]) =>
      ts
        .filter((t) => STAGES.indexOf(stageOf(t) as never) > STAGES.indexOf(stageOf(f) as never))
        .map((t) => `${f} -> ${t}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

/**
 * Barrels must not make the threads load what they never run: a worker's code, followed through
 * its compiled imports (type-only imports are gone from dist/), never reaches DuckDB, and the
 * extraction workers never reach the crawler or the page code.
 */
describe('what a worker thread loads', () => {
  const LOCAL = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+\.js)['"]/g;
  const PACKAGE = /(?:\bfrom|\bimport)\s*\(?\s*['"]([@a-z][^'"./][^'"]*)['"]/g;
  function closure(entry: string): { files: string[]; packages: Set<string> } {
    const dist = join(ROOT, 'dist');
    const queue = [join(dist, entry)];
    const seen = new Set<string>();
    const packages = new Set<string>();
    while (queue.length) {
      const file = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(LOCAL)) queue.push(normalize(join(dirname(file), m[1])));
      for (const m of code.matchAll(PACKAGE)) if (!m[1].startsWith('node:')) packages.add(m[1]);
    }
    return { files: [...seen].map((f) => f.slice(dist.length + 1)), packages };
  }
  const WORKERS = [
    'pipeline/ingest/extract-worker.js',
    'pipeline/outputs/site/page-worker.js',
    'pipeline/outputs/site/chart-worker.js',
    'pipeline/bench/floor-worker.js',
  ];

  it.each(WORKERS)('%s never loads DuckDB', (entry) => {
    expect([...closure(entry).packages].filter((p) => p.startsWith('@duckdb/'))).toEqual([]);
  });

  it('the extraction worker loads neither the crawler, the rules nor the pages', () => {
    const { files } = closure('pipeline/ingest/extract-worker.js');
    expect(files.filter((f) => /^pipeline\/(crawl|rules|outputs|run|warehouse)\//.test(f))).toEqual([]);
  });
});
