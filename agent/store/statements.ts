import type { Database, Statement } from 'better-sqlite3';

const caches = new WeakMap<Database, Map<string, Statement>>();

/**
 * The statement for this SQL on this connection, prepared once. Preparing costs 20–200 µs; the session
 * check of every request and the slot counts of the booking pages paid it per call (a few ms a request,
 * and tens of ms of event-loop time per quota recomputation, measured with `--cpu-prof`). Only for
 * statements run with get/all/run in the plain row mode: a cached statement is shared by every caller.
 */
export function prepared(db: Database, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}
