// Shared pieces of the Chromium tests: one agent per file, a browser per "device", screenshots
// kept under test-results/e2e/ for a human to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type Browsers } from '../helpers/browser.js';
import { api, DEMO_CONFIG, startTestAgent, type TestAgent } from '../helpers/agent.js';

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

export async function startHall(agentOpts: Parameters<typeof startTestAgent>[0] = {}): Promise<Hall> {
  const agent = await startTestAgent(agentOpts);
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

/** the demo hall's YAML with some lines replaced, for a test that needs another setting */
export function demoConfigWith(replace: [string, string][]): string {
  let text = readFileSync(DEMO_CONFIG, 'utf8');
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`demo config has no ${from}`);
    text = text.replace(from, to);
  }
  return text;
}

/** true when the document (or the given element) is taller or wider than the viewport */
export async function pageScrolls(page: Page): Promise<{ x: boolean; y: boolean; height: number; width: number }> {
  return page.evaluate(() => {
    const d = document.scrollingElement ?? document.documentElement;
    return {
      x: d.scrollWidth > window.innerWidth + 1,
      y: d.scrollHeight > window.innerHeight + 1,
      height: d.scrollHeight,
      width: d.scrollWidth,
    };
  });
}

/** elements whose text is cut off (overflowing their own box without a scrollbar) */
export async function clippedText(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) =>
    els
      .filter((el) => {
        const s = getComputedStyle(el);
        const scrolls = /auto|scroll/.test(s.overflowY) || /auto|scroll/.test(s.overflowX);
        return !scrolls && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
      })
      .map((el) => (el.textContent ?? '').trim().slice(0, 40)),
  );
}

/** axe-core run in the page; returns the violations as "id: n nodes (first target)" lines */
export async function axeViolations(page: Page, disable: string[] = []): Promise<string[]> {
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axe);
  const res = await page.evaluate(
    async (rules) =>
      (await (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<any> } }).axe.run(document, {
        rules: Object.fromEntries(rules.map((r: string) => [r, { enabled: false }])),
      })) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] },
    disable,
  );
  return res.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0]?.target.join(' ')}`);
}
