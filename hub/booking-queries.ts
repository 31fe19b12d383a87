// What the public pages read of online booking (open slots, bookable halls), and the upkeep of old rows.
// The writes (quotas, bookings, cancellations, the feed) are in hub/bookings.ts.
import type pg from 'pg';
import { slotTime } from './bookings.js';

export interface OpenSlot {
  day: string;
  slot: number;
  time: string;
  start: number;
  quota: number;
  booked: number;
  free: number;
}

/** A hall's online slots of a service from now on (the next 14 days), with the places left. */
export async function openSlots(pool: pg.Pool, hallId: string, service: string, now = Date.now()): Promise<OpenSlot[]> {
  const r = await pool.query(
    `SELECT day::text AS day, slot, start_at, quota, booked FROM booking_slots
     WHERE hall_id = $1 AND service = $2 AND start_at > to_timestamp($3 / 1000.0)
       AND start_at < to_timestamp($3 / 1000.0) + interval '15 days'
     ORDER BY start_at`,
    [hallId, service, now],
  );
  return r.rows.map((x) => ({
    day: x.day,
    slot: x.slot,
    time: slotTime(x.slot),
    start: new Date(x.start_at).getTime(),
    quota: x.quota,
    booked: x.booked,
    free: Math.max(0, x.quota - x.booked),
  }));
}

export interface BookableHall {
  id: string;
  name: string;
  city: string;
  services: { id: string; name: string; free: number }[];
}

/** Halls with online places from now on, with their services and places left. */
export async function bookableHalls(pool: pg.Pool, now = Date.now()): Promise<BookableHall[]> {
  const r = await pool.query(
    `SELECT h.id, h.name, h.city, s.service, max(s.service_name) AS service_name, sum(greatest(0, s.quota - s.booked))::int AS free
     FROM booking_slots s JOIN halls h ON h.id = s.hall_id
     WHERE s.start_at > to_timestamp($1 / 1000.0) AND s.start_at < to_timestamp($1 / 1000.0) + interval '15 days'
     GROUP BY h.id, h.name, h.city, s.service
     ORDER BY h.city, h.id, s.service`,
    [now],
  );
  const halls = new Map<string, BookableHall>();
  for (const x of r.rows) {
    let h = halls.get(x.id);
    if (!h) {
      h = { id: x.id, name: x.name, city: x.city, services: [] };
      halls.set(x.id, h);
    }
    h.services.push({ id: x.service, name: x.service_name, free: x.free });
  }
  return [...halls.values()];
}

/**
 * Upkeep (every 10 minutes with the replay ids): slots and bookings a week past the hub's today (its
 * clock, as the days are the halls' calendar days), and feed events a hall has confirmed (its cursor)
 * written more than 30 days ago (the database's own write time).
 */
export async function pruneBookings(pool: pg.Pool, now = Date.now()): Promise<void> {
  const today = new Date(now);
  await pool.query("DELETE FROM hub_bookings WHERE day < ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - 7", [today]);
  await pool.query("DELETE FROM booking_slots WHERE day < ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date - 7", [today]);
  await pool.query(
    `DELETE FROM booking_feed f USING booking_halls b
     WHERE f.hall_id = b.hall_id AND f.seq <= b.cursor AND f.at < now() - interval '30 days'`,
  );
}
