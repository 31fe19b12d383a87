// 日汇总: one dailySummary record per finished business day, written into the outbox by the sync
// layer itself (idempotency key daily:<day>), so a supervisor can reconcile a hall's day at a glance.
import type { Database } from 'better-sqlite3';
import type { RecordData } from '../../contracts/records.js';
import type { OutboxTable } from './outbox.js';

export function dailySummary(db: Database, day: string): RecordData['dailySummary'] {
  const t = db
    .prepare(
      `SELECT
         sum(first_entry) AS tickets,
         sum(state = 'done') AS served,
         sum(state = 'noShow' OR (state = 'cancelled' AND json_extract(data, '$.cancelReason') = 'expired')) AS noShow,
         sum(state = 'cancelled') AS cancelled,
         avg(CASE WHEN first_entry = 1 AND json_extract(data, '$.calledAt') IS NOT NULL
                  THEN json_extract(data, '$.calledAt') - json_extract(data, '$.issuedAt') END) AS avgWait,
         avg(CASE WHEN state = 'done' THEN json_extract(data, '$.finishedAt') - json_extract(data, '$.startedAt') END) AS avgHandling
       FROM tickets WHERE day = ?`,
    )
    .get(day) as Record<string, number | null>;
  const r = db
    .prepare(
      `SELECT sum(level = 1) AS l1, sum(level = 2) AS l2, sum(level = 3) AS l3, sum(level = 4) AS l4, sum(level = 5) AS l5,
              sum(level IS NULL) AS notRated FROM ratings WHERE day = ?`,
    )
    .get(day) as Record<string, number | null>;
  const one = (sql: string) => ((db.prepare(sql).get(day) as { n: number }).n ?? 0) as number;
  const n = (v: number | null | undefined) => Math.max(0, Math.round(v ?? 0));
  const avg = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.max(0, Math.round(v)));
  return {
    day,
    tickets: n(t.tickets),
    served: n(t.served),
    noShow: n(t.noShow),
    cancelled: n(t.cancelled),
    avgWaitMs: avg(t.avgWait),
    avgHandlingMs: avg(t.avgHandling),
    ratings: { l1: n(r.l1), l2: n(r.l2), l3: n(r.l3), l4: n(r.l4), l5: n(r.l5), notRated: n(r.notRated) },
    notices: one('SELECT count(*) AS n FROM notices WHERE day = ?'),
    acceptedWithMissing: one('SELECT count(*) AS n FROM accepted_missing WHERE day = ?'),
    unresolvedOpened: one('SELECT count(*) AS n FROM unresolved_reports WHERE day = ?'),
  };
}

/** Writes a summary for every day before `today` that has tickets and none yet; returns the days written. */
export function writeDailySummaries(db: Database, outbox: OutboxTable, today: string, now: number): string[] {
  const after = outbox.state('dailySummary.lastDay') ?? '';
  const days = (
    db.prepare('SELECT DISTINCT day FROM tickets WHERE day > ? AND day < ? ORDER BY day').all(after, today) as { day: string }[]
  ).map((d) => d.day);
  const written: string[] = [];
  for (const day of days) {
    db.transaction(() => {
      if (outbox.enqueue('dailySummary', `daily:${day}`, dailySummary(db, day), now)) written.push(day);
      outbox.setState('dailySummary.lastDay', day);
    })();
  }
  return written;
}
