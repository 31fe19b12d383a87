import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, shot, signInCounter, startHall, pressKey } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('counter console (窗口)', () => {
  it('signs in, calls with F1, starts, transfers, prints a notice, pauses with a required reason', async () => {
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    const { page } = await hall.open('/counter?counter=1', { width: 1366, height: 768 });
    await page.fill('#l-pin', '0000');
    await page.fill('#l-staff', 'A1001');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor(); // wrong PIN
    await signInCounter(page);
    await page.getByTestId('counter-phase').filter({ hasText: '空闲' }).waitFor();

    await pressKey(page, 'F1');
    await page.getByTestId('current-number').filter({ hasText: 'A001' }).waitFor();
    await page.getByTestId('current-state').filter({ hasText: '已叫号' }).waitFor();
    await pressKey(page, 'F3');
    await page.getByTestId('current-state').filter({ hasText: '办理中' }).waitFor();
    await page.locator('.history li').filter({ hasText: '开始办理' }).waitFor();
    await shot(page, 'counter-serving');

    // one-time notice: pick missing materials of the current service
    await pressKey(page, 'F9');
    await page.getByRole('dialog').waitFor();
    await page.locator('fieldset input[type=checkbox]').first().check();
    // previewed before printing: the ticked material on the slip
    const ticked = (await page.locator('fieldset label.check').first().textContent())?.trim() ?? '';
    expect(await page.getByTestId('notice-preview').locator('li').allTextContents()).toEqual([ticked]);
    await shot(page, 'counter-notice');
    await page.getByRole('button', { name: '确定' }).click();
    // and its 回执码 said to the officer once printed
    await page.getByText(/告知单已打印 · 回执码 [A-Z0-9]{8}/).waitFor();

    // 容缺办理: a secondary material follows later, with a date
    await pressKey(page, 'F10');
    await page.locator('fieldset input[type=checkbox]').first().check();
    await page.fill('#dlg-date', '2030-01-15');
    await page.getByRole('button', { name: '确定' }).click();
    await page.getByText('已容缺受理').waitFor();

    // transfer to another service: the ticket leaves this counter, waiting again
    await page.click('[data-action=transfer]');
    await page.selectOption('#dlg-target', 's:hukou-certificate');
    await page.getByRole('button', { name: '确定' }).click();
    await page.getByText('暂无号票').waitFor();
    const q = await hall.api('GET', '/api/v1/queue');
    expect(q.body.services.find((s: { id: string }) => s.id === 'hukou-certificate').waiting).toBe(1);

    // pause needs a reason; the board sees it
    await pressKey(page, 'F8');
    expect(await page.getByRole('button', { name: '确定' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '午间休息' }).click();
    await page.getByRole('button', { name: '确定' }).click();
    await page.getByTestId('counter-phase').filter({ hasText: '暂停' }).waitFor();
    const q2 = await hall.api('GET', '/api/v1/queue');
    expect(q2.body.counters.find((c: { id: string }) => c.id === '1').pauseReason).toBe('午间休息');
    await shot(page, 'counter-paused');
    await pressKey(page, 'F8');
    await page.getByRole('button', { name: '确定' }).click();
    await page.getByTestId('counter-phase').filter({ hasText: '空闲' }).waitFor();

    // call a specific number out of order
    await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    await pressKey(page, 'F6');
    await page.fill('#dlg-number', 'a003');
    await page.getByRole('button', { name: '确定' }).click();
    await page.getByTestId('current-number').filter({ hasText: 'A003' }).waitFor();
    await pressKey(page, 'F2'); // recall
    await page.getByText(/重呼 1 次/).waitFor();
    await pressKey(page, 'F5'); // skip: must not reload the page
    await page.getByText('暂无号票').waitFor();
  });
});
