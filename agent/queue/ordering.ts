// Calling order (pure, deterministic): given the eligible waiting tickets of one counter and the
// clock, which ticket is called next. Order:
//   1. green (绿色通道), FIFO by rank
//   2. normal tickets waiting ≥ starvationMs, oldest queuedAt first — nothing but green passes them
//   3. at a 老年人专窗 only: senior tickets (before returns, appointments and school batches)
//   4. citizens returning with a notice slip's materials (一次性告知 return code), FIFO
//   5. appointments whose slot has started, by slot start then rank; 学生批量 school-batch tickets
//      join them only at a counter reserved for batches (`schoolBatch`)
//   6. senior vs normal: the counter's interleave cycle (default 1 senior : 2 normal). Within a
//      channel: service preference order, then rank.
//   7. school-batch tickets at a public counter: only when no public ticket is eligible, so a
//      batch of 40 students never floods the public queue.
import type { QueueRules } from './rules.js';
import type { StoredTicket } from './store.js';
import type { CounterDef } from './types.js';

export interface OrderContext {
  now: number;
  rules: QueueRules;
  counter: CounterDef;
  /** services this counter calls from, preference order first (own, then AB岗 extras) */
  services: readonly string[];
  mixPos: number;
}

export interface Pick {
  ticket: StoredTicket;
  mixPos: number;
  reason: 'green' | 'starved' | 'appointment' | 'senior' | 'normal' | 'return' | 'schoolBatch';
}

export function isStarved(t: StoredTicket, now: number, rules: QueueRules): boolean {
  // A school batch that missed its slot waits for its reserved counter, not the public line.
  // A return-code ticket is already ahead of the line.
  return t.channel === 'normal' && !t.schoolBatch && t.returnOf === undefined && now - t.queuedAt >= rules.starvationMs;
}

