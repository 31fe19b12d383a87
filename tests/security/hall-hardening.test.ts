import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATING_MARGIN_S } from '../../agent/rating-sweep.js';
import { MAX_ANONYMOUS, MAX_ANONYMOUS_PER_ADDRESS } from '../../agent/realtime/slots.js';
import { PAIR_CODE_GUESS_BUDGET } from '../../agent/api/pairing.js';
import { PAIR_FREE_FAILURES } from '../../agent/security/lockout.js';
import { type OutboxRow, toRecord } from '../../agent/sync/map.js';
import { csvCell } from '../../common/csv.js';
import { hasBadText } from '../../common/text-hygiene.js';
import { api, pairCode, staffToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { postFrom } from './helpers.js';

// Findings of the round-3 LAN attack that an anonymous client (or a stolen pad token) could use: ratings
// after the fact, pairing locked for every screen, connection slots used up, DNS rebinding, NUL and
// lone surrogates that park the sync, bidi overrides.

let agent: TestAgent;
let now = Date.now();
const TIMEOUT_S = 30; // the demo hall's rating.timeoutSeconds
beforeAll(async () => {
  agent = await startTestAgent({ clock: { now: () => now } });
});
afterAll(async () => {
  await agent?.stop();
});

async function serveOne(counter: string, token: string): Promise<string> {
  await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card' });
  const called = await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  expect(called.status, JSON.stringify(called.body)).toBe(200);
  await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/start`, {}, token);
  expect((await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/finish`, {}, token)).status).toBeLessThan(300);
  return called.body.ticket.id;
}

describe('a rating belongs to one service', () => {
  const rate = (ticketId: string | undefined, level = 1) =>
    api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating', { level, reasons: ['attitude'], ...(ticketId ? { ticketId } : {}) });

  it('the pad rates only the last finished ticket, within its timeout, once; 未评价 is final', async () => {
    const token = await staffToken(agent.baseUrl, '1', 'A1001');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', {}, token);
    const earlier = await serveOne('1', token);
    const last = await serveOne('1', token);
    // an earlier service at the same counter: refused, even though nobody rated it
    const old = await rate(earlier);
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe('not_last_service');
    // past the pad's timeout and the sweep's margin: closed
    now += (TIMEOUT_S + RATING_MARGIN_S) * 1000 + 1000;
    const late = await rate(last);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('rating_closed');
    // the pad timed out on the next one: 未评价, and a rating afterwards changes nothing
    const third = await serveOne('1', token);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating/timeout', {})).status).toBe(204);
    const after = await rate(third);
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('already_rated');
    // ten ratings of one service sent at once: one is recorded
    const fourth = await serveOne('1', token);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => rate(i % 2 ? fourth : undefined, (i % 5) + 1)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(9);
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const cases = (await api(agent.baseUrl, 'GET', '/api/v1/cases', undefined, manager)).body.cases as { ticketId: string }[];
    // no 整改 case for a service the pad was not allowed to rate
    for (const t of [earlier, last, third]) expect(cases.some((c) => c.ticketId === t)).toBe(false);
  });
});

