// axe-core on the screens no other e2e file checks: the counter's sign-in page, the simulator
// page and the start page, each at its device size and without page scrolling where it must not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Hall, pageScrolls, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('axe on every remaining screen', () => {
  it('counter sign-in page at 1366×768', async () => {
    const { page } = await hall.open('/counter?counter=1', { width: 1366, height: 768 });
    await page.locator('#l-pin').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await pageScrolls(page)).toMatchObject({ x: false, y: false });
  });

  it('simulator page at 1920×1080', async () => {
    const { page } = await hall.open('/sim', { width: 1920, height: 1080 });
    await page.locator('[data-device=printer-1]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await pageScrolls(page)).toMatchObject({ x: false });
  });

  it('start page at 1920×1080', async () => {
    const { page } = await hall.open('/', { width: 1920, height: 1080 });
    await page.locator('a').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
