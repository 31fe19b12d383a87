// 预约 slots booked in the hall: capacity per service and half hour derived from the counters the
// forecast plans (a configurable share of their time reserved for appointments, the rest walk-in),
// adjustable by the manager per slot; booking, cancellation, no-show tracking and a per-person limit
// (the 身份证 number only as its HMAC with the hall secret). A booking is an appointment row, so the
// kiosk checks it in by its code like an imported one. Every booking is one synchronous IMMEDIATE
// transaction that counts and inserts: concurrent requests cannot overbook a slot.
import { prepared } from '../store/statements.js';
import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { nextDay } from '../queue/calendar.js';
import { hashIdNumber, isValidIdNumber, maskName } from '../queue/idnumber.js';
import type { Appointment } from '../queue/types.js';
import { BOOKING_CODE_ALPHABET as CODE_ALPHABET, HALL_BOOKING_CODE_LENGTH as CODE_LENGTH } from '../../common/appointment-code.js';
import { BOOKING_DAYS, BookingError, MAX_ACTIVE_PER_ID } from '../../common/bookings.js';
import { SLOT_MS } from '../../common/forecast/slots.js';
import type { HallPlanner } from './planner.js';

export { BOOKING_DAYS, BookingError, MAX_ACTIVE_PER_ID } from '../../common/bookings.js';
export const DEFAULT_SHARE = 0.3;
/** of a slot's places, the part the hub may book online (when the hall syncs to a hub) */
export const DEFAULT_ONLINE_SHARE = 0.5;

export interface SlotView {
  slot: number;
  time: string;
  start: number;
  end: number;
  capacity: number;
  /** capacity set by the manager (else derived) */
  adjusted: boolean;
  /** every booking of the slot: the hall's own, imported ones and the hub's */
  taken: number;
  /** places a booking in the hall can still take (capacity − local bookings − places kept for the hub) */
  left: number;
  /** online booking through the hub (agent/forecast/hub-quota.ts): places kept for it, and its bookings received */
  online: { reserved: number; booked: number };
}

export interface BookingHall {
  timezone: string;
  secret: string;
  services: readonly { id: string; expectedMinutes: number }[];
  appointmentGraceMs: number;
}

/** places kept for the hub in a slot (0 when none was granted) */
export function reservedForHub(db: Database.Database, day: string, service: string, slot: number): number {
  const r = prepared(db, 'SELECT reserved FROM hub_quota WHERE day = ? AND service = ? AND slot = ?').get(day, service, slot) as
    | { reserved: number }
    | undefined;
  return r?.reserved ?? 0;
}

/** places kept for the hub in each slot of a day */
export function reservedForHubBySlot(db: Database.Database, day: string, service: string): Map<number, number> {
  const rows = prepared(db, 'SELECT slot, reserved FROM hub_quota WHERE day = ? AND service = ?').all(day, service) as {
    slot: number;
    reserved: number;
  }[];
  return new Map(rows.map((r) => [r.slot, r.reserved]));
}

