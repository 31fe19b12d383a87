import type { Database } from 'better-sqlite3';

export type HandlingGroup = 'staff' | 'counter' | 'service';

export interface HandlingFilter {
  /** hall-local business days, inclusive, YYYY-MM-DD */
  from: string;
  to: string;
  service?: string;
  counter?: string;
  staffId?: string;
  groupBy: HandlingGroup;
}

export interface HandlingRow {
  key: string | null;
  served: number;
  avgHandlingMs: number;
  maxHandlingMs: number;
  /** issue → call, first entries only (a transfer's second leg did not wait in the hall again) */
  avgWaitMs: number | null;
}

const GROUP_EXPR: Record<HandlingGroup, string> = {
  staff: "json_extract(data, '$.staffId')",
  counter: "json_extract(data, '$.counter')",
  service: 'service',
};

/**
 * Per-staff (or counter, or service) handling times over finished tickets — the “办件效率” report a
 * hall manager filters by day range, service, counter and staff member. Reads the ticket rows the
 * engine wrote; never writes.
 */
export function handlingReport(db: Database, f: HandlingFilter): HandlingRow[] {
  const where = ["state = 'done'", 'day BETWEEN @from AND @to'];
  if (f.service !== undefined) where.push('service = @service');
  if (f.counter !== undefined) where.push("json_extract(data, '$.counter') = @counter");
  if (f.staffId !== undefined) where.push("json_extract(data, '$.staffId') = @staffId");
  const handling = "json_extract(data, '$.finishedAt') - json_extract(data, '$.startedAt')";
  const wait = "CASE WHEN first_entry = 1 THEN json_extract(data, '$.calledAt') - json_extract(data, '$.issuedAt') END";
  const sql = `SELECT ${GROUP_EXPR[f.groupBy]} AS key, count(*) AS served, avg(${handling}) AS avgHandlingMs,
      max(${handling}) AS maxHandlingMs, avg(${wait}) AS avgWaitMs
    FROM tickets WHERE ${where.join(' AND ')} GROUP BY key ORDER BY served DESC, key`;
  const params: Record<string, string> = { from: f.from, to: f.to };
  if (f.service !== undefined) params.service = f.service;
  if (f.counter !== undefined) params.counter = f.counter;
  if (f.staffId !== undefined) params.staffId = f.staffId;
  return (db.prepare(sql).all(params) as HandlingRow[]).map((r) => ({
    key: r.key,
    served: r.served,
    avgHandlingMs: Math.round(r.avgHandlingMs ?? 0),
    maxHandlingMs: Math.round(r.maxHandlingMs ?? 0),
    avgWaitMs: r.avgWaitMs === null ? null : Math.round(r.avgWaitMs),
  }));
}
