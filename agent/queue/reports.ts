// Read-only views: hall snapshot for screens, today's statistics for the manager board, history.
import { caseCounts } from './cases.js';
import { maskContact } from './campaign.js';
import { type EngineCore, publicCounter, publicTicket } from './core.js';
import { CHANNELS } from './types.js';
import type { Channel, HallStats, HandlingStat, QueueEvent, QueueSnapshot, RatingLevel, ServiceSnapshot } from './types.js';

export function snapshot(core: EngineCore, now: number): QueueSnapshot {
  const services: ServiceSnapshot[] = [];
  const byService = new Map<string, ServiceSnapshot>();
  for (const s of core.services.values()) {
    const zero = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
    const snap: ServiceSnapshot = {
      id: s.id,
      waiting: 0,
      waitingByChannel: zero,
      longestWaitMs: 0,
      avgHandlingMs: Math.round(core.stat(s.id).ewmaMs),
    };
    services.push(snap);
    byService.set(s.id, snap);
  }
  for (const id of core.waiting) {
    const t = core.tickets.get(id);
    const snap = t && byService.get(t.service);
    if (!t || !snap) continue;
    snap.waiting++;
    snap.waitingByChannel[t.channel]++;
    snap.longestWaitMs = Math.max(snap.longestWaitMs, now - t.queuedAt);
  }
  const counters = [...core.counterDefs.keys()].map((id) => counterSnapshot(core, id)!);
  return { seq: core.seq, day: core.day, services, counters, recentCalls: core.recentCalls.map((c) => ({ ...c })) };
}

/** One counter as in the snapshot: its state, the ticket at it, its last call. */
export function counterSnapshot(core: EngineCore, id: string): QueueSnapshot['counters'][number] | undefined {
  const st = core.counterStates.get(id);
  if (!st) return undefined;
  const out: QueueSnapshot['counters'][number] = publicCounter(st, core.day);
  const cur = st.currentTicketId ? core.tickets.get(st.currentTicketId) : undefined;
  if (cur && (cur.state === 'called' || cur.state === 'serving')) out.current = publicTicket(cur);
  if (st.lastCall) out.lastCall = { ...st.lastCall };
  return out;
}

function addHandling(map: Record<string, HandlingStat & { totalMs: number }>, key: string, ms: number): void {
  const s = map[key] ?? { served: 0, avgHandlingMs: 0, totalMs: 0 };
  map[key] = s;
  s.served++;
  s.totalMs += ms;
  s.avgHandlingMs = Math.round(s.totalMs / s.served);
}

function strip(map: Record<string, HandlingStat & { totalMs: number }>): Record<string, HandlingStat> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, { served: v.served, avgHandlingMs: v.avgHandlingMs }]));
}

export function stats(core: EngineCore): HallStats {
  const day = core.day;
  const byLevel: Record<RatingLevel, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  let notRated = 0;
  let total = 0;
  const badRatings: HallStats['badRatings'] = [];
  for (const r of core.store.ratingsOfDay(day)) {
    if (r.level === null) {
      notRated++;
      continue;
    }
    total++;
    byLevel[r.level]++;
    if (r.level <= 2) {
      const rect = r.rectificationId ? core.store.getRectification(r.rectificationId) : undefined;
      badRatings.push(rect ? { ...r, rectification: rect } : { ...r });
    }
  }
  const byStaff: Record<string, HandlingStat & { totalMs: number }> = {};
  const byCounter: Record<string, HandlingStat & { totalMs: number }> = {};
  for (const t of core.tickets.values()) {
    if (t.day !== day || t.state !== 'done' || t.finishedAt === undefined) continue;
    const ms = t.finishedAt - (t.startedAt ?? t.finishedAt);
    if (t.counter) addHandling(byCounter, t.counter, ms);
    if (t.staffId) addHandling(byStaff, t.staffId, ms);
  }
  return {
    day,
    ratings: { byLevel, total, notRated },
    badRatings,
    byStaff: strip(byStaff),
    byCounter: strip(byCounter),
    // the board's list: contacts masked as in the case view
    openUnresolved: core.store
      .openUnresolved()
      .map(({ contact, contactPhone: _p, ...u }) => (contact ? { ...u, contact: maskContact(contact) } : u)),
    cases: caseCounts(core),
  };
}

/** Events of a ticket and of every entry its number went through by transfer. */
export function ticketHistory(core: EngineCore, id: string): QueueEvent[] {
  const ids = new Set<string>();
  let cur = core.tickets.get(id);
  // Walk back to the first entry, then forward through the chain.
  while (cur?.transferredFrom && !ids.has(cur.transferredFrom)) {
    ids.add(cur.id);
    cur = core.tickets.get(cur.transferredFrom);
  }
  while (cur) {
    ids.add(cur.id);
    cur = cur.transferredTo && !ids.has(cur.transferredTo) ? core.tickets.get(cur.transferredTo) : undefined;
  }
  if (ids.size === 0) ids.add(id);
  return core.store.eventsOfTickets([...ids]);
}