const hhmm = (slot: number) => `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;

export function slotOfTime(time: string): number | undefined {
  const m = /^([01]\d|2[0-3]):(00|30)$/.exec(time);
  return m ? Number(m[1]) * 2 + (m[2] === '30' ? 1 : 0) : undefined;
}

export class HallBookings {
  constructor(
    private readonly db: Database.Database,
    private readonly planner: HallPlanner,
    private readonly hall: BookingHall,
    readonly now: () => number,
    readonly today: () => string,
  ) {}

  share(): number {
    const r = prepared(this.db, "SELECT value FROM booking_settings WHERE key = 'share'").get() as { value: string } | undefined;
    return r ? Number(r.value) : DEFAULT_SHARE;
  }

  setShare(share: number): void {
    if (!(share >= 0 && share <= 1)) throw new BookingError(400, 'invalid_share', '预约比例应在 0 到 1 之间', 'share must be within 0..1');
    prepared(
      this.db,
      "INSERT INTO booking_settings (key, value) VALUES ('share', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(String(share));
  }

  /** the part of each slot's places granted to the hub for online booking (agent/forecast/hub-quota.ts) */
  onlineShare(): number {
    const r = prepared(this.db, "SELECT value FROM booking_settings WHERE key = 'onlineShare'").get() as { value: string } | undefined;
    return r ? Number(r.value) : DEFAULT_ONLINE_SHARE;
  }

  setOnlineShare(share: number): void {
    if (!(share >= 0 && share <= 1))
      throw new BookingError(400, 'invalid_share', '网上预约比例应在 0 到 1 之间', 'the online share must be within 0..1');
    prepared(
      this.db,
      "INSERT INTO booking_settings (key, value) VALUES ('onlineShare', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(String(share));
  }

  private checkDay(day: string, service: string) {
    if (!this.hall.services.some((s) => s.id === service))
      throw new BookingError(400, 'unknown_service', '没有这项业务', `Unknown service ${service}`);
    const today = this.today();
    if (day < today || day > nextDay(today, BOOKING_DAYS)) {
      throw new BookingError(
        400,
        'day_out_of_range',
        `只能预约今天起 ${BOOKING_DAYS} 天内`,
        `Bookings are taken for today and the next ${BOOKING_DAYS} days`,
      );
    }
  }

  /**
   * Derived capacity of each open slot: share × (planned counters × 30 min) × the service's part of the
   * slot's forecast work ÷ its mean handling time, rounded down. A slot with no forecast work (a new
   * hall) counts one counter shared evenly by the services.
   */
  private async derived(day: string, service: string): Promise<{ midnight: number; caps: Map<number, number> }> {
    const basis = (await this.planner.capacityBasis(this.today(), BOOKING_DAYS + 1)).get(day);
    const caps = new Map<number, number>();
    if (!basis) return { midnight: 0, caps };
    const share = this.share();
    const h = (s: string) => basis.handling[s]?.meanMinutes ?? this.hall.services.find((x) => x.id === s)?.expectedMinutes ?? 10;
    basis.open.forEach((open, i) => {
      if (!open) return;
      let work = 0;
      for (const [s, xs] of Object.entries(basis.walkIns)) work += xs[i]! * h(s);
      const counters = Math.max(1, basis.counters.get(i) ?? 0);
      const part = work > 0 ? ((basis.walkIns[service]?.[i] ?? 0) * h(service)) / work : 1 / this.hall.services.length;
      caps.set(i, Math.floor((share * counters * 30 * part) / h(service)));
    });
    return { midnight: basis.midnight, caps };
  }

  /** `sweep: false` for a caller that swept once before reading many days and services (hub-quota.ts) */
  async slots(day: string, service: string, sweep = true): Promise<SlotView[]> {
    this.checkDay(day, service);
    const { midnight, caps } = await this.derived(day, service);
    if (sweep) this.sweepNoShows();
    const overrides = new Map(
      (
        prepared(this.db, 'SELECT slot, capacity FROM booking_capacity WHERE day = ? AND service = ?').all(day, service) as {
          slot: number;
          capacity: number;
        }[]
      ).map((r) => [r.slot, r.capacity] as const),
    );
    const counts = this.slotCounts(service, midnight);
    const reservedBySlot = reservedForHubBySlot(this.db, day, service);
    const out: SlotView[] = [];
    for (const [slot, derived] of caps) {
      const start = midnight + slot * SLOT_MS;
      const capacity = overrides.get(slot) ?? derived;
      const { taken, local } = counts.get(slot) ?? { taken: 0, local: 0 };
      const reserved = reservedBySlot.get(slot) ?? 0;
      out.push({
        slot,
        time: hhmm(slot),
        start,
        end: start + SLOT_MS,
        capacity,
        adjusted: overrides.has(slot),
        taken,
        left: Math.max(0, capacity - local - reserved),
        online: { reserved, booked: taken - local },
      });
    }
    return out;
  }

  /**
   * Bookings per slot of one day (from its midnight): every booking (`taken`) and those made in the hall
   * or imported (`local`, not the hub's). One pass over the day instead of two queries per slot.
   */
  slotCounts(service: string, midnight: number): Map<number, { taken: number; local: number }> {
    const rows = prepared(
      this.db,
      `SELECT CAST((json_extract(data, '$.slotStart') - ?) / ? AS INTEGER) AS slot, COUNT(*) AS taken,
              SUM(COALESCE(source, '') <> 'hub') AS local
         FROM appointments WHERE service = ? AND state IN ('booked', 'checkedIn', 'noShow')
           AND json_extract(data, '$.slotStart') >= ? AND json_extract(data, '$.slotStart') < ?
         GROUP BY 1`,
    ).all(midnight, SLOT_MS, service, midnight, midnight + 48 * SLOT_MS) as { slot: number; taken: number; local: number }[];
    return new Map(rows.map((r) => [r.slot, { taken: r.taken, local: r.local }]));
  }

  /** bookings made in the hall or imported (not the hub's, which count against the places kept for it) */
  localTaken(service: string, start: number): number {
    const r = prepared(
      this.db,
      `SELECT COUNT(*) AS n FROM appointments WHERE service = ? AND state IN ('booked', 'checkedIn', 'noShow')
           AND COALESCE(source, '') <> 'hub'
           AND json_extract(data, '$.slotStart') >= ? AND json_extract(data, '$.slotStart') < ?`,
    ).get(service, start, start + SLOT_MS) as { n: number };
    return r.n;
  }

  async setCapacity(day: string, service: string, time: string, capacity: number | null): Promise<SlotView> {
    const slot = slotOfTime(time);
    if (slot === undefined) throw new BookingError(400, 'invalid_time', '时段应为整点或半点（如 09:30）', 'time must be HH:00 or HH:30');
    const open = (await this.slots(day, service)).some((s) => s.slot === slot);
    if (!open) throw new BookingError(409, 'slot_closed', '该时段不办公', 'The hall is closed in that slot');
    if (capacity === null)
      prepared(this.db, 'DELETE FROM booking_capacity WHERE day = ? AND service = ? AND slot = ?').run(day, service, slot);
    else {
      prepared(
        this.db,
        `INSERT INTO booking_capacity (day, service, slot, capacity, set_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(day, service, slot) DO UPDATE SET capacity = excluded.capacity, set_at = excluded.set_at`,
      ).run(day, service, slot, capacity, this.now());
    }
    return (await this.slots(day, service)).find((s) => s.slot === slot)!;
  }

  async book(req: { day: string; service: string; time: string; idNumber: string; name?: string }): Promise<Appointment> {
    const slot = slotOfTime(req.time);
    if (slot === undefined) throw new BookingError(400, 'invalid_time', '时段应为整点或半点（如 09:30）', 'time must be HH:00 or HH:30');
    if (!isValidIdNumber(req.idNumber)) throw new BookingError(400, 'invalid_id_number', '身份证号码有误', 'Invalid ID number');
    const view = (await this.slots(req.day, req.service)).find((s) => s.slot === slot);
    if (!view) throw new BookingError(409, 'slot_closed', '该时段不办公，请选择其他时段', 'The hall is closed in that slot');
    const idHash = hashIdNumber(this.hall.secret, req.idNumber);
    const derived = (await this.derived(req.day, req.service)).caps.get(slot) ?? 0;
    // Count and insert in one IMMEDIATE transaction: nothing runs between the check and the write.
    return this.db
      .transaction(() => {
        const now = this.now();
        if (view.start <= now) throw new BookingError(409, 'slot_past', '该时段已开始，请选择之后的时段', 'That slot has already begun');
        const override = prepared(this.db, 'SELECT capacity FROM booking_capacity WHERE day = ? AND service = ? AND slot = ?').get(
          req.day,
          req.service,
          slot,
        ) as { capacity: number } | undefined;
        const capacity = override?.capacity ?? derived;
        const mine = prepared(
          this.db,
          `SELECT day, service, json_extract(data, '$.slotStart') AS start FROM appointments
               WHERE id_hash = ? AND state IN ('booked', 'checkedIn')`,
        ).all(idHash) as { day: string; service: string; start: number }[];
        if (mine.some((m) => m.day === req.day && m.service === req.service)) {
          throw new BookingError(409, 'already_booked', '您当天已预约该业务', 'You already hold a booking for this service that day');
        }
        if (mine.filter((m) => m.start > now).length >= MAX_ACTIVE_PER_ID) {
          throw new BookingError(
            409,
            'too_many_bookings',
            `每人最多同时保留 ${MAX_ACTIVE_PER_ID} 个预约`,
            `At most ${MAX_ACTIVE_PER_ID} bookings per person`,
          );
        }
        // the places granted to the hub are its own, also while it cannot be reached (hub-quota.ts)
        if (this.localTaken(req.service, view.start) + reservedForHub(this.db, req.day, req.service, slot) >= capacity)
          throw new BookingError(409, 'slot_full', '该时段已约满，请选择其他时段', 'That slot is fully booked');
        const appt: Appointment = {
          code: this.newCode(),
          service: req.service,
          day: req.day,
          slotStart: view.start,
          slotEnd: view.end,
          batchSize: 1,
          state: 'booked',
          ticketIds: [],
        };
        if (req.name?.trim()) appt.nameMasked = maskName(req.name);
        prepared(
          this.db,
          "INSERT INTO appointments (code, day, service, state, data, id_hash, source, booked_at) VALUES (?, ?, ?, 'booked', ?, ?, 'hall', ?)",
        ).run(appt.code, appt.day, appt.service, JSON.stringify(appt), idHash, now);
        return appt;
      })
      .immediate();
  }

  private newCode(): string {
    for (;;) {
      let code = '';
      for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
      if (!prepared(this.db, 'SELECT 1 FROM appointments WHERE code = ?').get(code)) return code;
    }
  }

  /** The citizen cancels with the same 身份证 number; the manager without. Only before the slot begins. */
  cancel(code: string, idNumber: string | undefined, manager: boolean): Appointment {
    return this.db
      .transaction(() => {
        const row = prepared(this.db, 'SELECT data, id_hash AS idHash FROM appointments WHERE code = ?').get(code) as
          | { data: string; idHash: string | null }
          | undefined;
        if (!row) throw new BookingError(404, 'unknown_booking', '没有这个预约码', 'No such booking');
        const appt = JSON.parse(row.data) as Appointment;
        if (!manager) {
          if (!idNumber || !row.idHash || hashIdNumber(this.hall.secret, idNumber) !== row.idHash) {
            throw new BookingError(404, 'unknown_booking', '预约码与身份证号不符', 'No such booking for that ID number');
          }
        }
        if (appt.state !== 'booked')
          throw new BookingError(409, 'not_cancellable', '该预约已签到、已取消或已过期', 'The booking was checked in, cancelled or missed');
        if (appt.slotStart <= this.now()) throw new BookingError(409, 'slot_past', '预约时段已开始，无法取消', 'The slot has begun');
        const next: Appointment = { ...appt, state: 'cancelled' };
        prepared(this.db, "UPDATE appointments SET state = 'cancelled', data = ? WHERE code = ?").run(JSON.stringify(next), code);
        return next;
      })
      .immediate();
  }

  /** 爽约: a booking not checked in by its slot's end + the grace period. Returns how many were marked. */
  sweepNoShows(): number {
    const cutoff = this.now() - this.hall.appointmentGraceMs;
    return prepared(
      this.db,
      `UPDATE appointments SET state = 'noShow', data = json_set(data, '$.state', 'noShow')
           WHERE state = 'booked' AND source IN ('hall', 'hub') AND json_extract(data, '$.slotEnd') < ?`,
    ).run(cutoff).changes;
  }

  /** The day's bookings for the manager: states counted, no ID data. */
  list(day: string): { bookings: (Appointment & { source: string | null })[]; counts: Record<string, number> } {
    this.sweepNoShows();
    const rows = prepared(
      this.db,
      "SELECT data, source FROM appointments WHERE day = ? ORDER BY json_extract(data, '$.slotStart'), code",
    ).all(day) as {
      data: string;
      source: string | null;
    }[];
    const bookings = rows.map((r) => ({ ...(JSON.parse(r.data) as Appointment), source: r.source }));
    const counts: Record<string, number> = { booked: 0, checkedIn: 0, cancelled: 0, noShow: 0 };
    for (const b of bookings) counts[b.state] = (counts[b.state] ?? 0) + 1;
    return { bookings, counts };
  }
}
