// Where the installed tree is. The same code runs from agent/ (tsx, tests) and from dist/app/agent/
// (the compiled runtime), so files that live beside the sources (the demo config, the built screens)
// are found from the package root, not from this file's own directory.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(from, '../..');
    dir = up;
  }
}

export const ROOT = findRoot(import.meta.dirname);
export const DEMO_CONFIG = join(ROOT, 'config/demo-hall.yaml');
export const UI_BUILD = join(ROOT, 'dist/ui');
