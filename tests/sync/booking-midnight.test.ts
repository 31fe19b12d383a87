// Online booking across midnight and a night off (the hall PC is switched off every evening): one
// clock for hall and hub (the agent's Clock, HubOptions.now), moved by the test; the hall restarted the
// next morning on the same SQLite file, the hub restarted on the same PostgreSQL and port.
//   Tue 16:40  capacities of Wed 09:00 / 09:30 set to 8: the hub gets 4 places of each (online share 0.5)
//   Tue 16:45  a hub booking for Wed 09:00
//   Tue 16:50  the hub goes down; the manager opens Tue 17:00 (capacity 8): that grant cannot be sent
//   Tue 23:55  a kiosk booking for Wed 09:00 (tomorrow, before midnight); 23:58 the hall PC is switched off
//   Wed 03:00  the hub is back; citizens book Wed 09:00 twice and 09:30 once, and cancel the first booking
//   Wed 07:45  the hall starts: yesterday's unsent grant is never sent (its slot is over); the kiosk booking
//              made before midnight is there and counted; the night's bookings and the cancel arrive once
//   Wed 08:10  another restart applies nothing again
// The oracle: the capacities the test set × the share, and the codes the hub answered.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { api, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { registerHalls } from '../hub/harness.js';
import { syncConfig, waitFor } from './fixtures.js';

const TUE = '2026-06-02';
const WED = '2026-06-03';
const at = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
const clock = { t: at(TUE, '16:40') };
const now = () => clock.t;
const slotOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 2 + (hhmm.endsWith('30') ? 1 : 0);

let pg: TestPostgres;
let hub: RunningHub | null = null;
let port = 0;
let agent: TestAgent | null = null;
let dataDir: string;

