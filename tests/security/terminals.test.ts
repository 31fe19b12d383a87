import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../drivers/protocols/idcard.js';
import { api, managerToken, pairCode, staffToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { demoYaml } from './helpers.js';

// Findings: anyone could rate a counter's last ticket (a level 1 opens a 整改 against the staff member and
// the citizen's own rating is then refused); a card read went to every /kiosk socket, anonymous ones included,
// and any client could redeem it; tickets could be issued by anyone.

const ID17 = '34010419800101123';
const ID = ID17 + idCheckChar(ID17);

let agent: TestAgent;
beforeAll(async () => {
  // two kiosks, each with its own reader; a low issuing rate to see the per-kiosk limit
  agent = await startTestAgent({
    configText: demoYaml((t) =>
      t
        .replace('printDeadlineSeconds: 20 }', 'printDeadlineSeconds: 20, ticketsPerMinute: 12 }')
        .replace(
          '  - { id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: sim } }',
          '  - { id: id-reader-1, kind: idReader, protocol: idcard-serial, transport: { type: sim } }\n  - { id: id-reader-2, kind: idReader, protocol: idcard-serial, transport: { type: sim } }',
        )
        .replace(
          '  - { id: display-1, kind: display, name: 综合屏 }',
          '  - { id: display-1, kind: display, name: 综合屏 }\n  - { id: kiosk-2, kind: kiosk, readers: [id-reader-2] }',
        ),
    ),
  });
});
afterAll(async () => {
  await agent?.stop();
});

async function finishedAt(counter: string, staffId: string): Promise<string> {
  const token = await staffToken(agent.baseUrl, counter, staffId);
  await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/open`, {}, token);
  const svc = counter === '1' ? 'temp-id-card' : 'hukou-certificate';
  await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: svc }, undefined, { terminal: 'kiosk-2' });
  const called = await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  expect(called.status).toBe(200);
  await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/start`, {}, token);
  await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/finish`, {}, token);
  return called.body.ticket.id;
}

describe('ratings come only from the counter’s own pad', () => {
  it('refuses a forged rating (anonymous, another counter’s pad, a kiosk, staff) and accepts the pad’s real one', async () => {
    const ticketId = await finishedAt('1', 'A1001');
    const rate = (opts: { terminal?: string | null; token?: string }) =>
      api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating', { level: 1, reasons: ['attitude'], ticketId }, opts.token, {
        terminal: opts.terminal,
      });
    expect((await rate({ terminal: null })).status).toBe(401);
    expect((await rate({ terminal: 'pad-2' })).status).toBe(403);
    expect((await rate({ terminal: 'kiosk-1' })).status).toBe(403);
    expect((await rate({ terminal: null, token: await staffToken(agent.baseUrl, '1', 'A1001') })).status).toBe(403);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating/timeout', {}, undefined, { terminal: null })).status).toBe(401);
    const manager = await managerToken(agent.baseUrl);
    expect((await api(agent.baseUrl, 'GET', '/api/v1/cases', undefined, manager)).body.cases).toEqual([]);
    const real = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating', { level: 5, ticketId }, undefined, { terminal: 'pad-1' });
    expect(real.status).toBe(201);
    expect(real.body.rating).toMatchObject({ level: 5, counter: '1' });
  });
});

describe('ID-card reads', () => {
  const kioskSocket = async (terminal?: string): Promise<{ socket: Socket; reads: any[] }> => {
    const auth = terminal ? { terminal: await terminalToken(agent.baseUrl, terminal) } : {};
    const socket = io(`${agent.baseUrl}/kiosk`, { transports: ['websocket'], auth });
    const reads: any[] = [];
    socket.on('idcard', (m) => reads.push(m));
    await new Promise((r) => socket.once('snapshot', r));
    return { socket, reads };
  };

  it('a card read reaches only the kiosk owning the reader, and only that kiosk can redeem it', async () => {
    const anon = await kioskSocket();
    const one = await kioskSocket('kiosk-1');
    const two = await kioskSocket('kiosk-2');
    try {
      const manager = await managerToken(agent.baseUrl);
      expect((await api(agent.baseUrl, 'POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: ID }, manager)).status).toBe(200);
      const deadline = Date.now() + 3000;
      while (one.reads.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      expect(one.reads).toHaveLength(1);
      expect(anon.reads).toEqual([]);
      expect(two.reads).toEqual([]);
      expect(JSON.stringify(one.reads)).not.toContain(ID);
      const idToken = one.reads[0].token;
      const stolen = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idToken }, undefined, {
        terminal: 'kiosk-2',
      });
      expect(stolen.status).toBe(400);
      const own = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card', idToken }, undefined, {
        terminal: 'kiosk-1',
      });
      expect(own.status).toBe(201);
      expect(own.body.ticket.idMasked).toBe(`**************${ID.slice(-4)}`);
    } finally {
      for (const s of [anon, one, two]) s.socket.close();
    }
  });
});

describe('pairing', () => {
  it('a pairing code works once; unpairing stops the token at once', async () => {
    const code = await pairCode(agent.baseUrl, 'pad-3');
    const first = await api(agent.baseUrl, 'POST', '/api/v1/terminals/pair', { code });
    expect(first.status).toBe(200);
    expect(first.body.terminal).toMatchObject({ id: 'pad-3', kind: 'pad', counter: '3' });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/terminals/pair', { code })).status).toBe(401);
    const me = (token: string) => fetch(`${agent.baseUrl}/api/v1/terminals/me`, { headers: { 'x-hallq-terminal': token } });
    expect((await me(first.body.token)).status).toBe(200);
    const manager = await managerToken(agent.baseUrl);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/terminals/pad-3/revoke', {}, manager)).status).toBe(200);
    expect((await me(first.body.token)).status).toBe(401);
    const audit = await api(agent.baseUrl, 'GET', '/api/v1/audit', undefined, manager);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['terminal.paired', 'terminal.revoke']),
    );
  });
});

describe('issuing', () => {
  it('only a registered kiosk (or staff) issues tickets, at a bounded rate per kiosk', async () => {
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' }, undefined, { terminal: null })).status).toBe(
      401,
    );
    expect(
      (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' }, undefined, { terminal: 'display-1' })).status,
    ).toBe(403);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: 'X-1' }, undefined, { terminal: null })).status).toBe(
      401,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).status);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(7);
    expect(statuses).toContain(429);
    // another kiosk is not slowed down by the first one
    expect(
      (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' }, undefined, { terminal: 'kiosk-2' })).status,
    ).toBe(201);
  });
});
