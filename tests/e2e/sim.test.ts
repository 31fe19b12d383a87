import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, openCounter, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('/sim page', () => {
  it('renders the printed ticket and drives a keypad', async () => {
    const { page } = await hall.open('/sim', { width: 1400, height: 1000 });
    await page.locator('[data-device=printer-1]').waitFor();
    expect(await page.locator('article[data-device]').count()).toBeGreaterThan(20);

    const issued = await hall.api('POST', '/api/v1/tickets', { service: 'id-card' });
    const number = issued.body.ticket.number as string;
    const ticket = page.locator('[data-device=printer-1] [data-testid=printed-ticket]').first();
    await ticket.filter({ hasText: number }).waitFor({ timeout: 10_000 });
    expect(await ticket.locator('svg').count()).toBe(1); // the QR
    await shot(page, 'sim-printed');

    // the keypad of counter 1 calls the ticket: no reload, the queue moves
    await openCounter(hall, '1', 'A1001');
    await page.locator('[data-device=keypad-1] button', { hasText: '呼叫' }).click();
    await expect
      .poll(async () => (await hall.api('GET', '/api/v1/queue')).body.counters.find((c: { id: string }) => c.id === '1').current?.number, {
        timeout: 10_000,
      })
      .toBe(number);
  });
});
