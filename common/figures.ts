// One definition of each figure the hall and the supervisors read (issue 18). The hall's daily and
// monthly reports, the daily summary sent upward and the hub's reports all count through this file,
// so they cannot drift apart again. Pure TypeScript: no database, no framework.
//
// A hall day's figures are additive (`DayFigures`): a month, a city or a province is the sum of its
// hall days. The only figure that is not a sum, the 90 % wait, is read from a fixed wait histogram
// that sums like the rest (see docs/figures.md).

/** Upper edges (minutes) of the wait histogram's buckets; one more bucket holds everything longer. */
export const WAIT_EDGES_MIN: readonly number[] = [
  ...Array.from({ length: 30 }, (_, i) => i + 1), // 1 … 30 by the minute
  35,
  40,
  45,
  50,
  55,
  60,
  70,
  80,
  90,
  100,
  110,
  120,
  150,
  180,
  240,
  300,
  360,
  480,
  600,
  720,
];
export const WAIT_BUCKETS = WAIT_EDGES_MIN.length + 1;

/** the bucket of a wait: the first whose upper edge is above it (a 1:00.000 wait is in "≤ 2 min") */
export function waitBucket(ms: number): number {
  const min = ms / 60_000;
  for (let i = 0; i < WAIT_EDGES_MIN.length; i++) if (min < WAIT_EDGES_MIN[i]!) return i;
  return WAIT_EDGES_MIN.length;
}

export const CHANNEL_KEYS = ['normal', 'senior', 'green', 'appointment', 'schoolBatch'] as const;
export type ChannelKey = (typeof CHANNEL_KEYS)[number];

/**
 * The additive figures of one hall day (or of any sum of hall days). Every key but `waitMaxMs`
 * (merged by max) and `waitHist` (summed per bucket) is a plain count or sum.
 */
