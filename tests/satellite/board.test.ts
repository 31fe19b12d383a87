import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Browsers, launchBrowser } from '../helpers/browser.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { ROOT } from './support.js';

/** The manager board in Chromium, with the demo hall's satellite played by a hand-made /device client. */
let agent: TestAgent;
let browsers: Browsers;
let page: Page;
const sockets: Socket[] = [];

async function satelliteOnline(clock: number): Promise<Socket> {
  const s = io(`${agent.baseUrl}/device`, {
    auth: { satellite: 'demo-entrance-pc', token: 'demo-satellite-token-not-for-production' },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(s);
  await new Promise<void>((ok, fail) => {
    s.on('connect', () => ok());
    s.on('connect_error', fail);
  });
  await s.emitWithAck('hello', {
    version: '0.1.0',
    clock,
    stream: randomUUID(),
    devices: [{ id: 'printer-2', kind: 'ticketPrinter', protocol: 'escpos', transport: 'sim', status: 'paperOut', since: Date.now() }],
  });
  return s;
}

beforeAll(async () => {
  agent = await startTestAgent({ config: join(ROOT, 'config/demo-hall-satellites.yaml') });
  browsers = await launchBrowser();
  const ctx = await browsers.newContext({ viewport: { width: 1600, height: 1000 } });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`${agent.baseUrl}/board`);
  await page.fill('#login-pin', '9999');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=board-services]');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await browsers?.close();
  await agent?.stop();
});

describe('manager board: satellite PCs', () => {
  it('shows the satellite away, then online with its version and device states, a clock warning, and away again', async () => {
    const sat = page.locator('[data-satellite=demo-entrance-pc]');
    await sat.filter({ hasText: '离线' }).waitFor({ timeout: 15_000 });
    // its devices are alerts while it is away
    await page.getByTestId('board-alerts').locator('[data-device=printer-2]').waitFor({ timeout: 15_000 });

    const s = await satelliteOnline(Date.now() + 90_000);
    await sat.filter({ hasText: '在线' }).waitFor({ timeout: 15_000 });
    await sat.filter({ hasText: '0.1.0' }).waitFor();
    await sat.filter({ hasText: '缺纸' }).waitFor(); // printer-2 as the satellite reports it
    await sat.getByRole('alert').filter({ hasText: '时钟偏差' }).waitFor();
    await page.screenshot({ path: join(ROOT, 'test-results/e2e/board-satellites.png') });

    s.close();
    await sat.filter({ hasText: '离线' }).waitFor({ timeout: 15_000 });
  }, 90_000);
});
