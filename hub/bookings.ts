// 预约 from the hub: places per slot that each hall grants the hub (its online quota), bookings and
// cancellations by citizens on the public pages, and the per-hall feed the hall pulls them from.
//
// Never overbooked by construction: the hub books a slot only while booked < quota (CHECK in the table
// too), and a hall counts its own bookings against capacity − the quota it granted; a quota goes down
// only when the hub accepts it (never below the hub's bookings) and the hall hears so. docs/booking-sync.md.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BOOKING_CODE_ALPHABET, HUB_BOOKING_CODE_LENGTH } from '../common/appointment-code.js';
import { BookingError as HubBookingError, MAX_ACTIVE_PER_ID as HUB_MAX_ACTIVE_PER_ID } from '../common/bookings.js';
import { isValidIdNumber } from '../common/gb11643.js';
import type { OnlineBookingState } from '../common/vocabulary.js';
import { BOOKING_EVENTS_PER_ANSWER, type HubBookingEvent, type QuotaAck, type QuotaGrant } from '../contracts/booking-sync.js';
import { inTransaction } from './db/client.js';

/** wrong ID digits for one code before cancelling online is refused (the hall can still cancel) */
export const MAX_FAILED_CANCELS = 5;
export { BookingError as HubBookingError, BOOKING_DAYS as HUB_BOOKING_DAYS } from '../common/bookings.js';

export const normalizeId = (raw: string) => raw.trim().toUpperCase();
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

/**
 * The hub's own key for 身份证 hashes (made once, kept in the database). Not a hall's key: the hub
 * cannot match its hashes with a hall's, and a hall's cannot be reversed with it.
 */
export async function hubIdSecret(pool: pg.Pool): Promise<string> {
  await pool.query("INSERT INTO hub_settings (key, value) VALUES ('idSecret', $1) ON CONFLICT (key) DO NOTHING", [
    randomBytes(32).toString('base64url'),
  ]);
  return (await pool.query("SELECT value FROM hub_settings WHERE key = 'idSecret'")).rows[0].value as string;
}

/**
 * A hall's grants: each applied when its seq is newer than the slot's, the quota never set below the
 * hub's bookings. Every grant is answered with what the hub now holds for its slot (a stale or
 * repeated grant changes nothing and is answered the same way).
 */
