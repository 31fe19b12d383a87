import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, openCounter, shot, signInBoard, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('manager board', () => {
  it('refuses a wrong PIN, then shows queues, counters, pause reasons and device alerts live', async () => {
    const { page } = await hall.open('/board', { width: 1600, height: 1000 });
    await page.fill('#login-pin', '1111');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    await signInBoard(page);

    await hall.api('POST', '/api/v1/tickets', { service: 'birth-registration' });
    await hall.api('POST', '/api/v1/tickets', { service: 'birth-registration' });
    await page.locator('[data-service=birth-registration] [data-testid=waiting]').filter({ hasText: '2' }).waitFor();

    const token = await openCounter(hall, '4', 'A1004');
    await hall.api('POST', '/api/v1/counters/4/call-next', {}, token);
    await page.locator('[data-counter="4"]').filter({ hasText: 'C001' }).waitFor();
    await page.locator('[data-service=birth-registration] [data-testid=waiting]').filter({ hasText: '1' }).waitFor();
    await hall.api('POST', '/api/v1/counters/4/skip', {}, token);
    await hall.api('POST', '/api/v1/counters/4/pause', { reason: '系统故障' }, token);
    await page.locator('[data-counter="4"]').filter({ hasText: '系统故障' }).waitFor();
    expect(await page.locator('[data-counter="4"] [data-testid=counter-state]').textContent()).toBe('暂停');

    // paper out on the ticket printer → an alert, without reload
    await hall.api('POST', '/api/v1/sim/printer-1', { type: 'paper', state: 'out' });
    await page.getByTestId('board-alerts').filter({ hasText: '缺纸' }).waitFor({ timeout: 15_000 });
    await shot(page, 'board-alerts');
    await hall.api('POST', '/api/v1/sim/printer-1', { type: 'paper', state: 'ok' });
    await page.getByTestId('board-alerts').filter({ hasText: '设备正常' }).waitFor({ timeout: 15_000 });
  });
});
