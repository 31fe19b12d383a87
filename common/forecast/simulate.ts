// Discrete-event simulation of one hall day under the hall's real calling order: every free open
// counter asks agent/queue/ordering.ts (pickNext, effectiveServices, isEligible) for its next
// ticket, exactly as the engine does, so priority channels, 老年人专窗, 绿色通道, AB岗 and
// multi-skill counters behave here as they do in the hall. Time is in ms from the day's start.
import { type CounterView, effectiveServices, isEligible, pickNext, targetCountersFor } from '../../agent/queue/ordering.js';
import type { QueueRules } from '../../agent/queue/rules.js';
import type { StoredTicket } from '../../agent/queue/store.js';
import type { Channel, CounterDef } from '../../agent/queue/types.js';
import { gaussian, poisson } from './synthetic.js';

export interface SimArrival {
  at: number;
  service: string;
  channel: Channel;
  /** handling time, drawn up front so every staffing candidate sees the same citizens (common random numbers) */
  duration: number;
  slotStart?: number;
}

export interface SimHall {
  counters: readonly CounterDef[];
  rules: QueueRules;
}

/** Which counters are open in each slot of `slotMs`; past the last slot the last set stays. */
export interface OpenPlan {
  slotMs: number;
  sets: readonly (readonly string[])[];
}

interface Busy {
  until: number;
}

/** The state of a simulated hall at an instant; cloned to try staffing candidates from the same point. */
export class SimState {
  now = 0;
  next = 0;
  waiting: StoredTicket[] = [];
  busy = new Map<string, Busy>();
  mixPos = new Map<string, number>();
  calledAt: Float64Array;

  constructor(n: number) {
    this.calledAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  }

  clone(): SimState {
    const c = new SimState(0);
    c.now = this.now;
    c.next = this.next;
    c.waiting = [...this.waiting];
    c.busy = new Map([...this.busy].map(([k, v]) => [k, { until: v.until }]));
    c.mixPos = new Map(this.mixPos);
    c.calledAt = this.calledAt.slice();
    return c;
  }
}

function ticketOf(a: SimArrival, idx: number): StoredTicket {
  const t: StoredTicket = {
    id: String(idx).padStart(7, '0'),
    number: '',
    service: a.service,
    channel: a.channel,
    state: 'waiting',
    day: '',
    issuedAt: a.at,
    recalls: 0,
    rank: idx,
    queuedAt: a.at,
  };
  if (a.slotStart !== undefined) t.slotStart = a.slotStart;
  return t;
}

export class HallSimulator {
  private readonly views = new Map<
    string,
    { views: Map<string, CounterView>; open: Set<string>; services: Map<string, string[]>; targets: Map<string, Set<string>> }
  >();
  private readonly order: string[];

  constructor(
    private readonly hall: SimHall,
    private readonly arrivals: readonly SimArrival[],
  ) {
    this.order = hall.counters.map((c) => c.id);
  }

  arrivalsList(): readonly SimArrival[] {
    return this.arrivals;
  }

  start(): SimState {
    return new SimState(this.arrivals.length);
  }

  /** Counter views, AB岗-extended services and call targets per set of open counters, computed once. */
  private viewFor(open: readonly string[]) {
    const key = open.join(',');
    let v = this.views.get(key);
    if (!v) {
      const set = new Set(open);
      const views = new Map(this.hall.counters.map((c) => [c.id, { def: c, state: { open: set.has(c.id), paused: false } }] as const));
      const services = new Map(open.map((id) => [id, effectiveServices(id, views)] as const));
      const targets = new Map(open.map((id) => [id, targetCountersFor(id, views)] as const));
      v = { views, open: set, services, targets };
      this.views.set(key, v);
    }
    return v;
  }

  private setAt(plan: OpenPlan, t: number): readonly string[] {
    const i = Math.min(plan.sets.length - 1, Math.max(0, Math.floor(t / plan.slotMs)));
    return plan.sets[i] ?? [];
  }