/** ticket ids as a final tie-breaker keep the order total even if two ranks ever collide */
function byRank(a: StoredTicket, b: StoredTicket): number {
  return a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function byAge(a: StoredTicket, b: StoredTicket): number {
  return a.queuedAt - b.queuedAt || byRank(a, b);
}

function minBy(list: StoredTicket[], cmp: (a: StoredTicket, b: StoredTicket) => number): StoredTicket | undefined {
  let best: StoredTicket | undefined;
  for (const t of list) if (!best || cmp(t, best) < 0) best = t;
  return best;
}

function byPreference(services: readonly string[]) {
  const idx = new Map(services.map((s, i) => [s, i] as const));
  return (a: StoredTicket, b: StoredTicket) =>
    (idx.get(a.service) ?? services.length) - (idx.get(b.service) ?? services.length) || byRank(a, b);
}

export function pickNext(candidates: readonly StoredTicket[], ctx: OrderContext): Pick | undefined {
  const { now, rules, counter } = ctx;
  const green: StoredTicket[] = [];
  const returning: StoredTicket[] = [];
  const batch: StoredTicket[] = [];
  const starved: StoredTicket[] = [];
  const appt: StoredTicket[] = [];
  const senior: StoredTicket[] = [];
  const normal: StoredTicket[] = [];
  for (const t of candidates) {
    if (t.state !== 'waiting') continue;
    if (t.schoolBatch) {
      // Batches are booked into their own slots: never called before the slot starts (and a batch
      // that missed its slot still does not join the public line).
      if (t.channel !== 'appointment' || (t.slotStart ?? 0) <= now) (counter.schoolBatch ? appt : batch).push(t);
      continue;
    }
    if (t.returnOf !== undefined && t.channel === 'normal') {
      returning.push(t);
      continue;
    }
    switch (t.channel) {
      case 'green':
        green.push(t);
        break;
      case 'appointment':
        // Early arrivals wait for their slot.
        if ((t.slotStart ?? 0) <= now) appt.push(t);
        break;
      case 'senior':
        senior.push(t);
        break;
      case 'normal':
        (isStarved(t, now, rules) ? starved : normal).push(t);
        break;
    }
  }
  const keep = ctx.mixPos;
  const g = minBy(green, byRank);
  if (g) return { ticket: g, mixPos: keep, reason: 'green' };
  const s = minBy(starved, byAge);
  if (s) return { ticket: s, mixPos: keep, reason: 'starved' };
  const pref = byPreference(ctx.services);
  const sen = minBy(senior, pref);
  if (counter.senior && sen) return { ticket: sen, mixPos: keep, reason: 'senior' };
  const back = minBy(returning, byRank);
  if (back) return { ticket: back, mixPos: keep, reason: 'return' };
  const a = minBy(appt, (x, y) => (x.slotStart ?? 0) - (y.slotStart ?? 0) || byRank(x, y));
  if (a) return { ticket: a, mixPos: keep, reason: 'appointment' };

  const nor = minBy(normal, pref);
  if (!sen && !nor) {
    const b = minBy(batch, (x, y) => (x.slotStart ?? 0) - (y.slotStart ?? 0) || byRank(x, y));
    return b ? { ticket: b, mixPos: keep, reason: 'schoolBatch' } : undefined;
  }
  if (counter.senior) return { ticket: nor!, mixPos: keep, reason: 'normal' };
  const { senior: sr, normal: nr } = rules.seniorRatio;
  const cycle = sr + nr;
  const pos = ((keep % cycle) + cycle) % cycle;
  const wantSenior = pos < sr;
  // The cycle only advances when the wanted channel was served, so a lone senior arriving after a run
  // of normals waits at most `normal` calls.
  if (wantSenior) {
    return sen ? { ticket: sen, mixPos: (pos + 1) % cycle, reason: 'senior' } : { ticket: nor!, mixPos: pos, reason: 'normal' };
  }
  return nor ? { ticket: nor, mixPos: (pos + 1) % cycle, reason: 'normal' } : { ticket: sen!, mixPos: pos, reason: 'senior' };
}

/** Counter view needed to decide eligibility. */
export interface CounterView {
  def: CounterDef;
  state: { open: boolean; paused: boolean };
}

const available = (c: CounterView) => c.state.open && !c.state.paused;

/**
 * Services a counter calls from: its own in preference order, then — AB岗 — the dedicated queue of
 * every paused/closed counter it backs up. "Dedicated" = services of that counter that no other
 * open, unpaused counter handles; services someone else still serves stay with them, so the backup
 * is not pulled off its own line for citizens who are being served anyway.
 */
export function effectiveServices(counterId: string, counters: ReadonlyMap<string, CounterView>): string[] {
  const me = counters.get(counterId);
  if (!me) return [];
  const out = [...me.def.services];
  for (const other of counters.values()) {
    if (other.def.backupCounter !== counterId || available(other)) continue;
    for (const s of other.def.services) {
      if (out.includes(s)) continue;
      const servedElsewhere = [...counters.values()].some((c) => c.def.id !== other.def.id && available(c) && c.def.services.includes(s));
      if (!servedElsewhere) out.push(s);
    }
  }
  return out;
}

/** Counters whose targeted tickets (转移 to a counter) this counter may call. */
export function targetCountersFor(counterId: string, counters: ReadonlyMap<string, CounterView>): Set<string> {
  const out = new Set([counterId]);
  for (const other of counters.values()) {
    if (other.def.backupCounter === counterId && !available(other)) out.add(other.def.id);
  }
  return out;
}

/** Whether a waiting ticket may be called by a counter (ignores the appointment slot; pickNext does that). */
export function isEligible(
  t: StoredTicket,
  counterId: string,
  services: readonly string[],
  targets: ReadonlySet<string>,
  counters: ReadonlyMap<string, CounterView>,
): boolean {
  if (t.state !== 'waiting') return false;
  if (t.targetCounter !== undefined) return targets.has(t.targetCounter);
  if (services.includes(t.service)) return true;
  // A 绿色通道 counter takes urgent cases of any service.
  return t.channel === 'green' && counters.get(counterId)?.def.green === true;
}
