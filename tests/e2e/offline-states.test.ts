// The screens when the agent is out of reach, and back: the kiosk dims its choices, sends the
// citizen to the guide desk and calls the printer's state unknown; the counter console and the
// rating pad say they are offline; every banner goes once the connection is back.
// "Out of reach" is the browser's network switched off (Chromium's offline emulation) with the
// live socket dropped, as a pulled cable does.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, outOfView, openCounter, shot, signInCounter, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

async function cutOff(ctx: BrowserContext, page: Page): Promise<void> {
  await ctx.setOffline(true);
  await page.evaluate(() => {
    for (const s of (window as unknown as { __hallqSockets: { io: { engine: { close(): void } } }[] }).__hallqSockets) s.io.engine.close();
  });
}

describe('offline and back', () => {
  it('kiosk (landscape, large text): dimmed, 请到导办台, printer unknown; clears on reconnect', async () => {
    const { ctx, page } = await hall.open('/kiosk', { width: 1920, height: 1080 });
    await page.getByTestId('printer-state').filter({ hasText: '取号打印机正常' }).waitFor();
    await page.getByRole('button', { name: '长辈模式（大字）' }).click();
    await cutOff(ctx, page);
    const banner = page.getByTestId('kiosk-offline');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('系统暂时无法取号，请到导办台人工取号');
    expect(await banner.textContent()).toContain('取号打印机状态未知');
    expect(await page.getByText('取号打印机正常').count()).toBe(0);
    expect(await page.locator('button[data-service]:not([disabled])').count()).toBe(0);
    expect(await page.locator('.channels button:not([disabled])').count()).toBe(0);
    expect(await outOfView(page)).toEqual([]);
    await shot(page, 'kiosk-offline-landscape-elderly');

    await ctx.setOffline(false);
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('printer-state').filter({ hasText: '取号打印机正常' }).waitFor();
    await page.click('button[data-service=id-card]');
    await page.getByTestId('ticket-number').waitFor();
  });

  it('kiosk: a return code half typed stays on the screen through an outage, and can be sent only once back', async () => {
    const { ctx, page } = await hall.open('/kiosk', { width: 1080, height: 1920 });
    await page.getByText('补齐材料再次办理').click();
    const input = page.getByTestId('return-form').locator('input');
    await input.fill('AB3D');
    const send = page.getByTestId('return-form').getByRole('button', { name: '取号' });
    await cutOff(ctx, page);
    await page.getByTestId('kiosk-offline').waitFor();
    expect(await input.inputValue()).toBe('AB3D');
    expect(await send.isDisabled()).toBe(true);
    expect(await outOfView(page)).toEqual([]);
    await ctx.setOffline(false);
    await page.getByTestId('kiosk-offline').waitFor({ state: 'detached' });
    expect(await input.inputValue()).toBe('AB3D');
    expect(await send.isDisabled()).toBe(false);
  });

  it('kiosk: a press that finds no network sends the citizen to the guide desk, not a generic error', async () => {
    const { ctx, page } = await hall.open('/kiosk', { width: 1080, height: 1920 });
    await page.locator('button[data-service=id-card]').waitFor();
    await ctx.setOffline(true); // the socket has not noticed yet: the press is what finds out
    await page.click('button[data-service=id-card]');
    await page.getByTestId('kiosk-offline').waitFor();
    expect(await page.getByText('网络连接失败').count()).toBe(0);
    await ctx.setOffline(false);
  });

  it('counter console and rating pad: offline said, cleared on reconnect', async () => {
    const counter = await hall.open('/counter?counter=5', { width: 1366, height: 768 });
    await signInCounter(counter.page, 'A1005');
    await cutOff(counter.ctx, counter.page);
    const cBanner = counter.page.getByTestId('counter-offline');
    await cBanner.waitFor();
    expect(await cBanner.textContent()).toContain('与服务器断开');
    await shot(counter.page, 'counter-offline-1366');
    await counter.ctx.setOffline(false);
    await cBanner.waitFor({ state: 'detached' });

    await openCounter(hall, '6', 'A1006');
    const pad = await hall.open('/pad?counter=6', { width: 1024, height: 600 });
    await pad.page.getByTestId('staff-name').filter({ hasText: /\S/ }).waitFor();
    await cutOff(pad.ctx, pad.page);
    const pBanner = pad.page.getByTestId('pad-offline');
    await pBanner.waitFor();
    expect(await pBanner.textContent()).toContain('评价器暂时离线');
    expect(await outOfView(pad.page)).toEqual([]);
    await shot(pad.page, 'pad-offline');
    await pad.ctx.setOffline(false);
    await pBanner.waitFor({ state: 'detached' });
  });
});