export const COUNT_KEYS = [
  /** 取号: first entries issued (a transfer's next leg is the same citizen, not a new ticket) */
  'issued',
  /** 办结: entries finished (state done), and entries being served when the day closed (servedAtClose) */
  'served',
  /** 过号: entries skipped at least once and never served, whatever ended them afterwards */
  'noShow',
  /** cancelled by staff or the citizen */
  'cancelled',
  /** still waiting (never called) when the day closed: not served, not a no-show */
  'unservedAtClose',
  /**
   * 办结于闭厅: being served (started) when the day closed — counted in `served`, without a handling
   * time (its end is unknown: the close is not when the service ended) and without a rating
   */
  'servedAtClose',
  /** first entries called within their own day; the wait is issue → first call */
  'waitCount',
  'waitSumMs',
  /** finished entries; handling is start (or call) → finish */
  'handlingCount',
  'handlingSumMs',
  'chNormal',
  'chSenior',
  'chGreen',
  'chAppointment',
  'chSchoolBatch',
  /** 好差评 by level, on the day of the service rated (never the day the rating arrived) */
  'l1',
  'l2',
  'l3',
  'l4',
  'l5',
  /** 未评价: services finished without a rating (timeout, pad left, day closed) */
  'notRated',
  /** 一次性告知 slips printed */
  'notices',
  /** 容缺 acceptances */
  'acceptedWithMissing',
  /** 办不成事 reports opened */
  'unresolvedOpened',
  /** 整改 opened (a 差评 opens one) */
  'rectOpened',
  /** campaign cases opened: 上门服务, 信访, 自查, 回访 */
  'homeVisitOpened',
  'petitionOpened',
  'selfCheckOpened',
  'revisitOpened',
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

export type DayFigures = Record<CountKey, number> & { waitMaxMs: number; waitHist: number[] };

export function emptyDay(): DayFigures {
  const f = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Record<CountKey, number>;
  return { ...f, waitMaxMs: 0, waitHist: new Array<number>(WAIT_BUCKETS).fill(0) };
}

export function addInto(into: DayFigures, f: DayFigures): DayFigures {
  for (const k of COUNT_KEYS) into[k] += f[k];
  into.waitMaxMs = Math.max(into.waitMaxMs, f.waitMaxMs);
  for (let i = 0; i < WAIT_BUCKETS; i++) into.waitHist[i]! += f.waitHist[i] ?? 0;
  return into;
}

export function sumDays(list: Iterable<DayFigures>): DayFigures {
  const out = emptyDay();
  for (const f of list) addInto(out, f);
  return out;
}

// ---- facts: what each source (engine rows, workload log, hub columns) must say about a ticket

/** One ticket entry as far as the figures care. `calledDay` is the hall day of its first call. */
export interface TicketFact {
  /** the hall day the entry belongs to (its issue day) */
  day: string;
  /** false for the next leg of a transfer */
  firstEntry: boolean;
  channel: string;
  schoolBatch?: boolean;
  /** final state: waiting, called, serving, done, noShow, transferred, cancelled */
  state: string;
  issuedAt: number;
  firstCalledAt?: number;
  calledDay?: string;
  startedAt?: number;
  finishedAt?: number;
  skipped: boolean;
  cancelReason?: string;
}

const CH: Record<ChannelKey, CountKey> = {
  normal: 'chNormal',
  senior: 'chSenior',
  green: 'chGreen',
  appointment: 'chAppointment',
  schoolBatch: 'chSchoolBatch',
};

export function channelKey(t: { channel: string; schoolBatch?: boolean }): ChannelKey {
  if (t.schoolBatch) return 'schoolBatch';
  return (CHANNEL_KEYS as readonly string[]).includes(t.channel) ? (t.channel as ChannelKey) : 'normal';
}

/**
 * The wait of an entry, or null when it has none: first entries only, issue → first call, and only
 * when the call came on the entry's own day (a ticket called the morning after was never served on
 * its day; counting it gave the 173.6 min mean and the 25 h 90 % of issue 18).
 */
export function waitOf(t: TicketFact): number | null {
  if (!t.firstEntry || t.firstCalledAt === undefined) return null;
  if (t.calledDay !== undefined && t.calledDay !== t.day) return null;
  return Math.max(0, t.firstCalledAt - t.issuedAt);
}

/**
 * Whether the entry was being served when the day closed (the officer never pressed 办结): the
 * citizen was at the counter and the matter in hand, so it is served (docs/figures.md).
 */
export function servedAtClose(t: TicketFact): boolean {
  return t.state === 'cancelled' && t.cancelReason === 'dayEndServing';
}

/** served: finished, or being served when the day closed */
export function isServed(t: TicketFact): boolean {
  return t.state === 'done' || servedAtClose(t);
}

/** Handling of a finished entry: start (or call, when never started) → finish. */
export function handlingOf(t: TicketFact): number | null {
  if (t.state !== 'done' || t.finishedAt === undefined) return null;
  return Math.max(0, t.finishedAt - (t.startedAt ?? t.firstCalledAt ?? t.finishedAt));
}

export function isNoShow(t: TicketFact): boolean {
  return t.skipped && !isServed(t) && t.state !== 'transferred';
}

/** Adds one ticket entry. `channels` counts issued first entries ('issued') or served ones ('served'). */
export function addTicket(f: DayFigures, t: TicketFact, channels: 'issued' | 'served' = 'issued'): void {
  if (t.firstEntry) f.issued++;
  if (channels === 'issued' ? t.firstEntry : isServed(t)) f[CH[channelKey(t)]]++;
  const w = waitOf(t);
  if (w !== null) {
    f.waitCount++;
    f.waitSumMs += w;
    f.waitMaxMs = Math.max(f.waitMaxMs, w);
    f.waitHist[waitBucket(w)]!++;
  }
  const h = handlingOf(t);
  if (h !== null) {
    f.served++;
    f.handlingCount++;
    f.handlingSumMs += h;
  }
  if (servedAtClose(t)) {
    f.served++;
    f.servedAtClose++;
  } else if (isNoShow(t)) f.noShow++;
  else if (t.state === 'cancelled' && t.cancelReason === 'cancelled') f.cancelled++;
  else if (t.state === 'cancelled' || t.state === 'waiting') {
    // ended by the day's close (or still waiting in an open day: not served yet)
    if (!t.skipped) f.unservedAtClose++;
  }
}

/** A rating row: level 1–5, or null for 未评价. It belongs to the day of the service it rates. */
export function addRating(f: DayFigures, level: number | null): void {
  if (level === null) f.notRated++;
  else if (level >= 1 && level <= 5) f[`l${level}` as 'l1']++;
}

export type CaseKindOpened = 'homeVisit' | 'petition' | 'selfCheck' | 'revisit';
export function addCampaignOpened(f: DayFigures, kind: string): void {
  if (kind === 'homeVisit' || kind === 'petition' || kind === 'selfCheck' || kind === 'revisit') f[`${kind}Opened`]++;
}

// ---- what a report shows: derived from the sums, the same way everywhere

export interface ShownFigures {
  issued: number;
  served: number;
  noShow: number;
  cancelled: number;
  unservedAtClose: number;
  /** of `served`: being served when the day closed (no handling time, no rating) */
  servedAtClose: number;
  /** rounded to the millisecond */
  waitMeanMs: number | null;
  /** the upper edge of the bucket holding the 90th percentile, never above the longest wait */
  waitP90Ms: number | null;
  handlingMeanMs: number | null;
  levels: [number, number, number, number, number];
  rated: number;
  notRated: number;
  /** 差评: levels 1–2 */
  bad: number;
  /** 好评率: levels 3–5 over all ratings given (未评价 excluded) */
  goodRate: number | null;
}

export function meanOf(sum: number, count: number): number | null {
  return count === 0 ? null : Math.round(sum / count);
}

export function p90Of(hist: readonly number[], maxMs: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(0.9 * total);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) return i < WAIT_EDGES_MIN.length ? Math.min(WAIT_EDGES_MIN[i]! * 60_000, maxMs) : maxMs;
  }
  return maxMs;
}