function idOf(i: number): string {
  const first17 = `340104${19800101 + (i % 28)}${String(200 + Math.floor(i / 28)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

const startTheHub = async () => {
  hub = await startHub({ databaseUrl: pg.url, port, now });
  port = Number(new URL(hub.url).port);
};
const startTheHall = async () => {
  agent = await startTestAgent({
    configText: syncConfig(`http://127.0.0.1:${port}`, '  bookingsPollSeconds: 1'),
    dataDir,
    clock: { now },
  });
};
/** a manager session at the (moved) clock */
const manager = async () => (await api(agent!.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token as string;
const syncStatus = async () => (await api(agent!.baseUrl, 'GET', '/api/v1/sync/status', undefined, await manager())).body.bookings;
const hubSlot = async (day: string, hhmm: string) =>
  (
    await hub!.pool.query(
      "SELECT quota, booked, seq FROM booking_slots WHERE hall_id = 'HALL-A' AND day = $1 AND service = 'id-card' AND slot = $2",
      [day, slotOf(hhmm)],
    )
  ).rows[0] as { quota: number; booked: number; seq: string } | undefined;
const hubBook = async (time: string, i: number) => {
  const r = await fetch(`${hub!.url}/api/v1/book`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hall: 'HALL-A', service: 'id-card', day: WED, time, idNumber: idOf(i) }),
  });
  expect(r.status).toBe(201);
  return (await r.json()) as { code: string };
};
function hallAppointments(): { code: string; state: string; source: string | null; slot: number }[] {
  const db = new Database(join(dataDir, 'hall.db'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT code, state, source, json_extract(data, '$.slotStart') AS slot FROM appointments
         WHERE day = ? AND service = 'id-card' ORDER BY code`,
      )
      .all(WED) as never;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  pg = await startTestPostgres();
  await startTheHub();
  await registerHalls(hub!);
  dataDir = mkdtempSync(join(tmpdir(), 'hallq-booking-midnight-'));
  await startTheHall();
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await hub?.close();
  await pg?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('online booking across midnight and a night off', () => {
  const codes: { kiosk?: string; evening?: string; night: string[]; cancelled?: string } = { night: [] };

  it('Tuesday: places for tomorrow granted, a hub booking for tomorrow, an unsent grant for today 17:00, a kiosk booking at 23:55', async () => {
    const m = await manager();
    for (const time of ['09:00', '09:30']) {
      const r = await api(agent!.baseUrl, 'PUT', '/api/v1/bookings/capacity', { day: WED, service: 'id-card', time, capacity: 8 }, m);
      expect(r.status).toBe(200);
    }
    await waitFor(
      'the grants of Wednesday at the hub',
      async () => (await hubSlot(WED, '09:00'))?.quota === 4 && (await hubSlot(WED, '09:30'))?.quota === 4,
    );
    clock.t = at(TUE, '16:45');
    codes.evening = (await hubBook('09:00', 2)).code;
    await waitFor('the evening hub booking at the hall', () => hallAppointments().some((a) => a.code === codes.evening));

    clock.t = at(TUE, '16:50');
    await hub!.close();
    const r = await api(
      agent!.baseUrl,
      'PUT',
      '/api/v1/bookings/capacity',
      { day: TUE, service: 'id-card', time: '17:00', capacity: 8 },
      await manager(),
    );
    expect(r.status).toBe(200);
    await waitFor(
      'the 17:00 grant waiting for the hub',
      async () => (await syncStatus()).pendingGrants >= 1 && (await syncStatus()).lastError,
    );
    // the hall stays open late; five minutes before midnight the kiosk books tomorrow morning
    clock.t = at(TUE, '23:55');
    await terminalToken(agent!.baseUrl, 'kiosk-1');
    const kiosk = await api(
      agent!.baseUrl,
      'POST',
      '/api/v1/bookings',
      { day: WED, service: 'id-card', time: '09:00', idNumber: idOf(1) },
      undefined,
      { terminal: 'kiosk-1' },
    );
    expect(kiosk.status).toBe(201);
    codes.kiosk = kiosk.body.code;
    clock.t = at(TUE, '23:58');
    await agent!.stop();
    agent = null;
  });

  it('Wednesday 03:00, the hall off: citizens book and cancel on the hub; yesterday is no longer offered', async () => {
    clock.t = at(WED, '03:00');
    await startTheHub();
    codes.night.push((await hubBook('09:00', 3)).code, (await hubBook('09:00', 4)).code, (await hubBook('09:30', 5)).code);
    const c = await fetch(`${hub!.url}/api/v1/book/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes.evening, idLast4: idOf(2).slice(-4) }),
    });
    expect(c.status).toBe(200);
    codes.cancelled = codes.evening;
    expect(await hubSlot(WED, '09:00')).toMatchObject({ quota: 4, booked: 2 });
    // the hub never heard of Tuesday 17:00, and offers nothing of Tuesday
    expect(await hubSlot(TUE, '17:00')).toBeUndefined();
    const slots = await (await fetch(`${hub!.url}/api/v1/book/slots?hall=HALL-A&service=id-card`)).json();
    expect(slots.slots.filter((s: { day: string }) => s.day === TUE)).toEqual([]);
  });

  it('Wednesday 07:45, the hall starts: the night arrives once, the evening kiosk booking is counted, yesterday is not sent', async () => {
    clock.t = at(WED, '07:45');
    const lastSeq = Number((await hub!.pool.query("SELECT max(seq)::int AS s FROM booking_feed WHERE hall_id = 'HALL-A'")).rows[0].s);
    await startTheHall();
    await waitFor('the hall to catch up with the hub', async () => {
      const s = await syncStatus();
      return s.cursor === lastSeq && s.pendingGrants === 0 && s.lastSuccessAt !== null;
    });
    // yesterday's grant was dropped, not sent late
    expect(await hubSlot(TUE, '17:00')).toBeUndefined();
    const appts = hallAppointments();
    const hubRows = appts.filter((a) => a.source === 'hub');
    expect(hubRows.map((a) => a.code).sort()).toEqual([codes.evening!, ...codes.night].sort());
    expect(Object.fromEntries(hubRows.map((a) => [a.code, a.state]))).toEqual(
      Object.fromEntries([[codes.evening!, 'cancelled'], ...codes.night.map((c) => [c, 'booked'])]),
    );
    expect(appts.find((a) => a.code === codes.kiosk)).toMatchObject({ state: 'booked', slot: at(WED, '09:00') });
    // counted: 1 kiosk + 2 hub bookings taken; 8 − 1 local − 4 kept for the hub left at the kiosk
    const view = await api(agent!.baseUrl, 'GET', `/api/v1/bookings/slots?day=${WED}&service=id-card`);
    const nine = view.body.slots.find((s: { time: string }) => s.time === '09:00');
    expect(nine).toMatchObject({ capacity: 8, taken: 3, left: 3, online: { reserved: 4, booked: 2 } });
    const nineThirty = view.body.slots.find((s: { time: string }) => s.time === '09:30');
    expect(nineThirty).toMatchObject({ capacity: 8, taken: 1, left: 4 });
    expect(await hubSlot(WED, '09:00')).toMatchObject({ quota: 4, booked: 2 });
  });

  it('Wednesday 08:10, restarted again: nothing is applied twice, the slot is not overbooked', async () => {
    const before = hallAppointments();
    const cursor = (await syncStatus()).cursor;
    await agent!.stop();
    clock.t = at(WED, '08:10');
    await startTheHall();
    await waitFor('a round after the restart', async () => (await syncStatus()).lastSuccessAt !== null);
    expect((await syncStatus()).cursor).toBe(cursor);
    expect(hallAppointments()).toEqual(before);
    const booked = before.filter((a) => a.slot === at(WED, '09:00') && a.state === 'booked').length;
    expect(booked).toBeLessThanOrEqual(8);
  });
});
