// Applies one `queue` socket message to a GET /api/v1/queue body in place, so screens update
// the moment an event arrives. Aggregates the client cannot know (longest wait, average handling)
// are reconciled by live.svelte.ts re-reading /api/v1/queue after a burst of events.
import type { CallInfo, QueueBody, QueueMsg, TicketState } from './types.ts';

const FINAL: TicketState[] = ['done', 'noShow', 'transferred', 'cancelled'];

export interface Known {
  state: TicketState;
  service: string;
}

/** state a ticket most likely had before this event, when the screen never saw it */
function inferPrev(type: string): TicketState | undefined {
  if (type === 'ticket.called' || type === 'ticket.cancelled') return 'waiting';
  if (type === 'ticket.transferred' || type === 'ticket.finished') return 'serving';
  return undefined;
}

export function applyQueueMsg(q: QueueBody, m: QueueMsg, known: Map<string, Known>): CallInfo | undefined {
  const { event, ticket } = m;
  // a reconciled body may already contain this event: still report the call, change nothing
  const stale = m.seq <= q.seq;
  q.seq = Math.max(q.seq, m.seq);
  let call: CallInfo | undefined;

  if (ticket && !stale) {
    const prev = known.get(ticket.id) ?? { state: inferPrev(event.type), service: ticket.service };
    const fromSvc = prev.state === 'waiting' ? q.services.find((s) => s.id === prev.service) : undefined;
    if (fromSvc) fromSvc.waiting = Math.max(0, fromSvc.waiting - 1);
    if (ticket.state === 'waiting') {
      const toSvc = q.services.find((s) => s.id === ticket.service);
      if (toSvc) toSvc.waiting += 1;
    }
    known.set(ticket.id, { state: ticket.state, service: ticket.service });
  }

  const counterId = m.counter?.id ?? event.counter ?? ticket?.counter;
  const c = counterId ? q.counters.find((x) => x.id === counterId) : undefined;
  if (stale) {
    /* counters already current */
  } else if (c && m.counter) {
    Object.assign(c, m.counter);
    if (!m.counter.pauseReason) c.pauseReason = undefined;
    if (!m.counter.currentTicketId) c.current = undefined;
    else if (ticket && ticket.id === m.counter.currentTicketId) c.current = ticket;
  } else if (c && ticket) {
    if (c.current?.id === ticket.id || ticket.state === 'called' || ticket.state === 'serving') c.current = ticket;
    if (c.current?.id === ticket.id && FINAL.includes(ticket.state)) c.current = undefined;
  }

  if (ticket && (event.type === 'ticket.called' || event.type === 'ticket.recalled')) {
    call = {
      ticketId: ticket.id,
      number: ticket.number,
      counter: counterId ?? '',
      at: event.at,
      recall: event.type === 'ticket.recalled',
      seq: m.seq,
    };
    if (!stale) {
      q.recentCalls.unshift(call);
      if (q.recentCalls.length > 60) q.recentCalls.length = 60;
      if (c) c.lastCall = call;
    }
  }
  return call;
}