  /** Runs from state.now to `until` (exclusive); arrivals at or after `until` stay pending. */
  run(state: SimState, plan: OpenPlan, until: number): void {
    const arrivals = this.arrivals;
    while (state.now < until) {
      // Completions free counters; arrivals join the line; then every free open counter calls.
      for (const [id, b] of state.busy) if (b.until <= state.now) state.busy.delete(id);
      while (state.next < arrivals.length && arrivals[state.next]!.at <= state.now) {
        state.waiting.push(ticketOf(arrivals[state.next]!, state.next));
        state.next++;
      }
      this.dispatch(state, this.setAt(plan, state.now));
      // Next event: an arrival, a completion, a slot boundary (the open set may change), or the end.
      let t = until;
      if (state.next < arrivals.length) t = Math.min(t, arrivals[state.next]!.at);
      for (const b of state.busy.values()) t = Math.min(t, b.until);
      const boundary = (Math.floor(state.now / plan.slotMs) + 1) * plan.slotMs;
      t = Math.min(t, boundary);
      // Appointments wait for their slot: their start is an event too.
      for (const w of state.waiting) if (w.slotStart !== undefined && w.slotStart > state.now) t = Math.min(t, w.slotStart);
      state.now = Math.max(t, state.now + 1e-6);
    }
  }

  private dispatch(state: SimState, open: readonly string[]): void {
    if (state.waiting.length === 0 || open.length === 0) return;
    const { views, open: openSet, services: svc, targets: tgt } = this.viewFor(open);
    for (const id of this.order) {
      if (!openSet.has(id) || state.busy.has(id) || state.waiting.length === 0) continue;
      const view = views.get(id)!;
      const services = svc.get(id)!;
      const targets = tgt.get(id)!;
      const candidates = state.waiting.filter((t) => isEligible(t, id, services, targets, views));
      if (candidates.length === 0) continue;
      const pick = pickNext(candidates, {
        now: state.now,
        rules: this.hall.rules,
        counter: view.def,
        services,
        mixPos: state.mixPos.get(id) ?? 0,
      });
      if (!pick) continue;
      const idx = pick.ticket.rank;
      state.mixPos.set(id, pick.mixPos);
      state.calledAt[idx] = state.now;
      state.busy.set(id, { until: state.now + this.arrivals[idx]!.duration });
      state.waiting.splice(state.waiting.indexOf(pick.ticket), 1);
    }
  }
}

export interface Handling {
  meanMinutes: number;
  /** coefficient of variation; 1 = exponential, otherwise lognormal */
  cv: number;
}

export function drawDuration(h: Handling, r: () => number): number {
  const mean = h.meanMinutes * 60_000;
  if (Math.abs(h.cv - 1) < 1e-9) return -Math.log(Math.max(r(), 1e-12)) * mean;
  const s2 = Math.log(1 + h.cv * h.cv);
  return mean * Math.exp(Math.sqrt(s2) * gaussian(r) - s2 / 2);
}

export interface ArrivalDemand {
  /** walk-in means per service per slot */
  walkIns: Record<string, readonly number[]>;
  /** booked appointments per service per slot (called from the slot's start) */
  booked?: Record<string, readonly number[]>;
  /** shares of walk-ins on the priority channels */
  channelMix: { senior: number; green: number };
  handling: Record<string, Handling>;
  slotMs: number;
}

/** One random day of arrivals from the slot means: Poisson counts, uniform times within the slot. */
export function drawArrivals(d: ArrivalDemand, r: () => number): SimArrival[] {
  const out: SimArrival[] = [];
  const services = Object.keys(d.walkIns).sort();
  const handling = (s: string) => d.handling[s] ?? { meanMinutes: 10, cv: 1 };
  for (const s of services) {
    const xs = d.walkIns[s]!;
    for (let i = 0; i < xs.length; i++) {
      const n = poisson(xs[i]!, r);
      for (let k = 0; k < n; k++) {
        const u = r();
        const channel: Channel = u < d.channelMix.green ? 'green' : u < d.channelMix.green + d.channelMix.senior ? 'senior' : 'normal';
        out.push({ at: (i + r()) * d.slotMs, service: s, channel, duration: drawDuration(handling(s), r) });
      }
    }
    const bs = d.booked?.[s] ?? [];
    for (let i = 0; i < bs.length; i++) {
      for (let k = 0; k < Math.round(bs[i]!); k++) {
        out.push({
          at: (i + r()) * d.slotMs,
          service: s,
          channel: 'appointment',
          duration: drawDuration(handling(s), r),
          slotStart: i * d.slotMs,
        });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