describe('nothing anonymous locks or exhausts shared things', () => {
  const pair = (from: string, code: string) => postFrom(agent.baseUrl, from, '/api/v1/terminals/pair', { code });

  it('wrong pairing codes lock only their own address; a success clears it; the board unlocks', async () => {
    const attacker = '127.0.3.1';
    for (let i = 0; i < PAIR_FREE_FAILURES + 1; i++) expect((await pair(attacker, `WRONG${i}CODE`)).status).toBe(401);
    expect((await pair(attacker, await pairCode(agent.baseUrl, 'pad-2'))).status).toBe(429);
    // a valid code from another address pairs at once
    expect((await pair('127.0.3.2', await pairCode(agent.baseUrl, 'pad-2'))).status).toBe(200);
    // a screen that mistyped, then got it right, starts again from zero
    const typo = '127.0.3.3';
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) await pair(typo, `TYPO${i}CODE`);
    expect((await pair(typo, await pairCode(agent.baseUrl, 'pad-3'))).status).toBe(200);
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await pair(typo, `TYPO${i}CODE`)).status).toBe(401);
    // the board sees the locked address and unlocks it
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const locked = await api(agent.baseUrl, 'GET', '/api/v1/terminals/pairing/locked', undefined, manager);
    expect(locked.body.locked.map((l: { source: string }) => l.source)).toContain(attacker);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/terminals/pairing/unlock', { source: attacker }, manager)).body.cleared).toBe(1);
    expect((await pair(attacker, await pairCode(agent.baseUrl, 'pad-4'))).status).toBe(200);
  });

  it('parallel wrong codes from several addresses: each address locks after its free failures; a valid code from another address pairs meanwhile', async () => {
    const valid = await pairCode(agent.baseUrl, 'pad-6');
    const attackers = ['127.0.6.1', '127.0.6.2', '127.0.6.3', '127.0.6.4'];
    const sends = Array.from({ length: 120 }, (_, i) => () => pair(attackers[i % 4] as string, `WRONG${String(i).padStart(5, '0')}`));
    sends.splice(60, 0, () => pair('127.0.6.50', valid));
    const answers = await Promise.all(sends.map((send) => send()));
    const mine = answers.splice(60, 1)[0];
    expect(mine?.status).toBe(200);
    // every address: its free failures and the one that locks it answer 401, the rest 429 without a check
    expect(answers.filter((a) => a.status === 401)).toHaveLength(attackers.length * (PAIR_FREE_FAILURES + 1));
    expect(answers.filter((a) => a.status === 429)).toHaveLength(120 - attackers.length * (PAIR_FREE_FAILURES + 1));
  });

  it('guesses spread over many addresses, each under its own limit, retire the live code they aim at', async () => {
    const target = await pairCode(agent.baseUrl, 'pad-7');
    // 30 addresses × 4 wrong codes at once: no address reaches its lock, together they pass the code's budget
    const n = 120;
    expect(n / 30).toBeLessThan(PAIR_FREE_FAILURES);
    expect(n).toBeGreaterThan(PAIR_CODE_GUESS_BUDGET);
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => pair(`127.0.7.${1 + (i % 30)}`, `GUESS${String(i).padStart(5, '0')}`)),
    );
    expect(answers.map((a) => a.body.error.code)).toEqual(Array(n).fill('bad_pair_code'));
    // the right code comes too late: retired, and the board was told
    const late = await pair('127.0.7.99', target);
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('pair_code_retired');
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const alerts = (await api(agent.baseUrl, 'GET', '/api/v1/security/alerts', undefined, manager)).body.alerts as { messageEn: string }[];
    expect(alerts.some((a) => a.messageEn.startsWith('The pairing code of pad-7 was retired'))).toBe(true);
    // a new code for that screen pairs at once, from any of those addresses
    expect((await pair('127.0.7.1', await pairCode(agent.baseUrl, 'pad-7'))).status).toBe(200);
  });

  it('a Host the hall did not configure gets 421 (DNS rebinding), on HTTP and socket.io', async () => {
    const get = (host: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(agent.baseUrl);
        const req = request({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    const port = new URL(agent.baseUrl).port;
    expect(await get(`evil.example:${port}`, '/api/v1/queue')).toBe(421);
    expect(await get('evil.example', '/socket.io/?EIO=4&transport=polling')).not.toBe(200);
    expect(await get(`localhost:${port}`, '/api/v1/queue')).toBe(200);
    expect(await get(`127.0.0.1:${port}`, '/api/v1/queue')).toBe(200);
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (lan) expect(await get(`${lan}:${port}`, '/api/v1/queue')).toBe(200);
    expect(await get(`[::1]:${port}`, '/api/v1/queue')).toBe(200);
  });

  it('one address opening 40 anonymous sockets at once gets its 30; its registered display still connects', async () => {
    const sockets: Socket[] = [];
    const connect = (auth?: Record<string, string>) =>
      new Promise<boolean>((resolve) => {
        const s = io(`${agent.baseUrl}/display`, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          auth,
          localAddress: '127.0.8.1',
        } as never);
        sockets.push(s);
        s.once('snapshot', () => resolve(true));
        s.once('connect_error', () => resolve(false));
      });
    try {
      const tries = await Promise.all(Array.from({ length: MAX_ANONYMOUS_PER_ADDRESS + 10 }, () => connect()));
      expect(tries.filter(Boolean)).toHaveLength(MAX_ANONYMOUS_PER_ADDRESS);
      expect(await connect({ terminal: await terminalToken(agent.baseUrl, 'display-1') })).toBe(true);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('anonymous /display sockets from 21 addresses cannot take the board’s or a registered screen’s slot', async () => {
    const sockets: Socket[] = [];
    const connect = (from: string, opts: { auth?: Record<string, string>; ns?: string } = {}) =>
      new Promise<boolean>((resolve) => {
        const s = io(`${agent.baseUrl}${opts.ns ?? '/display'}`, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          auth: opts.auth,
          localAddress: from,
        } as never);
        sockets.push(s);
        s.once('snapshot', () => resolve(true));
        s.once('connect_error', () => resolve(false));
        s.once('disconnect', () => resolve(false));
      });
    try {
      const tries = await Promise.all(
        Array.from({ length: 21 * (MAX_ANONYMOUS_PER_ADDRESS - 4) }, (_, i) => connect(`127.0.4.${1 + (i % 21)}`)),
      );
      const anonymous = tries.filter(Boolean).length;
      expect(anonymous).toBeLessThanOrEqual(MAX_ANONYMOUS);
      expect(anonymous).toBeLessThanOrEqual(21 * MAX_ANONYMOUS_PER_ADDRESS);
      expect(anonymous).toBeGreaterThan(0);
      // the manager's board and a registered display still connect and get their snapshot
      const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
      expect(await connect('127.0.4.1', { ns: '/board', auth: { token: manager } })).toBe(true);
      expect(await connect('127.0.4.2', { auth: { terminal: await terminalToken(agent.baseUrl, 'display-1') } })).toBe(true);
    } finally {
      for (const s of sockets) s.close();
    }
  });
});

describe('input that would park the sync or mislead a reader', () => {
  const report = (description: string) => api(agent.baseUrl, 'POST', '/api/v1/reports/unresolved', { description, contact: '张先生' });

  it('NUL and lone surrogates get a clear 400 and change nothing; bidi controls are stripped', async () => {
    const before = (
      agent.hall.ctx.auth.store.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'unresolvedReport'").get() as { n: number }
    ).n;
    for (const bad of ['没有\u0000户口本', '照片\ud800不合格', '照片\udfff不合格']) {
      const res = await report(bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_text');
      expect(res.body.error.messageEn).toContain('description');
    }
    const after = (
      agent.hall.ctx.auth.store.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'unresolvedReport'").get() as { n: number }
    ).n;
    expect(after).toBe(before);
    // a real pair (an emoji) is fine; the right-to-left override is removed
    const ok = await report('材料\u202Egnp.exe\u202C齐全 👍');
    expect(ok.status).toBe(201);
    expect(JSON.stringify(ok.body)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(JSON.stringify(ok.body)).toContain('👍');
  });

  it('a record stored with NUL or a lone surrogate before this check is scrubbed by the mapper, not parked', () => {
    const r = agent.hall.ctx.engine.reportUnresolved({ description: '旧记录\u0000含\ud800字符', contact: 'x' });
    const row = agent.hall.ctx.auth.store.db
      .prepare("SELECT id, kind, idempotency_key, payload, created_at FROM outbox WHERE kind = 'unresolvedReport' ORDER BY id DESC LIMIT 1")
      .get() as OutboxRow;
    expect(row.payload).toContain(r.id);
    const record = toRecord(row, 'Asia/Shanghai');
    const text = JSON.stringify(record);
    expect(hasBadText(JSON.parse(text).data.description)).toBe(false);
    expect(text).not.toContain('\\u0000');
    expect(JSON.parse(text).data.description).toBe('旧记录含\uFFFD字符');
  });

  it('CSV cells (common/csv.ts, used by the hall’s and the hub’s exports): a leading = + - @ TAB or CR is made text', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) {
      const cell = csvCell(`${lead}HYPERLINK("http://x")`);
      expect(cell.replace(/^"/, '').startsWith("'"), JSON.stringify(cell)).toBe(true);
    }
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('张三')).toBe('张三');
  });
});
