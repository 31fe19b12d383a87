// Online booking from the hub, carried down to the hall exactly once, and a slot never overbooked: hub
// bookings and kiosk bookings in parallel on one slot, while the hall reaches the hub, while it cannot
// (a proxy answers 500), while the hub's answers are cut off mid-way, and across a hall restart.
// Real PostgreSQL, real hub, real agent; the oracle is the capacity the test sets × the online share.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../contracts/sign.js';
import { idCheckChar } from '../../common/gb11643.js';
import { HubQuotas } from '../../agent/forecast/hub-quota.js';
import type { HubBookingEvent } from '../../contracts/booking-sync.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { api, managerToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { registerHalls, SECRET_A } from '../hub/harness.js';
import { type Chaos, startChaosProxy } from './chaos-proxy.js';
import { syncConfig, waitFor } from './fixtures.js';

const CAPACITY = 8;
const ONLINE_SHARE = 0.5;
const QUOTA = Math.floor(CAPACITY * ONLINE_SHARE);

let pg: TestPostgres;
let hub: RunningHub;
let chaos: Chaos;
let agent: TestAgent;
let manager: string;
let dataDir: string;
let day: string;
let times: string[];

function idOf(region: string, i: number): string {
  const first17 = `${region}${19700101 + (i % 28)}${String(100 + Math.floor(i / 28)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

// the test's own data dir: the hall restarts on the same SQLite file
const startAgent = () => startTestAgent({ configText: syncConfig(chaos.url, '  bookingsPollSeconds: 1'), dataDir });

beforeAll(async () => {
  pg = await startTestPostgres();
  // every citizen of these crowds posts from this test's one address: the per-address limit is off here
  // and proven in tests/hub/book-rate.test.ts
  hub = await startHub({ databaseUrl: pg.url, port: 0, bookingRate: false });
  await registerHalls(hub);
  chaos = await startChaosProxy(hub.url);
  dataDir = mkdtempSync(join(tmpdir(), 'hallq-hub-bookings-'));
  agent = await startAgent();
  manager = await managerToken(agent.baseUrl);
  await terminalToken(agent.baseUrl, 'kiosk-1');
  // the first day after today with at least three open slots: slots that begin hours from now
  const today = agent.hall.ctx.engine.today();
  for (let d = 1; d <= 7 && !times; d++) {
    const cand = new Date(Date.parse(`${today}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    const r = await api(agent.baseUrl, 'GET', `/api/v1/bookings/slots?day=${cand}&service=id-card`);
    if (r.body.slots?.length >= 3) {
      day = cand;
      times = r.body.slots.slice(0, 3).map((s: { time: string }) => s.time);
    }
  }
  expect(times).toHaveLength(3);
  expect((await api(agent.baseUrl, 'PUT', '/api/v1/bookings/online-share', { share: ONLINE_SHARE }, manager)).status).toBe(200);
  for (const time of times) {
    const r = await api(agent.baseUrl, 'PUT', '/api/v1/bookings/capacity', { day, service: 'id-card', time, capacity: CAPACITY }, manager);
    expect(r.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await chaos?.close();
  await hub?.close();
  await pg?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const hubBook = (time: string, idNumber: string) =>
  fetch(`${hub.url}/api/v1/book`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hall: 'HALL-A', service: 'id-card', day, time, idNumber }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
const hallBook = (time: string, idNumber: string) =>
  api(agent.baseUrl, 'POST', '/api/v1/bookings', { day, service: 'id-card', time, idNumber }, undefined, { terminal: 'kiosk-1' });

async function hubQuota(time: string): Promise<{ quota: number; booked: number } | undefined> {
  const slot = Number(time.slice(0, 2)) * 2 + (time.endsWith('30') ? 1 : 0);
  const r = await hub.pool.query(
    "SELECT quota, booked FROM booking_slots WHERE hall_id = 'HALL-A' AND day = $1 AND service = 'id-card' AND slot = $2",
    [day, slot],
  );
  return r.rows[0];
}

/** a crowd of 10 online and 10 at the kiosk on one slot, all at once */
async function crowd(time: string, base: number) {
  const answers = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => hubBook(time, idOf('340104', base + i)).then((a) => ({ ...a, via: 'hub' as const }))),
    ...Array.from({ length: 10 }, (_, i) => hallBook(time, idOf('340111', base + i)).then((a) => ({ ...a, via: 'hall' as const }))),
  ]);
  for (const a of answers) if (a.status !== 201) expect(a.body.error.code).toBe('slot_full');
  return {
    hub: answers.filter((a) => a.via === 'hub' && a.status === 201).map((a) => a.body as { code: string; id: string }),
    hall: answers.filter((a) => a.via === 'hall' && a.status === 201).map((a) => a.body as { code: string }),
  };
}

