import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openHallStore } from '../../../agent/store/index.js';
import { FakeClock, makeEngine } from '../queue/fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hallq-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite hall store', () => {
  it('sets WAL, synchronous=FULL, busy_timeout, foreign_keys', () => {
    const s = openHallStore(join(dir, 'hall.db'));
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(s.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    s.close();
  });

  it('creates the parent directory', () => {
    const s = openHallStore(join(dir, 'nested', 'data', 'hall.db'));
    s.close();
  });

  it('migrations are versioned and idempotent', () => {
    const path = join(dir, 'hall.db');
    const s = openHallStore(path);
    const rows = () => s.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(migrate(s.db)).toEqual([]);
    expect(rows()).toHaveLength(MIGRATIONS.length);
    s.close();
    const again = openHallStore(path);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
    again.close();
  });

  it('a failing migration leaves no trace (applied in a transaction)', () => {
    const s = openHallStore(join(dir, 'hall.db'));
    const bad = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' }];
    expect(() => migrate(s.db, bad)).toThrow();
    expect(s.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half'`).get()).toBeUndefined();
    expect(s.db.prepare('SELECT 1 FROM schema_migrations WHERE version = 99').get()).toBeUndefined();
    s.close();
  });

  it('the sequence counter is per day and service', () => {
    const s = openHallStore(join(dir, 'hall.db'));
    s.transaction(() => {
      expect(s.nextNumber('2025-03-03', 'a')).toBe(1);
      expect(s.nextNumber('2025-03-03', 'a')).toBe(2);
      expect(s.nextNumber('2025-03-03', 'b')).toBe(1);
      expect(s.nextNumber('2025-03-04', 'a')).toBe(1);
    });
    s.close();
  });

  it('a rolled-back transaction does not consume a number', () => {
    const s = openHallStore(join(dir, 'hall.db'));
    expect(() =>
      s.transaction(() => {
        s.nextNumber('d', 'a');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(s.transaction(() => s.nextNumber('d', 'a'))).toBe(1);
    s.close();
  });

  it('reopening keeps tickets, counters, stats, numbering and events; the engine resumes', () => {
    const path = join(dir, 'hall.db');
    const clock = new FakeClock();
    const first = makeEngine({ path, clock });
    first.engine.open('1', 'p1');
    first.engine.open('3');
    first.engine.issue({ service: 'idcard' });
    first.engine.issue({ service: 'idcard', channel: 'senior' });
    first.engine.issue({ service: 'idcard' });
    first.engine.callNext('1'); // senior (interleave starts with senior)
    clock.advance(120_000);
    first.engine.finish('1');
    first.engine.callNext('1');
    // counter 1 now holds A001 in "called"
    const snap = first.engine.snapshot();
    first.store.close();

    const second = makeEngine({ path, clock });
    expect(second.engine.snapshot()).toEqual(snap);
    expect(second.engine.issue({ service: 'idcard' }).ticket.number).toBe('A004');
    expect(second.engine.finish('1').number).toBe('A001');
    // interleave position persisted: after senior + normal, the next wanted is normal
    expect(second.engine.callNext('1')?.number).toBe('A003');
    expect(second.engine.eventsAfter(0, 1000).map((e) => e.seq)).toEqual(
      Array.from({ length: second.engine.snapshot().seq }, (_, i) => i + 1),
    );
    second.store.close();
  });

  it('rejects a second ticket with the same number on the same day (defence in depth)', () => {
    const s = openHallStore(join(dir, 'hall.db'));
    const t = {
      id: 'x1',
      number: 'A001',
      service: 'a',
      channel: 'normal' as const,
      state: 'waiting' as const,
      day: 'd',
      issuedAt: 0,
      recalls: 0,
      rank: 1,
      queuedAt: 0,
    };
    s.putTicket(t);
    expect(() => s.putTicket({ ...t, id: 'x2' })).toThrow(/UNIQUE/);
    s.putTicket({ ...t, id: 'x3', transferredFrom: 'x1' });
    s.close();
  });

  it('integrity_check is ok after a busy run', () => {
    const path = join(dir, 'hall.db');
    const h = makeEngine({ path });
    h.engine.open('1');
    for (let i = 0; i < 200; i++) {
      h.engine.issue({ service: i % 2 ? 'idcard' : 'move' });
      if (i % 3 === 0 && h.engine.callNext('1')) h.engine.finish('1');
    }
    expect(h.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    h.store.close();
  });
});
