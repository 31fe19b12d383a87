// The hall's half of online booking (docs/booking-sync.md): the places of each slot it grants the hub
// (its online quota), and the hub's bookings and cancellations applied exactly once.
//
// Never overbooked, online or not: local bookings (kiosk, guide, import) + the places reserved for the
// hub ≤ capacity, and the hub books ≤ its quota. `reserved` is the most the hub may hold: it rises with
// a grant at once, and falls only when the hub has answered the newest grant of that slot (the hub
// never sets a quota below its own bookings). While the hub is unreachable the hall keeps booking its
// own places and the hub its own; neither can take the other's.
import { prepared } from '../store/statements.js';
import type Database from 'better-sqlite3';
import type { HubBookingEvent, QuotaAck, QuotaGrant } from '../../contracts/booking-sync.js';
import type { Appointment } from '../queue/types.js';
import { BOOKING_DAYS, type HallBookings } from './bookings.js';
import { nextDay } from '../queue/calendar.js';
import { SLOT_MS } from '../../common/forecast/slots.js';

const CURSOR_KEY = 'hubCursor';

interface QuotaRow {
  day: string;
  service: string;
  slot: number;
  start: number;
  end: number;
  granted: number;
  reserved: number;
  seq: number;
  ackedSeq: number;
  hubBooked: number;
}

export interface ApplyOutcome {
  applied: number;
  /** a hub code that names another appointment of this hall: not applied (logged by the caller) */
  conflicts: string[];
  cursor: number;
}

export class HubQuotas {
  constructor(
    private readonly db: Database.Database,
    private readonly bookings: HallBookings,
    private readonly serviceNames: ReadonlyMap<string, string>,
    private readonly now: () => number,
    private readonly today: () => string,
  ) {}

