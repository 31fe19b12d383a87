// The rating pad on its real 1024×600 screen: labels whole, the reasons view with its
// countdown on one screen, and a double tap counted once without telling the citizen off.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Hall, openCounter, pageScrolls, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

const PAD = { width: 1024, height: 600 };

async function serveOne(token: string, counter: string): Promise<void> {
  await hall.api('POST', '/api/v1/tickets', { service: 'residence-permit' });
  await hall.api('POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  await hall.api('POST', `/api/v1/counters/${counter}/start`, {}, token);
  expect((await hall.api('POST', `/api/v1/counters/${counter}/finish`, {}, token)).status).toBe(200);
}

/** labels that wrap onto a second line (非常满/意) */
const brokenLabels = (page: Page) =>
  page.$$eval('.level .label, .reason', (els) =>
    els
      .filter((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        return tops.size > 1 || el.scrollWidth > el.clientWidth + 1;
      })
      .map((el) => el.textContent),
  );

const inViewport = (page: Page, selector: string) =>
  page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
  });

describe('rating pad at 1024×600', () => {
  it('keeps every label whole and the reasons view with its countdown on one screen', async () => {
    const token = await openCounter(hall, '5', 'A1005');
    const { page } = await hall.open('/pad?counter=5', PAD);
    await page.locator('[data-live=true]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await serveOne(token, '5');
    await page.locator('button[data-level="1"]').waitFor();
    expect(await brokenLabels(page)).toEqual([]);
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    expect(await inViewport(page, '[data-testid=countdown]')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'pad-rate-1024');

    await page.locator('button[data-level="1"]').click();
    await page.locator('button[data-reason=attitude]').waitFor();
    expect(await brokenLabels(page)).toEqual([]);
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    for (const sel of ['[data-testid=countdown]', 'button[data-reason=other]', '#pad-comment'])
      expect(await inViewport(page, sel), sel).toBe(true);
    expect(
      await page
        .getByRole('button', { name: '提交评价' })
        .boundingBox()
        .then((b) => b!.y + b!.height),
    ).toBeLessThanOrEqual(600);
    expect(await page.getByTestId('countdown').textContent()).toMatch(/\d+ 秒后自动结束/);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'pad-reasons-1024');
    await page.locator('button[data-reason=attitude]').click();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价').waitFor();
  });

  it('counts a double tap as one rating, and says nothing about it', async () => {
    const token = await openCounter(hall, '6', 'A1006');
    const { page } = await hall.open('/pad?counter=6', PAD);
    await page.locator('[data-live=true]').waitFor();
    await serveOne(token, '6');
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/counters/6/rating') && posts.push(r.url()));
    const button = page.locator('button[data-level="5"]');
    await button.waitFor();
    await button.dblclick();
    await page.getByText('感谢您的评价').waitFor();
    await page.waitForTimeout(800);
    expect(posts).toHaveLength(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    const events = await hall.api('GET', '/api/v1/events?after=0&limit=1000');
    const rated = events.body.events.filter((e: { type: string; counter?: string }) => e.type === 'rating.recorded' && e.counter === '6');
    expect(rated).toHaveLength(1);
  });
});
