import type { CounterState, QueueEvent, QueueSnapshot, Ticket } from '../queue/types.js';

/**
 * What each audience may see of the queue. `public` is what a citizen standing in the hall sees
 * (numbers, counters, states, waits, notices); `staff` adds the work of the counters; `manager` sees
 * everything. Allow-lists, not deny-lists: a field added to Ticket later stays private until named here.
 */
export type Audience = 'public' | 'staff' | 'manager';

export interface PublicTicket {
  id: string;
  number: string;
  service: string;
  channel: Ticket['channel'];
  state: Ticket['state'];
  day: string;
  issuedAt: number;
  calledAt?: number;
  counter?: string;
  recalls: number;
}

export function publicTicket(t: Ticket): PublicTicket {
  const out: PublicTicket = {
    id: t.id,
    number: t.number,
    service: t.service,
    channel: t.channel,
    state: t.state,
    day: t.day,
    issuedAt: t.issuedAt,
    recalls: t.recalls,
  };
  if (t.calledAt !== undefined) out.calledAt = t.calledAt;
  if (t.counter !== undefined) out.counter = t.counter;
  return out;
}

type SnapshotCounter = QueueSnapshot['counters'][number];
export function publicCounter(c: CounterState & { current?: Ticket; lastCall?: { number: string; at: number } }) {
  const out: Record<string, unknown> = { id: c.id, open: c.open, paused: c.paused, servedToday: c.servedToday };
  if (c.currentTicketId !== undefined) out.currentTicketId = c.currentTicketId;
  if (c.current) out.current = publicTicket(c.current);
  if (c.lastCall) out.lastCall = { number: c.lastCall.number, at: c.lastCall.at };
  return out as Partial<SnapshotCounter> & { id: string };
}

export function projectSnapshot(s: QueueSnapshot, audience: Audience): QueueSnapshot {
  if (audience !== 'public') return s;
  return {
    seq: s.seq,
    day: s.day,
    services: s.services,
    counters: s.counters.map((c) => publicCounter(c) as SnapshotCounter),
    recentCalls: s.recentCalls.map((r) => ({
      ticketId: r.ticketId,
      number: r.number,
      counter: r.counter,
      at: r.at,
      recall: r.recall,
      seq: r.seq,
    })),
  };
}

/** Event types a citizen in the hall may see happen, with the data keys they may see. */
const PUBLIC_EVENTS: Record<string, readonly string[]> = {
  'ticket.issued': ['waitingAhead', 'estimateMinutes', 'number', 'service', 'channel'],
  'ticket.called': ['number'],
  'ticket.recalled': ['number'],
  'ticket.started': [],
  'ticket.finished': [],
  'ticket.skipped': [],
  'ticket.rejoined': [],
  'ticket.transferred': ['toService', 'toCounter'],
  'ticket.requeued': ['service', 'targetCounter'],
  'ticket.cancelled': [],
  'ticket.expired': [],
  'counter.opened': [],
  'counter.closed': [],
  'counter.paused': [],
  'counter.resumed': [],
};
/**
 * Staff do not receive the manager's closed-loop work (ratings, cases, citizens' reports), nor the
 * 上门服务 / 信访 / 自查 / 回访 cases of other staff: a counter reads its own from /campaign-cases/mine.
 * Every other new event type (notice slips, 容缺, follow-ups, notices) is staff-only: never in PUBLIC_EVENTS.
 */
const MANAGER_ONLY = /^(rating\.|case\.|report\.|campaign\.)/;

export function publicEvent(e: QueueEvent): QueueEvent | undefined {
  const keys = PUBLIC_EVENTS[e.type];
  if (!keys) return undefined;
  const data: Record<string, unknown> = {};
  const all = e.data as Record<string, unknown>;
  for (const k of keys) if (all[k] !== undefined && typeof all[k] !== 'object') data[k] = all[k];
  // A projection: the public subset of the event's payload, on the same wire shape.
  const out = { seq: e.seq, at: e.at, type: e.type, data } as QueueEvent;
  if (e.ticketId !== undefined) out.ticketId = e.ticketId;
  if (e.counter !== undefined) out.counter = e.counter;
  return out;
}

export interface QueueMessage {
  seq: number;
  event: QueueEvent;
  ticket?: Ticket;
  counter?: CounterState;
  replay?: boolean;
}

/** The `queue` socket message for an audience, or undefined when it may not see the event at all. */
export function projectQueueMessage(m: QueueMessage, audience: Audience): Record<string, unknown> | undefined {
  if (audience === 'manager') return m as unknown as Record<string, unknown>;
  if (audience === 'staff') return MANAGER_ONLY.test(m.event.type) ? undefined : (m as unknown as Record<string, unknown>);
  const event = publicEvent(m.event);
  if (!event) return undefined;
  const out: Record<string, unknown> = { seq: m.seq, event };
  if (m.ticket) out.ticket = publicTicket(m.ticket);
  if (m.counter) out.counter = publicCounter(m.counter);
  if (m.replay) out.replay = true;
  return out;
}
