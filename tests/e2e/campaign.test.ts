// Campaign flows in Chromium: the kiosk's closed state (calendar in force, injected clock), the
// notice-slip return code at the kiosk, "my cases" at the counter console, and the board's
// campaign-case and report panels.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, pairCode, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { launchBrowser, type Browsers } from '../helpers/browser.js';
import { type Hall, openCounter, shot, signInBoard, signInCounter, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('kiosk, counter and board in the demo hall', () => {
  it('a citizen back with the notice slip code gets a ticket for the owner counter at the kiosk', async () => {
    const token = await openCounter(hall, '1', 'A1001');
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    await hall.api('POST', '/api/v1/counters/1/call-next', {}, token);
    await hall.api('POST', '/api/v1/counters/1/start', {}, token);
    const notice = await hall.api('POST', '/api/v1/counters/1/notice', { missingMaterialIds: ['hukou-book'] }, token);
    expect(notice.status).toBe(201);
    await hall.api('POST', '/api/v1/counters/1/finish', {}, token);
    const code = notice.body.notice.returnCode as string;

    const { page } = await hall.open('/kiosk');
    // as a citizen finds it: connected, the printer known
    await page.getByTestId('printer-state').filter({ hasText: '取号打印机正常' }).waitFor();
    await page.getByText('补齐材料再次办理').click();
    await page
      .getByTestId('return-form')
      .locator('input')
      .fill(`${code.slice(0, 4)}-${code.slice(4)}`);
    await page.getByTestId('return-form').locator('button[type=submit]').click();
    const issued = page.getByTestId('return-ticket');
    await issued.waitFor();
    expect(await issued.textContent()).toMatch(/A\d{3}.*1号窗口/);
    await shot(page, 'kiosk-return-code');
    const next = await hall.api('POST', '/api/v1/counters/1/call-next', {}, token);
    expect(await issued.textContent()).toContain(next.body.ticket.number);
  });

  it('the counter console lists the signed-in staff member’s cases', async () => {
    const manager = (await hall.api('POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const opened = await hall.api(
      'POST',
      '/api/v1/campaign-cases',
      { kind: 'homeVisit', title: '残疾群众上门采集', assignedTo: 'A1003', address: '和平路8号', scheduledAt: '2030-03-01 10:00' },
      manager,
    );
    expect(opened.status).toBe(201);
    const { page } = await hall.open('/counter?counter=3');
    await signInCounter(page, 'A1003');
    const mine = page.getByTestId('my-cases');
    await expect.poll(() => mine.textContent()).toContain('残疾群众上门采集');
    await mine.getByRole('button', { name: '办结' }).click();
    await mine.locator('input').fill('已上门办理');
    await mine.locator('form button[type=submit]').click();
    await expect.poll(() => mine.textContent()).not.toContain('残疾群众上门采集');
    const closed = await hall.api('GET', '/api/v1/campaign-cases?state=closed', undefined, manager);
    expect(closed.body.cases.find((c: any) => c.id === opened.body.case.id)).toMatchObject({
      state: 'closed',
      result: '已上门办理',
      closedBy: 'A1003',
    });
  });

  it('the board enters a 自查, lists it and shows the monthly report with the day’s figures', async () => {
    const { page } = await hall.open('/board#campaign', { width: 1600, height: 1200 });
    await signInBoard(page);
    const panel = page.getByTestId('board-campaign');
    await panel.getByRole('button', { name: '登记' }).click();
    const form = panel.getByTestId('campaign-new');
    await form.locator('input').nth(0).fill('窗口未公示投诉电话');
    await form.locator('input').nth(1).fill('A1001');
    await form.locator('input').nth(2).fill('公示四级投诉电话');
    await form.locator('input').nth(3).fill('2030-01-31');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => panel.getByTestId('campaign-cases').textContent()).toContain('窗口未公示投诉电话');

    await page.getByRole('tab', { name: '报表' }).click();
    const reports = page.getByTestId('board-reports');
    const table = reports.getByTestId('report-table');
    await table.waitFor();
    const manager = (await hall.api('POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const served = (await hall.api('GET', '/api/v1/reports/monthly', undefined, manager)).body.report.totals.served;
    expect(served).toBeGreaterThan(0);
    const totalRow = (await table.locator('tr.total td').allTextContents()).map((s) => s.trim());
    expect(totalRow[2]).toBe(String(served)); // 合计 · 取号 · 办结
    await shot(page, 'board-campaign-reports');
  });
});

describe('信息公开 edited from the board', () => {
  it('a notice saved on the board is served to the kiosk without a restart; four complaint lines are shown', async () => {
    const board = (await hall.open('/board#staff', { width: 1600, height: 1200 })).page;
    await signInBoard(board);
    const editor = board.getByTestId('notices-editor');
    await expect.poll(() => editor.locator('input').count()).toBeGreaterThan(0);
    await editor.locator('input').first().fill('本周六上午延时服务至12:00');
    await editor.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => editor.getByRole('status').textContent()).toContain('已保存');
    const info = await hall.api('GET', '/api/v1/hall');
    expect(info.body.notices[0].zh).toBe('本周六上午延时服务至12:00');
    const kiosk = (await hall.open('/kiosk')).page;
    const phones = kiosk.getByTestId('complaint-levels');
    await phones.waitFor();
    expect(await phones.textContent()).toMatch(/省厅.*市局.*县（区）局.*本所/);
  });
});

describe('kiosk closed by the hall calendar', () => {
  let agent: TestAgent;
  let browsers: Browsers;
  beforeAll(async () => {
    const clock = { now: () => Date.parse('2026-10-02T10:00:00+08:00') }; // 国庆节
    agent = await startTestAgent({ configText: readFileSync(DEMO_CONFIG, 'utf8').replace('alwaysOpen: true', 'alwaysOpen: false'), clock });
    browsers = await launchBrowser();
  });
  afterAll(async () => {
    await browsers?.close();
    await agent?.stop();
  });

  it('shows "closed" with the holiday and the next opening', async () => {
    const ctx = await browsers.newContext({ viewport: { width: 1080, height: 1920 } });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    // a paired kiosk, as in a hall (an unpaired browser sees the pairing page)
    await page.goto(`${agent.baseUrl}/kiosk?pair=${await pairCode(agent.baseUrl, 'kiosk-1')}`);
    const closed = page.getByTestId('kiosk-closed');
    await closed.waitFor();
    expect(await closed.textContent()).toContain('国庆节放假');
    expect(await page.getByTestId('next-opening').textContent()).toMatch(/10月5日/);
    await shot(page, 'kiosk-closed');
  });
});
