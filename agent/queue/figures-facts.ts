// The engine's ticket rows as the facts common/figures.ts counts. Rows written before the first
// call was kept (firstCalledAt) fall back to the latest call.
import type { TicketFact } from '../../common/figures.js';
import type { Ticket } from './types.js';
import { dayOf } from './time.js';

export function ticketFact(t: Ticket, timezone: string): TicketFact {
  const firstCalledAt = t.firstCalledAt ?? t.calledAt;
  const f: TicketFact = {
    day: t.day,
    firstEntry: t.transferredFrom === undefined,
    channel: t.channel,
    state: t.state,
    issuedAt: t.issuedAt,
    skipped: t.skippedAt !== undefined,
  };
  if (t.schoolBatch) f.schoolBatch = true;
  if (firstCalledAt !== undefined) {
    f.firstCalledAt = firstCalledAt;
    f.calledDay = dayOf(firstCalledAt, timezone);
  }
  if (t.startedAt !== undefined) f.startedAt = t.startedAt;
  if (t.finishedAt !== undefined) f.finishedAt = t.finishedAt;
  if (t.cancelReason !== undefined) f.cancelReason = t.cancelReason;
  return f;
}
