// Rows that are only needed for a while, so a hall's database does not grow for ever:
// - outbox rows the hub acknowledged: the hub holds them (stored once by idempotency key); they stay
//   here KEEP_DAYS for questions about what was sent. Unsent and parked rows are never deleted.
//   (Ids are AUTOINCREMENT: a deleted id is never handed out again.)
// - satellite_events: the primary needs only the newest sequence number per satellite stream to act
//   on each event once; older rows are an audit trail of KEEP_DAYS. The newest row per stream stays.
// The records themselves (tickets, ratings, cases, events) are the hall's files and are not touched.
import type { Database } from 'better-sqlite3';

export const KEEP_DAYS = 90;
const DAY_MS = 86_400_000;

export interface HousekeepingResult {
  outbox: number;
  satelliteEvents: number;
}

/** deletes in batches, each its own short transaction, so the queue is never held up for long */
export function housekeep(db: Database, now: number, keepDays = KEEP_DAYS, batch = 2000): HousekeepingResult {
  const before = now - keepDays * DAY_MS;
  const outbox = db.prepare(
    `DELETE FROM outbox WHERE id IN (
       SELECT id FROM outbox
        WHERE sent_at IS NOT NULL AND sent_at < ?
        LIMIT ?)`,
  );
  const satellite = db.prepare(
    `DELETE FROM satellite_events WHERE (satellite, stream, seq) IN (
       SELECT e.satellite, e.stream, e.seq FROM satellite_events e
        WHERE e.received_at < ?
          AND e.seq < (SELECT MAX(m.seq) FROM satellite_events m WHERE m.satellite = e.satellite AND m.stream = e.stream)
        LIMIT ?)`,
  );
  const drain = (run: () => number) => {
    let total = 0;
    for (;;) {
      const n = run();
      total += n;
      if (n < batch) return total;
    }
  };
  return {
    outbox: drain(() => outbox.run(before, batch).changes),
    satelliteEvents: drain(() => satellite.run(before, batch).changes),
  };
}

/** runs housekeep() a minute after start-up (not during it) and then once a day */
export function startHousekeeping(
  db: Database,
  now: () => number,
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void },
): () => void {
  const run = () => {
    try {
      const r = housekeep(db, now());
      if (r.outbox || r.satelliteEvents) log.info({ ...r, keepDays: KEEP_DAYS }, 'old acknowledged sync rows removed');
    } catch (err) {
      // a busy or failing disk: the rows wait for tomorrow, nothing else depends on this
      log.warn({ err }, 'housekeeping failed; retried tomorrow');
    }
  };
  const first = setTimeout(run, 60_000);
  const daily = setInterval(run, DAY_MS);
  first.unref();
  daily.unref();
  return () => {
    clearTimeout(first);
    clearInterval(daily);
  };
}
