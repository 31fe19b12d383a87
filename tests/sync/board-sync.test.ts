// The manager board's 上报状态 panel in Chromium: unsent records and the error while the hub is
// unreachable, then zero unsent once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../hub/db/local-server.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { type Browsers, launchBrowser } from '../helpers/browser.js';
import type { TestAgent } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { registerHalls } from '../hub/harness.js';
import { hallActivity, startSyncAgent } from './fixtures.js';

let pg: TestPostgres;
let hub: RunningHub | null = null;
let agent: TestAgent;
let browsers: Browsers;
let port: number;

beforeAll(async () => {
  pg = await startTestPostgres();
  port = await freePort();
  agent = await startSyncAgent(`http://127.0.0.1:${port}`);
  browsers = await launchBrowser();
});
afterAll(async () => {
  await browsers?.close();
  await agent?.stop();
  await hub?.close();
  await pg?.destroy();
});

describe('board: upward sync panel', () => {
  it('shows unsent records and the error while the hub is down, and none once it is back', async () => {
    hallActivity(agent.hall.ctx.engine, 3);
    const ctx = await browsers.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(`${agent.baseUrl}/board`);
    await page.fill('#login-pin', '9999');
    await page.click('button[type=submit]');
    const panel = page.getByTestId('board-sync');
    await panel.waitFor();
    expect(Number(await page.getByTestId('sync-pending').textContent())).toBeGreaterThan(5);
    await page
      .getByText(/network/)
      .first()
      .waitFor({ timeout: 30_000 });

    hub = await startHub({ databaseUrl: pg.url, port });
    await registerHalls(hub);
    // The panel re-reads every 15 s.
    await page.getByTestId('sync-pending').filter({ hasText: /^0$/ }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sync-parked').textContent()).toBe('0');
  });
});
