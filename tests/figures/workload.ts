// A seeded day of work in one hall, played against the real engine. Every action and what the hall
// answered goes into the workload log; the oracle (oracle.ts) reads only that log.
import type { QueueEngine } from '../../agent/queue/engine.js';
import type { Ticket } from '../../agent/queue/types.js';

export type LogEntry =
  | { t: 'issue'; at: number; id: string; day: string; channel: string }
  | { t: 'call'; at: number; id: string; day: string; today: string }
  | { t: 'start'; at: number; id: string }
  | { t: 'finish'; at: number; id: string }
  | { t: 'skip'; at: number; id: string }
  | { t: 'rejoin'; at: number; id: string }
  /** the entry `from` continues as the new entry `id` (same number, not a new citizen) */
  | { t: 'transfer'; at: number; from: string; id: string }
  | { t: 'cancel'; at: number; id: string }
  /** a rating (level) or a 未评价 (null) recorded for a finished entry */
  | { t: 'rate'; at: number; id: string; level: number | null }
  | { t: 'notice'; at: number; day: string }
  | { t: 'accepted'; at: number; day: string }
  | { t: 'unresolved'; at: number; day: string }
  | { t: 'campaign'; at: number; day: string; kind: 'homeVisit' | 'petition' | 'selfCheck' | 'revisit' }
  /** the hall's day closed (any trigger): what was still open of it ended */
  | { t: 'dayClosed'; at: number; day: string };

export class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) | 0;
    let x = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const COUNTER_IDS = ['1', '2', '3'];
const SERVICES = ['idcard', 'move'];

/** services finished and not rated yet, per hall: the rating pads' backlog (rated late or after midnight) */
export interface Pending {
  id: string;
  counter: string;
}

/**
 * Plays one open day from 09:00 to ~16:40 on `engine`, advancing `clock`. Leaves some tickets
 * waiting, called and serving, and some services unrated, for the day's close to end.
 */
