import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../drivers/protocols/idcard.js';
import { type Hall, shot, startHall } from './support.js';

const KIOSK = { width: 1080, height: 1920 };
const ID17 = '34010419800101123';
const id = ID17 + idCheckChar(ID17); // a valid GB 11643 number

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('kiosk with an ID-card reader', () => {
  it('shows the masked number after a card read, registers it with the ticket, never shows it in clear', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.waitForSelector('button[data-service=temp-id-card]');
    // the simulated reader stands in for a card laid on the kiosk's reader
    expect((await hall.api('POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: id, name: '王小明' })).status).toBe(200);
    const banner = page.getByTestId('id-card');
    await banner.waitFor();
    // the SAM reader gives the name too: the kiosk shows it masked, like the number
    expect(await banner.textContent()).toContain('王**');
    expect(await banner.textContent()).toContain(`**************${id.slice(-4)}`);
    expect(await page.content()).not.toContain(id);
    expect(await page.content()).not.toContain('王小明');
    await shot(page, 'kiosk-idcard');

    await page.click('button[data-service=temp-id-card]');
    const number = (await page.getByTestId('ticket-number').textContent())?.trim();
    const events = await hall.api('GET', '/api/v1/events?after=0&limit=100');
    const issued = events.body.events.find(
      (e: { type: string; data: { number?: string } }) => e.type === 'ticket.issued' && e.data.number === number,
    );
    expect(issued.data.idMasked).toBe(`**************${id.slice(-4)}`);
    expect(JSON.stringify(events.body)).not.toContain(id);
  });

  it('the same card twice more the same day for the same service is refused (per-ID limit)', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.waitForSelector('button[data-service=temp-id-card]');
    await hall.api('POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: id });
    await page.getByTestId('id-card').waitFor();
    await page.click('button[data-service=temp-id-card]');
    await page.getByTestId('ticket-number').waitFor();
    await page.getByRole('button', { name: /返回首页/ }).click();
    // the citizen takes the card away and lays it down again; the SAM reader ignores the same card
    // within 2 s of its last read (a card at the edge of the field flaps in and out)
    expect((await hall.api('POST', '/api/v1/sim/id-reader-1', { type: 'remove' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    await hall.api('POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: id });
    await page.getByTestId('id-card').waitFor();
    await page.click('button[data-service=temp-id-card]');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/身份证|上限|次/);
    await shot(page, 'kiosk-idcard-limit');
  });
});
