import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairCode } from '../helpers/agent.js';
import { type Hall, startHall } from '../e2e/support.js';

// The screens run under the agent's CSP with no violation, and an unpaired kiosk shows the pairing
// screen instead of issuing tickets; a pairing code typed there registers it.

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('screens in Chromium', () => {
  it('every screen loads under the Content-Security-Policy without a violation', async () => {
    const screens: [string, string][] = [
      ['/kiosk', 'button[data-service=id-card]'],
      ['/display', 'body'],
      ['/pad?counter=1', 'body'],
      ['/counter?counter=1', '#l-staff'],
      ['/board', '#login-pin'],
      ['/sim', 'body'],
      ['/', 'body'],
    ];
    for (const [path, selector] of screens) {
      const { page, ctx } = await hall.open(path);
      await page.waitForSelector(selector, { timeout: 20_000 }).catch((e) => {
        throw new Error(`${path}: ${e.message}`);
      });
      await page.waitForTimeout(500);
      await ctx.close();
    }
    expect(hall.cspViolations).toEqual([]);
  }, 240_000);

  it('an unpaired kiosk shows the pairing screen; a code from the board pairs it', async () => {
    const { page } = await hall.open('/kiosk', { width: 1080, height: 1920 }, { terminal: null });
    await page.getByTestId('pairing').waitFor();
    expect(await page.locator('button[data-service]').count()).toBe(0);
    await page.fill('#pair-code', 'WRONGCODE1');
    await page.click('[data-testid=pairing] button[type=submit]');
    await page.getByRole('alert').waitFor();
    await page.fill('#pair-code', await pairCode(hall.agent.baseUrl, 'kiosk-1'));
    await page.click('[data-testid=pairing] button[type=submit]');
    await page.waitForSelector('button[data-service=id-card]');
    expect(await page.evaluate(() => localStorage.getItem('hallq.terminal'))).toBeTruthy();
    expect(hall.cspViolations).toEqual([]);
  });

  it('the board’s staff panel adds a staff member and shows it in the audit log', async () => {
    const { page } = await hall.open('/board#staff', { width: 1600, height: 1000 });
    await page.fill('#login-pin', '9999');
    await page.click('button[type=submit]');
    const panel = page.getByTestId('board-security');
    await panel.getByTestId('staff-admin').waitFor();
    const form = panel.getByTestId('staff-add');
    await form.locator('input').nth(0).fill('A4001');
    await form.locator('input').nth(1).fill('吴倩');
    await form.locator('input').nth(2).fill('2468');
    await form.locator('button[type=submit]').click();
    await panel.locator('[data-staff=A4001]').waitFor();
    // the action's label from the vocabulary, never the raw name (staff.add)
    await panel.getByTestId('audit-log').getByText('新增人员 · A4001').waitFor();
    // the entry's time in hall time, 24-hour (it followed the browser's locale: "12/6/2026, 5:17:05 PM")
    const entry = await panel.getByTestId('audit-log').locator('li', { hasText: '新增人员 · A4001' }).first().textContent();
    expect(entry).toMatch(/^\d{2}-\d{2} \d{2}:\d{2} · /);
    expect(await panel.getByTestId('audit-log').textContent()).not.toMatch(/\b(staff|terminal|session|counter)\.[a-zA-Z]+/);
    await panel.getByRole('button', { name: '生成配对码' }).first().click();
    await panel.getByTestId('pair-code').waitFor();
    // the signed-in board's other panels (each on its tab) load their data under the same CSP (and with the
    // manager's rights)
    for (const [tab, id] of [
      ['专项工作', 'board-campaign'],
      ['报表', 'board-reports'],
      ['整改与办件', 'board-cases'],
      ['人员与设备', 'board-notices'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByTestId(id).first().waitFor({ timeout: 20_000 });
    }
    // the sync panel answers from GET /api/v1/sync/status (manager): the demo hall has no upstream
    await page.getByRole('tab', { name: '大厅实时' }).click();
    await page.locator('[data-testid=board-sync], [data-testid=sync-off]').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    expect(hall.cspViolations).toEqual([]);
  });
});