function hallRows(): { code: string; state: string; source: string | null; time: number }[] {
  const db = new Database(join(dataDir, 'hall.db'), { readonly: true });
  try {
    return db
      .prepare(
        "SELECT code, state, source, json_extract(data, '$.slotStart') AS time FROM appointments WHERE day = ? AND service = 'id-card'",
      )
      .all(day) as never;
  } finally {
    db.close();
  }
}

async function hubSeq(): Promise<number> {
  return Number((await hub.pool.query("SELECT seq FROM booking_halls WHERE hall_id = 'HALL-A'")).rows[0]?.seq ?? 0);
}
function hallCursor(): number {
  const db = new Database(join(dataDir, 'hall.db'), { readonly: true });
  try {
    return Number(
      (db.prepare("SELECT value FROM booking_settings WHERE key = 'hubCursor'").get() as { value: string } | undefined)?.value ?? 0,
    );
  } finally {
    db.close();
  }
}

describe('online booking through the hub', () => {
  const hubCodes = new Map<string, 'booked' | 'cancelled'>();
  let cancelled: { code: string; idNumber: string } | undefined;

  it('splits each slot between hub and hall so that neither can overbook it, online or offline', async () => {
    for (const t of times) await waitFor(`quota of ${t} at the hub`, async () => (await hubQuota(t))?.quota === QUOTA, 30_000);

    // online: the hub takes its quota, the kiosk the rest
    const a = await crowd(times[0]!, 0);
    expect(a.hub).toHaveLength(QUOTA);
    expect(a.hall).toHaveLength(CAPACITY - QUOTA);
    for (const b of a.hub) hubCodes.set(b.code, 'booked');

    // the hall cannot reach the hub: both keep booking their own places, never the other's
    chaos.set({ p500: 1 });
    const b = await crowd(times[1]!, 100);
    expect(b.hub).toHaveLength(QUOTA);
    expect(b.hall).toHaveLength(CAPACITY - QUOTA);
    for (const x of b.hub) hubCodes.set(x.code, 'booked');
    // a citizen cancels online while the hall is offline; the place goes back to the hub's quota only
    const first = a.hub[0]!;
    const idNumber = idOf('340104', 0);
    const wrong = await fetch(`${hub.url}/api/v1/book/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: first.code, idLast4: idNumber.slice(-4) === '0000' ? '1111' : '0000' }),
    });
    expect(wrong.status).toBe(404);
    const ok = await fetch(`${hub.url}/api/v1/book/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: first.code, idLast4: idNumber.slice(-4) }),
    });
    expect(ok.status).toBe(200);
    hubCodes.set(first.code, 'cancelled');
    cancelled = { code: first.code, idNumber };
    const again = await crowd(times[0]!, 200);
    expect(again.hub).toHaveLength(1);
    expect(again.hall).toHaveLength(0);
    for (const x of again.hub) hubCodes.set(x.code, 'booked');

    // back, with half of the hub's answers cut off after it committed: the hall repeats and applies once
    chaos.set({ p500: 0, pDrop: 0.5 });
    await waitFor('the hall has every hub event', async () => hallCursor() === (await hubSeq()) && hallCursor() > 0, 40_000);
    chaos.set({ pDrop: 0 });

    const rows = hallRows();
    // per slot: never more active bookings than the capacity (here: exactly full)
    const bySlot = new Map<number, number>();
    for (const r of rows) if (r.state !== 'cancelled') bySlot.set(r.time, (bySlot.get(r.time) ?? 0) + 1);
    expect([...bySlot.values()].sort()).toEqual([CAPACITY, CAPACITY]);
    // every hub booking is in the hall exactly once, in the state the hub gave it
    const fromHub = rows.filter((r) => r.source === 'hub');
    expect(new Map(fromHub.map((r) => [r.code, r.state]))).toEqual(hubCodes);
    expect(fromHub).toHaveLength(hubCodes.size);
    // the hub's side of the same rule, in its own table
    for (const t of times.slice(0, 2)) expect(await hubQuota(t)).toEqual({ quota: QUOTA, booked: QUOTA });
  }, 90_000);

  it('applies a repeated feed as nothing, and a cancelled code no longer checks in', async () => {
    const before = hallRows();
    const events = (
      await hub.pool.query("SELECT seq, kind, booking_id, data, at FROM booking_feed WHERE hall_id = 'HALL-A' ORDER BY seq")
    ).rows.map(
      (x) => ({ ...x.data, seq: Number(x.seq), kind: x.kind, bookingId: x.booking_id, at: new Date(x.at).getTime() }) as HubBookingEvent,
    );
    const db = new Database(join(dataDir, 'hall.db'));
    try {
      const quotas = new HubQuotas(db, agent.hall.ctx.bookings!, new Map([['id-card', '身份证办理']]), Date.now, () => day);
      // the whole feed again: every event is at or below the cursor, nothing changes
      expect(quotas.apply([], events)).toMatchObject({ applied: 0, conflicts: [] });
    } finally {
      db.close();
    }
    expect(hallRows()).toEqual(before);
    const r = await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: cancelled!.code }, undefined, {
      terminal: 'kiosk-1',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });

  it('catches up after a hall restart with what the hub booked while it was off', async () => {
    await agent.stop();
    const off = await Promise.all(Array.from({ length: 6 }, (_, i) => hubBook(times[2]!, idOf('340121', i))));
    const booked = off.filter((a) => a.status === 201).map((a) => a.body.code as string);
    expect(booked).toHaveLength(QUOTA);
    agent = await startAgent();
    await waitFor('the restarted hall has the bookings', async () => hallCursor() === (await hubSeq()), 30_000);
    const rows = hallRows().filter((r) => booked.includes(r.code));
    expect(rows.map((r) => r.code).sort()).toEqual([...booked].sort());
    expect(rows.every((r) => r.state === 'booked' && r.source === 'hub')).toBe(true);
    // the kiosk still has its own places in that slot, no more
    const local = await Promise.all(Array.from({ length: 6 }, (_, i) => hallBook(times[2]!, idOf('340122', i))));
    expect(
      local.filter((a) => a.status === 201),
      JSON.stringify(local.map((a) => [a.status, a.body?.error?.code])),
    ).toHaveLength(CAPACITY - QUOTA);
  }, 60_000);

  it('refuses bad input with a clear 4xx and an unsigned or replayed exchange', async () => {
    const bad = await Promise.all([
      hubBook(times[2]!, '340104197001011234'),
      hubBook('09:15', idOf('340131', 1)),
      fetch(`${hub.url}/api/v1/book`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hall":1}' }).then(
        async (r) => ({
          status: r.status,
          body: await r.json(),
        }),
      ),
      fetch(`${hub.url}/api/v1/book`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hall: 'NOPE', service: 'id-card', day, time: times[0], idNumber: idOf('340131', 2) }),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
      fetch(`${hub.url}/api/v1/book`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hall: 'HALL-A', service: 'id-card', day: '2026-02-30', time: times[0], idNumber: idOf('340131', 3) }),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
    ]);
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 404, 400]);
    expect(bad[4]!.body.error.code).toBe('invalid_day');
    expect(bad[0]!.body.error.code).toBe('invalid_id_number');
    const body = JSON.stringify({ batchId: 'replay-test-0001', after: 0, quotas: [] });
    const headers = signedHeaders(SECRET_A, 'HALL-A', body);
    const first = await fetch(`${hub.url}/api/v1/booking-sync`, { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    const replay = await fetch(`${hub.url}/api/v1/booking-sync`, { method: 'POST', headers, body });
    expect(replay.status).toBe(409);
    const forged = await fetch(`${hub.url}/api/v1/booking-sync`, {
      method: 'POST',
      headers: signedHeaders('not-the-hall-secret-000', 'HALL-A', body),
      body,
    });
    expect(forged.status).toBe(401);
    const garbage = JSON.stringify({ batchId: 'replay-test-0002', after: -1, quotas: [{ day: '2026-02-30' }] });
    const wrongDay = JSON.stringify({
      batchId: 'replay-test-0003',
      after: 0,
      quotas: [{ day: '2026-02-30', service: 'id-card', serviceName: '身份证办理', slot: 18, start: 1, end: 2, quota: 1, seq: 1 }],
    });
    const refused = await fetch(`${hub.url}/api/v1/booking-sync`, {
      method: 'POST',
      headers: signedHeaders(SECRET_A, 'HALL-A', wrongDay),
      body: wrongDay,
    });
    expect(refused.status).toBe(400);
    expect(
      (
        await fetch(`${hub.url}/api/v1/booking-sync`, {
          method: 'POST',
          headers: signedHeaders(SECRET_A, 'HALL-A', garbage),
          body: garbage,
        })
      ).status,
    ).toBe(400);
  });
});
