// A hall's database keeps what it must and lets go of copies: acknowledged outbox rows and satellite
// dedupe rows older than 90 days go; an unsent or parked row never does, however old.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { housekeep, startHousekeeping } from '../../../agent/store/housekeeping.js';
import { openHallStore } from '../../../agent/store/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 2);
const dir = mkdtempSync(join(tmpdir(), 'hallq-housekeeping-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seeded() {
  const store = openHallStore(join(dir, `hall-${Math.random()}.db`));
  const db = store.db;
  const outbox = db.prepare(
    `INSERT INTO outbox (kind, idempotency_key, payload, created_at, attempts, next_attempt_at, sent_at, parked_reason)
     VALUES ('rating', ?, '{}', ?, 1, ?, ?, ?)`,
  );
  // 2,500 acknowledged 200 days ago (more than one batch), 10 acknowledged yesterday
  for (let i = 0; i < 2500; i++) outbox.run(`old-sent-${i}`, NOW - 201 * DAY, NOW - 201 * DAY, NOW - 200 * DAY, null);
  outbox.run('old-unsent', NOW - 300 * DAY, NOW - 300 * DAY, null, null);
  outbox.run('old-parked', NOW - 300 * DAY, NOW - 300 * DAY, null, 'bad_record: day');
  for (let i = 0; i < 10; i++) outbox.run(`new-sent-${i}`, NOW - DAY, NOW - DAY, NOW - DAY, null);
  const sat = db.prepare(
    `INSERT INTO satellite_events (satellite, stream, seq, device_id, type, at, received_at, outcome)
     VALUES (?, ?, ?, 'pad-3', 'rating', ?, ?, 'done')`,
  );
  // stream a: old events only (its newest must stay); stream b: old then recent
  for (let seq = 1; seq <= 30; seq++) sat.run('pc-2', 'a', seq, NOW - 120 * DAY, NOW - 120 * DAY);
  for (let seq = 1; seq <= 20; seq++) sat.run('pc-2', 'b', seq, NOW - 100 * DAY, NOW - 100 * DAY);
  for (let seq = 21; seq <= 25; seq++) sat.run('pc-2', 'b', seq, NOW - DAY, NOW - DAY);
  return store;
}

const keys = (db: import('better-sqlite3').Database) =>
  (db.prepare('SELECT idempotency_key AS k FROM outbox ORDER BY id').all() as { k: string }[]).map((r) => r.k);
const highWater = (db: import('better-sqlite3').Database, stream: string) =>
  (db.prepare(`SELECT MAX(seq) AS s FROM satellite_events WHERE satellite = 'pc-2' AND stream = ?`).get(stream) as { s: number }).s;

describe('housekeeping of the hall database', () => {
  it('drops acknowledged outbox rows older than 90 days, never an unsent or parked one', () => {
    const store = seeded();
    const r = housekeep(store.db, NOW, 90, 1000);
    expect(r.outbox).toBe(2500);
    const left = keys(store.db);
    expect(left).toContain('old-unsent');
    expect(left).toContain('old-parked');
    expect(left.filter((k) => k.startsWith('new-sent-'))).toHaveLength(10);
    expect(left.filter((k) => k.startsWith('old-sent-'))).toEqual([]);
    // a second run finds nothing more
    expect(housekeep(store.db, NOW, 90, 1000)).toEqual({ outbox: 0, satelliteEvents: 0 });
    store.close();
  });

  it('thins satellite events but keeps each stream’s newest sequence, so a resent event is still recognised', () => {
    const store = seeded();
    const r = housekeep(store.db, NOW);
    expect(r.satelliteEvents).toBe(29 + 20);
    expect(highWater(store.db, 'a')).toBe(30);
    expect(highWater(store.db, 'b')).toBe(25);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM satellite_events').get() as { n: number }).n).toBe(1 + 5);
    store.close();
  });

  it('the running agent does it a minute after start, not during start-up, then daily', () => {
    vi.useFakeTimers();
    try {
      const store = seeded();
      const said: object[] = [];
      const stop = startHousekeeping(store.db, () => NOW, { info: (o) => said.push(o), warn: (o) => said.push(o) });
      const count = () => (store.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
      vi.advanceTimersByTime(59_000);
      expect(count()).toBe(2512);
      vi.advanceTimersByTime(1_000);
      expect(count()).toBe(12);
      expect(said).toEqual([{ outbox: 2500, satelliteEvents: 49, keepDays: 90 }]);
      stop();
      store.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