export function goodRateOf(levels: readonly number[]): number | null {
  const rated = levels.reduce((a, b) => a + b, 0);
  return rated === 0 ? null : (levels[2]! + levels[3]! + levels[4]!) / rated;
}

export function shown(f: DayFigures): ShownFigures {
  const levels: ShownFigures['levels'] = [f.l1, f.l2, f.l3, f.l4, f.l5];
  const rated = levels.reduce((a, b) => a + b, 0);
  return {
    issued: f.issued,
    served: f.served,
    noShow: f.noShow,
    cancelled: f.cancelled,
    unservedAtClose: f.unservedAtClose,
    servedAtClose: f.servedAtClose,
    waitMeanMs: meanOf(f.waitSumMs, f.waitCount),
    waitP90Ms: p90Of(f.waitHist, f.waitMaxMs),
    handlingMeanMs: meanOf(f.handlingSumMs, f.handlingCount),
    levels,
    rated,
    notRated: f.notRated,
    bad: f.l1 + f.l2,
    goodRate: goodRateOf(levels),
  };
}

// ---- case outcomes that depend on "today" (not day sums): 整改按期率, 容缺 overdue

export type RectOutcome = 'onTime' | 'late' | 'openOverdue' | 'open';

/** A 整改 is on time when closed on or before its due day; open past its due day it is overdue. */
export function rectOutcome(dueDay: string, closedDay: string | undefined | null, today: string): RectOutcome {
  if (closedDay) return closedDay <= dueDay ? 'onTime' : 'late';
  return dueDay < today ? 'openOverdue' : 'open';
}

/** 整改按期率: closed on time over those that are closed or overdue (an open case not yet due is not judged). */
export function onTimeRateOf(onTime: number, late: number, openOverdue: number): number | null {
  const judged = onTime + late + openOverdue;
  return judged === 0 ? null : onTime / judged;
}

/** 容缺 overdue: materials still missing after the follow-up day. */
export function followUpOverdue(followUpDate: string, completed: boolean, today: string): boolean {
  return !completed && followUpDate < today;
}

/** snake_case column name of a figure key (the hub's hall_days table) */
export function columnOf(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/([a-z])(\d)/g, '$1_$2');
}
export const WAIT_HIST_COLUMNS = Array.from({ length: WAIT_BUCKETS }, (_, i) => `w${String(i).padStart(2, '0')}`);
