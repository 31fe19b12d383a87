// Tables derived from records as they arrive (cases, live wait), written in the ingest transaction
// so a case is never ahead of or behind the records it came from.
import type pg from 'pg';
import type { SyncRecord } from '../contracts/records.js';

/** kinds that also update the cases table */
export const DERIVED = new Set(['rating', 'unresolvedReport', 'caseChange']);

export async function applyDerived(client: pg.PoolClient, hallId: string, fresh: SyncRecord[]): Promise<void> {
  for (const r of fresh) {
    const d = r.data as Record<string, any>;
    if (r.kind === 'rating' && d.rectification) {
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, counter, staff_id, service, level, updated_at)
         VALUES ($1, $2, 'rectification', to_timestamp($3 / 1000.0), $4, $5, 'open', $6, $7, $8, $9, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO NOTHING`,
        [hallId, d.rectification.id, r.at, r.day, d.rectification.dueDay, d.counter, d.staffId, d.service, d.level],
      );
    } else if (r.kind === 'unresolvedReport') {
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, service, updated_at)
         VALUES ($1, $2, 'unresolved', to_timestamp($3 / 1000.0), $4, $5, 'open', $6, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO NOTHING`,
        [hallId, d.id, r.at, r.day, d.dueDay, d.service],
      );
    } else if (r.kind === 'caseChange') {
      const closedDay = d.state === 'closed' ? r.day : null;
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, closed_at, closed_day, counter, staff_id, updated_at)
         VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), (to_timestamp($4 / 1000.0) AT TIME ZONE 'Asia/Shanghai')::date, $5, $6,
                 to_timestamp($7 / 1000.0), $8, $9, $10, to_timestamp($11 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at,
           closed_day = excluded.closed_day, updated_at = excluded.updated_at
         WHERE cases.updated_at <= excluded.updated_at`,
        [hallId, d.caseId, d.caseKind, d.openedAt, d.dueDay, d.state, d.closedAt, closedDay, d.counter, d.staffId, r.at],
      );
    }
  }
}

export async function storeLiveWait(client: pg.PoolClient, hallId: string, r: SyncRecord<'liveWait'>): Promise<void> {
  for (const s of r.data.services) {
    await client.query(
      `INSERT INTO live_wait (hall_id, service, name, waiting, estimate_minutes, open_counters, at)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0))
       ON CONFLICT (hall_id, service) DO UPDATE SET name = excluded.name, waiting = excluded.waiting,
         estimate_minutes = excluded.estimate_minutes, open_counters = excluded.open_counters, at = excluded.at
       WHERE live_wait.at <= excluded.at`,
      [hallId, s.service, s.name, s.waiting, s.estimateMinutes, s.openCounters, r.data.at],
    );
  }
}
