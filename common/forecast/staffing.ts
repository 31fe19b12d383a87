// Counters to open per half-hour slot for a target (default: 90 % of citizens called within 20
// minutes). Erlang C on the pooled load gives the lower bound and is the answer when its
// assumptions hold (every counter serves every service, one FIFO line); otherwise a simulation of
// the hall's real calling order (simulate.ts) decides, slot by slot, from the state the earlier
// slots' decisions leave behind. docs/forecast.md explains both.
import type { CounterDef } from '../../agent/queue/types.js';
import type { QueueRules } from '../../agent/queue/rules.js';
import { serversNeeded, serviceLevel } from './erlang.js';
import { type ArrivalDemand, drawArrivals, type Handling, HallSimulator, type SimState } from './simulate.js';
import { SLOT_MS, SLOTS } from './slots.js';
import { rng } from './synthetic.js';

export interface StaffingTarget {
  withinMinutes: number;
  share: number;
}

export const DEFAULT_TARGET: StaffingTarget = { withinMinutes: 20, share: 0.9 };

export interface StaffingInput {
  counters: readonly CounterDef[];
  /** counters that may open this day (周末轮岗 duty counters); default all */
  available?: readonly string[];
  /** per slot, a narrower set (弹性错时 ranges kept by some counters); undefined = the day's */
  slotCounters?: readonly (readonly string[] | undefined)[];
  rules: QueueRules;
  handling: Record<string, Handling>;
  /** expected walk-ins per service per slot (48) */
  walkIns: Record<string, readonly number[]>;
  booked?: Record<string, readonly number[]>;
  open: readonly boolean[];
  channelMix: { senior: number; green: number };
  target?: StaffingTarget;
  method?: 'auto' | 'erlang' | 'simulate';
  replications?: number;
  seed?: number;
}

export interface SlotStaffing {
  slot: number;
  /** expected arrivals in the slot (walk-ins + booked) */
  arrivals: number;
  /** pooled Erlang C: counters if every counter served every service */
  erlang: number;
  /** recommended number of counters */
  needed: number;
  /** which counters, in opening order */
  counters: string[];
  /** share called within the target wait: Erlang C's or the simulation's */
  attained: number;
  /** even every available counter does not reach the target */
  short: boolean;
  method: 'erlang' | 'simulate';
}

const pooledHandling = (walk: Record<string, readonly number[]>, handling: Record<string, Handling>, i: number) => {
  let n = 0;
  let work = 0;
  for (const [s, xs] of Object.entries(walk)) {
    n += xs[i] ?? 0;
    work += (xs[i] ?? 0) * (handling[s]?.meanMinutes ?? 10);
  }
  return { n, mean: n > 0 ? work / n : 0 };
};

/**
 * Opening order for a slot: repeatedly the counter whose services carry the most load not yet
 * covered, a counter's one unit of capacity shared over its services in proportion to that load.
 * Nested (the first k of k+1), so adding a counter never closes another.
 */
export function openingOrder(counters: readonly CounterDef[], load: Record<string, number>): string[] {
  const rest = { ...load };
  const left = [...counters];
  const out: string[] = [];
  while (left.length > 0) {
    let best = 0;
    let bestScore = -1;
    left.forEach((c, i) => {
      const score = c.services.reduce((a, s) => a + (rest[s] ?? 0), 0);
      // Ties: the counter with fewer services, so a specialist is used before a generalist is spent.
      if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && c.services.length < left[best]!.services.length)) {
        best = i;
        bestScore = score;
      }
    });
    const c = left.splice(best, 1)[0]!;
    out.push(c.id);
    if (bestScore > 0) for (const s of c.services) rest[s] = Math.max(0, (rest[s] ?? 0) - (rest[s] ?? 0) / bestScore);
  }
  return out;
}

function erlangHolds(input: StaffingInput, counters: readonly CounterDef[]): boolean {
  const withDemand = Object.entries(input.walkIns)
    .filter(([, xs]) => xs.some((x) => x > 0))
    .map(([s]) => s);
  const booked = Object.values(input.booked ?? {}).some((xs) => xs.some((x) => x > 0));
  return (
    !booked &&
    input.channelMix.senior === 0 &&
    input.channelMix.green === 0 &&
    counters.every((c) => !c.senior && !c.green && !c.schoolBatch && withDemand.every((s) => c.services.includes(s)))
  );
}

/** Synchronous: the whole day at once (tests, the hub, benchmarks). */
export function planStaffing(input: StaffingInput): SlotStaffing[] {
  const steps = staffingSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The same plan, yielding to the event loop after each slot so the hall's queue never waits on it. */
export async function planStaffingAsync(input: StaffingInput): Promise<SlotStaffing[]> {
  const steps = staffingSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((res) => setImmediate(res));
  }
}

