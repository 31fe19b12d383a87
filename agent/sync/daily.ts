// 日汇总: one dailySummary record per closed business day, written into the outbox by the sync layer
// itself, with the figures of the hall's own daily report (common/figures.ts), so the hall's report,
// the summary and the hub's report cannot disagree. A closed day whose figures change afterwards (a
// rating of its services given after midnight, a 未评价 replaced by a late rating) is sent again as
// revision n+1 under its own key; the hub keeps the highest revision and shows it.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { DayFigures } from '../../common/figures.js';
import type { RecordData } from '../../contracts/records.js';
import type { OutboxTable } from './outbox.js';

/** the day's additive figures, as the hall's daily report counts them */
export type DayFiguresOf = (day: string) => DayFigures;

export function dailySummary(figuresOf: DayFiguresOf, day: string, revision = 1): RecordData['dailySummary'] {
  const f = figuresOf(day);
  return { day, revision, figures: { ...f, waitHist: [...f.waitHist] } };
}

const fingerprint = (f: DayFigures) => createHash('sha256').update(JSON.stringify(f)).digest('base64url').slice(0, 22);

interface Sent {
  revision: number;
  fp: string;
}

/** How far back a late change is looked for: a rating's timeout is minutes, a hall may be off for a long holiday. */
const REVISE_WITHIN_DAYS = 40;

/**
 * Writes a summary for every day before `today` that has tickets and none yet, and a revision for
 * every summarised day whose ratings changed since; returns the keys written.
 */
export function writeDailySummaries(db: Database, outbox: OutboxTable, figuresOf: DayFiguresOf, today: string, now: number): string[] {
  const written: string[] = [];
  const sentOf = (day: string): Sent | null => {
    const raw = outbox.state(`dailySummary.sent:${day}`);
    return raw ? (JSON.parse(raw) as Sent) : null;
  };
  const send = (day: string, revision: number, f: DayFigures) => {
    const key = revision === 1 ? `daily:${day}` : `daily:${day}:r${revision}`;
    if (outbox.enqueue('dailySummary', key, { day, revision, figures: f }, now)) written.push(key);
    outbox.setState(`dailySummary.sent:${day}`, JSON.stringify({ revision, fp: fingerprint(f) } satisfies Sent));
  };

  const after = outbox.state('dailySummary.lastDay') ?? '';
  const days = (
    db.prepare('SELECT DISTINCT day FROM tickets WHERE day > ? AND day < ? ORDER BY day').all(after, today) as { day: string }[]
  ).map((d) => d.day);
  for (const day of days) {
    db.transaction(() => {
      if (!sentOf(day)) send(day, 1, figuresOf(day));
      outbox.setState('dailySummary.lastDay', day);
    })();
  }

  // Late changes of a closed day come from its ratings (a rating belongs to the service's day).
  const checkedAt = Number(outbox.state('dailySummary.checkedAt') ?? 0);
  const since = new Date(Date.parse(`${today}T00:00:00Z`) - REVISE_WITHIN_DAYS * 86_400_000).toISOString().slice(0, 10);
  const changed = (
    db.prepare('SELECT DISTINCT day FROM ratings WHERE at >= ? AND day >= ? AND day < ? ORDER BY day').all(checkedAt, since, today) as {
      day: string;
    }[]
  ).map((d) => d.day);
  db.transaction(() => {
    for (const day of changed) {
      const prev = sentOf(day);
      if (!prev) continue; // not summarised yet: its first summary carries the change
      const f = figuresOf(day);
      if (fingerprint(f) !== prev.fp) send(day, prev.revision + 1, f);
    }
    outbox.setState('dailySummary.checkedAt', String(now));
  })();
  return written;
}
