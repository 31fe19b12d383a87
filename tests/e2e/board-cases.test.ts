// Manager board, cases panel: a 非常不满意 rating opens a 整改 that stays on the board until it is
// closed — the agent refuses to close it before a 回访, and the board shows that refusal.
// A 办不成事 report follows the same list and is refreshed by socket events from other clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestAgent } from '../helpers/agent.js';
import { launchBrowser } from '../helpers/browser.js';
import { type Hall, openCounter, shot, signInBoard, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('manager board: 整改 and 办不成事 cases', () => {
  it('shows the open 整改, refuses closing before the 回访, records the 回访, closes with measures', async () => {
    const { page } = await hall.open('/board#cases', { width: 1600, height: 1000 });
    await signInBoard(page);
    await page.getByTestId('cases-empty').waitFor();

    // a finished ticket at counter 2, rated 非常不满意 with a reason (the rating pad's API)
    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    expect(issued.status).toBe(201);
    const number = issued.body.ticket.number as string;
    const token = await openCounter(hall, '2', 'A1002');
    for (const action of ['call-next', 'start', 'finish']) {
      const r = await hall.api('POST', `/api/v1/counters/2/${action}`, {}, token);
      expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    }
    const rated = await hall.api('POST', '/api/v1/counters/2/rating', { level: 1, reasons: ['attitude'], comment: '态度生硬' });
    expect(rated.status).toBe(201);

    // the board shows the open case (rating.recorded event, no reload): what, where, who, by when
    const card = page.locator('[data-testid=cases] li[data-case^="Z-"]');
    await card.waitFor();
    const id = (await card.getAttribute('data-case')) as string;
    const text = await card.textContent();
    expect(text).toContain('整改');
    expect(text).toContain(number);
    expect(text).toContain('非常不满意');
    expect(text).toContain('态度');
    expect(text).toContain('态度生硬');
    expect(text).toContain('A1002');
    expect(text).toContain('尚未回访');
    await expect.poll(() => card.getByTestId('case-due').textContent()).toMatch(/期限 \d{4}-\d{2}-\d{2}/);

    // closing without a 回访: the agent's 409 is shown in Chinese and nothing changes
    await card.locator('button[data-action=close]').click();
    await card.getByLabel('整改措施').fill('已对窗口民警进行批评教育');
    await card.getByRole('button', { name: '确认办结' }).click();
    await card.getByRole('alert').filter({ hasText: '尚未回访' }).waitFor();
    await shot(page, 'board-case-refused');
    const stillOpen = await hall.api('GET', '/api/v1/cases?state=open', undefined, await managerToken());
    expect(stillOpen.body.cases.map((c: { id: string }) => c.id)).toContain(id);

    // 回访: note + the citizen's view
    await card.locator('button[data-action=callback]').click();
    await card.getByLabel('回访情况').fill('电话回访，已致歉，群众表示理解');
    await card.getByLabel('满意', { exact: true }).check();
    await card.getByRole('button', { name: '记录回访' }).click();
    await card.getByTestId('case-callback').filter({ hasText: '群众表示理解' }).waitFor();
    await shot(page, 'board-case-callback');

    // now it closes with the measures and leaves the open list
    await card.locator('button[data-action=close]').click();
    await card.getByLabel('整改措施').fill('已对窗口民警进行批评教育，组织服务规范培训');
    await card.getByRole('button', { name: '确认办结' }).click();
    await page.locator(`[data-case="${id}"]`).waitFor({ state: 'detached' });
    await page.getByTestId('cases-empty').waitFor();
    await shot(page, 'board-cases');

    const closed = await hall.api('GET', '/api/v1/cases?state=closed', undefined, await managerToken());
    const c = closed.body.cases.find((x: { id: string }) => x.id === id);
    expect(c.state).toBe('closed');
    expect(c.closingText).toContain('服务规范培训');
    expect(c.callback.satisfied).toBe(true);
  });

  it('follows changes made elsewhere through socket events: a 办不成事 report, assigned, then closed', async () => {
    const { page } = await hall.open('/board?lang=en#cases', { width: 1600, height: 1000 });
    await signInBoard(page);
    const manager = await managerToken();

    const filed = await hall.api('POST', '/api/v1/reports/unresolved', {
      service: 'hukou-move',
      description: '跨省迁移材料要求不清楚',
      contact: '13800000000',
    });
    expect(filed.status).toBe(201);
    const card = page.locator('[data-testid=cases] li[data-case^="U-"]');
    await card.filter({ hasText: '跨省迁移材料要求不清楚' }).waitFor();
    const id = (await card.getAttribute('data-case')) as string;

    // assigned at the board: the assignee shows
    await card.locator('button[data-action=assign]').click();
    await card.getByLabel('Assign to (staff number or name)').fill('A1003');
    await card.getByRole('button', { name: 'Confirm assignment' }).click();
    await card.filter({ hasText: 'Assigned to：A1003' }).waitFor();

    // another manager session closes it: case.closed removes it here without a reload
    const done = await hall.api('POST', `/api/v1/cases/${id}/close`, { resolution: '已电话告知所需材料' }, manager);
    expect(done.status).toBe(200);
    await page.locator(`[data-case="${id}"]`).waitFor({ state: 'detached' });
  });
});

describe('manager board: overdue cases', () => {
  it('highlights a case past its due day (15 working days)', async () => {
    let now = Date.now();
    const agent = await startTestAgent({ clock: { now: () => now } });
    const browsers = await launchBrowser();
    try {
      const filed = await api(agent.baseUrl, 'POST', '/api/v1/reports/unresolved', { description: '居住证签注一直办不了' });
      expect(filed.status).toBe(201);
      now += 40 * 86_400_000; // well past 15 working days
      const ctx = await browsers.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(`${agent.baseUrl}/board#cases`);
      await signInBoard(page);
      const card = page.locator('[data-testid=cases] li.overdue[data-case^="U-"]');
      await card.filter({ hasText: '已超期' }).waitFor();
      await page.getByTestId('cases-counts').filter({ hasText: '超期 1' }).waitFor();
      await card.scrollIntoViewIfNeeded();
      await shot(page, 'board-case-overdue');
    } finally {
      await browsers.close();
      await agent.stop();
    }
  });
});

async function managerToken(): Promise<string> {
  const r = await hall.api('POST', '/api/v1/auth/manager', { pin: '9999' });
  return r.body.token as string;
}
