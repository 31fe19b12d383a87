// The hall display's voice as a wall TV lives it: started by the launcher with a fresh profile
// (no one ever taps it), disconnected and reloaded while counters keep calling.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../helpers/browser.js';
import { axeViolations, demoConfigWith, type Hall, openCounter, pageScrolls, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

const FULL_HD = { width: 1920, height: 1080 };
const played = (page: Page) => page.getByTestId('voice-state').getAttribute('data-played').then(Number);
const order = async (page: Page) => ((await page.getByTestId('voice-state').getAttribute('data-order')) ?? '').split(',').filter(Boolean);
const waitPlayed = (page: Page, n: number) =>
  page.waitForFunction((n) => Number(document.querySelector('[data-testid=voice-state]')?.getAttribute('data-played')) >= n, n, {
    timeout: 60_000,
  });
/** nothing queued or playing */
const idle = (page: Page) => page.locator('[data-testid=voice-state][data-pending="0"]:empty').waitFor();
const connected = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __hallqSockets?: { connected: boolean }[] }).__hallqSockets?.[0]?.connected);

/** records every play() outcome and, once playing, the number the large panel shows */
async function instrument(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const log: { result: string; shown?: string }[] = [];
    (window as unknown as { __plays: typeof log }).__plays = log;
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      const entry: { result: string; shown?: string } = { result: 'pending' };
      log.push(entry);
      this.addEventListener('playing', () => (entry.shown = document.querySelector('[data-testid=latest-number]')?.textContent ?? ''), {
        once: true,
      });
      return play.call(this).then(
        () => {
          entry.result = 'played';
        },
        (err: Error) => {
          entry.result = err.name;
          throw err;
        },
      );
    };
  });
  await page.reload();
  await connected(page);
}
const plays = (page: Page) => page.evaluate(() => (window as unknown as { __plays: { result: string; shown?: string }[] }).__plays);