  cursor(): number {
    const r = prepared(this.db, 'SELECT value FROM booking_settings WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    return r ? Number(r.value) : 0;
  }

  /**
   * Recomputes the quota of every future slot of the booking window: the online share of its capacity,
   * never more than local bookings left free. A change gets a new seq (at least the clock, so a
   * restored backup's grants still count as newer) and waits to be sent.
   */
  async regrant(): Promise<number> {
    const share = this.bookings.onlineShare();
    let changed = 0;
    const today = this.today();
    prepared(this.db, 'DELETE FROM hub_quota WHERE day < ?').run(nextDay(today, -7));
    this.bookings.sweepNoShows();
    const row = prepared(this.db, 'SELECT granted, reserved, seq FROM hub_quota WHERE day = ? AND service = ? AND slot = ?');
    const upsert = prepared(
      this.db,
      `INSERT INTO hub_quota (day, service, slot, start, end, granted, reserved, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(day, service, slot) DO UPDATE SET granted = excluded.granted, reserved = excluded.reserved, seq = excluded.seq,
           start = excluded.start, end = excluded.end`,
    );
    for (let d = 0; d <= BOOKING_DAYS; d++) {
      const day = nextDay(today, d);
      for (const service of this.serviceNames.keys()) {
        const slots = await this.bookings.slots(day, service, false);
        if (slots.length === 0) continue;
        const midnight = slots[0]!.start - slots[0]!.slot * SLOT_MS;
        // the count of local bookings and the grant in one IMMEDIATE transaction with local booking
        changed += this.db
          .transaction(() => {
            let n = 0;
            const now = this.now();
            const counts = this.bookings.slotCounts(service, midnight);
            for (const s of slots) {
              if (s.start <= now) continue;
              const local = counts.get(s.slot)?.local ?? 0;
              const cur = row.get(day, service, s.slot) as { granted: number; reserved: number; seq: number } | undefined;
              const reserved = cur?.reserved ?? 0;
              // what local bookings leave: the places already reserved stay the hub's until it lets them go
              const room = Math.max(reserved, s.capacity - local);
              const want = Math.min(Math.floor(s.capacity * share), room);
              if (want === (cur?.granted ?? 0)) continue;
              const seq = Math.max((cur?.seq ?? 0) + 1, now);
              upsert.run(day, service, s.slot, s.start, s.end, want, Math.max(reserved, want), seq);
              n++;
            }
            return n;
          })
          .immediate();
      }
    }
    return changed;
  }

  /** grants the hub has not answered yet, oldest slots first */
  pending(limit = 2000): QuotaGrant[] {
    const rows = prepared(
      this.db,
      `SELECT day, service, slot, start, end, granted, seq FROM hub_quota WHERE seq > acked_seq AND end > ?
           ORDER BY start, service LIMIT ?`,
    ).all(this.now(), limit) as QuotaRow[];
    return rows.map((r) => ({
      day: r.day,
      service: r.service,
      serviceName: this.serviceNames.get(r.service) ?? r.service,
      slot: r.slot,
      start: r.start,
      end: r.end,
      quota: r.granted,
      seq: r.seq,
    }));
  }

  /**
   * One hub answer in one transaction: the acks of the newest grants lower `reserved` to what the hub
   * holds, and the events after the cursor become appointments (booked) or cancel them, idempotent by
   * code and booking id; the cursor moves with them, so a crash repeats nothing and loses nothing.
   */
  apply(acks: QuotaAck[], events: HubBookingEvent[]): ApplyOutcome {
    return this.db
      .transaction(() => {
        const ack = prepared(
          this.db,
          `UPDATE hub_quota SET reserved = ?, granted = ?, acked_seq = seq, hub_booked = ?
             WHERE day = ? AND service = ? AND slot = ? AND seq = ?`,
        );
        for (const a of acks) ack.run(a.quota, a.quota, a.booked, a.day, a.service, a.slot, a.seq);
        let cursor = this.cursor();
        let applied = 0;
        const conflicts: string[] = [];
        const get = prepared(this.db, 'SELECT source, data FROM appointments WHERE code = ?');
        const insert = prepared(
          this.db,
          "INSERT INTO appointments (code, day, service, state, data, source, booked_at) VALUES (?, ?, ?, 'booked', ?, 'hub', ?)",
        );
        const cancel = prepared(
          this.db,
          `UPDATE appointments SET state = 'cancelled', data = json_set(data, '$.state', 'cancelled')
             WHERE code = ? AND source = 'hub' AND state = 'booked' AND json_extract(data, '$.hubId') = ?`,
        );
        for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
          if (e.seq <= cursor) continue; // already applied: a repeated answer changes nothing
          if (e.seq !== cursor + 1) break; // the hub's numbers have no gaps; never skip one
          const have = get.get(e.code) as { source: string | null; data: string } | undefined;
          if (e.kind === 'booked') {
            if (!have) {
              const appt: Appointment & { hubId: string } = {
                code: e.code,
                service: e.service,
                day: e.day,
                slotStart: e.slotStart,
                slotEnd: e.slotEnd,
                batchSize: 1,
                state: 'booked',
                ticketIds: [],
                hubId: e.bookingId,
              };
              if (e.nameMasked) appt.nameMasked = e.nameMasked;
              insert.run(e.code, e.day, e.service, JSON.stringify(appt), e.at);
              applied++;
            } else if (have.source !== 'hub' || (JSON.parse(have.data) as { hubId?: string }).hubId !== e.bookingId) conflicts.push(e.code);
          } else if (cancel.run(e.code, e.bookingId).changes > 0) applied++;
          cursor = e.seq;
        }
        prepared(
          this.db,
          'INSERT INTO booking_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        ).run(CURSOR_KEY, String(cursor));
        return { applied, conflicts, cursor };
      })
      .immediate();
  }

  /** per slot of a day: the quota granted and what the hub last said it holds */
  forDay(day: string): { service: string; slot: number; granted: number; reserved: number; hubBooked: number; acked: boolean }[] {
    return (
      prepared(
        this.db,
        'SELECT service, slot, granted, reserved, hub_booked AS hubBooked, seq = acked_seq AS acked FROM hub_quota WHERE day = ? ORDER BY slot, service',
      ).all(day) as { service: string; slot: number; granted: number; reserved: number; hubBooked: number; acked: number }[]
    ).map((r) => ({ ...r, acked: r.acked === 1 }));
  }
}
