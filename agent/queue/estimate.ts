// Wait estimate shown on a ticket: people ahead and minutes, from live handling times.
import type { ServiceStat, StoredTicket } from './store.js';
import type { Channel } from './types.js';

/** EWMA of handling time; the first live sample replaces the configured seed outright. */
export function updateEwma(stat: ServiceStat, sampleMs: number, alpha: number): ServiceStat {
  const x = Math.max(0, sampleMs);
  const ewmaMs = stat.samples === 0 ? x : alpha * x + (1 - alpha) * stat.ewmaMs;
  return { service: stat.service, ewmaMs, samples: stat.samples + 1 };
}

// Channels that go before a ticket of the given channel (same-class tickets count when earlier).
// Senior and normal interleave, so they are treated as one line here: an estimate, not a promise.
const CLASS: Record<Channel, number> = { green: 0, appointment: 1, senior: 2, normal: 2 };
// A notice-slip return goes ahead of the line (after green); a school batch after it.
const classOf = (t: StoredTicket) => (t.returnOf !== undefined ? 0.5 : t.schoolBatch ? 3 : CLASS[t.channel]);

export function countAhead(t: StoredTicket, waiting: Iterable<StoredTicket>, now: number): number {
  let n = 0;
  const mine = classOf(t);
  for (const o of waiting) {
    if (o.id === t.id || o.service !== t.service || o.state !== 'waiting') continue;
    if (o.channel === 'appointment' && (o.slotStart ?? 0) > now) continue;
    // Targeted tickets are another counter's line unless both go to the same one.
    if (t.targetCounter !== undefined && o.targetCounter !== undefined && o.targetCounter !== t.targetCounter) continue;
    const theirs = classOf(o);
    if (theirs < mine || (theirs === mine && o.rank < t.rank)) n++;
  }
  return n;
}

/** Minutes until called: people ahead × handling time, shared by the open counters serving it. */
export function estimateMinutes(ahead: number, ewmaMs: number, servingCounters: number): number {
  if (ahead <= 0) return 0;
  return Math.ceil((ahead * ewmaMs) / Math.max(1, servingCounters) / 60_000);
}
