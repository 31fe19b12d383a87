// The counter console at 1366×768 (a counter PC's screen): the buttons follow the ticket, 办结
// on a ticket never started asks first, transfer lists closed counters too, the waiting list
// shows tickets, and nothing is clipped or scrolls the page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, clippedText, type Hall, openCounter, pageScrolls, shot, signInCounter, startHall, pressKey } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

const enabled = async (page: Page) => {
  await page.locator('nav.actions[aria-busy=false]').waitFor();
  return page.$$eval('[data-action]', (bs) =>
    bs.filter((b) => !(b as HTMLButtonElement).disabled).map((b) => b.getAttribute('data-action')),
  );
};

describe('counter console at 1366×768', () => {
  it('enables only what the ticket allows, colours by kind, confirms F4 on a ticket not started', async () => {
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card', channel: 'senior' });
    for (let i = 0; i < 14; i++) await hall.api('POST', '/api/v1/tickets', { service: i % 2 ? 'id-card' : 'hukou-move' });
    const { page } = await hall.open('/counter?counter=1', { width: 1366, height: 768 });
    await signInCounter(page);
    await page.getByTestId('counter-phase').filter({ hasText: '空闲' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // idle: call, call a number, pause, notice — nothing that needs a ticket
    expect(await enabled(page)).toEqual(['callNext', 'callNumber', 'pause', 'notice']);
    const colours = await page.$$eval('[data-action]', (bs) =>
      Object.fromEntries(bs.map((b) => [b.getAttribute('data-action'), getComputedStyle(b).backgroundColor])),
    );
    expect(colours.callNext).toBe(colours.recall);
    expect(colours.start).toBe(colours.finish);
    expect(new Set([colours.callNext, colours.start, colours.skip, colours.pause]).size).toBe(4);

    // the waiting list shows tickets with channel and wait, scrolls inside its panel
    const list = page.getByTestId('waiting-list');
    await list.locator('tr[data-number]').first().waitFor();
    expect(await list.locator('tr[data-number]').count()).toBe(15);
    const senior = list.locator('tr[data-number="A001"]');
    expect(await senior.textContent()).toMatch(/身份证.*爱心.*\d+ 分钟/);
    expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
    expect(await clippedText(page, '.actions .btn, header *, .current p')).toEqual([]);
    await shot(page, 'console-idle-1366');

    // called: recall, start, finish, skip, transfer
    await pressKey(page, 'F1');
    await page.getByTestId('current-state').filter({ hasText: '已叫号' }).waitFor();
    expect(await enabled(page)).toEqual(['recall', 'start', 'finish', 'skip', 'transfer', 'notice']);
    await pressKey(page, 'F6'); // disabled: no dialog
    expect(await page.getByRole('dialog').count()).toBe(0);

    // F4 on a ticket that was only called asks first; cancel keeps it
    await pressKey(page, 'F4');
    const confirm = page.getByTestId('confirm-finish');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('尚未开始办理');
    await shot(page, 'console-confirm-finish');
    await confirm.getByRole('button', { name: '取消 (Esc)' }).click();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('current-state').textContent()).toContain('已叫号');
    // confirmed: finished
    await pressKey(page, 'F4');
    await confirm.getByRole('button', { name: '确认办结' }).click();
    await page.getByText('暂无号票').waitFor();

    // serving: F4 finishes without asking
    await pressKey(page, 'F1');
    await page.getByTestId('current-state').filter({ hasText: '已叫号' }).waitFor();
    await pressKey(page, 'F3');
    await page.getByTestId('current-state').filter({ hasText: '办理中' }).waitFor();
    expect(await enabled(page)).toEqual(['finish', 'transfer', 'notice', 'missing']);
    await pressKey(page, 'F4');
    await page.getByText('暂无号票').waitFor();
    expect(await confirm.isVisible()).toBe(false);
  });

  it('lists open and closed counters with their queues in the transfer dialog', async () => {
    await openCounter(hall, '3', 'A1003');
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    const { page } = await hall.open('/counter?counter=2', { width: 1366, height: 768 });
    await signInCounter(page, 'A1002');
    await pressKey(page, 'F1');
    await page.getByTestId('current-state').filter({ hasText: '已叫号' }).waitFor();
    await pressKey(page, 'F7');
    await page.getByRole('dialog').waitFor();
    const options = await page.$$eval('#dlg-target optgroup:last-of-type option', (os) => os.map((o) => o.textContent ?? ''));
    expect(options.find((o) => o.includes('3号'))).toMatch(/开放 · 等候 \d+ 人/);
    expect(options.filter((o) => o.includes('未开窗')).length).toBeGreaterThan(0);
    expect(options.some((o) => o.startsWith('2号'))).toBe(false); // not itself
    await shot(page, 'console-transfer-1366');
    expect(await axeViolations(page)).toEqual([]);

    // a closed counter whose AB岗 partner is open (4 → 3): said, and the partner offered
    const current = () => page.getByTestId('current-ticket').textContent();
    const number = (await current())?.match(/[A-Z]\d{3}/)?.[0];
    await page.selectOption('#dlg-target', 'c:4');
    await page.getByRole('button', { name: '确定' }).click();
    expect(await page.getByTestId('transfer-risk').textContent()).toContain('4号窗口未开窗：转过去后由其AB岗3号窗口代为叫号');
    await page.getByRole('button', { name: '改转3号窗口' }).click();
    expect(await page.getByTestId('transfer-risk').count()).toBe(0); // 3 is open: nothing to warn about
    // a closed counter without an open partner (8 has none): the consequence, then 仍然转到 sends
    await page.selectOption('#dlg-target', 'c:8');
    await page.getByRole('button', { name: '确定' }).click();
    const risk = await page.getByTestId('transfer-risk').textContent();
    expect(risk).toContain('8号窗口 绿色通道未开窗，也没有开放的AB岗窗口');
    expect(risk).toContain('可能长时间无人办理');
    await shot(page, 'console-transfer-closed-1366');
    expect(await current()).toContain(number!); // not sent yet
    await page.getByRole('button', { name: /仍然转到8号窗口/ }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.getByText('已转移').waitFor();
    expect(await current()).not.toContain(number!);
  });

  it('keeps the sign-in in a new tab and after a browser restart on the same PC; 退出 signs every tab out', async () => {
    const { ctx, page } = await hall.open('/counter?counter=6', { width: 1366, height: 768 });
    await signInCounter(page, 'A1006');
    const tab = await ctx.newPage();
    await tab.goto(page.url());
    await tab.getByTestId('current-ticket').waitFor();
    expect(await tab.getByTestId('takeover').count()).toBe(0);
    // a browser restart: a new browser process with the same profile's storage
    const saved = (await ctx.storageState()).origins.flatMap((o) => o.localStorage);
    const restarted = await hall.browsers.newContext({ viewport: { width: 1366, height: 768 } });
    await restarted.addInitScript((items) => {
      for (const { name, value } of items) localStorage.setItem(name, value);
    }, saved);
    const again = await restarted.newPage();
    await again.goto(page.url());
    await again.getByTestId('current-ticket').waitFor();
    await restarted.close();
    // 退出 in one tab: the other tab of this counter is back at the sign-in
    await page.getByRole('button', { name: /退出/ }).click();
    await tab.locator('#l-pin').waitFor();
  });

  it('records a scanned 办件编号 with 办结 (a keyboard wedge types it and Enter)', async () => {
    const { page } = await hall.open('/counter?counter=5', { width: 1366, height: 768 });
    await signInCounter(page, 'A1005');
    await hall.api('POST', '/api/v1/tickets', { service: 'residence-permit' });
    await pressKey(page, 'F1');
    await page.getByTestId('current-state').filter({ hasText: '已叫号' }).waitFor();
    await pressKey(page, 'F3');
    await page.getByTestId('case-number').waitFor();
    // what the console sends with 办结 (the agent's handling of caseNumber has its own tests)
    const sent: string[] = [];
    page.on('request', (r) => r.url().endsWith('/counters/5/finish') && sent.push(r.postData() ?? ''));
    await page.getByTestId('case-number').focus();
    await page.keyboard.type('BJ2026-000123');
    await page.keyboard.press('Enter');
    await page.getByText('暂无号票').waitFor();
    expect(sent.map((b) => JSON.parse(b))).toEqual([{ caseNumber: 'BJ2026-000123' }]);
  });
});
