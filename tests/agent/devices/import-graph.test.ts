// The device policy sits above the DeviceHost seam: nothing under agent/devices/ may reach a
// protocol or transport module (a satellite PC will run those, not the primary's policy), and the
// queue engine knows nothing of drivers at all. Type-only imports are erased at build time and
// carry no code, so they do not count.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** relative value imports of a file (import … from, export … from, import()), resolved to .ts paths */
function valueImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const spec = m[3] ?? m[4];
    if (!spec) continue;
    // `import { type A, type B } from` (no default import) is type-only as well
    const kw = m[1] ?? 'import';
    const clause = m[0].slice(m[0].indexOf(kw) + kw.length, m[0].lastIndexOf('from')).trim();
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (braces?.[1]?.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** every module reachable from `start` through value imports, with the path that reached it */
function reach(start: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo: [string, string[]][] = start.map((f) => [f, [f]]);
  while (todo.length > 0) {
    const [f, path] = todo.shift()!;
    if (seen.has(f)) continue;
    seen.set(f, path);
    for (const dep of valueImports(f)) if (!seen.has(dep)) todo.push([dep, [...path, dep]]);
  }
  return seen;
}

const rel = (p: string) => relative(root, p);

describe('import graph', () => {
  it('nothing under agent/devices/ reaches a protocol, transport, bus or simulator module', () => {
    const forbidden =
      /^drivers\/(protocols|transports|bus|sim|devices|registry)\/|^drivers\/(link|factory)\.ts$|^drivers\/host\/local\.ts$/;
    const reached = reach(filesUnder(join(root, 'agent/devices')));
    const bad = [...reached].filter(([f]) => forbidden.test(rel(f))).map(([, path]) => path.map(rel).join(' → '));
    expect(bad).toEqual([]);
    // the walk does see imports (it would pass vacuously otherwise)
    expect([...reached.keys()].map(rel)).toContain('agent/devices/layouts.ts');
  });

  it('nothing under agent/queue/ imports from drivers/', () => {
    const bad = filesUnder(join(root, 'agent/queue')).flatMap((f) =>
      valueImports(f)
        .filter((d) => rel(d).startsWith('drivers/'))
        .map((d) => `${rel(f)} → ${rel(d)}`),
    );
    expect(bad).toEqual([]);
  });

  it('the walker sees what a protocol-importing file imports', () => {
    expect(valueImports(join(root, 'drivers/host/local.ts')).map(rel)).toContain('drivers/registry/index.ts');
    expect(valueImports(join(root, 'agent/devices/manager.ts')).map(rel)).not.toContain('drivers/host/contract.ts');
  });
});
