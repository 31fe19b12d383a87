// The manager board on a 1920×1080 wall screen: the live hall fills the first screen at wall-readable
// sizes (≥ 24 px) with every service and every counter in view, long lists scroll inside their panels,
// the manager's work in tabs of one screen each (also at 1366×768), and a hall whose voice is down to
// the chime says so.
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
  it('shows the live hall on one screen at ≥ 24 px, all services and counters in view, and the chime-only alert', async () => {
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

    expect(await pageScrolls(page)).toMatchObject({ x: false });
    const small = await smallestText(page);
    expect(small.min, small.which).toBeGreaterThanOrEqual(24);
    // the live zone is the first screen, whole: nothing of it below the fold
    const live = await page.getByTestId('board-live').boundingBox();
    expect(live!.y + live!.height).toBeLessThanOrEqual(1080);
    for (const bottom of await page.$$eval('[data-testid=board-live] > .panel', (ps) => ps.map((p) => p.getBoundingClientRect().bottom)))
      expect(bottom).toBeLessThanOrEqual(1080);
    // every service row and every counter card is in view, not behind a panel's scroll
    const cut = (id: string) =>
      page.$eval(`[data-testid=${id}]`, (p) => {
        const box = p.getBoundingClientRect();
        return [...p.querySelectorAll('tbody tr, .counter, li')]
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.height > 0 && (r.top < box.top - 1 || r.bottom > box.bottom + 1);
          })
          .map((el) => (el.textContent ?? '').trim().slice(0, 20));
      });
    expect(await cut('panel-services')).toEqual([]);
    expect(await cut('panel-counters')).toEqual([]);
    expect(await page.locator('[data-testid=panel-services] tbody tr').count()).toBe(7);
    // the twelve bad ratings scroll inside their panel instead of pushing the screen longer
    expect(await page.$eval('.ratings', (p) => p.scrollHeight > p.clientHeight + 1)).toBe(true);
    // the manager's work: one tab each, every one a single screen at the wall's size and at a
    // manager's 1366×768, the page never scrolling (a long list scrolls inside its panel)
    for (const size of [WALL, { width: 1366, height: 768 }]) {
      await page.setViewportSize(size);
      for (const name of ['大厅实时', '人员与设备', '整改与办件', '报表', '专项工作']) {
        await page.getByRole('tab', { name }).click();
        const panel = page.locator('[role=tabpanel]:not([hidden])');
        await panel.waitFor();
        expect(await page.getByRole('tab', { name }).getAttribute('aria-selected')).toBe('true');
        expect(await pageScrolls(page), `${name} at ${size.width}`).toMatchObject({ x: false, y: false });
        const box = await panel.boundingBox();
        expect(box!.y + box!.height, `${name} at ${size.width}`).toBeLessThanOrEqual(size.height + 1);
        if (size === WALL) expect(await axeViolations(page), name).toEqual([]); // the markup is the same at both sizes
        await shot(page, `board-tab-${size.width}-${name}`);
      }
    }
    // 人员与设备 at 1366×768: a refused field is said in Chinese beside it; a pairing code appears in
    // the row that asked for it, with a QR, in view
    await page.getByRole('tab', { name: '人员与设备' }).click();
    const add = page.getByTestId('staff-add');
    await add.getByLabel('工号').fill('A2001');
    await add.getByLabel('姓名').fill('新同事');
    await add.getByLabel('初始密码').fill('12');
    await add.getByRole('button', { name: '添加人员' }).click();
    expect(await page.getByTestId('field-error-pin').textContent()).toBe('密码须为 4 至 12 位数字');
    expect(await add.getByLabel('初始密码').getAttribute('aria-invalid')).toBe('true');
    const row = page.locator('[data-testid=terminals] tr').filter({ hasText: 'pad-3' });
    await row.getByRole('button', { name: '生成配对码' }).click();
    const code = page.getByTestId('pair-code');
    await code.waitFor();
    // directly under its row
    expect(await row.evaluate((tr) => tr.nextElementSibling?.querySelector('[data-testid=pair-code]') !== null)).toBe(true);
    expect(await code.locator('svg').count()).toBe(1);
    expect(await code.textContent()).toMatch(/配对码 \S+/);
    expect(
      await code.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight;
      }),
    ).toBe(true);
    await shot(page, 'board-pair-code-1366');
    expect(await axeViolations(page)).toEqual([]);
    // the monthly report gives minutes in words, not 6.8′
    await page.getByRole('tab', { name: '报表' }).click();
    await page.getByTestId('report-table').waitFor();
    expect(await page.getByTestId('report-table').textContent()).not.toContain('′');

    // the tab is in the address: a reload opens it again
    await page.getByRole('tab', { name: '整改与办件' }).click();
    await page.reload();
    await page.getByTestId('board-cases').waitFor();
    expect(await page.getByRole('tab', { name: '整改与办件' }).getAttribute('aria-selected')).toBe('true');
  }, 120_000);
});
