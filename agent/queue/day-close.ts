// Closing the hall's business day (DESIGN "The hall's day"). Runs inside the engine's one transaction
// for the close (EngineCore.closeDay): every ticket of the day still open ends, every counter closes,
// finished services nobody rated get 未评价, the registered hooks end what lives outside the engine
// (staff sessions), and one `hall.dayClosed` event records it. A kill before the commit leaves the
// stored business day unchanged, so the next start closes the same day again; a close with nothing
// left to do writes nothing.
import type { DayCloseTrigger, EndReason, TicketState } from '../../common/vocabulary.js';
import type { EngineCore, Tx } from './core.js';
import type { DayCloseSummary } from './events.js';
import { recordNotRated } from './feedback.js';
import type { StoredTicket } from './store.js';

/** settings keys: the business day the engine is in, and the last day closed */
export const BUSINESS_DAY_KEY = 'day.business';
export const CLOSED_DAY_KEY = 'day.closed';

export interface ClosedDayRecord {
  day: string;
  at: number;
  trigger: DayCloseTrigger;
}

export type { DayCloseSummary } from './events.js';

/**
 * Work that lives outside the engine but ends with the day (staff sessions). Runs inside the close's
 * transaction (a throw rolls the whole close back); `after` runs once it has committed (tell sockets).
 */
export type DayCloseHook = (day: string, now: number) => { sessionsEnded?: number; after?: () => void } | undefined;

const END_OF: Partial<Record<TicketState, EndReason>> = {
  waiting: 'dayEnd',
  noShow: 'dayEnd',
  called: 'dayEndCalled',
  serving: 'dayEndServing',
};

export function lastClosedDay(core: EngineCore): ClosedDayRecord | undefined {
  const v = core.store.getSetting(CLOSED_DAY_KEY) as ClosedDayRecord | undefined;
  return v && typeof v.day === 'string' ? v : undefined;
}

/**
 * Stages the close of `day` (and anything older still open) in `tx`. Returns undefined when the day
 * was already closed and nothing of it is open: a second close is a no-op.
 */
export function closeDayInTx(
  core: EngineCore,
  tx: Tx,
  day: string,
  trigger: DayCloseTrigger,
  hooks: DayCloseHook[],
): DayCloseSummary | undefined {
  const open: StoredTicket[] = [];
  const unrated: StoredTicket[] = [];
  for (const t of core.tickets.values()) {
    if (t.day > day) continue;
    if (END_OF[t.state] !== undefined) open.push(t);
    else if (t.state === 'done' && t.counter !== undefined && !core.store.getRating(t.id)) unrated.push(t);
  }
  const counters = [...core.counterStates.values()].filter((c) => c.open || c.currentTicketId !== undefined);
  const closedBefore = lastClosedDay(core);
  if (open.length === 0 && unrated.length === 0 && counters.length === 0 && closedBefore !== undefined && closedBefore.day >= day) {
    return undefined;
  }

  const summary: DayCloseSummary = {
    day,
    trigger,
    ended: { waiting: 0, noShow: 0, called: 0, serving: 0 },
    countersClosed: [],
    notRated: 0,
    sessionsEnded: 0,
  };
  // Oldest first, so the events read in the order the tickets were issued.
  open.sort((a, b) => a.issuedAt - b.issuedAt || a.id.localeCompare(b.id));
  for (const t of open) {
    const from = t.state as 'waiting' | 'noShow' | 'called' | 'serving';
    const reason = END_OF[from]!;
    tx.putTicket({ ...t, state: 'cancelled', cancelledAt: tx.now, cancelReason: reason });
    tx.emit('ticket.expired', { number: t.number, service: t.service, from, reason, day: t.day }, t.id, t.counter);
    summary.ended[from]++;
  }
  // 未评价 before the counters close: it names the counter that finished the service.
  for (const t of unrated.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))) {
    recordNotRated(core, tx, t.counter!, t.id);
    summary.notRated++;
  }
  for (const c of counters) {
    const cur = tx.counter(c.id);
    const { currentTicketId: _t, staffId, pauseReason: _r, pausedAt: _p, ...rest } = cur;
    tx.putCounter({ ...rest, open: false, paused: false });
    tx.emit('counter.closed', { reason: 'dayEnd', staffId: staffId ?? null }, undefined, c.id);
    summary.countersClosed.push(c.id);
  }
  const record: ClosedDayRecord = { day: closedBefore && closedBefore.day > day ? closedBefore.day : day, at: tx.now, trigger };
  tx.write(() => core.store.putSetting(CLOSED_DAY_KEY, record, tx.now));
  const closed = tx.emit('hall.dayClosed', {
    day,
    trigger,
    ended: summary.ended,
    countersClosed: summary.countersClosed,
    notRated: summary.notRated,
    sessionsEnded: 0,
  });
  // The hooks run inside the transaction after the engine's rows are written and before the events
  // are (Tx.write order): a kill there loses the whole close, the count still reaches the event.
  tx.write(() => {
    for (const h of hooks) {
      const r = h(day, tx.now);
      closed.data.sessionsEnded += r?.sessionsEnded ?? 0;
      if (r?.after) tx.afterCommit.push(r.after);
    }
    summary.sessionsEnded = closed.data.sessionsEnded;
  });
  return summary;
}