export async function applyGrants(client: pg.PoolClient, hallId: string, grants: QuotaGrant[]): Promise<QuotaAck[]> {
  if (grants.length === 0) return [];
  // the newest grant per slot (one statement may touch a row once), rows locked in key order so two
  // exchanges of one hall never deadlock
  const newest = new Map<string, QuotaGrant>();
  for (const g of grants) {
    const k = `${g.day}|${g.service}|${g.slot}`;
    if ((newest.get(k)?.seq ?? 0) < g.seq) newest.set(k, g);
  }
  const sorted = [...newest.values()].sort((a, b) =>
    a.day === b.day ? (a.service === b.service ? a.slot - b.slot : a.service < b.service ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
  await client.query(
    `WITH g AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb)
         AS g(day date, service text, "serviceName" text, slot int, start bigint, "end" bigint, quota int, seq bigint)
     ), up AS (
       INSERT INTO booking_slots AS s (hall_id, day, service, slot, service_name, start_at, end_at, quota, seq)
       SELECT $1, g.day, g.service, g.slot, g."serviceName", to_timestamp(g.start / 1000.0), to_timestamp(g."end" / 1000.0), g.quota, g.seq
       FROM g
       ON CONFLICT (hall_id, day, service, slot) DO UPDATE
         SET quota = greatest(excluded.quota, s.booked), seq = excluded.seq, service_name = excluded.service_name,
             start_at = excluded.start_at, end_at = excluded.end_at, updated_at = now()
         WHERE excluded.seq > s.seq
       RETURNING 1
     )
     SELECT count(*) FROM up`,
    [hallId, JSON.stringify(sorted)],
  );
  const now = await client.query(
    `SELECT s.day::text AS day, s.service, s.slot, s.seq, s.quota, s.booked
     FROM booking_slots s JOIN jsonb_to_recordset($2::jsonb) AS g(day date, service text, slot int)
       ON s.day = g.day AND s.service = g.service AND s.slot = g.slot
     WHERE s.hall_id = $1`,
    [hallId, JSON.stringify(sorted)],
  );
  return now.rows.map((x) => ({ day: x.day, service: x.service, slot: x.slot, seq: Number(x.seq), quota: x.quota, booked: x.booked }));
}

/** The hall's events after its cursor, in order; the cursor it sent is what it has applied. */
export async function feedAfter(
  client: pg.PoolClient,
  hallId: string,
  after: number,
): Promise<{ events: HubBookingEvent[]; more: boolean }> {
  await client.query(
    `INSERT INTO booking_halls (hall_id, cursor, sync_at) VALUES ($1, $2, now())
     ON CONFLICT (hall_id) DO UPDATE SET cursor = greatest(booking_halls.cursor, excluded.cursor), sync_at = now()`,
    [hallId, after],
  );
  const r = await client.query(
    'SELECT seq, kind, booking_id, data, at FROM booking_feed WHERE hall_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [hallId, after, BOOKING_EVENTS_PER_ANSWER + 1],
  );
  const rows = r.rows.slice(0, BOOKING_EVENTS_PER_ANSWER);
  return {
    events: rows.map((x) => ({ ...x.data, seq: Number(x.seq), kind: x.kind, bookingId: x.booking_id, at: new Date(x.at).getTime() })),
    more: r.rows.length > BOOKING_EVENTS_PER_ANSWER,
  };
}

/** The next event number of a hall. The row stays locked to the commit, so numbers commit in order: a cursor never skips one. */
async function nextSeq(client: pg.PoolClient, hallId: string): Promise<number> {
  const r = await client.query(
    `INSERT INTO booking_halls (hall_id, seq) VALUES ($1, 1)
     ON CONFLICT (hall_id) DO UPDATE SET seq = booking_halls.seq + 1 RETURNING seq`,
    [hallId],
  );
  return Number(r.rows[0].seq);
}

export interface HubBooking {
  id: string;
  code: string;
  hallId: string;
  hallName: string;
  service: string;
  serviceName: string;
  day: string;
  time: string;
  slotStart: number;
  slotEnd: number;
  state: OnlineBookingState;
  idMasked: string;
  nameMasked: string | null;
}

export const slotTime = (slot: number) => `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;
export function slotOfTime(time: string): number | undefined {
  const m = /^([01]\d|2[0-3]):(00|30)$/.exec(time);
  return m ? Number(m[1]) * 2 + (m[2] === '30' ? 1 : 0) : undefined;
}
const maskId = (id: string) => `${'*'.repeat(Math.max(0, id.length - 4))}${id.slice(-4)}`;
const maskName = (raw: string) => {
  const chars = Array.from(raw.trim());
  return chars.length === 0 ? null : chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
};
const cancelKey = (secret: string, code: string, last4: string) => hmac(secret, `cancel\n${code}\n${last4.toUpperCase()}`);

function newCode(): string {
  let code = '';
  for (let i = 0; i < HUB_BOOKING_CODE_LENGTH; i++) code += BOOKING_CODE_ALPHABET[randomInt(BOOKING_CODE_ALPHABET.length)];
  return code;
}

export interface BookRequest {
  hallId: string;
  service: string;
  day: string;
  time: string;
  idNumber: string;
  name?: string;
}

/** a real calendar day YYYY-MM-DD (2026-02-30 is not) */
export function isRealDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const t = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === day;
}

/**
 * Books one place: the person's lock (per-ID limits), then the slot's row (booked < quota), then the
 * hall's event number; one transaction, so a crash leaves neither a booking without its event nor
 * the reverse.
 */
export async function book(pool: pg.Pool, secret: string, req: BookRequest, now = Date.now()): Promise<HubBooking> {
  const slot = slotOfTime(req.time);
  if (slot === undefined) throw new HubBookingError(400, 'invalid_time', '时段应为整点或半点（如 09:30）', 'time must be HH:00 or HH:30');
  if (!isRealDay(req.day)) throw new HubBookingError(400, 'invalid_day', '日期格式应为 YYYY-MM-DD', 'day must be YYYY-MM-DD');
  const id = normalizeId(req.idNumber);
  if (!isValidIdNumber(id)) throw new HubBookingError(400, 'invalid_id_number', '身份证号码有误', 'Invalid ID number');
  const idHash = hmac(secret, `id\n${id}`);
  const nameMasked = req.name ? maskName(req.name) : null;
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`book:${idHash}`]);
    const s = await client.query(
      `SELECT s.quota, s.booked, s.service_name, s.start_at, s.end_at, h.name AS hall_name
       FROM booking_slots s JOIN halls h ON h.id = s.hall_id
       WHERE s.hall_id = $1 AND s.day = to_date($2, 'YYYY-MM-DD') AND s.service = $3 AND s.slot = $4 FOR UPDATE OF s`,
      [req.hallId, req.day, req.service, slot],
    );
    const row = s.rows[0];
    if (!row)
      throw new HubBookingError(404, 'no_such_slot', '该大厅此时段不开放网上预约', 'That hall takes no online bookings in that slot');
    const start = new Date(row.start_at).getTime();
    if (start <= now) throw new HubBookingError(409, 'slot_past', '该时段已开始，请选择之后的时段', 'That slot has already begun');
    const mine = await client.query(
      "SELECT day::text AS day, service, start_at FROM hub_bookings WHERE id_hash = $1 AND state = 'booked'",
      [idHash],
    );
    if (mine.rows.some((m) => m.day === req.day && m.service === req.service))
      throw new HubBookingError(409, 'already_booked', '您当天已预约该业务', 'You already hold a booking for this service that day');
    if (mine.rows.filter((m) => new Date(m.start_at).getTime() > now).length >= HUB_MAX_ACTIVE_PER_ID)
      throw new HubBookingError(
        409,
        'too_many_bookings',
        `每人最多同时保留 ${HUB_MAX_ACTIVE_PER_ID} 个网上预约`,
        `At most ${HUB_MAX_ACTIVE_PER_ID} online bookings per person`,
      );
    if (row.booked >= row.quota)
      throw new HubBookingError(409, 'slot_full', '该时段网上号源已约满，请选择其他时段', 'That slot is fully booked online');
    await client.query(
      'UPDATE booking_slots SET booked = booked + 1 WHERE hall_id = $1 AND day = $2::date AND service = $3 AND slot = $4',
      [req.hallId, req.day, req.service, slot],
    );
    const bookingId = randomUUID();
    let code = newCode();
    for (;;) {
      const ins = await client.query(
        `INSERT INTO hub_bookings (id, hall_id, code, day, service, slot, start_at, end_at, state, id_hash, cancel_hash, name_masked)
         VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8, 'booked', $9, $10, $11) ON CONFLICT (code) DO NOTHING RETURNING 1`,
        [
          bookingId,
          req.hallId,
          code,
          req.day,
          req.service,
          slot,
          row.start_at,
          row.end_at,
          idHash,
          cancelKey(secret, code, id.slice(-4)),
          nameMasked,
        ],
      );
      if (ins.rowCount) break;
      code = newCode();
    }
    const end = new Date(row.end_at).getTime();
    const seq = await nextSeq(client, req.hallId);
    const data = { code, day: req.day, service: req.service, slot, slotStart: start, slotEnd: end, nameMasked };
    await client.query('INSERT INTO booking_feed (hall_id, seq, booking_id, kind, data) VALUES ($1, $2, $3, $4, $5)', [
      req.hallId,
      seq,
      bookingId,
      'booked',
      JSON.stringify(data),
    ]);
    return {
      id: bookingId,
      code,
      hallId: req.hallId,
      hallName: row.hall_name,
      service: req.service,
      serviceName: row.service_name,
      day: req.day,
      time: slotTime(slot),
      slotStart: start,
      slotEnd: end,
      state: 'booked',
      idMasked: maskId(id),
      nameMasked,
    };
  });
}

/** Cancels with the code and the last 4 characters of the 身份证 number, before the slot begins. */
export async function cancel(pool: pg.Pool, secret: string, codeRaw: string, last4Raw: string, now = Date.now()): Promise<HubBooking> {
  const code = codeRaw.trim().toUpperCase();
  const last4 = last4Raw.trim().toUpperCase();
  if (!/^[0-9X]{4}$/.test(last4))
    throw new HubBookingError(400, 'invalid_id_last4', '请输入身份证号码后 4 位', 'Give the last 4 characters of the ID number');
  if (!/^[0-9A-Z]{1,20}$/.test(code)) throw new HubBookingError(404, 'unknown_booking', '没有这个预约码', 'No such booking');
  // A wrong guess is counted in its own transaction, so it is kept although the cancel fails.
  const outcome = await inTransaction(pool, async (client) => {
    const b = await client.query(
      `SELECT b.*, s.service_name, h.name AS hall_name FROM hub_bookings b
       JOIN booking_slots s ON s.hall_id = b.hall_id AND s.day = b.day AND s.service = b.service AND s.slot = b.slot
       JOIN halls h ON h.id = b.hall_id
       WHERE b.code = $1 FOR UPDATE OF b`,
      [code],
    );
    const row = b.rows[0];
    if (!row) throw new HubBookingError(404, 'unknown_booking', '没有这个预约码', 'No such booking');
    if (row.failed_cancels >= MAX_FAILED_CANCELS)
      throw new HubBookingError(409, 'cancel_locked', '核对错误次数过多，请到大厅办理取消', 'Too many wrong attempts; cancel at the hall');
    if (cancelKey(secret, code, last4) !== row.cancel_hash) {
      await client.query('UPDATE hub_bookings SET failed_cancels = failed_cancels + 1 WHERE id = $1', [row.id]);
      return { wrong: true as const };
    }
    if (row.state !== 'booked') throw new HubBookingError(409, 'not_cancellable', '该预约已取消', 'The booking is already cancelled');
    const start = new Date(row.start_at).getTime();
    if (start <= now) throw new HubBookingError(409, 'slot_past', '预约时段已开始，无法取消', 'The slot has begun');
    await client.query('UPDATE booking_slots SET booked = booked - 1 WHERE hall_id = $1 AND day = $2 AND service = $3 AND slot = $4', [
      row.hall_id,
      row.day,
      row.service,
      row.slot,
    ]);
    await client.query("UPDATE hub_bookings SET state = 'cancelled', cancelled_at = now() WHERE id = $1", [row.id]);
    const seq = await nextSeq(client, row.hall_id);
    const end = new Date(row.end_at).getTime();
    const data = { code, day: row.day, service: row.service, slot: row.slot, slotStart: start, slotEnd: end, nameMasked: row.name_masked };
    await client.query('INSERT INTO booking_feed (hall_id, seq, booking_id, kind, data) VALUES ($1, $2, $3, $4, $5)', [
      row.hall_id,
      seq,
      row.id,
      'cancelled',
      JSON.stringify(data),
    ]);
    return {
      wrong: false as const,
      booking: {
        id: row.id,
        code,
        hallId: row.hall_id,
        hallName: row.hall_name,
        service: row.service,
        serviceName: row.service_name,
        day: row.day,
        time: slotTime(row.slot),
        slotStart: start,
        slotEnd: end,
        state: 'cancelled' as const,
        idMasked: `**************${last4}`,
        nameMasked: row.name_masked,
      },
    };
  });
  if (outcome.wrong)
    throw new HubBookingError(404, 'unknown_booking', '预约码与身份证号后 4 位不符', 'No such booking for those ID digits');
  return outcome.booking;
}
