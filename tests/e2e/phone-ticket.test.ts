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
  it('updates by fetch, shows the number now called and the update time, and follows a transfer', async () => {
    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    expect(issued.status).toBe(201);
    const { page } = await hall.open(new URL(issued.body.statusUrl).pathname, PHONE);
    expect(await page.locator('meta[http-equiv="refresh" i]').count()).toBe(0);
    await page.getByText('等候中').waitFor();
    await page.getByText('更新于').waitFor();
    const firstTime = await page.locator('.upd time').textContent();
    const polls: string[] = [];
    page.on('request', (r) => r.url().includes('/status') && polls.push(r.url()));

    const token = await openCounter(hall, '1', 'A1001');
    const called = await hall.api('POST', '/api/v1/counters/1/call-next', {}, token);
    expect(called.body.ticket.number).toBe(issued.body.ticket.number);
    // the page updates in place (no reload): the number now called at counter 1 is ours
    await page.getByText('已叫号，请到窗口 · 1号窗口').waitFor({ timeout: 25_000 });
    await page.locator('.calling li', { hasText: `${issued.body.ticket.number} 号 → 1号窗口` }).waitFor();
    expect(polls.length).toBeGreaterThan(0);
    expect(await page.locator('.upd time').textContent()).not.toBe(firstTime);
    await shot(page, 'phone-ticket-called');

    // the counter transfers the ticket to 户口迁移: the page follows it, same number
    await hall.api('POST', '/api/v1/counters/1/start', {}, token);
    const moved = await hall.api('POST', '/api/v1/counters/1/transfer', { service: 'hukou-move' }, token);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await page.getByText('已转办至此业务').waitFor({ timeout: 25_000 });
    await page.locator('[data-state=waiting]').waitFor();
    expect(await page.locator('.num').textContent()).toBe(issued.body.ticket.number);
    await page.getByText(/前面还有 \d+ 人/).waitFor();
    await shot(page, 'phone-ticket-transferred');

    expect(await pageScrolls(page)).toMatchObject({ x: false });
    expect(await axeViolations(page)).toEqual([]);
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
