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
    const { page } = await hall.open('/display', { width: 1920, height: 1080 });
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
  });
});
