import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

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

export async function launchBrowser(): Promise<Browsers> {
  const open: { ctx: BrowserContext; dir: string }[] = [];
  return {
    async newContext(opts = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'hallq-chromium-'));
      const ctx = await chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_ARGS],
        viewport: opts.viewport ?? { width: 1280, height: 800 },
        locale: 'zh-CN',
        bypassCSP: opts.bypassCSP ?? false,
      });
      open.push({ ctx, dir });
      return ctx;
    },
    async close() {
      for (const { ctx, dir } of open.splice(0)) {
        await ctx.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
