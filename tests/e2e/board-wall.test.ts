// The manager board on a 1920×1080 wall screen: one screen at wall-readable sizes (≥ 24 px),
// long lists scroll inside their panels, and a hall whose voice is down to the chime says so.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Hall, openCounter, pageScrolls, shot, signInBoard, startHall } from './support.js';

let hall: Hall;
const espeakBefore = process.env.HALLQ_ESPEAK;
beforeAll(async () => {
  process.env.HALLQ_ESPEAK = '/nonexistent/espeak-ng'; // a hall PC where espeak-ng is not installed
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
  if (espeakBefore === undefined) delete process.env.HALLQ_ESPEAK;
  else process.env.HALLQ_ESPEAK = espeakBefore;
});

const WALL = { width: 1920, height: 1080 };

/** the smallest font size of any visible element that holds text of its own */
const smallestText = (page: Page) =>
  page.$$eval('.board *', (els) => {
    let min = Number.POSITIVE_INFINITY;
    let which = '';
    for (const el of els) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
      if (!own || el.closest('.sr-only') || (el as HTMLElement).offsetParent === null) continue;
      const size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (size < min) {
        min = size;
        which = `${el.tagName}.${el.className} "${(el.textContent ?? '').trim().slice(0, 20)}"`;
      }
    }
    return { min, which };
  });

describe('manager board at 1920×1080', () => {
  it('fits one screen at ≥ 24 px with a long case list scrolling inside its panel, and shows the chime-only alert', async () => {
    const { page } = await hall.open('/board', WALL);
    await page.locator('#login-pin').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await signInBoard(page);

    // a busy day: many tickets waiting and a dozen bad ratings, each an open 整改 case
    const token = await openCounter(hall, '1', 'A1001');
    for (let i = 0; i < 12; i++) {
      await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
      await hall.api('POST', '/api/v1/counters/1/call-next', {}, token);
      await hall.api('POST', '/api/v1/counters/1/start', {}, token);
      await hall.api('POST', '/api/v1/counters/1/finish', {}, token);
      const r = await hall.api('POST', '/api/v1/counters/1/rating', { level: 1, reasons: ['attitude'] });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    for (let i = 0; i < 20; i++) await hall.api('POST', '/api/v1/tickets', { service: i % 2 ? 'hukou-move' : 'id-card' });
    await page.getByTestId('ratings-total').filter({ hasText: '12' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('voice-alert').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_000);
    await shot(page, 'board-wall-1920');

    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    const small = await smallestText(page);
    expect(small.min, small.which).toBeGreaterThanOrEqual(24);
    // the long lists scroll inside their panels
    const scrolling = await page.$$eval('.grid > .panel', (ps) => ps.filter((p) => p.scrollHeight > p.clientHeight + 1).length);
    expect(scrolling).toBeGreaterThan(0);
    for (const box of await page.$$eval('.grid > .panel', (ps) => ps.map((p) => p.getBoundingClientRect().bottom))) {
      expect(box).toBeLessThanOrEqual(1080);
    }
    expect(await axeViolations(page)).toEqual([]);
  });
});
