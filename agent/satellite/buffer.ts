// The satellite's own small SQLite file: every key press and rating is written here (fsynced:
// synchronous=FULL) before anything else happens to it, and leaves only once the primary has
// acknowledged its sequence. AUTOINCREMENT: a sequence is never reused, even after the rows that
// carried it were deleted, so the primary's (satellite, stream, seq) dedupe stays sound.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import type { BufferedEvent } from './wire.js';

export class EventBuffer {
  readonly stream: string;
  private readonly db: Database;
  private readonly s;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new BetterSqlite3(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS pending (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        event TEXT NOT NULL
      );
    `);
    // the stream id names this file: a satellite re-installed with an empty file starts a new stream
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('stream', randomUUID());
    this.stream = (this.db.prepare("SELECT value FROM meta WHERE key = 'stream'").get() as { value: string }).value;
    this.s = {
      append: this.db.prepare('INSERT INTO pending (at, event) VALUES (?, ?) RETURNING seq'),
      after: this.db.prepare('SELECT seq, at, event FROM pending WHERE seq > ? ORDER BY seq LIMIT ?'),
      ack: this.db.prepare('DELETE FROM pending WHERE seq <= ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM pending'),
    };
  }

  /** stores the event durably; returns its sequence */
  append(event: DeviceEvent, at: number): number {
    return (this.s.append.get(at, JSON.stringify(event)) as { seq: number }).seq;
  }

  after(seq: number, limit: number): BufferedEvent[] {
    return (this.s.after.all(seq, limit) as { seq: number; at: number; event: string }[]).map((r) => ({
      seq: r.seq,
      at: r.at,
      event: JSON.parse(r.event) as DeviceEvent,
    }));
  }

  /** the primary has everything up to seq */
  ackUpTo(seq: number): void {
    this.s.ack.run(seq);
  }

  count(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
