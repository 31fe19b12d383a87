// The per-address limit of the hub's public booking (hub/rate-limit.ts): 100 booking requests at once
// from one address → exactly `burst` are looked at (the slot's quota booked, the rest of them refused
// as full), every other one 429 with Retry-After; no slot overbooked, no 500; another address keeps its
// own bucket; a client behind an untrusted peer cannot pick its address with X-Forwarded-For. Real
// hub, real PostgreSQL; the hub's clock is frozen (HubOptions.now), so refills happen only when the
// test moves it and the counts are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import { applyGrants } from '../../hub/bookings.js';
import { withClient } from '../../hub/db/client.js';
import { clientKey, TokenBuckets } from '../../hub/rate-limit.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { registerHalls } from './harness.js';

const BURST = 12;
const PER_HOUR = 30; // one back every 120 s
const QUOTA = 8;
const DAY = '2027-03-02'; // a Tuesday
const clock = { t: Date.parse('2027-03-01T10:00:00+08:00') };
const slotStart = (slot: number) => Date.parse(`${DAY}T00:00:00+08:00`) + slot * 1_800_000;

let pg: TestPostgres;
let hub: RunningHub;
/** a second hub process on the same database that trusts no proxy */
let direct: RunningHub;

function idOf(i: number): string {
  const first17 = `340104${19700101 + (i % 28)}${String(100 + Math.floor(i / 28)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

beforeAll(async () => {
  pg = await startTestPostgres();
  const rate = { burst: BURST, perHour: PER_HOUR };
  hub = await startHub({ databaseUrl: pg.url, port: 0, now: () => clock.t, trustProxy: '127.0.0.1', bookingRate: rate });
  direct = await startHub({ databaseUrl: pg.url, port: 0, now: () => clock.t, bookingRate: rate });
  await registerHalls(hub);
  // the hall's grants, as its booking sync sends them: slots 10:00, 10:30 and 11:00 of DAY
  await withClient(hub.pool, (c) =>
    applyGrants(
      c,
      'HALL-A',
      [20, 21, 22].map((slot) => ({
        day: DAY,
        service: 'id-card',
        serviceName: '身份证',
        slot,
        start: slotStart(slot),
        end: slotStart(slot + 1),
        quota: QUOTA,
        seq: 1,
      })),
    ),
  );
}, 60_000);

afterAll(async () => {
  await direct?.close();
  await hub?.close();
  await pg?.destroy();
});

const post = (base: string, path: string, from: string | null, body: Record<string, string>, form = false) =>
  fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...(from ? { 'x-forwarded-for': from } : {}),
    },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), text: await r.text() }));

const booking = (time: string, i: number) => ({ hall: 'HALL-A', service: 'id-card', day: DAY, time, idNumber: idOf(i) });

describe('hub booking: a token bucket per client address', () => {
  it('100 parallel bookings from one address: exactly the burst is looked at, the slot is not overbooked, the rest 429', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(hub.url, '/api/v1/book', '203.0.113.7', booking('10:00', i))),
    );
    const by = (s: number) => answers.filter((a) => a.status === s);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(by(201)).toHaveLength(QUOTA);
    expect(by(409)).toHaveLength(BURST - QUOTA);
    for (const a of by(409)) expect(JSON.parse(a.text).error.code).toBe('slot_full');
    expect(by(429)).toHaveLength(100 - BURST);
    for (const a of by(429)) {
      expect(a.retryAfter).toBe(String(3600 / PER_HOUR));
      const e = JSON.parse(a.text).error;
      expect(e.code).toBe('too_many_requests');
      expect(e.message).toContain('操作过于频繁');
      expect(e.messageEn).toContain('Try again in 2 min');
    }
    const slot = await hub.pool.query("SELECT booked, quota FROM booking_slots WHERE hall_id = 'HALL-A' AND day = $1 AND slot = 20", [DAY]);
    expect(slot.rows[0]).toEqual({ booked: QUOTA, quota: QUOTA });
    const held = await hub.pool.query("SELECT count(*)::int AS n FROM hub_bookings WHERE day = $1 AND slot = 20 AND state = 'booked'", [
      DAY,
    ]);
    expect(held.rows[0].n).toBe(QUOTA);
  });

  it('the same address stays refused for cancels and code checks too; one token back after 120 s, one only', async () => {
    const probe = () => post(hub.url, '/api/v1/book/cancel', '203.0.113.7', { code: 'ZZZZZZZZ', idLast4: '1234' });
    expect((await probe()).status).toBe(429);
    clock.t += 120_000;
    const [a, b] = await Promise.all([probe(), probe()]);
    expect([a!.status, b!.status].sort()).toEqual([404, 429]);
  });

  it('another address has its own bucket: the page books, then its code guesses are cut off at its burst with a zh-CN page', async () => {
    const page = await post(hub.url, '/book/h/HALL-A', '198.51.100.20', { ...booking('10:30', 500), name: '' }, true);
    expect(page.status).toBe(201);
    expect(page.text).toContain('预约成功');
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(hub.url, '/book/cancel', '198.51.100.20', { code: `ZZZZZZ${String(i).padStart(2, '0')}`, idLast4: '0000' }, true),
      ),
    );
    expect(guesses.filter((g) => g.status === 404)).toHaveLength(BURST - 1);
    const refused = guesses.filter((g) => g.status === 429);
    expect(refused).toHaveLength(30 - (BURST - 1));
    expect(refused[0]!.text).toContain('<html lang="zh-CN"');
    expect(refused[0]!.text).toContain('操作过于频繁');
    expect(refused[0]!.text).toContain('请 2 分钟后再试');
    // English when the form asked for it
    const en = await post(hub.url, '/book/cancel', '198.51.100.20', { code: 'ZZZZZZZZ', idLast4: '0000', lang: 'en' }, true);
    expect(en.status).toBe(429);
    expect(en.text).toContain('Too many booking requests from your network address');
  });

  it('an IPv6 client is one bucket per /64; a request with a malformed body costs no token', async () => {
    const bad = await Promise.all(Array.from({ length: 20 }, () => post(hub.url, '/api/v1/book', '2001:db8:1:2::1', { hall: 'HALL-A' })));
    expect(new Set(bad.map((b) => b.status))).toEqual(new Set([400]));
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(hub.url, '/api/v1/book/cancel', `2001:db8:1:2:${(i + 1).toString(16)}::${i + 7}`, { code: 'ZZZZZZZZ', idLast4: '0000' }),
      ),
    );
    expect(many.filter((m) => m.status === 404)).toHaveLength(BURST);
    expect(many.filter((m) => m.status === 429)).toHaveLength(20 - BURST);
    // the next /64 is another subscriber
    expect((await post(hub.url, '/api/v1/book/cancel', '2001:db8:1:3::1', { code: 'ZZZZZZZZ', idLast4: '0000' })).status).toBe(404);
  });

  it('without a trusted proxy, X-Forwarded-For is the client talking: 20 made-up addresses are one bucket', async () => {
    const spoofed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(direct.url, '/api/v1/book/cancel', `192.0.2.${i + 1}`, { code: 'ZZZZZZZZ', idLast4: '0000' }),
      ),
    );
    expect(spoofed.filter((s) => s.status === 404)).toHaveLength(BURST);
    expect(spoofed.filter((s) => s.status === 429)).toHaveLength(20 - BURST);
    expect(spoofed.filter((s) => s.status >= 500)).toEqual([]);
  });
});

describe('hub booking: the buckets', () => {
  it('key: IPv4 as is (also IPv4-mapped), IPv6 by its /64 whatever its spelling', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });

  it('memory stays bounded under many addresses, and the address in use keeps its (empty) bucket', () => {
    const t = { now: 0 };
    const b = new TokenBuckets({ burst: 2, perHour: 1, maxAddresses: 1000 }, () => t.now);
    expect(b.take('busy').ok && b.take('busy').ok).toBe(true);
    for (let i = 0; i < 20_000; i++) {
      b.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 500 === 0) expect(b.take('busy').ok).toBe(false);
    }
    expect(b.size).toBeLessThanOrEqual(1000);
    const r = b.take('busy');
    expect(r).toEqual({ ok: false, retryAfterS: 3600 });
    t.now += 3_600_000;
    expect(b.take('busy').ok).toBe(true);
  });
});
