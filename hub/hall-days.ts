// The halls' per-day figures in columns (hall_days), fed by their daily summaries. Every column and
// every sum here is generated from common/figures.ts, so the hub adds up exactly what the hall
// counted; a month, a city or the province is a SUM over at most 30 rows per hall (docs/decisions.md).
import type pg from 'pg';
import { COUNT_KEYS, columnOf, type DayFigures, emptyDay, WAIT_BUCKETS, WAIT_HIST_COLUMNS } from '../common/figures.js';
import type { RecordData, SyncRecord } from '../contracts/records.js';

const COUNT_COLUMNS = COUNT_KEYS.map(columnOf);
/**
 * figures added after hall_days was created (migration 20): their columns come from a later
 * migration, so migration 20's table stays what it shipped as
 */
export const ADDED_COLUMNS: Record<string, number> = { served_at_close: 60 };
/** the two millisecond sums need 64 bits; every other figure of a hall day fits an int */
const MS_SUMS = new Set(['wait_sum_ms', 'handling_sum_ms']);
/** every figure column, in DayFigures order: counts, wait max, histogram buckets */
export const FIGURE_COLUMNS = [...COUNT_COLUMNS, 'wait_max_ms', ...WAIT_HIST_COLUMNS];

export const HALL_DAYS_SQL = `
  CREATE TABLE hall_days (
    hall_id text NOT NULL REFERENCES halls(id),
    day date NOT NULL,
    -- 1 for a day's first summary, n+1 for each visible revision; 0 for a v1 summary (no histogram)
    revision int NOT NULL,
    summary_key text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    ${COUNT_COLUMNS.filter((c) => !(c in ADDED_COLUMNS))
      .map((c) => `${c} ${MS_SUMS.has(c) ? 'bigint' : 'int'} NOT NULL DEFAULT 0 CHECK (${c} >= 0)`)
      .join(',\n    ')},
    wait_max_ms bigint NOT NULL DEFAULT 0,
    ${WAIT_HIST_COLUMNS.map((c) => `${c} int NOT NULL DEFAULT 0`).join(',\n    ')},
    PRIMARY KEY (hall_id, day)
  );
  -- the province's cycle: a range of days, every hall
  CREATE INDEX hall_days_day ON hall_days (day);
`;

function toRow(f: DayFigures): number[] {
  // a v2 summary of an agent older than a figure lacks it: 0
  return [...COUNT_KEYS.map((k) => f[k] ?? 0), f.waitMaxMs, ...Array.from({ length: WAIT_BUCKETS }, (_, i) => f.waitHist[i] ?? 0)];
}

const UPSERT = `
  INSERT INTO hall_days (hall_id, day, revision, summary_key, ${FIGURE_COLUMNS.join(', ')})
  VALUES ($1, $2, $3, $4, ${FIGURE_COLUMNS.map((_, i) => `$${i + 5}`).join(', ')})
  ON CONFLICT (hall_id, day) DO UPDATE SET revision = excluded.revision, summary_key = excluded.summary_key, received_at = now(),
    ${FIGURE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
  -- the highest revision wins, whatever order the revisions arrive in
  WHERE hall_days.revision < excluded.revision`;

/** a summary in the current shape (the ingest has upgraded a v1 one: revision 0, no histogram) */
export async function storeDailySummary(client: pg.PoolClient, hallId: string, r: SyncRecord): Promise<void> {
  const d = r.data as RecordData['dailySummary'];
  await client.query(UPSERT, [hallId, d.day, d.revision, r.key, ...toRow(d.figures as DayFigures)]);
}

/** SELECT list summing every figure column (for GROUP BY hall) */
// sum(int) is a bigint sum, sum(bigint) a numeric one (several times slower): the ms sums add as
// float8, exact for integers below 2^53 (≈ 285,000 years of waiting).
export const SUM_FIGURES = FIGURE_COLUMNS.map((c) =>
  c === 'wait_max_ms' ? `max(${c}) AS ${c}` : MS_SUMS.has(c) ? `sum(${c}::float8) AS ${c}` : `sum(${c}) AS ${c}`,
).join(', ');

/** a row of summed columns back into DayFigures (pg returns bigint sums as strings) */
export function figuresOfRow(x: Record<string, unknown>): DayFigures {
  const f = emptyDay();
  COUNT_KEYS.forEach((k, i) => {
    f[k] = Number(x[COUNT_COLUMNS[i]!] ?? 0);
  });
  f.waitMaxMs = Number(x.wait_max_ms ?? 0);
  f.waitHist = WAIT_HIST_COLUMNS.map((c) => Number(x[c] ?? 0));
  return f;
}
