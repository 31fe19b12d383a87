// What the forecast reads from the hall's own SQLite file: walk-in arrivals per service and
// half-hour slot (first entries; appointments apart, they come from the bookings), handling times
// per service (start, or call, to finish, every leg), the share of priority channels, and the
// appointments already booked for the days ahead.
import type Database from 'better-sqlite3';
import type { Handling } from '../../common/forecast/simulate.js';
import { type History, dayMidnight, SLOT_MS, SLOTS } from '../../common/forecast/slots.js';

export interface HallHistory {
  history: History;
  handling: Record<string, Handling & { samples: number }>;
  channelMix: { senior: number; green: number };
  walkIns: number;
}

/** Fewer finished tickets than this and a service's configured expected minutes are used instead. */
export const MIN_HANDLING_SAMPLES = 30;
/** the spread of handling times assumed until measured (a lognormal with this coefficient of variation) */
export const DEFAULT_CV = 0.6;

function midnights(tz: string) {
  const cache = new Map<string, number>();
  return (day: string) => {
    let m = cache.get(day);
    if (m === undefined) {
      m = dayMidnight(day, tz);
      cache.set(day, m);
    }
    return m;
  };
}

function bump(h: History, day: string, service: string, slot: number, n: number) {
  if (slot < 0 || slot >= SLOTS) return;
  let d = h.get(day);
  if (!d) {
    d = new Map();
    h.set(day, d);
  }
  let xs = d.get(service);
  if (!xs) {
    xs = new Array<number>(SLOTS).fill(0);
    d.set(service, xs);
  }
  xs[slot]! += n;
}

/** Days [from, to) of walk-in history; a day with no ticket at all is absent (the hall may have been closed or off). */
export function readHistory(
  db: Database.Database,
  from: string,
  to: string,
  tz: string,
  services: readonly { id: string; expectedMinutes: number }[],
): HallHistory {
  const rows = db
    .prepare(
      `SELECT day, service, first_entry AS first,
              json_extract(data, '$.channel') AS channel, json_extract(data, '$.issuedAt') AS issuedAt,
              json_extract(data, '$.calledAt') AS calledAt, json_extract(data, '$.startedAt') AS startedAt,
              json_extract(data, '$.finishedAt') AS finishedAt, json_extract(data, '$.schoolBatch') AS batch
         FROM tickets WHERE day >= ? AND day < ?`,
    )
    .all(from, to) as {
    day: string;
    service: string;
    first: number;
    channel: string;
    issuedAt: number;
    calledAt: number | null;
    startedAt: number | null;
    finishedAt: number | null;
    batch: number | null;
  }[];
  const history: History = new Map();
  const midnight = midnights(tz);
  const work = new Map<string, number[]>();
  let walkIns = 0;
  let senior = 0;
  let green = 0;
  for (const r of rows) {
    if (r.finishedAt !== null) {
      const began = r.startedAt ?? r.calledAt;
      if (began !== null && r.finishedAt >= began) {
        const xs = work.get(r.service) ?? [];
        xs.push(r.finishedAt - began);
        work.set(r.service, xs);
      }
    }
    if (r.first !== 1 || r.channel === 'appointment' || r.batch) continue;
    walkIns++;
    if (r.channel === 'senior') senior++;
    if (r.channel === 'green') green++;
    bump(history, r.day, r.service, Math.floor((r.issuedAt - midnight(r.day)) / SLOT_MS), 1);
  }
  // Days the hall issued tickets but a service had none: that service's zeros are real.
  for (const d of history.values()) for (const s of services) if (!d.has(s.id)) d.set(s.id, new Array<number>(SLOTS).fill(0));
  const handling: HallHistory['handling'] = {};
  for (const s of services) {
    const xs = work.get(s.id) ?? [];
    if (xs.length < MIN_HANDLING_SAMPLES) {
      handling[s.id] = { meanMinutes: s.expectedMinutes, cv: DEFAULT_CV, samples: xs.length };
      continue;
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    handling[s.id] = { meanMinutes: mean / 60_000, cv: mean > 0 ? Math.min(2, Math.max(0.1, sd / mean)) : DEFAULT_CV, samples: xs.length };
  }
  const channelMix = walkIns >= 100 ? { senior: senior / walkIns, green: green / walkIns } : { senior: 0.15, green: 0.02 };
  return { history, handling, channelMix, walkIns };
}

/** Appointments still booked for days [from, to): people per service per slot of their start. */
export function readBookings(db: Database.Database, from: string, to: string, tz: string): History {
  const rows = db
    .prepare(
      `SELECT day, service, json_extract(data, '$.slotStart') AS slotStart, json_extract(data, '$.batchSize') AS size
         FROM appointments WHERE day >= ? AND day < ? AND state = 'booked'`,
    )
    .all(from, to) as { day: string; service: string; slotStart: number; size: number | null }[];
  const out: History = new Map();
  const midnight = midnights(tz);
  for (const r of rows) bump(out, r.day, r.service, Math.floor((r.slotStart - midnight(r.day)) / SLOT_MS), r.size ?? 1);
  return out;
}
