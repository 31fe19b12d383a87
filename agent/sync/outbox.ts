// The sender's SQL over the hall's SQLite file. A row is only ever marked sent (the hub acknowledged
// it) or parked (the hub refused it with a reason); nothing here deletes a row (agent/store/housekeeping.ts
// drops acknowledged rows after 90 days, never an unsent or parked one).
import type { Database, Statement } from 'better-sqlite3';
import type { OutboxRow } from './map.js';

export interface ParkedRow {
  id: number;
  kind: string;
  key: string;
  createdAt: number;
  reason: string;
}

export class OutboxTable {
  private readonly s: Record<string, Statement>;

  constructor(readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      pending: p(`SELECT id, kind, idempotency_key, payload, created_at FROM outbox
                  WHERE sent_at IS NULL AND parked_reason IS NULL AND id > ? ORDER BY id LIMIT ?`),
      sent: p('UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL'),
      park: p('UPDATE outbox SET parked_reason = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL'),
      // The error itself is the sender's (status().lastError): it is the line's, not the row's.
      failed: p('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?'),
      counts: p(`SELECT
                   (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND parked_reason IS NULL) AS pending,
                   (SELECT count(*) FROM outbox WHERE parked_reason IS NOT NULL) AS parked,
                   (SELECT min(created_at) FROM outbox WHERE sent_at IS NULL AND parked_reason IS NULL) AS oldest`),
      parkedList: p(`SELECT id, kind, idempotency_key AS key, created_at AS createdAt, parked_reason AS reason
                     FROM outbox WHERE parked_reason IS NOT NULL ORDER BY id DESC LIMIT ?`),
      unpark: p('UPDATE outbox SET parked_reason = NULL WHERE id = ? AND parked_reason IS NOT NULL'),
      getState: p('SELECT value FROM sync_state WHERE key = ?'),
      setState: p('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      enqueue: p(`INSERT OR IGNORE INTO outbox (kind, idempotency_key, payload, created_at, attempts, next_attempt_at)
                  VALUES (?, ?, ?, ?, 0, ?)`),
    };
  }

  /** unsent, unparked rows in the order they were written */
  pending(limit: number, afterId = 0): OutboxRow[] {
    return this.s.pending!.all(afterId, limit) as OutboxRow[];
  }

  markSent(ids: number[], at: number): void {
    this.db.transaction(() => {
      for (const id of ids) this.s.sent!.run(at, id);
    })();
  }

  park(id: number, reason: string): void {
    this.s.park!.run(reason.slice(0, 500), id);
  }

  markFailed(ids: number[], retryAt: number): void {
    this.db.transaction(() => {
      for (const id of ids) this.s.failed!.run(retryAt, id);
    })();
  }

  counts(): { pending: number; parked: number; oldest: number | null } {
    return this.s.counts!.get() as { pending: number; parked: number; oldest: number | null };
  }

  parked(limit = 50): ParkedRow[] {
    return this.s.parkedList!.all(limit) as ParkedRow[];
  }

  /** a manager sends a parked row again (after the hub was fixed); true when it was parked */
  unpark(id: number): boolean {
    return this.s.unpark!.run(id).changes === 1;
  }

  state(key: string): string | undefined {
    return (this.s.getState!.get(key) as { value: string } | undefined)?.value;
  }

  setState(key: string, value: string): void {
    this.s.setState!.run(key, value);
  }

  /** for records the sync layer writes itself (daily summaries); a second write of a key is a no-op */
  enqueue(kind: string, key: string, payload: unknown, at: number): boolean {
    return this.s.enqueue!.run(kind, key, JSON.stringify(payload), at, at).changes === 1;
  }
}
