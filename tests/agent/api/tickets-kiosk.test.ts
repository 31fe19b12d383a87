// Per-kiosk printers: a ticket asked for by kiosk k2 prints on the printer configured beside k2
// (`options.kiosk: k2`), and the answer's print state reports that printer — not the first one.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, managerToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

const PRINTER = '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: sim }, options: { paperWidth: 80 } }';
const demo = readFileSync(resolve(import.meta.dirname, '../../../config/demo-hall.yaml'), 'utf8');
// printer-1 is the hall's default (no kiosk); printer-2 stands beside kiosk k2, a registered kiosk terminal
const text = demo
  .replace(
    PRINTER,
    `${PRINTER}\n  - { id: printer-2, kind: ticketPrinter, protocol: escpos, transport: { type: sim }, options: { paperWidth: 58, kiosk: k2 } }`,
  )
  .replace('terminals:\n', 'terminals:\n  - { id: k2, kind: kiosk }\n');

let agent: TestAgent;
beforeAll(async () => {
  expect(text).not.toBe(demo);
  agent = await startTestAgent({ configText: text });
});
afterAll(async () => {
  await agent?.stop();
});

type SimDev = { id: string; state: { pages?: unknown[]; printed?: number } };
const pagesOf = async (id: string) => {
  const res = await api(agent.baseUrl, 'GET', '/api/v1/sim', undefined, await managerToken(agent.baseUrl));
  const d = (res.body as SimDev[]).find((x) => x.id === id);
  return JSON.stringify(d?.state ?? {});
};
async function waitFor(fn: () => Promise<boolean>, ms: number, what: string) {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the kiosk that asks gets its own printer', () => {
  it('kiosk k2: printed on printer-2 and reported as printer-2', async () => {
    await waitFor(
      async () =>
        (await api(agent.baseUrl, 'GET', '/api/v1/sim', undefined, await managerToken(agent.baseUrl))).body.every(
          (d: { status: string }) => d.status === 'online',
        ),
      8000,
      'sim devices online',
    );
    const before1 = await pagesOf('printer-1');
    // the paired kiosk terminal k2 asks: its own printer prints, whatever a body says
    const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card', kiosk: 'k9' }, undefined, { terminal: 'k2' });
    expect(res.status).toBe(201);
    expect(res.body.print).toEqual({ deviceId: 'printer-2', status: 'queued' });
    const number: string = res.body.ticket.number;
    await waitFor(async () => (await pagesOf('printer-2')).includes(number), 8000, 'the ticket on printer-2');
    expect(await pagesOf('printer-1')).toBe(before1);
    // the issued event records which kiosk asked (the device policy reads it)
    const events = await api(agent.baseUrl, 'GET', '/api/v1/events?after=0&limit=100', undefined, await managerToken(agent.baseUrl));
    const issued = events.body.events.find(
      (e: { type: string; data: { number?: string } }) => e.type === 'ticket.issued' && e.data.number === number,
    );
    expect(issued.data.kiosk).toBe('k2');
  });

  it('a kiosk without its own printer (kiosk-1), and staff naming an unknown kiosk: the default printer', async () => {
    const plain = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect(plain.body.print).toEqual({ deviceId: 'printer-1', status: 'queued' });
    await waitFor(async () => (await pagesOf('printer-1')).includes(plain.body.ticket.number), 8000, 'the ticket on printer-1');
    const staff = await managerToken(agent.baseUrl);
    const other = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card', kiosk: 'k9' }, staff, { terminal: null });
    expect(other.body.print).toEqual({ deviceId: 'printer-1', status: 'queued' });
  });

  it('a malformed kiosk id is a 400 and issues nothing', async () => {
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.services.find((s: { id: string }) => s.id === 'id-card').waiting;
    for (const kiosk of ['', 'k 1', 'x'.repeat(41), '../k1\n']) {
      const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card', kiosk });
      expect(res.status).toBe(400);
    }
    const after = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.services.find((s: { id: string }) => s.id === 'id-card').waiting;
    expect(after).toBe(before);
  });
});
