// Gzipped JS (and CSS) each screen loads, read from the built dist/ui: the entry script of its
// HTML page plus every chunk it preloads — what a kiosk actually downloads on first load.
// Run: npx tsx bench/screens.ts   (after `npx vite build --config kiosk-ui/vite.config.ts`)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const KIOSK_BUDGET_KB = 150;

export interface ScreenSize {
  screen: string;
  jsGzipKB: number;
  cssGzipKB: number;
  files: string[];
}

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length / 1024;

export function screenSizes(dir = resolve(import.meta.dirname, '../dist/ui')): ScreenSize[] {
  if (!existsSync(dir)) throw new Error(`${dir} not found: build the UI first (npx vite build --config kiosk-ui/vite.config.ts)`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .map((html) => {
      const text = readFileSync(join(dir, html), 'utf8');
      const refs = [...text.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
      const files = [...new Set(refs)];
      const sum = (ext: string) => files.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gz(join(dir, f)), 0);
      return { screen: html.replace(/\.html$/, ''), jsGzipKB: sum('.js'), cssGzipKB: sum('.css'), files };
    })
    .sort((a, b) => a.screen.localeCompare(b.screen));
}

export function printScreenSizes(sizes = screenSizes()): boolean {
  console.log('screen     JS gzip   CSS gzip');
  for (const s of sizes) {
    console.log(`${s.screen.padEnd(10)} ${s.jsGzipKB.toFixed(1).padStart(6)} KB ${s.cssGzipKB.toFixed(1).padStart(6)} KB`);
  }
  const kiosk = sizes.find((s) => s.screen === 'kiosk');
  const ok = !!kiosk && kiosk.jsGzipKB <= KIOSK_BUDGET_KB;
  console.log(`kiosk JS ${kiosk ? kiosk.jsGzipKB.toFixed(1) : '?'} KB gzip — budget ${KIOSK_BUDGET_KB} KB: ${ok ? 'OK' : 'OVER'}`);
  return ok;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = printScreenSizes() ? 0 : 1;
}
