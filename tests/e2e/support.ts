// Shared pieces of the Chromium tests: one agent per file, a browser per "device", screenshots
// kept under test-results/e2e/ for a human to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser, type Browsers } from '../helpers/browser.js';
import { api, DEMO_CONFIG, managerToken, pairCode, startTestAgent, type TestAgent } from '../helpers/agent.js';

export const SHOTS = resolve(import.meta.dirname, '../../test-results/e2e');
mkdirSync(SHOTS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: false });
}

export interface Hall {
  agent: TestAgent;
  browsers: Browsers;
  /**
   * A new browser (context) on a screen. Kiosk, pad and display pages pair as their demo terminal
   * (kiosk-1, pad-N, display-1) through a one-time code, as a hall does; `terminal: null` opens the
   * page unpaired, a string pairs as that terminal. /sim opens signed in as the manager.
   */
  open(
    path: string,
    viewport?: { width: number; height: number },
    opts?: { terminal?: string | null; bypassCSP?: boolean; fastVoice?: boolean },
  ): Promise<{ ctx: BrowserContext; page: Page }>;
  api(method: string, path: string, body?: unknown, token?: string): ReturnType<typeof api>;
  /** console messages about the Content-Security-Policy seen on any page this hall opened */
  cspViolations: string[];
  close(): Promise<void>;
}

/** plays every media element at 4× (an init script: before the page's own code runs) */
function FAST_VOICE(): void {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    this.playbackRate = 4;
    return play.call(this);
  };
}

/** `browsers`: a Chromium already started by another hall of the same file (it is not closed with this hall) */
export async function startHall(agentOpts: Parameters<typeof startTestAgent>[0] = {}, shared?: { browsers: Browsers }): Promise<Hall> {
  const agent = await startTestAgent(agentOpts);
  const browsers = shared?.browsers ?? (await launchBrowser());
  const cspViolations: string[] = [];
  const opened: { ctx: BrowserContext; test: string | undefined }[] = [];
  return {
    agent,
    browsers,
    cspViolations,
    async open(path, viewport, opts = {}) {
      // Screens opened by an earlier test of this file are closed first: a dozen idle Chromiums left
      // running would slow every later test (and the files running beside this one).
      const test = expect.getState().currentTestName;
      for (const o of opened.splice(0)) {
        if (o.test !== undefined && o.test !== test) await o.ctx.close().catch(() => {});
        else opened.push(o);
      }
      const ctx = await browsers.newContext({ viewport: viewport ?? { width: 1280, height: 800 }, bypassCSP: opts.bypassCSP });
      opened.push({ ctx, test });
      // the display's announcements at 4× speed: order, overlap and what is shown while each plays are what the
      // tests check, and real-time playback of every call was most of the display files' wall time
      if (opts.fastVoice) await ctx.addInitScript(FAST_VOICE);
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('pageerror', (err) => console.error(`[${path}] page error:`, err.message));
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(`[${path}] ${m.text()}`);
      });
      const terminal = opts.terminal === undefined ? demoTerminalFor(path) : opts.terminal;
      let url = agent.baseUrl + path;
      if (terminal) url += `${path.includes('?') ? '&' : '?'}pair=${await pairCode(agent.baseUrl, terminal)}`;
      if (/^\/sim\b/.test(path)) {
        const token = await managerToken(agent.baseUrl);
        await page.addInitScript((t) => sessionStorage.setItem('hallq.sim.token', t), token);
      }
      await page.goto(url);
      return { ctx, page };
    },
    // reads and simulator actions that need the manager go out as the manager unless a token is given
    api: async (method, path, body, token) =>
      api(agent.baseUrl, method, path, body, token ?? (MANAGER_PATHS.test(path) ? await managerToken(agent.baseUrl) : undefined)),
    async close() {
      if (shared) for (const o of opened.splice(0)) await o.ctx.close().catch(() => {});
      else await browsers.close();
      await agent.stop();
    },
  };
}

const MANAGER_PATHS = /^\/api\/v1\/(sim|events|stats|cases|reports\/handling|staff|terminals|audit|security|queue)\b/;

