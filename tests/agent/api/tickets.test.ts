import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, staffToken, startTestAgent, type TestAgent, terminalToken } from '../../helpers/agent.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => {
  await agent?.stop();
});

describe('walking skeleton over HTTP', () => {
  it('answers /healthz and serves OpenAPI', async () => {
    expect((await api(agent.baseUrl, 'GET', '/healthz')).status).toBe(200);
    const spec = await api(agent.baseUrl, 'GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tickets', '/api/v1/queue', '/api/v1/counters/{counter}/call-next']),
    );
  });

  it('lists the demo services', async () => {
    const res = await api(agent.baseUrl, 'GET', '/api/v1/services');
    expect(res.status).toBe(200);
    expect(res.body.services.find((s: { id: string }) => s.id === 'id-card')).toMatchObject({ prefix: 'A', name: { zh: '身份证办理' } });
  });

  it('issues A001, shows it waiting in the queue, and a counter calls and finishes it', async () => {
    const issued = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect(issued.status).toBe(201);
    expect(issued.body.ticket).toMatchObject({ number: 'A001', service: 'id-card', channel: 'normal', state: 'waiting', waitingAhead: 0 });
    expect(issued.body.statusUrl).toMatch(/\/t\//);

    const queue = await api(agent.baseUrl, 'GET', '/api/v1/queue');
    expect(queue.body.services.find((s: { id: string }) => s.id === 'id-card').waiting).toBe(1);
    expect(queue.body.seq).toBeGreaterThan(0);

    const token = await staffToken(agent.baseUrl, '1');
    const got = await api(agent.baseUrl, 'GET', `/api/v1/tickets/${issued.body.ticket.id}`, undefined, token);
    expect(got.body.ticket.number).toBe('A001');

    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', undefined, token)).status).toBe(200);
    const called = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/call-next', undefined, token);
    expect(called.status).toBe(200);
    expect(called.body.ticket).toMatchObject({ number: 'A001', state: 'called', counter: '1' });
    const finished = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/finish', undefined, token);
    expect(finished.body.ticket.state).toBe('done');
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/1/call-next', undefined, token)).status).toBe(204);
  });

  it('the QR status page shows the ticket number', async () => {
    const issued = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'hukou-move' });
    const page = await fetch(issued.body.statusUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(issued.body.ticket.number);
    expect(html).toContain('户口迁移');
  });
});

describe('refusals change nothing', () => {
  it('refuses bad bodies with 400 and the error shape, never 500', async () => {
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    const cases: [string, string, unknown][] = [
      ['POST', '/api/v1/tickets', {}],
      ['POST', '/api/v1/tickets', { service: 'id-card', channel: 'vip' }],
      ['POST', '/api/v1/tickets', { service: 'id-card', extra: 1 }],
      ['POST', '/api/v1/tickets', { service: 42 }],
      ['POST', '/api/v1/tickets', { service: 'no-such-service' }],
      ['POST', '/api/v1/tickets', { service: 'id-card', idNumber: '123' }],
      ['POST', '/api/v1/counters/1/rating', { level: 9 }],
      ['POST', '/api/v1/appointments/check-in', { code: 'NOPE-0000' }],
      ['GET', '/api/v1/events?after=-1', undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await api(agent.baseUrl, method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.body.error.message.length).toBeGreaterThan(0);
      expect(res.body.error.messageEn.length).toBeGreaterThan(0);
    }
    const raw = await fetch(`${agent.baseUrl}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hallq-terminal': await terminalToken(agent.baseUrl, 'kiosk-1') },
      body: '{"service":',
    });
    expect(raw.status).toBe(400);
    const after = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    expect(after).toBe(before);
  });

  it('keeps counter actions for signed-in staff of that counter', async () => {
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/2/call-next')).status).toBe(401);
    const token1 = await staffToken(agent.baseUrl, '1');
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/2/call-next', undefined, token1)).status).toBe(403);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '0000' })).status).toBe(401);
  });

  it('issues green-channel tickets only after a guide PIN', async () => {
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card', channel: 'green' })).status).toBe(403);
    const guide = await api(agent.baseUrl, 'POST', '/api/v1/auth/guide', { pin: '8888' });
    const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card', channel: 'green' }, guide.body.token);
    expect(res.status).toBe(201);
    expect(res.body.ticket.channel).toBe('green');
  });
});

describe('/board over socket.io', () => {
  it('sends a snapshot on connect and every change after, with increasing seq', async () => {
    const manager = await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' });
    const socket: Socket = io(`${agent.baseUrl}/board`, { auth: { token: manager.body.token }, transports: ['websocket'] });
    try {
      const snapshot = await new Promise<any>((resolve, reject) => {
        socket.once('snapshot', resolve);
        socket.once('connect_error', reject);
      });
      expect(snapshot.queue.services.length).toBeGreaterThan(0);
      const next = new Promise<any>((resolve) => socket.once('queue', resolve));
      const issued = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'residence-permit' });
      const event = await next;
      expect(event.seq).toBeGreaterThan(snapshot.seq);
      expect(event.event.type).toBe('ticket.issued');
      expect(event.ticket.number).toBe(issued.body.ticket.number);
    } finally {
      socket.close();
    }
  });

  it('refuses /board without a manager token', async () => {
    const socket: Socket = io(`${agent.baseUrl}/board`, { transports: ['websocket'], reconnection: false });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.close();
    expect(err.message).toBe('unauthorized');
  });

  it('replays missed events on resync', async () => {
    const socket: Socket = io(`${agent.baseUrl}/display`, { transports: ['websocket'] });
    try {
      const snapshot = await new Promise<any>((resolve) => socket.once('snapshot', resolve));
      const seqs: number[] = [];
      socket.on('queue', (e: { seq: number }) => seqs.push(e.seq));
      socket.emit('resync', { after: snapshot.seq - 2 });
      await new Promise((r) => setTimeout(r, 300));
      expect(seqs).toEqual([snapshot.seq - 1, snapshot.seq]);
    } finally {
      socket.close();
    }
  });
});
