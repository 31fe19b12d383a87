// A seeded day of work in one hall, played against the real engine. Every action and what the hall
// answered goes into the workload log; the oracle (oracle.ts) reads only that log.
import type { QueueEngine } from '../../agent/queue/engine.js';
import type { Ticket } from '../../agent/queue/types.js';
import { SATELLITE_COUNTER, type SatelliteLink } from './satellite-link.js';

export type LogEntry =
  | { t: 'issue'; at: number; id: string; day: string; channel: string; service: string }
  /**
   * an appointment checked in at the kiosk: `batch` tickets (a school batch when more than one), for
   * a slot ending at `slotEnd`; the oracle decides their channel from these facts (docs/figures.md)
   */
  | { t: 'checkIn'; at: number; day: string; ids: string[]; slotEnd: number; batch: number; service: string }
  /** a 整改 of the service `id` (opened by its 差评) closed after its 回访 */
  | { t: 'rectClosed'; at: number; id: string }
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
  /**
   * a citizen's late rating by the ticket's web link: the oracle decides from the log whether it
   * counts (docs/figures.md: the first rating or 未评价 of a service is final, and a day's close
   * records 未评价 for every service of it still unrated)
   */
  | { t: 'rateLate'; at: number; id: string; level: number }
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

/** A walk-in citizen of a day drawn by a demand model (bench/forecast-month.ts): when and for what. */
export interface WalkIn {
  at: number;
  service: string;
}

/**
 * Plays one open day from 09:00 to ~16:40 on `engine`, advancing `clock`. Leaves some tickets
 * waiting, called and serving, and some services unrated, for the day's close to end.
 * Walk-ins: 18–31 spread at random over the day (the month's workload), or, given `walkIns`, each
 * at the first step of the play at or after its time (bench/forecast-month.ts: a day with a shape).
 */
