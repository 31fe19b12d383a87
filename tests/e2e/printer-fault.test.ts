// A printer fault that the heartbeat has not seen yet: the cover is opened just before a citizen
// presses a service, so the ticket POST still answers print.status "queued" and the job is written.
// The status poll right behind the job finds the open cover → print.failed → the kiosk's `print`
// event → the number stays on screen with a QR and "请到导办台". The ticket is never printed later.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceManagerImpl } from '../../agent/devices/manager.js';
import type { VirtualPrinter } from '../../drivers/sim/printer.js';
import { launchBrowser, type Browsers } from '../helpers/browser.js';
import { api, managerToken, pairCode, startTestAgent, type TestAgent } from '../helpers/agent.js';

const SHOTS = resolve(import.meta.dirname, '../../test-results/e2e');
const KIOSK = { width: 1080, height: 1920 };

let agent: TestAgent;
let browsers: Browsers;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  agent = await startTestAgent();
  browsers = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browsers?.close();
  await agent?.stop();
});

async function until(what: string, fn: () => boolean, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function openKiosk(): Promise<Page> {
  const ctx = await browsers.newContext({ viewport: KIOSK });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (err) => console.error('[kiosk] page error:', err.message));
  // a registered kiosk: the link carries a one-time pairing code, as the board hands out
  await page.goto(`${agent.baseUrl}/kiosk?pair=${await pairCode(agent.baseUrl, 'kiosk-1')}`);
  await page.waitForSelector('button[data-service=id-card]');
  return page;
}

describe('kiosk: printer cover opened just before the press', () => {
  it('POST says queued, the job fails on confirmation, the kiosk shows number + QR + 请到导办台, nothing is printed', async () => {
    const devices = agent.hall.ctx.devices as DeviceManagerImpl;
    const bound = devices.bound.find((d) => d.cfg.kind === 'ticketPrinter')!;
    const printer = bound.sim as VirtualPrinter;
    await until('printer online', () => bound.cell.status === 'online');
    const events: Array<{ ticketId?: string; ok: boolean; reason?: string }> = [];
    const page = await openKiosk();
    // the kiosk's own socket is not reachable from here: watch the hall bus for the same event
    agent.hall.ctx.bus.on('print.failed', (p) => events.push({ ...p, ok: false }));
    agent.hall.ctx.bus.on('print.done', (p) => events.push({ ...p, ok: true }));
    const pagesBefore = printer.pages.length;
    const manager = await managerToken(agent.baseUrl);

    // Right after a heartbeat reply the next poll is ~500 ms away: open the cover then, and press.
    await new Promise<void>((ok) => {
      let armed = true;
      bound.link.onData(() => {
        if (armed) {
          armed = false;
          setTimeout(ok, 5); // let the rest of the reply bytes in
        }
      });
    });
    const cover = await api(agent.baseUrl, 'POST', '/api/v1/sim/printer-1', { type: 'cover', open: true }, manager);
    expect(cover.status).toBe(200);
    const response = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST');
    await page.click('button[data-service=id-card]');
    const body = (await (await response).json()) as {
      ticket: { id: string; number: string };
      print: { status: string };
      statusUrl: string;
    };
    expect(body.print.status).toBe('queued');

    const fault = page.getByTestId('print-fault');
    await fault.waitFor({ timeout: 5000 });
    expect(await page.getByTestId('ticket-number').textContent()).toBe(body.ticket.number);
    expect(await fault.textContent()).toContain('请到导办台');
    expect(await page.locator('[data-testid=print-fault] svg').count()).toBe(1);
    await page.screenshot({ path: resolve(SHOTS, 'kiosk-printer-cover-fault.png') });

    const failed = events.find((e) => e.ticketId === body.ticket.id);
    expect(failed).toMatchObject({ ok: false });
    expect(failed?.reason).toMatch(/cover open/);
    expect(devices.list().find((d) => d.id === 'printer-1')?.status).toBe('coverOpen');

    // close the cover: the printer comes back, the failed ticket is not printed after all
    await api(agent.baseUrl, 'POST', '/api/v1/sim/printer-1', { type: 'cover', open: false }, manager);
    await until('printer back online', () => devices.list().find((d) => d.id === 'printer-1')?.status === 'online');
    await new Promise((r) => setTimeout(r, 1200));
    expect(printer.pages.length).toBe(pagesBefore);
    // the QR carries the ticket's public id (its status URL), never date + number
    expect(printer.pages.some((p) => p.qr.some((q) => q === body.statusUrl || q.includes(body.ticket.id)))).toBe(false);
    expect(events.filter((e) => e.ticketId === body.ticket.id)).toHaveLength(1);
  }, 30_000);
});
