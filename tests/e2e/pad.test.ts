import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, openCounter, shot, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

async function serveOne(token: string, counter: string, service = 'residence-permit'): Promise<void> {
  await hall.api('POST', '/api/v1/tickets', { service });
  await hall.api('POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  await hall.api('POST', `/api/v1/counters/${counter}/start`, {}, token);
  await hall.api('POST', `/api/v1/counters/${counter}/finish`, {}, token);
}

describe('rating pad (评价器)', () => {
  it('shows the staff member, asks after finish, records 满意 and thanks', async () => {
    const token = await openCounter(hall, '5', 'A1005');
    const { page } = await hall.open('/pad?counter=5');
    await page.getByTestId('staff-name').filter({ hasText: '陈静' }).waitFor();
    await page.locator('[data-live=true]').waitFor();
    await shot(page, 'pad-idle');
    await serveOne(token, '5');
    await page.locator('button[data-level="4"]').waitFor();
    await shot(page, 'pad-rate');
    await page.locator('button[data-level="4"]').click();
    await page.getByText('感谢您的评价').waitFor();
    const events = await hall.api('GET', '/api/v1/events?after=0&limit=500');
    const rated = events.body.events.filter((e: { type: string }) => e.type === 'rating.recorded');
    expect(rated).toHaveLength(1);
    expect(rated[0].data.level).toBe(4);
  });

  it('a dissatisfied rating needs a reason', async () => {
    const token = await openCounter(hall, '6', 'A1006');
    const { page } = await hall.open('/pad?counter=6');
    await page.locator('[data-live=true]').waitFor();
    await serveOne(token, '6');
    await page.locator('button[data-level="1"]').click();
    expect(await page.getByRole('button', { name: '提交评价' }).isDisabled()).toBe(true);
    await page.locator('button[data-reason=efficiency]').click();
    await page.locator('button[data-reason=other]').click();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('感谢您的评价').waitFor();
  });

  it('no answer before the timeout → recorded as not rated, never as satisfied', async () => {
    const token = await openCounter(hall, '2', 'A1002');
    const { page } = await hall.open('/pad?counter=2&timeout=2');
    await page.getByTestId('staff-name').filter({ hasText: '李明' }).waitFor();
    await page.locator('[data-live=true]').waitFor();
    await serveOne(token, '2', 'id-card');
    await page.locator('button[data-level="5"]').waitFor();
    const timeout = page.waitForRequest((r) => r.url().endsWith('/api/v1/counters/2/rating/timeout') && r.method() === 'POST');
    await timeout;
    await page.getByText('您好，很高兴为您服务').waitFor();
    const events = await hall.api('GET', '/api/v1/events?after=0&limit=500');
    const types = events.body.events.filter((e: { counter?: string }) => e.counter === '2').map((e: { type: string }) => e.type);
    expect(types.some((t: string) => t === 'rating.notRated')).toBe(true);
    expect(types.some((t: string) => t === 'rating.recorded')).toBe(false);
  });
});
