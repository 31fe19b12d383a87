// The simulated month's oracle: every figure of every hall day from the workload log alone (what was
// done and when), never from the engine's tables or common/figures.ts's counting code. The rules it
// applies are the written ones (docs/figures.md): an entry's day is its issue day; a wait is issue →
// first call, first entries only; a rating counts on the service's day; a finished service nobody
// rated is 未评价 once its day closed; the first rating or 未评价 of a service is final (a later one is
// refused); a 差评 opens a 整改 on the day it is given.
import { WAIT_EDGES_MIN } from '../../common/figures.js';
import type { LogEntry } from './workload.js';

export interface OracleDay {
  issued: number;
  served: number;
  noShow: number;
  cancelled: number;
  unservedAtClose: number;
  /** started and never finished when the day closed: served, without handling time or rating */
  servedAtClose: number;
  waits: number[];
  handling: number[];
  channels: Record<string, number>;
  levels: [number, number, number, number, number];
  notRated: number;
  notices: number;
  acceptedWithMissing: number;
  unresolvedOpened: number;
  rectOpened: number;
  /** of the 整改 opened that day, as of the oracle's `today`: closed by the due day, closed after it, open past it */
  rectOnTime: number;
  rectLate: number;
  rectOpenOverdue: number;
  homeVisitOpened: number;
  petitionOpened: number;
  selfCheckOpened: number;
  revisitOpened: number;
}

const empty = (): OracleDay => ({
  issued: 0,
  served: 0,
  noShow: 0,
  cancelled: 0,
  unservedAtClose: 0,
  servedAtClose: 0,
  waits: [],
  handling: [],
  channels: { normal: 0, senior: 0, green: 0, appointment: 0, schoolBatch: 0 },
  levels: [0, 0, 0, 0, 0],
  notRated: 0,
  notices: 0,
  acceptedWithMissing: 0,
  unresolvedOpened: 0,
  rectOpened: 0,
  rectOnTime: 0,
  rectLate: 0,
  rectOpenOverdue: 0,
  homeVisitOpened: 0,
  petitionOpened: 0,
  selfCheckOpened: 0,
  revisitOpened: 0,
});

/** the late limit of an appointment: its slot's end plus the hall's grace (DEFAULT_RULES, 15 min) */
const APPOINTMENT_GRACE_MS = 15 * 60_000;

/**
 * The working day n working days after `day`, from the month's calendar as data (weekends off, the
 * holiday off, its 调休 Saturday worked) — the oracle's own count, not the engine's calendar code.
 */
export function workingDaysAfter(day: string, n: number, off: string[], workdays: string[]): string {
  let d = day;
  for (let left = n; left > 0; ) {
    d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const weekend = [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    if (workdays.includes(d) || (!weekend && !off.includes(d))) left--;
  }
  return d;
}

export interface OracleCalendar {
  off: string[];
  workdays: string[];
  /** the day the outcomes of 整改 cases are judged on (the report's today) */
  today: string;
}

const localDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10); // Asia/Shanghai, no DST