export function playDay(
  engine: QueueEngine,
  clock: { t: number; now(): number },
  day: string,
  rng: Rng,
  log: LogEntry[],
  unrated: Pending[],
  satellite?: SatelliteLink,
  walkIns?: readonly WalkIn[],
): void {
  const at = () => clock.now();
  const serving = new Map<string, { id: string; started: boolean; until: number }>();
  const skipped: string[] = [];
  for (const c of COUNTER_IDS) engine.open(c);
  const bookings = bookDay(engine, day, rng);
  // counter 3's keypad and rating pad are on a satellite PC in one hall: its presses take the satellite's way
  const pad = (c: string) => (satellite && c === SATELLITE_COUNTER ? satellite : undefined);
  const act = (c: string, key: 'recall' | 'skip' | 'start' | 'finish') => {
    const s = pad(c);
    if (s) s.press(key);
    else engine[key](c);
  };
  if (satellite) satellite.loseNextAck = true; // one lost acknowledgement a day: the satellite sends again
  const arrivals = 18 + rng.int(14);
  const end = clock.t + 7.6 * 3600_000;
  let issued = 0;
  const walkIn = (service?: string) => {
    const r = rng.next();
    const channel = r < 0.75 ? 'normal' : r < 0.92 ? 'senior' : 'green';
    const t = engine.issue({
      service: service ?? SERVICES[rng.int(2)]!,
      channel: channel as 'normal',
      issuedBy: channel === 'green' ? 'guide' : 'kiosk',
    }).ticket;
    log.push({ t: 'issue', at: at(), id: t.id, day: t.day, channel, service: t.service });
  };
  while (clock.t < end) {
    clock.t += (1 + rng.int(4)) * 60_000 + rng.int(60_000);
    // arrivals
    if (walkIns) {
      for (; issued < walkIns.length && walkIns[issued]!.at <= at(); issued++) walkIn(walkIns[issued]!.service);
    } else if (issued < arrivals && rng.chance(0.3)) {
      walkIn();
      issued++;
    }
    // appointments arriving: early, in their slot, or too late for it; a school batch checks in as one
    for (const b of bookings) {
      if (b.done || at() < b.arrives) continue;
      b.done = true;
      const r = engine.checkInAppointment(b.code);
      log.push({
        t: 'checkIn',
        at: at(),
        day,
        ids: r.tickets.map((x) => x.ticket.id),
        slotEnd: b.slotEnd,
        batch: b.batch,
        service: b.service,
      });
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
        let t: Ticket | null;
        const s = pad(c);
        if (s) {
          s.press('call');
          t = engine.counterSnapshot(c)?.current ?? null;
        } else t = engine.callNext(c);
        if (t) {
          log.push({ t: 'call', at: at(), id: t.id, day: t.day, today: day });
          serving.set(c, { id: t.id, started: false, until: at() + (3 + rng.int(12)) * 60_000 });
        }
        continue;
      }
      if (!cur.started) {
        if (rng.chance(0.08)) {
          act(c, 'skip');
          log.push({ t: 'skip', at: at(), id: cur.id });
          skipped.push(cur.id);
          serving.delete(c);
        } else if (rng.chance(0.05)) {
          act(c, 'recall'); // a recall is not a new call: the wait still ended at the first one
        } else {
          act(c, 'start');
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
      act(c, 'finish');
      log.push({ t: 'finish', at: at(), id: cur.id });
      serving.delete(c);
      if (rng.chance(0.1)) {
        engine.recordNotice({ counter: c, service: 'idcard', missingMaterialIds: ['hukou'] });
        log.push({ t: 'notice', at: at(), day });
      }
      const r = rng.next();
      if (r < 0.65) {
        const level = pickLevel(rng);
        const s = pad(c);
        if (s)
          s.rate(level as 1); // the RS-485 pad rates its counter's service that just ended
        else engine.rate({ counter: c, ticketId: cur.id, level: level as 1, reasons: level <= 2 ? ['efficiency'] : [], source: 'pad' });
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

interface Booking {
  code: string;
  service: string;
  slotEnd: number;
  batch: number;
  arrives: number;
  done: boolean;
}

/**
 * The day's 网上预约 bookings, imported in the morning: a few citizens with half-hour slots (some come
 * early, some in their slot, some too late and queue as normal, some never), and on Wednesdays a
 * school batch (学生批量) of six in its own slot.
 */
function bookDay(engine: QueueEngine, day: string, rng: Rng): Booking[] {
  const list: Booking[] = [];
  const input = [];
  const slotAt = (hm: number) =>
    Date.parse(`${day}T${String(Math.floor(hm / 60)).padStart(2, '0')}:${String(hm % 60).padStart(2, '0')}:00+08:00`);
  const n = 2 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const start = slotAt(9 * 60 + 30 + 30 * rng.int(12)); // 09:30 … 15:00
    const code = `YY${day.replace(/-/g, '')}${String(i).padStart(2, '0')}`;
    input.push({ code, service: 'idcard', slotStart: start, slotEnd: start + 30 * 60_000 });
    if (rng.chance(0.15)) continue; // never comes
    // -20 … +55 min from the slot's start: after slot end + 15 min grace the slot is lost
    list.push({
      code,
      service: 'idcard',
      slotEnd: start + 30 * 60_000,
      batch: 1,
      arrives: start + (rng.int(76) - 20) * 60_000,
      done: false,
    });
  }
  if (new Date(`${day}T00:00:00Z`).getUTCDay() === 3) {
    const start = slotAt(10 * 60);
    const code = `XS${day.replace(/-/g, '')}`;
    input.push({ code, service: 'idcard', slotStart: start, slotEnd: start + 60 * 60_000, batchSize: 6 });
    list.push({
      code,
      service: 'idcard',
      slotEnd: start + 60 * 60_000,
      batch: 6,
      arrives: start - 10 * 60_000 + rng.int(30) * 60_000,
      done: false,
    });
  }
  const r = engine.importAppointments(input);
  if (r.skipped.length) throw new Error(`bookings refused: ${JSON.stringify(r.skipped)}`);
  return list;
}

/**
 * The hall works its open 整改 cases in the morning: some get their 回访 and are closed (on time or
 * late, as it happens); the rest stay open, some past their due day.
 */
export function workCases(engine: QueueEngine, at: number, rng: Rng, log: LogEntry[]): void {
  for (const c of engine.listCases({ kind: 'rectification' })) {
    // half of the cases still open on their due day are closed that very day (the on-time boundary)
    if (!rng.chance(c.dueDay === engine.today() ? 0.5 : 0.1)) continue;
    engine.recordCallback(c.id, { by: '王所长', note: '已回访，群众认可整改', satisfied: true });
    engine.closeRectification(c.id, { by: '王所长', measures: '窗口业务培训' });
    log.push({ t: 'rectClosed', at, id: c.ticketId! });
  }
}

function pickLevel(rng: Rng): number {
  const r = rng.next();
  return r < 0.04 ? 1 : r < 0.1 ? 2 : r < 0.2 ? 3 : r < 0.4 ? 4 : 5;
}

/**
 * Late ratings by the web link of services not rated at the pad (some before anything was recorded,
 * some after a 未评价 or after the day's close — those are refused). Returns how many were accepted.
 */
export function rateLate(engine: QueueEngine, at: number, rng: Rng, log: LogEntry[], unrated: Pending[], share: number): number {
  let n = 0;
  for (const p of unrated.splice(0)) {
    if (!rng.chance(share)) {
      unrated.push(p); // may still try later (the web link stays valid)
      continue;
    }
    const level = pickLevel(rng);
    log.push({ t: 'rateLate', at, id: p.id, level });
    try {
      engine.rate({ counter: p.counter, ticketId: p.id, level: level as 1, reasons: level <= 2 ? ['attitude'] : [], source: 'web' });
      n++;
    } catch (err) {
      // refused (a 未评价 already stands): the oracle must come to the same answer from the log alone
      if ((err as { code?: string }).code !== 'ALREADY_RATED') throw err;
    }
  }
  return n;
}

export function plusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