/** a counter calls a fresh ticket (its previous one is skipped first); returns the number called */
async function callAt(counter: string, token: string, service: string): Promise<string> {
  await hall.api('POST', '/api/v1/tickets', { service });
  await hall.api('POST', `/api/v1/counters/${counter}/skip`, {}, token); // 409 when idle: fine
  const r = await hall.api('POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.ticket.number as string;
}

describe('hall display voice on a wall screen', () => {
  let t1: string;
  let t3: string;
  beforeAll(async () => {
    t1 = await openCounter(hall, '1', 'A1001');
    t3 = await openCounter(hall, '3', 'A1003');
  });

  it('documents the launcher flag, and with it a fresh profile speaks a call without any gesture', async () => {
    const html = await (await fetch(`${hall.agent.baseUrl}/display`)).text();
    const flags = /name="hallq-launch-flags" content="([^"]+)"/.exec(html)?.[1]?.split(/\s+/) ?? [];
    expect(flags).toContain('--autoplay-policy=no-user-gesture-required');
    // the browser of these tests is started exactly as the launcher starts the display PC
    for (const f of flags) expect(CHROMIUM_ARGS).toContain(f);

    const { page } = await hall.open('/display', FULL_HD, { fastVoice: true }); // a new, empty profile directory
    await instrument(page);
    const wavs: { status: number; type: string | null; bytes: number }[] = [];
    page.on('response', async (r) => {
      if (/\/api\/v1\/voice\/call\/\d+\.wav$/.test(r.url()))
        wavs.push({ status: r.status(), type: r.headers()['content-type'] ?? null, bytes: (await r.body()).length });
    });
    await callAt('1', t1, 'id-card');
    await waitPlayed(page, 1);
    expect(wavs[0]).toMatchObject({ status: 200, type: 'audio/wav' });
    expect(wavs[0]!.bytes).toBeGreaterThan(44 + 22050 * 2); // more than a second of sound
    expect((await plays(page))[0]?.result).toBe('played');
    expect(await page.getByRole('button', { name: '点击启用语音播报' }).count()).toBe(0);
    expect(await page.getByTestId('offline-badge').count()).toBe(0);
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('speaks two simultaneous calls in the order they were made, showing each while it is spoken', async () => {
    const { page } = await hall.open('/display', FULL_HD, { fastVoice: true });
    await instrument(page);
    const before = await played(page);
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    await hall.api('POST', '/api/v1/tickets', { service: 'hukou-move' });
    await Promise.all([hall.api('POST', '/api/v1/counters/1/skip', {}, t1), hall.api('POST', '/api/v1/counters/3/skip', {}, t3)]);
    const r = await Promise.all([
      hall.api('POST', '/api/v1/counters/1/call-next', {}, t1),
      hall.api('POST', '/api/v1/counters/3/call-next', {}, t3),
    ]);
    expect(r.map((x) => x.status)).toEqual([200, 200]);
    const q = await hall.api('GET', '/api/v1/queue');
    const bySeq = (q.body.recentCalls as { number: string; seq: number }[]).slice(0, 2).sort((a, b) => a.seq - b.seq);
    expect(bySeq[0]!.seq).toBeLessThan(bySeq[1]!.seq);
    await waitPlayed(page, before + 2);
    expect((await order(page)).slice(-2)).toEqual(bySeq.map((c) => c.number));
    // while each was spoken, the large panel showed that very number
    expect((await plays(page)).slice(-2).map((p) => p.shown)).toEqual(bySeq.map((c) => c.number));
  });

  it('keeps the new-call highlight for its full 12 s (also after the queue is re-read)', async () => {
    const { page } = await hall.open('/display', FULL_HD, { fastVoice: true });
    await connected(page);
    const before = await played(page);
    // The page itself notes when the highlight comes and goes: measured here, a busy machine's delay in
    // seeing the new number would be counted against the highlight.
    await page.locator('[data-testid=latest-call].flash').waitFor({ state: 'detached', timeout: 30_000 });
    await page.evaluate(() => {
      const w = window as unknown as { __flash: { on: number; off: number } };
      w.__flash = { on: 0, off: 0 };
      setInterval(() => {
        const lit = document.querySelector('[data-testid=latest-call].flash') !== null;
        if (lit && !w.__flash.on) w.__flash.on = performance.now();
        if (!lit && w.__flash.on && !w.__flash.off) w.__flash.off = performance.now();
      }, 20);
    });
    const number = await callAt('1', t1, 'id-card');
    await page.getByTestId('latest-number').filter({ hasText: number }).waitFor();
    // the queue is re-read 0.4 s after the event (that used to drop the highlight at once)
    await page.waitForTimeout(8_000);
    expect(await page.locator('[data-testid=latest-call].flash').count()).toBe(1);
    await shot(page, 'display-highlight-8s');
    await waitPlayed(page, before + 1);
    await page.waitForFunction(() => (window as unknown as { __flash: { off: number } }).__flash.off > 0, undefined, { timeout: 30_000 });
    const flash = await page.evaluate(() => (window as unknown as { __flash: { on: number; off: number } }).__flash);
    expect(flash.off - flash.on).toBeGreaterThan(11_500);
    expect(flash.off - flash.on).toBeLessThan(16_000);
  });

  it('shows an offline badge while disconnected and announces the call it missed after reconnecting', async () => {
    const { page } = await hall.open('/display', FULL_HD, { fastVoice: true });
    await instrument(page);
    const before = await played(page);
    await page.evaluate(() => (window as unknown as { __hallqSockets: { disconnect(): void }[] }).__hallqSockets[0]!.disconnect());
    await page.getByTestId('offline-badge').waitFor();
    expect(await page.getByTestId('offline-badge').textContent()).toContain('离线');
    await shot(page, 'display-offline');

    const number = await callAt('3', t3, 'hukou-move');
    await page.waitForTimeout(500);
    expect(await played(page)).toBe(before); // nothing heard while offline

    await page.evaluate(() => (window as unknown as { __hallqSockets: { connect(): void }[] }).__hallqSockets[0]!.connect());
    await page.getByTestId('offline-badge').waitFor({ state: 'detached' });
    await waitPlayed(page, before + 1);
    expect((await order(page)).at(-1)).toBe(number);
  });

  it('after a reload announces the calls made meanwhile, once, and not the ones already heard', async () => {
    const { page } = await hall.open('/display', FULL_HD, { fastVoice: true });
    await connected(page);
    const heard = await callAt('1', t1, 'id-card');
    await waitPlayed(page, 1);
    expect(await order(page)).toEqual([heard]);

    // the screen goes away (reload, power cut of the TV) while a counter calls
    await page.goto('about:blank');
    const missed = await callAt('3', t3, 'hukou-move');
    await page.goto(`${hall.agent.baseUrl}/display`);
    await waitPlayed(page, 1);
    await idle(page);
    expect(await order(page)).toEqual([missed]);
  });
});

describe('a call older than voice.replayMaxAgeSeconds', () => {
  it('is shown after the reconnect but not spoken', async () => {
    const short = await startHall(
      { configText: demoConfigWith([['voice: { repeat: 1, chime: true }', 'voice: { repeat: 1, chime: true, replayMaxAgeSeconds: 1 }']]) },
      { browsers: hall.browsers },
    );
    try {
      const token = await openCounter(short, '1', 'A1001');
      const { page } = await short.open('/display', FULL_HD, { fastVoice: true });
      await connected(page);
      await page.evaluate(() => (window as unknown as { __hallqSockets: { disconnect(): void }[] }).__hallqSockets[0]!.disconnect());
      await short.api('POST', '/api/v1/tickets', { service: 'id-card' });
      const r = await short.api('POST', '/api/v1/counters/1/call-next', {}, token);
      await page.waitForTimeout(2_500); // older than the hall's 1 s
      await page.evaluate(() => (window as unknown as { __hallqSockets: { connect(): void }[] }).__hallqSockets[0]!.connect());
      await page.locator('[data-counter="1"] [data-testid=counter-now]').filter({ hasText: r.body.ticket.number }).waitFor();
      // the display took the replayed call in the same step that put it on the tile: queued there or never
      expect(await page.getByTestId('voice-state').getAttribute('data-pending')).toBe('0');
      expect(await played(page)).toBe(0);
    } finally {
      await short.close();
    }
  });
});
