// The ticket page behind the QR code, on a 390×844 phone: it updates itself without a meta
// refresh, follows a transfer, names the numbers now called and when it was last updated.
// Also the CJK font check: Chinese must render with a real font, not empty boxes.
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

const PHONE = { width: 390, height: 844 };

/** the platform font Chromium actually used for the text of `selector` (CDP) */
async function platformFonts(page: Page, selector: string): Promise<{ familyName: string; glyphCount: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

describe('phone ticket page (390×844)', () => {
  it('follows the call live over its event stream (no re-read), alerts, and follows a transfer', async () => {
    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    expect(issued.status).toBe(201);
    const { page } = await hall.open(new URL(issued.body.statusUrl).pathname, PHONE);
    expect(await page.locator('meta[http-equiv="refresh" i]').count()).toBe(0);
    await page.getByText('等候中').waitFor();
    await page.getByText('更新于').waitFor();
    // the stream is open before anything happens: what follows arrives by push, not by the 10 s re-read
    await page.locator('#status[data-live=stream]').waitFor({ state: 'attached' });
    const firstTime = await page.locator('.upd time').textContent();
    const rereads: string[] = [];
    page.on('request', (r) => /\/api\/v1\/tickets\/[^/]+\/status/.test(r.url()) && rereads.push(r.url()));

    const token = await openCounter(hall, '1', 'A1001');
    const called = await hall.api('POST', '/api/v1/counters/1/call-next', {}, token);
    expect(called.body.ticket.number).toBe(issued.body.ticket.number);
    // the page updates in place (no reload): the number now called at counter 1 is ours
    await page.getByText('已叫号，请到窗口 · 1号窗口').waitFor();
    await page.locator('.calling li', { hasText: `${issued.body.ticket.number} 号 → 1号窗口` }).waitFor();
    expect(rereads).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.dataset.called)).toBeTruthy(); // the 叫号提醒 fired
    expect(await page.locator('.upd time').textContent()).not.toBe(firstTime);
    await shot(page, 'phone-ticket-called');

    // the counter transfers the ticket to 户口迁移: the page follows it, same number, and no longer
    // shows our own number as called at counter 1
    await hall.api('POST', '/api/v1/counters/1/start', {}, token);
    const moved = await hall.api('POST', '/api/v1/counters/1/transfer', { service: 'hukou-move' }, token);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await page.getByText('已转办至此业务').waitFor();
    await page.locator('[data-state=waiting]').waitFor();
    expect(await page.locator('.num').textContent()).toBe(issued.body.ticket.number);
    await page.getByText(/前面还有 \d+ 人/).waitFor();
    expect(await page.locator('.calling').textContent()).not.toContain(issued.body.ticket.number);
    expect(rereads).toEqual([]);
    await shot(page, 'phone-ticket-transferred');

    expect(await pageScrolls(page)).toMatchObject({ x: false });
    expect(await axeViolations(page)).toEqual([]);

    // finished at counter 3: 扫码评价 on the phone, once; the pad cannot rate it again
    const t3 = await openCounter(hall, '3', 'A1003');
    await hall.api('POST', '/api/v1/counters/3/call-next', {}, t3);
    await hall.api('POST', '/api/v1/counters/3/start', {}, t3);
    await hall.api('POST', '/api/v1/counters/3/finish', {}, t3);
    await page.getByRole('heading', { name: '扫码评价' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'phone-ticket-rate');
    const publicId = new URL(issued.body.statusUrl).pathname.split('/').pop()!;
    const forged = await hall.api('POST', `/api/v1/tickets/${publicId}/rating`, { token: 'x'.repeat(22), level: 1, reasons: ['attitude'] });
    expect(forged.status).toBe(403);
    await page.getByRole('button', { name: '不满意', exact: true }).click();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('请至少选择一个原因').waitFor();
    await page.getByLabel('效率').check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价！').waitFor();
    const events = (await hall.api('GET', '/api/v1/events?after=0&limit=1000')).body.events as {
      type: string;
      data: { level: number; source: string };
    }[];
    const ratings = events.filter((e) => e.type === 'rating.recorded');
    expect(ratings.map((e) => [e.data.level, e.data.source])).toEqual([[2, 'web']]);
    // one rating per ticket: the page opened again offers no form — also when the rating script arrives after
    // the first status (a slow phone network: both scripts are deferred and a status fetch can land between them)
    await page.route('**/t/-/rate.js', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.reload();
    await page.getByText('本次办件已评价').waitFor();
    expect(await page.locator('#rate [data-level]').count()).toBe(0);
  });

  it('answers an unknown ticket with a Chinese page and a 404, and the JSON with the API error shape', async () => {
    const { page } = await hall.open('/t/no-such-ticket', PHONE);
    await page.getByText('没有找到这张号票').waitFor();
    const json = await hall.api('GET', '/api/v1/tickets/no-such-ticket/status');
    expect(json.status).toBe(404);
    expect(json.body.error.message).toBe('没有找到这张号票');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('renders Chinese with a real CJK font, not a fallback box', async () => {
    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    const { page } = await hall.open(new URL(issued.body.statusUrl).pathname, PHONE);
    await page.getByText('等候中').waitFor();
    const fonts = await platformFonts(page, 'h1');
    expect(fonts.map((f) => f.familyName).join(', ')).toMatch(/WenQuanYi|Noto Sans CJK|Source Han|Droid Sans Fallback/);
    expect(fonts.reduce((n, f) => n + f.glyphCount, 0)).toBeGreaterThan(2);
    // two different characters must draw two different shapes: a missing font draws the same box twice
    const differs = await page.evaluate(() => {
      const draw = (ch: string) => {
        const c = document.createElement('canvas');
        c.width = c.height = 48;
        const g = c.getContext('2d')!;
        g.font = `40px ${getComputedStyle(document.body).fontFamily}`;
        g.fillText(ch, 4, 40);
        return Array.from(g.getImageData(0, 0, 48, 48).data).join(',');
      };
      return draw('国') !== draw('办') && draw('国') !== draw('\u{10FFFD}');
    });
    expect(differs).toBe(true);
    expect(await page.evaluate(() => document.fonts.check('24px "WenQuanYi Micro Hei"', '国'))).toBe(true);
  });
});
