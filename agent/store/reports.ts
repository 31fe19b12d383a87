import type { Database } from 'better-sqlite3';
import { handlingOf, meanOf, waitOf } from '../../common/figures.js';
import { ticketFact } from '../queue/figures-facts.js';
import type { StoredTicket } from '../queue/store.js';

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

const GROUP_FIELD: Record<HandlingGroup, 'staffId' | 'counter' | 'service'> = { staff: 'staffId', counter: 'counter', service: 'service' };

/**
 * Per-staff (or counter, or service) handling times over finished tickets — the “办件效率” report a
 * hall manager filters by day range, service, counter and staff member. Handling and wait are the
 * figures of common/figures.ts (the same as the daily and monthly reports). Reads; never writes.
 */
export function handlingReport(db: Database, f: HandlingFilter, timezone: string): HandlingRow[] {
  const tickets = (
    db.prepare("SELECT data FROM tickets WHERE state = 'done' AND day BETWEEN ? AND ? ORDER BY rowid").all(f.from, f.to) as {
      data: string;
    }[]
  ).map((r) => JSON.parse(r.data) as StoredTicket);
  const groups = new Map<string | null, { served: number; handling: number; max: number; waits: number; waitSum: number }>();
  for (const t of tickets) {
    if (f.service !== undefined && t.service !== f.service) continue;
    if (f.counter !== undefined && t.counter !== f.counter) continue;
    if (f.staffId !== undefined && t.staffId !== f.staffId) continue;
    const fact = ticketFact(t, timezone);
    const h = handlingOf(fact);
    if (h === null) continue;
    const key = t[GROUP_FIELD[f.groupBy]] ?? null;
    const g = groups.get(key) ?? { served: 0, handling: 0, max: 0, waits: 0, waitSum: 0 };
    g.served++;
    g.handling += h;
    g.max = Math.max(g.max, h);
    const w = waitOf(fact);
    if (w !== null) {
      g.waits++;
      g.waitSum += w;
    }
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({
      key,
      served: g.served,
      avgHandlingMs: meanOf(g.handling, g.served) ?? 0,
      maxHandlingMs: g.max,
      avgWaitMs: meanOf(g.waitSum, g.waits),
    }))
    .sort((a, b) => b.served - a.served || String(a.key ?? '').localeCompare(String(b.key ?? '')));
}
