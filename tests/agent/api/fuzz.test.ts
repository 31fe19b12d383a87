import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyValidators } from '../../../agent/api/lazy-validators.js';
import { buildServer, hotPath } from '../../../agent/api/server.js';
import { api, staffToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

/**
 * Random bodies, query strings and path segments against every route: the agent answers each with a
 * 2xx/4xx (never a 5xx, never a dropped connection), and a refusal leaves the event table untouched.
 */
let agent: TestAgent;
let staff: string;
let manager: string;
beforeAll(async () => {
  agent = await startTestAgent();
  staff = await staffToken(agent.baseUrl, '3', 'A1003');
  manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
});
afterAll(async () => {
  await agent?.stop();
});

const POSTS = [
  '/api/v1/tickets',
  '/api/v1/appointments/check-in',
  '/api/v1/appointments/import',
  '/api/v1/tickets/rejoin',
  '/api/v1/reports/unresolved',
  '/api/v1/auth/staff',
  '/api/v1/counters/3/call-number',
  '/api/v1/counters/3/transfer',
  '/api/v1/counters/3/pause',
  '/api/v1/counters/3/notice',
  '/api/v1/counters/3/accept-with-missing',
  '/api/v1/counters/3/rating',
  '/api/v1/sim/printer-1',
  '/api/v1/sim/keypad-3',
  '/api/v1/cases/Z-1/close',
];

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    { service: fc.oneof(fc.string(), fc.integer(), fc.constant('id-card')), channel: fc.oneof(fc.string(), fc.constant('senior')) },
    { requiredKeys: [] },
  ),
  fc.record(
    { number: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()), reason: fc.string(), level: fc.oneof(fc.integer(), fc.double()) },
    { requiredKeys: [] },
  ),
);

describe('malformed HTTP input', () => {
  it('never answers 5xx, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSTS), anyJson, fc.boolean(), async (path, body, signedIn) => {
        const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
        const token = signedIn ? (path.includes('/cases/') || path.includes('/import') ? manager : staff) : undefined;
        const res = await api(agent.baseUrl, 'POST', path, body, token);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body?.error?.message, `${path} error shape`).toBeTruthy();
          expect((await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq, `${path} refused but changed state`).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('survives raw garbage bodies, odd content types and hostile paths', async () => {
    const raw = async (path: string, init: RequestInit) => (await fetch(agent.baseUrl + path, init)).status;
    const cases: [string, RequestInit][] = [
      ['/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '\u0000\u0001{{{' }],
      ['/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' }],
      ['/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"just a string"' }],
      ['/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) }],
      ['/api/v1/tickets/%00%ff', { method: 'GET' }],
      ['/api/v1/tickets/..%2F..%2Fetc%2Fpasswd', { method: 'GET' }],
      ['/api/v1/counters/%E4%BD%A0/call-next', { method: 'POST', headers: { authorization: `Bearer ${staff}` } }],
      ['/api/v1/events?after=abc&limit=99999999', { method: 'GET' }],
      ['/api/v1/voice/call/..%2F..%2Fhall.db', { method: 'GET' }],
      ['/api/v1/voice/call/999999.wav', { method: 'GET' }],
      ['/t/%3Cscript%3E', { method: 'GET' }],
      ['/api/v1/counters/3/call-next', { method: 'POST', headers: { authorization: `Bearer ${'A'.repeat(5000)}` } }],
    ];
    for (const [path, init] of cases) {
      const status = await raw(path, init);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
    }
  });
});

describe("request schemas (compiled on a route's first request: agent/api/lazy-validators.ts)", () => {
  it('refuse bad input naming the field, on a route used for the first time', async () => {
    const body = { id: 'B2001', name: '', pin: '123456' };
    const res = await api(agent.baseUrl, 'POST', '/api/v1/staff', body, manager);
    expect(res.status).toBe(400);
    expect(res.body.error.messageEn).toBe('Invalid request: body.name must NOT have fewer than 1 characters');
    expect((await api(agent.baseUrl, 'GET', '/api/v1/staff', undefined, manager)).body.staff).not.toContainEqual(
      expect.objectContaining({ id: 'B2001' }),
    );
  });

  it("every route's schema compiles", async () => {
    const validators = lazyValidators({ eager: hotPath });
    const app = await buildServer(agent.hall.ctx, { validators });
    try {
      await app.ready(); // a hot path's schema that ajv refuses fails here
      expect(validators.pending).toBeGreaterThan(30);
      validators.compileAll(); // throws the first schema ajv refuses
      expect(validators.pending).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('malformed socket.io input', () => {
  it('answers odd resync requests with a snapshot and ignores unknown events', async () => {
    const socket = io(`${agent.baseUrl}/display`, { transports: ['websocket'] });
    try {
      await new Promise((r) => socket.once('snapshot', r));
      const snapshots: unknown[] = [];
      socket.on('snapshot', (s) => snapshots.push(s));
      for (const bad of [null, 'x', { after: -5 }, { after: 1.5 }, { after: '3' }, [1, 2], { after: Number.MAX_SAFE_INTEGER + 10 }]) {
        socket.emit('resync', bad);
      }
      socket.emit('call-next', { counter: '1' });
      socket.emit('__proto__', { polluted: true });
      await new Promise((r) => setTimeout(r, 300));
      expect(snapshots.length).toBeGreaterThanOrEqual(6);
      expect(socket.connected).toBe(true);
      expect((await api(agent.baseUrl, 'GET', '/healthz')).status).toBe(200);
    } finally {
      socket.close();
    }
  });
});
