// Gzipped JS (and CSS) each screen loads, read from the built dist/ui: the entry script of its
// HTML page plus every chunk it preloads — what a kiosk actually downloads on first load.
// Run: npx tsx bench/screens.ts   (after `npx vite build --config kiosk-ui/vite.config.ts`)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { QUICK } from './mode.js';

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

/** what shows that a screen is usable: its first control (the login form for staff screens) */
const READY: Record<string, { path: string; selector: string; terminal?: string }> = {
  kiosk: { path: '/kiosk', selector: 'button[data-service]', terminal: 'kiosk-1' },
  counter: { path: '/counter?counter=1', selector: '#l-pin' },
  pad: { path: '/pad?counter=1', selector: '[data-live=true]', terminal: 'pad-1' },
  display: { path: '/display', selector: '[data-testid=latest-call]' },
  board: { path: '/board', selector: '#login-pin' },
  // the simulator drives counters and pads: it opens on the manager's sign-in form
  sim: { path: '/sim', selector: '#login-pin' },
  index: { path: '/', selector: 'a' },
};
export const CPU_SLOWDOWN = 4;

export interface ScreenTiming {
  screen: string;
  firstPaintMs: number;
  interactiveMs: number;
}

/** first paint and time to interactive (control rendered + main thread idle) per screen, CPU 4× slower */
export async function screenTimings(): Promise<ScreenTiming[]> {
  const { chromium } = await import('playwright-core');
  const pino = (await import('pino')).default;
  const { loadConfigFile } = await import('../agent/config/load.js');
  const { startHall } = await import('../agent/hall.js');
  const { pairCode } = await import('../tests/helpers/auth.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'hallq-bench-screens-'));
  const profile = mkdtempSync(join(tmpdir(), 'hallq-bench-chromium-'));
  const config = loadConfigFile(resolve(import.meta.dirname, '../config/demo-hall.yaml'));
  const hall = await startHall(config, { host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'silent' }) });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HALLQ_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
  const out: ScreenTiming[] = [];
  try {
    // kiosk and pad show a pairing form until they hold a terminal token: pair them once, as a hall does,
    // so that the timed load below is the one a paired screen makes every morning
    for (const { path, selector, terminal } of Object.values(READY)) {
      if (!terminal) continue;
      const code = await pairCode(hall.url, terminal);
      const page = await ctx.newPage();
      await page.goto(`${hall.url}${path}${path.includes('?') ? '&' : '?'}pair=${encodeURIComponent(code)}`);
      await page.waitForSelector(selector, { timeout: 60_000 });
      await page.close();
    }
    for (const [screen, { path, selector, terminal }] of Object.entries(READY)) {
      // quick mode: only the screens that must pair (what broke this bench before) are loaded in Chromium
      if (QUICK && !terminal) continue;
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
      await page.goto(hall.url + path);
      await page.waitForSelector(selector, { timeout: 60_000 });
      const t = await page.evaluate(
        () =>
          new Promise<{ fp: number; tti: number }>((done) =>
            requestIdleCallback(
              () => {
                const paint = performance.getEntriesByType('paint');
                const fp = (paint.find((p) => p.name === 'first-paint') ?? paint[0])?.startTime ?? Number.NaN;
                done({ fp, tti: performance.now() });
              },
              { timeout: 20_000 },
            ),
          ),
      );
      out.push({ screen, firstPaintMs: t.fp, interactiveMs: t.tti });
      await cdp.detach();
      await page.close();
    }
  } finally {
    await ctx.close();
    await hall.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
  return out;
}

export async function printScreens(): Promise<boolean> {
  const sizes = screenSizes();
  const timings = await screenTimings();
  console.log(`screen     JS gzip   CSS gzip   first paint   interactive   (CPU ${CPU_SLOWDOWN}× slower)`);
  for (const s of sizes) {
    const t = timings.find((x) => x.screen === s.screen);
    const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${Math.round(v)} ms`);
    console.log(
      `${s.screen.padEnd(10)} ${s.jsGzipKB.toFixed(1).padStart(6)} KB ${s.cssGzipKB.toFixed(1).padStart(6)} KB ${ms(t?.firstPaintMs).padStart(11)} ${ms(t?.interactiveMs).padStart(13)}`,
    );
  }
  const kiosk = sizes.find((s) => s.screen === 'kiosk');
  const ok = !!kiosk && kiosk.jsGzipKB <= KIOSK_BUDGET_KB;
  console.log(`kiosk JS ${kiosk ? kiosk.jsGzipKB.toFixed(1) : '?'} KB gzip — budget ${KIOSK_BUDGET_KB} KB: ${ok ? 'OK' : 'OVER'}`);
  return ok;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printScreens().then(
    (ok) => (process.exitCode = ok ? 0 : 1),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
