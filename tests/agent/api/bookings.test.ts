// 预约 slots in the hall: capacity per service and half hour, never overbooked under real
// concurrent requests (a property over capacities, crowds and repeat bookers), the per-person limit,
// cancellation, no-show tracking and kiosk check-in by the booking's code.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayMidnight } from '../../../common/forecast/slots.js';
import { idCheckChar } from '../../../common/gb11643.js';
import { api, managerToken, startTestAgent, type TestAgent, terminalToken } from '../../helpers/agent.js';

// Monday 2026-06-01 10:15 in the hall; the clock moves only when a test moves it
let now = Date.parse('2026-06-01T10:15:00+08:00');
let agent: TestAgent;
let manager: string;
beforeAll(async () => {
  agent = await startTestAgent({ clock: { now: () => now } });
  manager = await managerToken(agent.baseUrl);
  // pair the kiosk now: the tests move the clock days ahead, past a manager session's 12 hours
  await terminalToken(agent.baseUrl, 'kiosk-1');
});

/** a manager session at the current (moved) clock */
async function signInManager(): Promise<void> {
  const r = await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' });
  manager = r.body.token;
}
afterAll(async () => {
  await agent?.stop();
});

/** a valid 身份证 number per person index (GB 11643 check character computed, not copied) */
function idOf(i: number): string {
  const first17 = `110101${19800101 + (i % 28)}${String(100 + Math.floor(i / 28)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

const kiosk = (path: string, body: unknown) => api(agent.baseUrl, 'POST', path, body, undefined, { terminal: 'kiosk-1' });
const setCap = (day: string, service: string, time: string, capacity: number | null) =>
  api(agent.baseUrl, 'PUT', '/api/v1/bookings/capacity', { day, service, time, capacity }, manager);

describe('booking a slot', () => {
  it('never gives more places than the capacity, whatever the crowd (property, concurrent requests)', async () => {
    // each run: its own slot on Tuesday–Friday, its own people
    const slots = ['2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'].flatMap((d) =>
      ['08:30', '09:00', '09:30', '10:00', '10:30', '14:00', '15:00', '16:00'].map((t) => [d, t] as const),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 24 }),
        async (capacity, people) => {
          const [day, time] = slots[run]!;
          const base = 1000 + run * 20;
          run++;
          expect((await setCap(day, 'id-card', time, capacity)).status).toBe(200);
          const answers = await Promise.all(
            people.map((p) => kiosk('/api/v1/bookings', { day, service: 'id-card', time, idNumber: idOf(base + p) })),
          );
          const ok = answers.filter((a) => a.status === 201);
          const distinct = new Set(people).size;
          expect(ok.length).toBe(Math.min(capacity, distinct));
          // every refusal says why, and nothing else went wrong
          for (const a of answers) if (a.status !== 201) expect(['slot_full', 'already_booked']).toContain(a.body.error.code);
          expect(new Set(ok.map((a) => a.body.code)).size).toBe(ok.length);
          const slotsNow = await api(agent.baseUrl, 'GET', `/api/v1/bookings/slots?day=${day}&service=id-card`);
          const s = slotsNow.body.slots.find((x: { time: string }) => x.time === time);
          expect(s.taken).toBe(ok.length);
          expect(s.left).toBe(capacity - ok.length);
        },
      ),
      { numRuns: 12 },
    );
    // and the file agrees: no slot holds more bookings than its capacity
    const db = new Database(join(agent.dataDir, 'hall.db'), { readonly: true });
    const caps = db.prepare('SELECT day, service, slot, capacity FROM booking_capacity').all() as {
      day: string;
      service: string;
      slot: number;
      capacity: number;
    }[];
    const held = db
      .prepare("SELECT day, service, json_extract(data, '$.slotStart') AS start FROM appointments WHERE state != 'cancelled'")
      .all() as {
      day: string;
      service: string;
      start: number;
    }[];
    const over = caps.filter((c) => {
      const from = dayMidnight(c.day, 'Asia/Shanghai') + c.slot * 1_800_000;
      return held.filter((h) => h.service === c.service && h.start >= from && h.start < from + 1_800_000).length > c.capacity;
    });
    expect(held.length).toBeGreaterThan(0);
    // no ID number in clear anywhere in the bookings
    const clear = db
      .prepare('SELECT COUNT(*) AS n FROM appointments WHERE data LIKE ? OR id_hash LIKE ?')
      .get(`%${idOf(1000)}%`, `%${idOf(1000)}%`) as {
      n: number;
    };
    db.close();
    expect(over).toEqual([]);
    expect(clear.n).toBe(0);
  }, 120_000);

  it('refuses bad input with a clear 4xx and books nothing', async () => {
    await setCap('2026-06-08', 'id-card', '09:00', 3);
    const good = { day: '2026-06-08', service: 'id-card', time: '09:00', idNumber: idOf(5000) };
    const cases: [unknown, number, string][] = [
      [{ ...good, idNumber: '110101198001010001' }, 400, 'invalid_id_number'],
      [{ ...good, time: '09:15' }, 400, 'invalid_time'],
      [{ ...good, time: '03:00' }, 409, 'slot_closed'],
      [{ ...good, service: 'nope' }, 400, 'unknown_service'],
      [{ ...good, day: '2026-07-30' }, 400, 'day_out_of_range'],
      [{ ...good, day: '2026-05-29' }, 400, 'day_out_of_range'],
    ];
    for (const [body, status, code] of cases) {
      const r = await kiosk('/api/v1/bookings', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    // the refusal's words on the wire, zh-CN and English, exactly as the booking rules wrote them
    expect((await kiosk('/api/v1/bookings', cases[1]![0])).body).toEqual({
      error: { code: 'invalid_time', message: '时段应为整点或半点（如 09:30）', messageEn: 'time must be HH:00 or HH:30' },
    });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/bookings', good, undefined, { terminal: null })).status).toBe(401);
    const slots = await api(agent.baseUrl, 'GET', '/api/v1/bookings/slots?day=2026-06-08&service=id-card');
    expect(slots.body.slots.find((s: { time: string }) => s.time === '09:00').taken).toBe(0);
  });

  it('limits a person to one booking per service and day and two at a time; cancelling frees the place', async () => {
    for (const t of ['08:30', '09:00']) for (const d of ['2026-06-09', '2026-06-10', '2026-06-11']) await setCap(d, 'id-card', t, 1);
    await setCap('2026-06-09', 'hukou-move', '09:00', 1);
    const me = idOf(6000);
    const first = await kiosk('/api/v1/bookings', { day: '2026-06-09', service: 'id-card', time: '08:30', idNumber: me });
    expect(first.status).toBe(201);
    expect((await kiosk('/api/v1/bookings', { day: '2026-06-09', service: 'id-card', time: '09:00', idNumber: me })).body.error.code).toBe(
      'already_booked',
    );
    expect((await kiosk('/api/v1/bookings', { day: '2026-06-09', service: 'hukou-move', time: '09:00', idNumber: me })).status).toBe(201);
    expect((await kiosk('/api/v1/bookings', { day: '2026-06-10', service: 'id-card', time: '08:30', idNumber: me })).body.error.code).toBe(
      'too_many_bookings',
    );
    // the slot is full for someone else
    const other = idOf(6001);
    expect(
      (await kiosk('/api/v1/bookings', { day: '2026-06-09', service: 'id-card', time: '08:30', idNumber: other })).body.error.code,
    ).toBe('slot_full');
    // only the same ID number cancels
    expect((await kiosk(`/api/v1/bookings/${first.body.code}/cancel`, { idNumber: other })).status).toBe(404);
    expect((await kiosk(`/api/v1/bookings/${first.body.code}/cancel`, { idNumber: me })).body.state).toBe('cancelled');
    expect((await kiosk(`/api/v1/bookings/${first.body.code}/cancel`, { idNumber: me })).body.error.code).toBe('not_cancellable');
    expect((await kiosk('/api/v1/bookings', { day: '2026-06-09', service: 'id-card', time: '08:30', idNumber: other })).status).toBe(201);
    // a cancelled code does not check in
    now = Date.parse('2026-06-09T08:35:00+08:00');
    const refused = await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: first.body.code });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('appointment_cancelled');
  });

  it('checks in at the kiosk with the booking code; a booking nobody came for is counted as a no-show', async () => {
    now = Date.parse('2026-06-11T07:00:00+08:00');
    await signInManager();
    expect((await setCap('2026-06-11', 'residence-permit', '09:00', 2)).status).toBe(200);
    await setCap('2026-06-11', 'residence-permit', '09:00', 2);
    const a = await kiosk('/api/v1/bookings', {
      day: '2026-06-11',
      service: 'residence-permit',
      time: '09:00',
      idNumber: idOf(7000),
      name: '张三',
    });
    const b = await kiosk('/api/v1/bookings', { day: '2026-06-11', service: 'residence-permit', time: '09:00', idNumber: idOf(7001) });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.nameMasked).toBe('张*');
    now = Date.parse('2026-06-11T09:05:00+08:00');
    const checkIn = await api(agent.baseUrl, 'POST', '/api/v1/appointments/check-in', { code: a.body.code });
    expect(checkIn.status).toBe(201);
    expect(checkIn.body.tickets[0].ticket.channel).toBe('appointment');
    // 09:30 slot end + 15 min grace passes
    now = Date.parse('2026-06-11T09:46:00+08:00');
    const list = await api(agent.baseUrl, 'GET', '/api/v1/bookings?day=2026-06-11', undefined, manager);
    expect(list.status).toBe(200);
    const state = Object.fromEntries(list.body.bookings.map((x: { code: string; state: string }) => [x.code, x.state]));
    expect(state[a.body.code]).toBe('checkedIn');
    expect(state[b.body.code]).toBe('noShow');
    expect(list.body.counts).toMatchObject({ checkedIn: 1, noShow: 1 });
    // the no-show still holds its place in the count: the slot does not reopen after the fact
    expect(JSON.stringify(list.body)).not.toContain(idOf(7000));
  });
});
