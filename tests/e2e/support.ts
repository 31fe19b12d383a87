// Shared pieces of the Chromium tests: one agent per file, a browser per "device", screenshots
// kept under test-results/e2e/ for a human to look at.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type Browsers } from '../helpers/browser.js';
import { api, startTestAgent, type TestAgent } from '../helpers/agent.js';

export const SHOTS = resolve(import.meta.dirname, '../../test-results/e2e');
mkdirSync(SHOTS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: false });
}

export interface Hall {
  agent: TestAgent;
  browsers: Browsers;
  open(path: string, viewport?: { width: number; height: number }): Promise<{ ctx: BrowserContext; page: Page }>;
  api(method: string, path: string, body?: unknown, token?: string): ReturnType<typeof api>;
  close(): Promise<void>;
}

export async function startHall(): Promise<Hall> {
  const agent = await startTestAgent();
  const browsers = await launchBrowser();
  return {
    agent,
    browsers,
    async open(path, viewport) {
      const ctx = await browsers.newContext({ viewport: viewport ?? { width: 1280, height: 800 } });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('pageerror', (err) => console.error(`[${path}] page error:`, err.message));
      await page.goto(agent.baseUrl + path);
      return { ctx, page };
    },
    api: (method, path, body, token) => api(agent.baseUrl, method, path, body, token),
    async close() {
      await browsers.close();
      await agent.stop();
    },
  };
}

/** signs a counter console in with the demo PIN; resolves when the console is live */
export async function signInCounter(page: Page, staffId = 'A1001'): Promise<void> {
  await page.fill('#l-staff', staffId);
  await page.fill('#l-pin', '1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=current-ticket]');
}

export async function signInBoard(page: Page): Promise<void> {
  await page.fill('#login-pin', '9999');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=board-services]');
}

/** staff token + open counter through the API, for tests where the console is not the subject */
export async function openCounter(hall: Hall, counter: string, staffId: string): Promise<string> {
  const login = await hall.api('POST', '/api/v1/auth/staff', { counter, staffId, pin: '1234' });
  const token = login.body.token as string;
  await hall.api('POST', `/api/v1/counters/${counter}/open`, {}, token);
  return token;
}
