import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.HALLQ_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface Browsers {
  /** a fresh Chromium with its own profile dir, like a separate device in the hall */
  /** bypassCSP: only for injecting test tooling (axe-core) into a page; the screens themselves run under the CSP */
  newContext(opts?: { viewport?: { width: number; height: number }; bypassCSP?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * One Chromium per test file, started as the launcher starts a hall screen, and a fresh incognito context
 * (its own cookies, storage and cache: a separate device in the hall) per screen. Starting a whole browser
 * per screen cost a second or two of CPU each, for fifty-odd screens per run.
 */
export async function launchBrowser(): Promise<Browsers> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-chromium-'));
  let browser: Promise<Browser> | undefined;
  const open: BrowserContext[] = [];
  return {
    async newContext(opts = {}) {
      // the profile dir name lets .ci/run find a Chromium a crashed test left behind
      browser ??= chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_ARGS, `--crash-dumps-dir=${dir}`],
      });
      const ctx = await (await browser).newContext({
        viewport: opts.viewport ?? { width: 1280, height: 800 },
        locale: 'zh-CN',
        bypassCSP: opts.bypassCSP ?? false,
      });
      open.push(ctx);
      return ctx;
    },
    async close() {
      for (const ctx of open.splice(0)) await ctx.close().catch(() => {});
      if (browser) await (await browser).close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
