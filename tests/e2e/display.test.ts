import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, openCounter, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('hall display (综合屏)', () => {
  it('keeps simultaneous calls visible per counter and plays their announcements one after the other', async () => {
    const { page } = await hall.open('/display', { width: 1920, height: 1080 }, { fastVoice: true });
    // log every play/ended of media elements, to prove announcements never overlap
    await page.evaluate(() => {
      const log: { ev: string; t: number }[] = [];
      (window as unknown as { __audio: typeof log }).__audio = log;
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        log.push({ ev: 'play', t: performance.now() });
        this.addEventListener('ended', () => log.push({ ev: 'ended', t: performance.now() }), { once: true });
        return play.call(this);
      };
    });
    await page.getByTestId('latest-call').waitFor();
    const t1 = await openCounter(hall, '1', 'A1001');
    const t3 = await openCounter(hall, '3', 'A1003');
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    await hall.api('POST', '/api/v1/tickets', { service: 'hukou-move' });

    const wavs: number[] = [];
    page.on('response', async (r) => {
      if (/\/api\/v1\/voice\/call\/\d+\.wav$/.test(r.url())) wavs.push(r.status() === 200 ? (await r.body()).length : -r.status());
    });
    // two counters call at the same moment
    await Promise.all([hall.api('POST', '/api/v1/counters/1/call-next', {}, t1), hall.api('POST', '/api/v1/counters/3/call-next', {}, t3)]);
    await page.locator('[data-counter="1"] [data-testid=counter-now]').filter({ hasText: 'A001' }).waitFor();
    await page.locator('[data-counter="3"] [data-testid=counter-now]').filter({ hasText: 'B001' }).waitFor();
    await shot(page, 'display-two-calls');

    // both announcements fetched and played, sequentially
    await page.waitForFunction(() => document.querySelector('[data-testid=voice-state]')?.getAttribute('data-played') === '2', null, {
      timeout: 45_000,
    });
    expect(wavs).toHaveLength(2);
    for (const n of wavs) expect(n).toBeGreaterThan(44);
    const log = await page.evaluate(() => (window as unknown as { __audio: { ev: string; t: number }[] }).__audio);
    const plays = log.filter((e) => e.ev === 'play');
    const ends = log.filter((e) => e.ev === 'ended');
    expect(plays).toHaveLength(2);
    if (ends.length) expect(plays[1]!.t).toBeGreaterThanOrEqual(ends[0]!.t);

    // a recall is announced again and flagged on screen
    await hall.api('POST', '/api/v1/counters/1/recall', {}, t1);
    await page.getByTestId('latest-call').filter({ hasText: '重复呼叫' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=voice-state]')?.getAttribute('data-played') === '3', null, {
      timeout: 30_000,
    });
  }, 120_000); // two announcements played in turn, plus a recall, on a shared 2-core machine
});

describe('hall display after a lost connection', () => {
  it('asks for what it missed (resync) and shows it without reload', async () => {
    const { page } = await hall.open('/display', { width: 1920, height: 1080 }, { fastVoice: true });
    await page.getByTestId('latest-call').waitFor();
    await page.waitForFunction(() => (window as unknown as { __hallqSockets?: { connected: boolean }[] }).__hallqSockets?.[0]?.connected);
    const resyncs: string[] = [];
    // socket.io reconnects over HTTP long-polling first, then upgrades: watch both
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => typeof f.payload === 'string' && f.payload.includes('resync') && resyncs.push(f.payload)),
    );
    page.on('request', (r) => r.url().includes('/socket.io/') && r.postData()?.includes('resync') && resyncs.push(r.postData()!));
    await page.evaluate(() => (window as unknown as { __hallqSockets: { disconnect(): void }[] }).__hallqSockets[0]!.disconnect());

    const token = await openCounter(hall, '6', 'A1006');
    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'consultation' });
    await hall.api('POST', '/api/v1/counters/6/call-next', {}, token);
    const number = issued.body.ticket.number as string;
    expect(await page.locator('[data-counter="6"] [data-testid=counter-now]').count()).toBe(0);

    await page.evaluate(() => (window as unknown as { __hallqSockets: { connect(): void }[] }).__hallqSockets[0]!.connect());
    await page.locator('[data-counter="6"] [data-testid=counter-now]').filter({ hasText: number }).waitFor();
    await page.getByTestId('latest-number').filter({ hasText: number }).waitFor();
    expect(resyncs.some((p) => /"after":\d+/.test(p))).toBe(true);
  });
});

describe('hall display where the browser blocks autoplay', () => {
  it('shows 点击启用语音播报 and announces after a tap', async () => {
    const { ctx, page } = await hall.open('/display', { width: 1920, height: 1080 }, { fastVoice: true });
    // Headless Chromium counts the test's navigation as a user gesture, so the policy is
    // simulated: play() rejects with NotAllowedError until the page has been clicked, as
    // Chromium's document-user-activation-required policy does on a hall PC.
    await ctx.addInitScript(() => {
      let activated = false;
      window.addEventListener('pointerdown', () => (activated = true), true);
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        if (!activated) return Promise.reject(new DOMException('play() failed because the user did not interact', 'NotAllowedError'));
        return play.call(this);
      };
    });
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __hallqSockets?: { connected: boolean }[] }).__hallqSockets?.[0]?.connected);
    const token = await openCounter(hall, '8', 'A1008');
    await hall.api('POST', '/api/v1/tickets', { service: 'temp-id-card' });
    await hall.api('POST', '/api/v1/counters/8/call-next', {}, token);
    const enable = page.getByRole('button', { name: '点击启用语音播报' });
    await enable.waitFor();
    await shot(page, 'display-enable-voice');
    await enable.click();
    await page.waitForFunction(() => document.querySelector('[data-testid=voice-state]')?.getAttribute('data-played') === '1', null, {
      timeout: 30_000,
    });
    expect(await enable.count()).toBe(0);
  });
});

describe('hall display at 1920×1080: readable across the hall', () => {
  it('names where each counter is and keeps its secondary text at 40 px or more', async () => {
    const { page } = await hall.open('/display', { width: 1920, height: 1080 }, { fastVoice: true });
    const tile = page.locator('[data-counter="3"]');
    await tile.getByTestId('counter-where').waitFor();
    expect(`${await tile.locator('h2').textContent()} ${await tile.getByTestId('counter-where').textContent()}`).toBe('3号窗口 → 左侧');
    // whole, not cut to "3号窗口 → …"
    const cut = await page.$$eval('.col h2, .col .where, .paused', (els) =>
      els.filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent),
    );
    expect(cut).toEqual([]);
    // every text that is not a called number: tile names, 未开放 badges, earlier numbers, waiting counts, the marquee
    const small = await page.$$eval('.col h2, .col .where, .paused, .prev li, .waiting h2, .waiting li, .marquee, .marquee *', (els) =>
      els
        .filter((el) => (el as HTMLElement).offsetParent !== null && (el.textContent ?? '').trim())
        .map((el) => [(el.textContent ?? '').trim().slice(0, 12), Number.parseFloat(getComputedStyle(el).fontSize)] as const)
        .filter(([, size]) => size < 40),
    );
    expect(small).toEqual([]);
    expect(await page.locator('.paused').count()).toBeGreaterThan(0); // closed counters are on screen, so were measured
    await shot(page, 'display-1920-secondary');
  });
});
