import Fastify from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../agent/api/auth.js';
import { installAccessGuard, MissingAccessError } from '../../agent/security/access.js';
import { api, staffToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';

// Every route in /openapi.json and every socket namespace, for every role and for anonymous, with the
// expected answer. A route missing from this table fails the first test; a route registered without a
// declared `config.access` fails to register at all (last test).

type Who = 'anonymous' | 'kiosk' | 'pad' | 'display' | 'counterPC' | 'staff' | 'guide' | 'manager';
const WHO: Who[] = ['anonymous', 'kiosk', 'pad', 'display', 'counterPC', 'staff', 'guide', 'manager'];
const ALL = WHO;
const DESK: Who[] = ['kiosk', 'staff', 'guide', 'manager'];
const STAFF: Who[] = ['staff', 'manager'];
const PEOPLE: Who[] = ['staff', 'guide', 'manager'];
const MANAGER: Who[] = ['manager'];
const TERMINALS: Who[] = ['kiosk', 'pad', 'display', 'counterPC'];

/** who may call each route (path params below: counter 1, the pad of counter 1, staff A1001 at counter 1) */
const EXPECTED: Record<string, Who[]> = {
  'GET /healthz': ALL,
  'GET /api/v1/hall': ALL,
  'GET /api/v1/services': ALL,
  'POST /api/v1/auth/staff': ALL,
  'POST /api/v1/auth/guide': ALL,
  'POST /api/v1/auth/manager': ALL,
  'POST /api/v1/tickets': DESK,
  'GET /api/v1/tickets/{id}': PEOPLE,
  'POST /api/v1/appointments/check-in': DESK,
  'POST /api/v1/appointments/import': PEOPLE,
  'POST /api/v1/tickets/rejoin': PEOPLE,
  'POST /api/v1/tickets/{id}/cancel': PEOPLE,
  'POST /api/v1/reports/unresolved': DESK,
  'GET /api/v1/counters/{counter}': ALL,
  'POST /api/v1/counters/{counter}/recall': STAFF,
  'POST /api/v1/counters/{counter}/start': STAFF,
  'POST /api/v1/counters/{counter}/finish': STAFF,
  'POST /api/v1/counters/{counter}/skip': STAFF,
  'POST /api/v1/counters/{counter}/call-next': STAFF,
  'POST /api/v1/counters/{counter}/call-number': STAFF,
  'POST /api/v1/counters/{counter}/transfer': STAFF,
  'POST /api/v1/counters/{counter}/pause': STAFF,
  'POST /api/v1/counters/{counter}/resume': STAFF,
  'POST /api/v1/counters/{counter}/open': STAFF,
  'POST /api/v1/counters/{counter}/close': STAFF,
  'POST /api/v1/counters/{counter}/notice': STAFF,
  'POST /api/v1/counters/{counter}/accept-with-missing': STAFF,
  'POST /api/v1/counters/{counter}/rating': ['pad'],
  'POST /api/v1/counters/{counter}/rating/timeout': ['pad'],
  'GET /api/v1/queue': ALL,
  'GET /api/v1/events': MANAGER,
  'GET /api/v1/stats': MANAGER,
  'GET /api/v1/devices': ALL,
  'GET /api/v1/sim': STAFF,
  'POST /api/v1/sim/{deviceId}': STAFF,
  'GET /api/v1/voice/call/{file}': ALL,
  'GET /api/v1/cases': MANAGER,
  'POST /api/v1/cases/{id}/callback': MANAGER,
  'POST /api/v1/cases/{id}/close': MANAGER,
  'POST /api/v1/cases/{id}/assign': MANAGER,
  'GET /api/v1/reports/handling': MANAGER,
  'POST /api/v1/auth/logout': PEOPLE,
  'POST /api/v1/terminals/pair': ALL,
  'GET /api/v1/terminals/pairing/locked': MANAGER,
  'POST /api/v1/terminals/pairing/unlock': MANAGER,
  'GET /api/v1/terminals/me': TERMINALS,
  'GET /api/v1/terminals': MANAGER,
  'POST /api/v1/terminals': MANAGER,
  'POST /api/v1/terminals/{id}/pair-code': MANAGER,
  'POST /api/v1/terminals/{id}/revoke': MANAGER,
  'GET /api/v1/staff': MANAGER,
  'POST /api/v1/staff': MANAGER,
  'PATCH /api/v1/staff/{id}': MANAGER,
  'POST /api/v1/staff/{id}/pin': MANAGER,
  'GET /api/v1/audit': MANAGER,
  'GET /api/v1/security/alerts': MANAGER,
  // the citizen's QR page polls it by the unguessable public id
  'GET /api/v1/tickets/{id}/status': ALL,
  // …and follows it live; 扫码评价 from that page (the token bound to the finished ticket is the key)
  'GET /api/v1/tickets/{id}/events': ALL,
  'POST /api/v1/tickets/{id}/rating': ALL,
  'GET /api/v1/queue/waiting': STAFF,
  'GET /api/v1/voice': ALL,
  'POST /api/v1/cases/{id}/contact': MANAGER,
  'GET /api/v1/reports/monthly': MANAGER,
  'GET /api/v1/reports/daily': MANAGER,
  // the kiosk shows 已下班 and the next opening
  'GET /api/v1/calendar/status': ALL,
  // a notice-slip return prints a ticket: whoever may issue one
  'POST /api/v1/tickets/return': DESK,
  'GET /api/v1/campaign-cases': MANAGER,
  'POST /api/v1/campaign-cases': STAFF,
  'GET /api/v1/campaign-cases/mine': ['staff'],
  'POST /api/v1/campaign-cases/{id}/assign': MANAGER,
  'POST /api/v1/campaign-cases/{id}/discuss': STAFF,
  'POST /api/v1/campaign-cases/{id}/callback': STAFF,
  'POST /api/v1/campaign-cases/{id}/contact': STAFF,
  'POST /api/v1/campaign-cases/{id}/close': STAFF,
  'GET /api/v1/follow-ups': STAFF,
  'POST /api/v1/follow-ups/{id}/complete': STAFF,
  'PUT /api/v1/hall/notices': MANAGER,
  'GET /api/v1/sync/status': MANAGER,
  'POST /api/v1/sync/parked/{id}/retry': MANAGER,
  // 建议开放窗口 and 预约 slots (docs/forecast.md)
  'GET /api/v1/forecast': MANAGER,
  'GET /api/v1/bookings/slots': ALL,
  'POST /api/v1/bookings': DESK,
  'POST /api/v1/bookings/{id}/cancel': DESK,
  'GET /api/v1/bookings': MANAGER,
  'PUT /api/v1/bookings/capacity': MANAGER,
  'PUT /api/v1/bookings/share': MANAGER,
  'PUT /api/v1/bookings/online-share': MANAGER,
};

const NAMESPACES: Record<string, Who[]> = {
  '/display': ALL,
  '/kiosk': ALL,
  '/pad': ALL,
  '/counter': STAFF,
  '/board': MANAGER,
  // satellite PCs only, with their own tokens: no person's or screen's credentials open it
  '/device': [],
};

let agent: TestAgent;
const creds: Record<Who, { token?: string; terminal?: string }> = {} as never;
let routes: string[] = [];

async function signInAll(): Promise<void> {
  const url = agent.baseUrl;
  creds.anonymous = {};
  creds.kiosk = { terminal: await terminalToken(url, 'kiosk-1') };
  creds.pad = { terminal: await terminalToken(url, 'pad-1') };
  creds.display = { terminal: await terminalToken(url, 'display-1') };
  creds.counterPC = { terminal: await terminalToken(url, 'counter-1') };
  creds.staff = { token: await staffToken(url, '1', 'A1001') };
  creds.guide = { token: (await api(url, 'POST', '/api/v1/auth/guide', { pin: '8888' })).body.token };
  // a fresh manager session each time: the route sweep's sign-out ends the one it uses
  creds.manager = { token: (await api(url, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token };
}

function call(route: string, who: Who) {
  const [method = 'GET', path = ''] = route.split(' ');
  const concrete = path
    .replace('{counter}', '1')
    .replace('{deviceId}', 'no-such-device')
    .replace('{file}', 'x')
    .replace('{id}', 'no-such-id');
  const c = creds[who];
  return fetch(agent.baseUrl + concrete, {
    method,
    headers: {
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
      ...(c.terminal ? { 'x-hallq-terminal': c.terminal } : {}),
    },
    body: method === 'GET' ? undefined : '{}',
  }).then(async (r) => ({ status: r.status, body: await r.text() }));
}

beforeAll(async () => {
  agent = await startTestAgent();
  const spec = (await api(agent.baseUrl, 'GET', '/openapi.json')).body;
  routes = Object.entries<Record<string, unknown>>(spec.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  await signInAll();
});
afterAll(async () => {
  await agent?.stop();
});

describe('role matrix', () => {
  it('every route in /openapi.json has an expected answer here, and nothing here is missing from it', () => {
    expect([...routes].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('every route answers every role and anonymous as expected', async () => {
    const wrong: string[] = [];
    // sign-out last: it ends the session it is called with
    const ordered = [...routes].sort((a, b) => Number(a.endsWith('/auth/logout')) - Number(b.endsWith('/auth/logout')));
    for (const route of ordered) {
      for (const who of WHO) {
        const res = await call(route, who);
        const allowed = (EXPECTED[route] ?? []).includes(who);
        const refused = res.status === 401 || res.status === 403;
        if (res.status >= 500) wrong.push(`${route} as ${who}: ${res.status} ${res.body.slice(0, 120)}`);
        else if (allowed === refused) wrong.push(`${route} as ${who}: ${res.status} (expected ${allowed ? 'allowed' : 'refused'})`);
        if (!allowed && who === 'anonymous' && res.status !== 401) wrong.push(`${route} anonymous: ${res.status}, expected 401`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every socket namespace admits exactly its roles; public ones get the public view; alerts and card reads go to their owners only', async () => {
    await signInAll(); // the route sweep signed everyone out
    const staff = creds.staff.token;
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', {}, staff);
    const opened: { ns: string; who: Who; socket: Socket; events: string[]; snapshot: any }[] = [];
    const wrong: string[] = [];
    for (const [ns, allowed] of Object.entries(NAMESPACES)) {
      for (const who of WHO) {
        const c = creds[who];
        const socket = io(agent.baseUrl + ns, {
          transports: ['websocket'],
          reconnection: false,
          query: { counter: '1' },
          auth: { ...(c.token ? { token: c.token } : {}), ...(c.terminal ? { terminal: c.terminal } : {}) },
        });
        const result = await new Promise<{ ok: boolean; snapshot?: any }>((resolve) => {
          socket.once('snapshot', (s) => resolve({ ok: true, snapshot: s }));
          socket.once('connect_error', () => resolve({ ok: false }));
        });
        if (result.ok !== allowed.includes(who)) wrong.push(`${ns} as ${who}: ${result.ok ? 'connected' : 'refused'}`);
        if (!result.ok) {
          socket.close();
          continue;
        }
        const entry = { ns, who, socket, events: [] as string[], snapshot: result.snapshot };
        socket.onAny((e) => entry.events.push(e));
        opened.push(entry);
        const seesStaff = JSON.stringify(result.snapshot).includes('A1001');
        const full = ns === '/board' || ns === '/counter';
        if (seesStaff !== full) wrong.push(`${ns} as ${who}: snapshot ${seesStaff ? 'shows' : 'hides'} the staff number`);
        socket.emit('call-next', { counter: '1' }); // not an event the agent takes from a socket
      }
    }
    // a lockout alert and a card read
    for (let i = 0; i < 6; i++) await api(agent.baseUrl, 'POST', '/api/v1/auth/guide', { pin: '0000' });
    await api(agent.baseUrl, 'POST', '/api/v1/sim/id-reader-1', { type: 'idcard', number: '11010519491231002X' }, creds.manager.token);
    // The read goes through the simulated reader's find → select → read cycle: wait for the owner to get
    // it (and the board its alert) however busy the machine is, then a little longer for strays.
    const due = opened.filter((o) => o.ns === '/board' || (o.ns === '/kiosk' && o.who === 'kiosk'));
    const until = Date.now() + 15_000;
    while (Date.now() < until && !due.every((o) => o.events.includes(o.ns === '/board' ? 'alert' : 'idcard')))
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    for (const o of opened) {
      const gotAlert = o.events.includes('alert');
      if (gotAlert !== (o.ns === '/board')) wrong.push(`${o.ns} as ${o.who}: alert ${gotAlert ? 'received' : 'missing'}`);
      const gotCard = o.events.includes('idcard');
      if (gotCard !== (o.ns === '/kiosk' && o.who === 'kiosk'))
        wrong.push(`${o.ns} as ${o.who}: idcard ${gotCard ? 'received' : 'missing'}`);
      o.socket.close();
    }
    expect(wrong).toEqual([]);
    const queue = (await api(agent.baseUrl, 'GET', '/api/v1/counters/1', undefined, staff)).body.counter;
    expect(queue.currentTicketId ?? null).toBe(null); // the socket "call-next" did nothing
  });

  it('a route registered without a declared access fails to register', async () => {
    const app = Fastify();
    installAccessGuard(app, {} as AuthService);
    expect(() => app.get('/api/v1/new-thing', async () => ({ ok: true }))).toThrow(MissingAccessError);
    expect(() => app.get('/api/v1/declared', { config: { access: 'public' } }, async () => ({ ok: true }))).not.toThrow();
    await app.close();
  });
});