export function playDay(
  engine: QueueEngine,
  clock: { t: number; now(): number },
  day: string,
  rng: Rng,
  log: LogEntry[],
  unrated: Pending[],
): void {
  const at = () => clock.now();
  const serving = new Map<string, { id: string; started: boolean; until: number }>();
  const skipped: string[] = [];
  for (const c of COUNTER_IDS) engine.open(c);
  const arrivals = 18 + rng.int(14);
  const end = clock.t + 7.6 * 3600_000;
  let issued = 0;
  while (clock.t < end) {
    clock.t += (1 + rng.int(4)) * 60_000 + rng.int(60_000);
    // arrivals
    if (issued < arrivals && rng.chance(0.3)) {
      const r = rng.next();
      const channel = r < 0.75 ? 'normal' : r < 0.92 ? 'senior' : 'green';
      const t = engine.issue({
        service: SERVICES[rng.int(2)]!,
        channel: channel as 'normal',
        issuedBy: channel === 'green' ? 'guide' : 'kiosk',
      }).ticket;
      log.push({ t: 'issue', at: at(), id: t.id, day: t.day, channel });
      issued++;
    }
    // a 过号 who comes back
    if (skipped.length > 0 && rng.chance(0.1)) {
      const id = skipped.splice(rng.int(skipped.length), 1)[0]!;
      const number = id.slice(11).split('.')[0]!;
      try {
        const t = engine.rejoin(number);
        log.push({ t: 'rejoin', at: at(), id: t.id });
      } catch {
        // already rejoined once, or transferred meanwhile: the hall refuses, nothing changes
      }
    }
    // the counters
    for (const c of COUNTER_IDS) {
      const cur = serving.get(c);
      if (!cur) {
        const t: Ticket | null = engine.callNext(c);
        if (t) {
          log.push({ t: 'call', at: at(), id: t.id, day: t.day, today: day });
          serving.set(c, { id: t.id, started: false, until: at() + (3 + rng.int(12)) * 60_000 });
        }
        continue;
      }
      if (!cur.started) {
        if (rng.chance(0.08)) {
          engine.skip(c);
          log.push({ t: 'skip', at: at(), id: cur.id });
          skipped.push(cur.id);
          serving.delete(c);
        } else if (rng.chance(0.05)) {
          engine.recall(c); // a recall is not a new call: the wait still ended at the first one
        } else {
          engine.start(c);
          log.push({ t: 'start', at: at(), id: cur.id });
          cur.started = true;
          if (rng.chance(0.06)) {
            engine.acceptWithMissing({ counter: c, ticketId: cur.id, missingMaterialIds: ['photo'], followUpDate: plusDays(day, 7) });
            log.push({ t: 'accepted', at: at(), day });
          }
        }
        continue;
      }
      if (at() < cur.until) continue;
      if (rng.chance(0.05)) {
        const next = engine.transfer(c, { service: engine.getTicket(cur.id)!.service === 'idcard' ? 'move' : 'idcard' });
        log.push({ t: 'transfer', at: at(), from: cur.id, id: next.id });
        serving.delete(c);
        continue;
      }
      engine.finish(c);
      log.push({ t: 'finish', at: at(), id: cur.id });
      serving.delete(c);
      if (rng.chance(0.1)) {
        engine.recordNotice({ counter: c, service: 'idcard', missingMaterialIds: ['hukou'] });
        log.push({ t: 'notice', at: at(), day });
      }
      const r = rng.next();
      if (r < 0.65) {
        const level = pickLevel(rng);
        engine.rate({ counter: c, ticketId: cur.id, level: level as 1, reasons: level <= 2 ? ['efficiency'] : [], source: 'pad' });
        log.push({ t: 'rate', at: at(), id: cur.id, level });
      } else if (r < 0.8) {
        // the pad timed out: 未评价 now; a third of them rate a little later anyway (web link)
        engine.recordNotRated(c, cur.id);
        log.push({ t: 'rate', at: at(), id: cur.id, level: null });
        if (rng.chance(0.33)) unrated.push({ id: cur.id, counter: c });
      } else unrated.push({ id: cur.id, counter: c }); // left without rating: the close records 未评价
    }
    if (rng.chance(0.01)) {
      engine.reportUnresolved({ description: '材料不齐没办成', contact: '张先生 13812345678' });
      log.push({ t: 'unresolved', at: at(), day });
    }
    if (rng.chance(0.008)) {
      // 回访 cases are opened by the hall itself: a sample of the ratings of 4 and 5
      const kind = (['homeVisit', 'petition', 'selfCheck'] as const)[rng.int(3)]!;
      engine.openCampaignCase({
        kind,
        title: `${kind} 案件`,
        by: '王所长',
        dueDay: plusDays(day, 10),
        ...(kind === 'homeVisit' ? { address: '幸福路1号', scheduledAt: `${plusDays(day, 2)} 10:00` } : {}),
        ...(kind === 'petition' ? { source: '12345' as const } : {}),
        ...(kind === 'selfCheck' ? { measure: '限期整改', assignedTo: 'S1' } : {}),
      });
      log.push({ t: 'campaign', at: at(), day, kind });
    }
  }
}

function pickLevel(rng: Rng): number {
  const r = rng.next();
  return r < 0.04 ? 1 : r < 0.1 ? 2 : r < 0.2 ? 3 : r < 0.4 ? 4 : 5;
}

/**
 * Late ratings of services still unrated (some after a 未评价, some after the day's close — then they
 * count on the service's day and the day goes up again as a revision). Returns how many were given.
 */
export function rateLate(engine: QueueEngine, at: number, rng: Rng, log: LogEntry[], unrated: Pending[], share: number): number {
  let n = 0;
  for (const p of unrated.splice(0)) {
    if (!rng.chance(share)) {
      unrated.push(p); // may still rate later (the web link stays valid)
      continue;
    }
    const level = pickLevel(rng);
    engine.rate({ counter: p.counter, ticketId: p.id, level: level as 1, reasons: level <= 2 ? ['attitude'] : [], source: 'web' });
    log.push({ t: 'rate', at, id: p.id, level });
    n++;
  }
  return n;
}

export function plusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