function* staffingSteps(input: StaffingInput): Generator<void, SlotStaffing[]> {
  const target = input.target ?? DEFAULT_TARGET;
  const avail = input.available ? new Set(input.available) : undefined;
  const counters = input.counters.filter((c) => !avail || avail.has(c.id));
  const at = (i: number) => {
    const only = input.slotCounters?.[i];
    return only ? counters.filter((c) => only.includes(c.id)) : counters;
  };
  const demand: Record<string, number[]> = {};
  for (const [s, xs] of Object.entries(input.walkIns)) demand[s] = xs.map((x, i) => x + (input.booked?.[s]?.[i] ?? 0));
  const method = input.method === 'erlang' || (input.method !== 'simulate' && erlangHolds(input, counters)) ? 'erlang' : 'simulate';

  const rows: SlotStaffing[] = [];
  for (let i = 0; i < SLOTS; i++) {
    if (!input.open[i]) continue;
    const { n, mean } = pooledHandling(demand, input.handling, i);
    const load = (n / 30) * mean;
    const e = n > 0 ? serversNeeded(load, target.withinMinutes, mean, target.share) : 0;
    const loads = Object.fromEntries(Object.entries(demand).map(([s, xs]) => [s, (xs[i]! / 30) * (input.handling[s]?.meanMinutes ?? 10)]));
    const here = at(i);
    const order = openingOrder(here, loads);
    const needed = Math.min(e, here.length);
    rows.push({
      slot: i,
      arrivals: n,
      erlang: e,
      needed,
      counters: order.slice(0, needed),
      attained: n > 0 ? serviceLevel(needed, load, target.withinMinutes, mean) : 1,
      short: e > here.length,
      method: 'erlang',
    });
  }
  if (method === 'erlang' || counters.length === 0) return rows;
  return yield* simulatePlan(input, counters, at, demand, rows, target);
}

function* simulatePlan(
  input: StaffingInput,
  counters: readonly CounterDef[],
  at: (slot: number) => readonly CounterDef[],
  demand: Record<string, number[]>,
  rows: SlotStaffing[],
  target: StaffingTarget,
): Generator<void, SlotStaffing[]> {
  const reps = input.replications ?? 30;
  const r = rng(input.seed ?? 1);
  const d: ArrivalDemand = { walkIns: input.walkIns, channelMix: input.channelMix, handling: input.handling, slotMs: SLOT_MS };
  if (input.booked) d.booked = input.booked;
  const sims = Array.from({ length: reps }, () => new HallSimulator({ counters, rules: input.rules }, drawArrivals(d, r)));
  const arrivalsOf = sims.map((s) => s.arrivalsList());
  const states: SimState[] = sims.map((s) => s.start());
  const sets: string[][] = Array.from({ length: SLOTS }, () => []);
  const within = target.withinMinutes * 60_000;
  const byslot = new Map(rows.map((row) => [row.slot, row] as const));
  let carry: string[] = [];
  for (let i = 0; i < SLOTS; i++) {
    const row = byslot.get(i);
    const slotEnd = (i + 1) * SLOT_MS;
    if (!row) {
      // Closed slot: whoever was open finishes the line (not a recommendation).
      sets[i] = states.some((st) => st.waiting.length > 0) ? carry : [];
      sims.forEach((sim, k) => {
        sim.run(states[k]!, { slotMs: SLOT_MS, sets }, slotEnd);
      });
      continue;
    }
    const backlog = states.some((st) => st.waiting.length > 0);
    const here = at(i);
    const order = openingOrder(
      here,
      Object.fromEntries(Object.entries(demand).map(([s, xs]) => [s, (xs[i]! / 30) * (input.handling[s]?.meanMinutes ?? 10)])),
    );
    const evaluate = (k: number) => {
      const trial = [...sets];
      for (let j = i; j < SLOTS; j++) trial[j] = order.slice(0, k);
      let ok = 0;
      let all = 0;
      sims.forEach((sim, rep) => {
        const st = states[rep]!.clone();
        sim.run(st, { slotMs: SLOT_MS, sets: trial }, slotEnd + within);
        const list = arrivalsOf[rep]!;
        for (let a = 0; a < list.length; a++) {
          const at = list[a]!.at;
          if (at < i * SLOT_MS || at >= slotEnd) continue;
          all++;
          if (st.calledAt[a]! - at <= within) ok++;
        }
      });
      return all > 0 ? ok / all : 1;
    };
    let k = row.arrivals > 0 || backlog ? Math.max(1, row.erlang - 1) : 0;
    k = Math.min(k, here.length);
    let attained = evaluate(k);
    while (attained < target.share && k < here.length) {
      k++;
      attained = evaluate(k);
    }
    // One fewer may do where priorities or multi-skill counters help; Erlang's bound is not sacred.
    while (k > 1 && row.erlang - 1 >= k) {
      const a = evaluate(k - 1);
      if (a < target.share) break;
      k--;
      attained = a;
    }
    row.needed = k;
    row.counters = order.slice(0, k);
    row.attained = attained;
    row.short = attained < target.share;
    row.method = 'simulate';
    sets[i] = row.counters;
    carry = row.counters;
    for (let j = i + 1; j < SLOTS; j++) sets[j] = row.counters;
    sims.forEach((sim, rep) => {
      sim.run(states[rep]!, { slotMs: SLOT_MS, sets }, slotEnd);
    });
    yield;
  }
  return rows;
}
