// The kiosk on its two real screens (1080×1920 portrait, 1920×1080 landscape): the printer's
// state before a choice, a result that names the counters and shows the QR, an elderly mode
// that fits one screen and ends on 返回首页, typing-free 办不成事, and Chinese messages first.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Hall, pageScrolls, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

const SIZES = [
  { name: 'portrait', viewport: { width: 1080, height: 1920 } },
  { name: 'landscape', viewport: { width: 1920, height: 1080 } },
];

/** the page does not scroll and the home view needs no scrolling inside main either */
async function fitsOneScreen(page: Page): Promise<{ page: { x: boolean; y: boolean }; main: number }> {
  const scroll = await pageScrolls(page);
  const main = await page.$eval('main', (m) => m.scrollHeight - m.clientHeight);
  return { page: { x: scroll.x, y: scroll.y }, main };
}

/**
 * parts of a service button that are cut off: each shown part (name, description, waiting count) must
 * lie inside its button, and the name must be whole. A part the row has no room for is left out.
 */
async function cutServiceParts(page: Page): Promise<string[]> {
  return page.$$eval('button[data-service]', (buttons) =>
    buttons.flatMap((b) => {
      const box = b.getBoundingClientRect();
      const parts = [...b.querySelectorAll<HTMLElement>('.name, .desc, .wait')];
      return parts
        .filter((p) => getComputedStyle(p).display !== 'none')
        .filter((p) => {
          const r = p.getBoundingClientRect();
          const outside = r.top < box.top - 1 || r.bottom > box.bottom + 1 || r.left < box.left - 1 || r.right > box.right + 1;
          const truncated = p.classList.contains('name') && (p.scrollWidth > p.clientWidth + 1 || p.scrollHeight > p.clientHeight + 1);
          return outside || truncated;
        })
        .map((p) => `${b.dataset.service} ${p.className.split(' ')[0]}: ${(p.textContent ?? '').trim().slice(0, 20)}`);
    }),
  );
}

const printerId = async () => {
  const sim = await hall.api('GET', '/api/v1/devices');
  return (sim.body.devices as { id: string; kind: string }[]).find((d) => d.kind === 'ticketPrinter')!.id;
};

describe.each(SIZES)('kiosk $name', ({ name, viewport }) => {
  it('fits one screen in normal and elderly mode; 返回首页 ends the elderly mode', async () => {
    const { page } = await hall.open('/kiosk', viewport);
    await page.locator('button[data-service]').first().waitFor();
    await page.getByTestId('printer-state').filter({ hasText: '取号打印机正常' }).waitFor();
    expect(await fitsOneScreen(page)).toEqual({ page: { x: false, y: false }, main: 0 });
    expect(await cutServiceParts(page)).toEqual([]);
    expect(await page.locator('button[data-service] .wait').first().isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: '长辈模式（大字）' }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
    await shot(page, `kiosk-elderly-${name}`);
    expect(await fitsOneScreen(page)).toEqual({ page: { x: false, y: false }, main: 0 });
    // every service name whole in large text: the reason the mode exists
    expect(await cutServiceParts(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);

    // a ticket in elderly mode: the result names the counters and shows the QR (printing works)
    await page.locator('button[data-service=id-card]').click();
    await page.getByTestId('ticket-number').waitFor();
    const where = await page.getByTestId('result-counters').textContent();
    expect(where).toContain('请留意叫号，到以下窗口办理');
    expect(where).toMatch(/1号窗口/);
    expect(await page.locator('[data-testid=result-qr] svg').count()).toBe(1);
    await shot(page, `kiosk-result-${name}`);
    // on the screen as it is, without scrolling: the counters, the QR and the way back
    const mainBottom = await page.$eval('main', (m) => m.getBoundingClientRect().bottom);
    for (const sel of ['[data-testid=result-counters]', '[data-testid=result-qr]', 'text=完成，返回首页']) {
      const box = await page.locator(sel).boundingBox();
      expect(box && box.y + box.height <= mainBottom, sel).toBe(true);
    }
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '完成，返回首页' }).click();
    await page.locator('button[data-service]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(false);
  });

  it('says the printer is out of paper before the citizen chooses', async () => {
    const id = await printerId();
    const { page } = await hall.open('/kiosk', viewport);
    await page.getByTestId('printer-state').waitFor();
    await hall.api('POST', `/api/v1/sim/${id}`, { type: 'paper', state: 'out' });
    try {
      await page.getByTestId('printer-state').filter({ hasText: '暂时无法出票' }).waitFor({ timeout: 15_000 });
      expect(await fitsOneScreen(page)).toEqual({ page: { x: false, y: false }, main: 0 });
      await shot(page, `kiosk-printer-out-${name}`);
    } finally {
      await hall.api('POST', `/api/v1/sim/${id}`, { type: 'paper', state: 'ok' });
    }
    await page.getByTestId('printer-state').filter({ hasText: '取号打印机正常' }).waitFor({ timeout: 15_000 });
  });
});

describe('kiosk 办不成事 without typing, Chinese messages first (portrait)', () => {
  it('takes a quick choice and a phone by keypad; a 2,240-character text gets a Chinese message', async () => {
    const { page } = await hall.open('/kiosk', { width: 1080, height: 1920 });
    await page.getByRole('button', { name: /办不成事反映/ }).click();
    await page.getByRole('button', { name: '多次往返仍未办成' }).click();
    for (const d of '13800138000') await page.locator('.pad button', { hasText: new RegExp(`^${d}$`) }).click();
    expect(await page.inputValue('#rep-contact')).toBe('13800138000');
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'kiosk-report-keypad');

    await page.fill('#rep-desc', '材'.repeat(2240));
    await page.getByTestId('rep-count').filter({ hasText: '已超出 240 字' }).waitFor();
    await page.getByRole('button', { name: '提交' }).click();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('最多 2000 字');
    expect(alert).not.toMatch(/[A-Za-z]{3,}/);
    expect(
      (await hall.api('GET', '/api/v1/events?after=0&limit=1000')).body.events.some(
        (e: { type: string }) => e.type === 'report.unresolved',
      ),
    ).toBe(false);

    await page.getByRole('button', { name: '多次往返仍未办成' }).click();
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('已收到您的反映').waitFor();
  });
});
