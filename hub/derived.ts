// Tables derived from records as they arrive (cases, live wait), written in the ingest transaction
// so a case is never ahead of or behind the records it came from.
import type pg from 'pg';
import type { SyncRecord } from '../contracts/records.js';
import { storeDailySummary } from './hall-days.js';

/** kinds that also update the cases table */
export const DERIVED = new Set([
  'dailySummary',
  'rating',
  'unresolvedReport',
  'caseChange',
  'campaignCase',
  'acceptedWithMissing',
  'followUpDone',
]);

// A campaign record carries the whole case as it was at `at`. The latest one wins, except that a
// closed case stays closed (the hall never reopens one), so a close that overtook the records before
// it, or a hall clock that stepped back, still ends closed.
const NEWER = `(cases.state = 'open' AND (excluded.state = 'closed' OR cases.updated_at <= excluded.updated_at))`;
const CALLBACK_NEWER = `(excluded.callback_at IS NOT NULL AND (cases.callback_at IS NULL OR cases.callback_at <= excluded.callback_at))`;
const SNAPSHOT = [
  'state',
  'closed_at',
  'closed_day',
  'due_day',
  'counter',
  'staff_id',
  'service',
  'ticket_id',
  'source',
  'escalation',
  'updated_at',
];
const CAMPAIGN_UPSERT = `
  INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, closed_at, closed_day, counter, staff_id, service,
                     ticket_id, source, escalation, escalated_day, satisfied, callback_at, callback_day, updated_at)
  VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), (to_timestamp($4 / 1000.0) AT TIME ZONE 'Asia/Shanghai')::date, $5, $6,
          to_timestamp($7 / 1000.0), $8, $9, $10, $11, $12, $13, $14, $15, $16, to_timestamp($17 / 1000.0), $18, to_timestamp($19 / 1000.0))
  ON CONFLICT (hall_id, case_id) DO UPDATE SET
    ${SNAPSHOT.map((c) => `${c} = CASE WHEN ${NEWER} THEN excluded.${c} ELSE cases.${c} END`).join(',\n    ')},
    -- 逐级上报: the first day any record shows the petition above the hall
    escalated_day = LEAST(cases.escalated_day, excluded.escalated_day),
    -- 回访: the latest callback's outcome, whatever order the callbacks arrive in
    satisfied = CASE WHEN ${CALLBACK_NEWER} THEN excluded.satisfied ELSE cases.satisfied END,
    callback_day = CASE WHEN ${CALLBACK_NEWER} THEN excluded.callback_day ELSE cases.callback_day END,
    callback_at = CASE WHEN ${CALLBACK_NEWER} THEN excluded.callback_at ELSE cases.callback_at END
  WHERE cases.kind = excluded.kind`;

export async function applyDerived(client: pg.PoolClient, hallId: string, fresh: SyncRecord[]): Promise<void> {
  for (const r of fresh) {
    // r.kind narrows r.data to that kind's contract (contracts/records.ts)
    if (r.kind === 'dailySummary') await storeDailySummary(client, hallId, r);
    else if (r.kind === 'rating' && r.data.rectification) {
      const d = r.data;
      const rect = r.data.rectification;
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, counter, staff_id, service, level, updated_at)
         VALUES ($1, $2, 'rectification', to_timestamp($3 / 1000.0), $4, $5, 'open', $6, $7, $8, $9, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO NOTHING`,
        [hallId, rect.id, r.at, r.day, rect.dueDay, d.counter, d.staffId, d.service, d.level],
      );
    } else if (r.kind === 'unresolvedReport') {
      const d = r.data;
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, service, updated_at)
         VALUES ($1, $2, 'unresolved', to_timestamp($3 / 1000.0), $4, $5, 'open', $6, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO NOTHING`,
        [hallId, d.id, r.at, r.day, d.dueDay, d.service],
      );
    } else if (r.kind === 'caseChange') {
      const d = r.data;
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
    } else if (r.kind === 'campaignCase') {
      await client.query(CAMPAIGN_UPSERT, campaignParams(hallId, r));
    } else if (r.kind === 'acceptedWithMissing') {
      const d = r.data;
      // 容缺受理 opens a case due back on the follow-up date; if its follow-up came first, the row
      // is already closed and only learns when it was opened and due.
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, opened_at, opened_day, due_day, state, counter, ticket_id, updated_at)
         VALUES ($1, $2, 'acceptedWithMissing', to_timestamp($3 / 1000.0), $4, $5, 'open', $6, $7, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO UPDATE SET opened_at = excluded.opened_at, opened_day = excluded.opened_day,
           due_day = excluded.due_day, counter = coalesce(cases.counter, excluded.counter), ticket_id = coalesce(cases.ticket_id, excluded.ticket_id)
         WHERE cases.kind = 'acceptedWithMissing'`,
        [hallId, d.id, d.at, d.day, d.followUpDate, d.counter, d.ticketId],
      );
    } else if (r.kind === 'followUpDone') {
      const d = r.data;
      // The follow-up names the 容缺 record by the same id the acceptance carried (agent/queue/followups.ts).
      await client.query(
        `INSERT INTO cases (hall_id, case_id, kind, state, closed_at, closed_day, counter, ticket_id, updated_at)
         VALUES ($1, $2, 'acceptedWithMissing', 'closed', to_timestamp($3 / 1000.0), $4, $5, $6, to_timestamp($3 / 1000.0))
         ON CONFLICT (hall_id, case_id) DO UPDATE SET state = 'closed', closed_at = excluded.closed_at, closed_day = excluded.closed_day,
           updated_at = greatest(cases.updated_at, excluded.updated_at)
         WHERE cases.kind = 'acceptedWithMissing'`,
        [hallId, d.id, d.at, d.day, d.counter, d.ticketId],
      );
    }
  }
}

const ABOVE_HALL = new Set(['county', 'city', 'province']);

function campaignParams(hallId: string, r: SyncRecord<'campaignCase'>): unknown[] {
  const d = r.data;
  const closed = d.state === 'closed';
  // `satisfied` is present only on a 回访 entry: true/false is the citizen's answer, null = not reached.
  const callback = d.satisfied !== undefined;
  return [
    hallId,
    d.caseId,
    d.caseKind,
    d.openedAt,
    d.dueDay,
    d.state,
    closed ? (d.closedAt ?? d.at) : null,
    closed ? d.day : null,
    d.counter,
    d.staffId,
    d.service,
    d.ticketId,
    d.source,
    d.escalation,
    d.escalation && ABOVE_HALL.has(d.escalation) ? d.day : null,
    callback ? d.satisfied : null,
    callback ? d.at : null,
    callback ? d.day : null,
    d.at,
  ];
}

export async function storeLiveWait(client: pg.PoolClient, hallId: string, r: SyncRecord<'liveWait'>): Promise<void> {
  // The hall's own state first: a post at day close may carry no services at all.
  await client.query(
    `UPDATE halls SET live_open = $2, live_at = to_timestamp($3 / 1000.0)
     WHERE id = $1 AND (live_at IS NULL OR live_at <= to_timestamp($3 / 1000.0))`,
    [hallId, r.data.open ?? null, r.data.at],
  );
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