/** the demo terminal a screen path pairs as: kiosk-1, pad-<counter>, display-1 */
export function demoTerminalFor(path: string): string | undefined {
  const u = new URL(path, 'http://x');
  if (u.pathname === '/kiosk') return 'kiosk-1';
  if (u.pathname === '/display') return 'display-1';
  if (u.pathname === '/pad') return `pad-${u.searchParams.get('counter') ?? '1'}`;
  return undefined;
}

/** signs a counter console in with the demo PIN; resolves when the console is live */
export async function signInCounter(page: Page, staffId = 'A1001'): Promise<void> {
  await page.fill('#l-staff', staffId);
  await page.fill('#l-pin', '1234');
  await page.click('button[type=submit]');
  // a test that signed this person in before (API or another page) takes the counter over
  const takeover = page.locator('[data-testid=takeover]');
  await Promise.race([page.waitForSelector('[data-testid=current-ticket]'), takeover.waitFor().then(() => takeover.click())]);
  await page.waitForSelector('[data-testid=current-ticket]');
}

export async function signInBoard(page: Page): Promise<void> {
  await page.fill('#login-pin', '9999');
  await page.click('button[type=submit]');
  // the board opens on the tab its address names (#cases …): the live tab may be behind it
  await page.waitForSelector('[data-testid=board-services]', { state: 'attached' });
}

/** staff token + open counter through the API, for tests where the console is not the subject */
export async function openCounter(hall: Hall, counter: string, staffId: string): Promise<string> {
  const login = await hall.api('POST', '/api/v1/auth/staff', { counter, staffId, pin: '1234', takeover: true });
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

/**
 * Actionable elements (buttons, links, fields) and messages (headings, alerts, status lines) that a
 * person cannot see without scrolling: each must lie whole inside the viewport and inside every
 * ancestor that clips (overflow other than visible), so something hidden below the fold of a
 * scrolling <main> counts as outside. Returns "tag 'text' (why)" lines; [] when all are in view.
 */
export async function outOfView(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SEL =
      'button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=alert], [role=status], [aria-live], .error, h1, h2, [data-message]';
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(SEL)) {
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue; // empty live regions, .sr-only labels
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden') continue;
      const label = `${el.tagName.toLowerCase()} '${(el.textContent || (el as HTMLInputElement).value || el.id || '').trim().replace(/\s+/g, ' ').slice(0, 30)}'`;
      let box = { top: r.top, left: r.left, bottom: r.bottom, right: r.right };
      const where: string[] = [];
      for (let a = el.parentElement; a; a = a.parentElement) {
        const as = getComputedStyle(a);
        if (as.overflowX === 'visible' && as.overflowY === 'visible') continue;
        const ar = a.getBoundingClientRect();
        // the clip is the padding box: border excluded, scrollbars excluded through clientWidth/Height
        const top = ar.top + a.clientTop;
        const left = ar.left + a.clientLeft;
        const clip = { top, left, bottom: top + a.clientHeight, right: left + a.clientWidth };
        if (box.top < clip.top - 1 || box.bottom > clip.bottom + 1 || box.left < clip.left - 1 || box.right > clip.right + 1) {
          where.push(`clipped by ${a.tagName.toLowerCase()}${a.className ? `.${String(a.className).split(' ')[0]}` : ''}`);
        }
        box = {
          top: Math.max(box.top, clip.top),
          left: Math.max(box.left, clip.left),
          bottom: Math.min(box.bottom, clip.bottom),
          right: Math.min(box.right, clip.right),
        };
      }
      if (r.top < -1 || r.left < -1 || r.bottom > vh + 1 || r.right > vw + 1)
        where.push(`outside ${vw}×${vh} at y=${Math.round(r.top)}..${Math.round(r.bottom)}`);
      if (where.length) bad.push(`${label} (${where.join(', ')})`);
    }
    return bad;
  });
}

/**
 * An officer's key press on the counter console, once no action is in flight: a live update can show the last
 * action's result before its answer arrives, and a key pressed while an action is in flight is ignored on purpose
 * (a double press must not call twice).
 */
export async function pressKey(page: Page, key: string): Promise<void> {
  await page.locator('nav.actions[aria-busy=false]').waitFor();
  await page.keyboard.press(key);
}