/** hall day → figures, for the closed days of the log; `revisitSampled` says which ratings ≥ 4 open a 回访 */
export function oracle(log: LogEntry[], revisitSampled: (level: number) => boolean, cal?: OracleCalendar): Map<string, OracleDay> {
  const days = new Map<string, OracleDay>();
  const at = (day: string) => {
    const d = days.get(day) ?? empty();
    days.set(day, d);
    return d;
  };
  interface Entry {
    day: string;
    issuedAt: number;
    first: boolean;
    firstCall?: number;
    start?: number;
    finish?: number;
    skipped: boolean;
    transferred: boolean;
    level?: number | null;
  }
  const entries = new Map<string, Entry>();
  const closed = new Set<string>();
  /** 整改 by the service rated: the day it opened (the 差评's day) and the day it closed */
  const rects = new Map<string, { opened: string; closed?: string }>();
  const give = (x: Entry, id: string, level: number | null, when: number) => {
    x.level = level;
    if (level !== null && level <= 2) {
      at(localDay(when)).rectOpened++;
      rects.set(id, { opened: localDay(when) });
    }
    if (level !== null && level >= 4 && revisitSampled(level)) at(localDay(when)).revisitOpened++;
  };
  for (const e of log) {
    switch (e.t) {
      case 'dayClosed':
        closed.add(e.day);
        break;
      case 'rateLate': {
        const x = entries.get(e.id)!;
        if (x.level === undefined && !closed.has(x.day)) give(x, e.id, e.level, e.at);
        break;
      }
      case 'issue':
        entries.set(e.id, { day: e.day, issuedAt: e.at, first: true, skipped: false, transferred: false });
        at(e.day).issued++;
        at(e.day).channels[e.channel]!++;
        break;
      case 'checkIn':
        for (const id of e.ids) {
          entries.set(id, { day: e.day, issuedAt: e.at, first: true, skipped: false, transferred: false });
          at(e.day).issued++;
          // a school batch stays one whatever its arrival; a citizen later than slot + grace queues as normal
          at(e.day).channels[e.batch > 1 ? 'schoolBatch' : e.at > e.slotEnd + APPOINTMENT_GRACE_MS ? 'normal' : 'appointment']!++;
        }
        break;
      case 'rectClosed':
        rects.get(e.id)!.closed = localDay(e.at);
        break;
      case 'transfer': {
        const from = entries.get(e.from)!;
        from.transferred = true;
        entries.set(e.id, { day: from.day, issuedAt: from.issuedAt, first: false, skipped: false, transferred: false });
        break;
      }
      case 'call': {
        const x = entries.get(e.id)!;
        if (x.firstCall === undefined) x.firstCall = e.at;
        break;
      }
      case 'start':
        entries.get(e.id)!.start = e.at;
        break;
      case 'finish':
        entries.get(e.id)!.finish = e.at;
        break;
      case 'skip':
        entries.get(e.id)!.skipped = true;
        break;
      case 'rate':
        give(entries.get(e.id)!, e.id, e.level, e.at);
        break;
      case 'notice':
        at(e.day).notices++;
        break;
      case 'accepted':
        at(e.day).acceptedWithMissing++;
        break;
      case 'unresolved':
        at(e.day).unresolvedOpened++;
        break;
      case 'campaign':
        at(e.day)[`${e.kind}Opened`]++;
        break;
      default:
        break;
    }
  }
  if (cal)
    for (const r of rects.values()) {
      const due = workingDaysAfter(r.opened, 15, cal.off, cal.workdays);
      if (r.closed !== undefined) at(r.opened)[r.closed <= due ? 'rectOnTime' : 'rectLate']++;
      else if (due < cal.today) at(r.opened).rectOpenOverdue++;
    }
  for (const x of entries.values()) {
    const d = at(x.day);
    if (x.first && x.firstCall !== undefined && localDay(x.firstCall) === x.day) d.waits.push(x.firstCall - x.issuedAt);
    if (x.finish !== undefined) {
      d.served++;
      d.handling.push(x.finish - x.start!);
      if (x.level === undefined || x.level === null) d.notRated++;
      else d.levels[x.level - 1]!++;
    } else if (x.transferred) {
      // continues as another entry
    } else if (x.start !== undefined) {
      // in service when the day closed (its only way to end unfinished): served, no handling, no rating
      d.served++;
      d.servedAtClose++;
    } else if (x.skipped) d.noShow++;
    else d.unservedAtClose++;
  }
  return days;
}

/** the 90 % wait as docs/figures.md defines it: the bucket edge above the 90th ranked wait, capped by the longest */
export function p90(waits: number[]): number | null {
  if (waits.length === 0) return null;
  const s = [...waits].sort((a, b) => a - b);
  const v = s[Math.ceil(0.9 * s.length) - 1]!;
  const edge = WAIT_EDGES_MIN.find((m) => v < m * 60_000);
  return edge === undefined ? s.at(-1)! : Math.min(edge * 60_000, s.at(-1)!);
}

export const mean = (v: number[]) => (v.length === 0 ? null : Math.round(v.reduce((a, b) => a + b, 0) / v.length));

export function merge(list: OracleDay[]): OracleDay {
  const out = empty();
  for (const d of list) {
    for (const k of Object.keys(out) as (keyof OracleDay)[]) {
      const v = d[k];
      if (typeof v === 'number') (out[k] as number) += v;
    }
    out.waits.push(...d.waits);
    out.handling.push(...d.handling);
    for (const c of Object.keys(out.channels)) out.channels[c]! += d.channels[c]!;
    for (let i = 0; i < 5; i++) out.levels[i]! += d.levels[i]!;
  }
  return out;
}
