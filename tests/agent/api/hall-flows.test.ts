import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../../drivers/protocols/idcard.js';
import { api, staffToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

let agent: TestAgent;
let manager: string;
beforeAll(async () => {
  agent = await startTestAgent();
  manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
});
afterAll(async () => {
  await agent?.stop();
});

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('appointments (网上预约)', () => {
  it('imports a CSV and checks a citizen in by code; a used or unknown code is refused', async () => {
    const start = new Date(Date.now() - 10 * 60_000).toISOString();
    const end = new Date(Date.now() + 20 * 60_000).toISOString();
    const csv = `code,service,slotStart,slotEnd,name\nYY0001,hukou-move,${start},${end},张*\nYY0002,nope,${start},${end},李*\n`;
    const res = await fetch(`${agent.baseUrl}/api/v1/appointments/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${manager}` },
      body: csv,
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.imported).toBe(1);
    expect(body.skipped).toEqual([expect.objectContaining({ code: 'YY0002' })]);

    const checkIn = await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: 'YY0001' });
    expect(checkIn.status).toBe(201);
    expect(checkIn.body.tickets[0].ticket).toMatchObject({ channel: 'appointment', service: 'hukou-move' });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: 'YY0001' })).status).toBe(409);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: 'ZZ9999' })).status).toBe(404);
  });

  it('refuses malformed imports with a 400 that names the record, and imports nothing', async () => {
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    const bad = await api(agent.baseUrl, 'POST', '/api/v1/appointments/import', [{ code: 'A1', service: 'id-card' }], manager);
    expect(bad.status).toBe(400);
    expect(bad.body.error.messageEn).toMatch(/Appointment 1/);
    const csv = await fetch(`${agent.baseUrl}/api/v1/appointments/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${manager}` },
      body: 'foo,bar\n1,2\n',
    });
    expect(csv.status).toBe(400);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/appointments/import', [], undefined)).status).toBe(401);
    expect((await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq).toBe(before);
  });
});

describe('身份证 numbers', () => {
  it('shows the number masked, limits tickets per ID and day, and never stores it in clear', async () => {
    const id = `34010419800101123${idCheckChar('34010419800101123')}`;
    const first = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idNumber: id });
    expect(first.status).toBe(201);
    expect(first.body.ticket.idMasked).toBe(`**************${id.slice(-4)}`);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idNumber: id })).status).toBe(201);
    const third = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idNumber: id });
    expect(third.status).toBe(429);
    expect(third.body.error.message).not.toContain(id);
    const wrongCheckDigit = `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}`;
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idNumber: wrongCheckDigit })).status).toBe(400);

    const events = await api(agent.baseUrl, 'GET', '/api/v1/events?after=0&limit=1000', undefined, manager);
    expect(JSON.stringify(events.body)).not.toContain(id);
    for (const file of readdirSync(agent.dataDir).filter((f) => f.startsWith('hall.db'))) {
      expect(readFileSync(join(agent.dataDir, file)).includes(Buffer.from(id)), `${file} holds the clear number`).toBe(false);
    }
  });
});

describe('simulated devices through the API', () => {
  it('paper out on the virtual printer shows on GET /api/v1/devices within 2 s, and recovers', async () => {
    expect((await api(agent.baseUrl, 'POST', '/api/v1/sim/printer-1', { type: 'paper', state: 'out' }, manager)).status).toBe(200);
    const t0 = Date.now();
    const out = await until(
      () => api(agent.baseUrl, 'GET', '/api/v1/devices'),
      (r) => r.body.devices.find((d: { id: string }) => d.id === 'printer-1')?.status === 'paperOut',
    );
    expect(out.body.devices.find((d: { id: string }) => d.id === 'printer-1').status).toBe('paperOut');
    expect(Date.now() - t0).toBeLessThan(2000);
    const issued = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' });
    expect(issued.body.print.status).toBe('printerOffline');
    await api(agent.baseUrl, 'POST', '/api/v1/sim/printer-1', { type: 'paper', state: 'ok' }, manager);
    const back = await until(
      () => api(agent.baseUrl, 'GET', '/api/v1/devices'),
      (r) => r.body.devices.find((d: { id: string }) => d.id === 'printer-1')?.status === 'online',
    );
    expect(back.body.devices.find((d: { id: string }) => d.id === 'printer-1').status).toBe('online');
  });

  it('a caller keypad press calls the next ticket and the counter LED shows it', async () => {
    const token = await staffToken(agent.baseUrl, '5', 'A1005');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/5/open', undefined, token);
    const issued = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'residence-permit' });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/sim/keypad-5', { type: 'press', key: 'call' }, manager)).status).toBe(200);
    const called = await until(
      () => api(agent.baseUrl, 'GET', '/api/v1/counters/5'),
      (r) => r.body.current?.number === issued.body.ticket.number,
    );
    expect(called.body.current.number).toBe(issued.body.ticket.number);
    type SimDevice = { id: string; state: { lines?: string[]; display?: string } };
    const led5 = (body: SimDevice[]) => (body.find((d) => d.id === 'led-5')?.state.lines ?? []).join(' ');
    const sim = await until(
      () => api(agent.baseUrl, 'GET', '/api/v1/sim', undefined, manager),
      (r) => led5(r.body).includes(issued.body.ticket.number),
    );
    expect(led5(sim.body)).toContain(issued.body.ticket.number);
    expect(sim.body.find((d: SimDevice) => d.id === 'keypad-5').state.display).toContain(issued.body.ticket.number.slice(1));
  });

  it('refuses a bad sim action with a clear 400', async () => {
    const res = await api(agent.baseUrl, 'POST', '/api/v1/sim/printer-1', { type: 'explode' }, manager);
    expect(res.status).toBe(400);
    expect(res.body.error.message.length).toBeGreaterThan(0);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/sim/no-such-device', { type: 'press', key: 'call' }, manager)).status).toBe(400);
  });
});
