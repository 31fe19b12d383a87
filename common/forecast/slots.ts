// The forecast's grid: 48 half-hour slots per hall-local day, and what the hall calendar says about
// each day (open slots, the day's class, holiday effects). Pure; no clock.
import { type HallCalendar, nextDay, WEEKDAYS, type Weekday } from '../../agent/queue/calendar.js';
import { localToEpoch } from '../../agent/queue/time.js';

export const SLOT_MINUTES = 30;
export const SLOTS = 48;
export const SLOT_MS = SLOT_MINUTES * 60_000;

/** arrivals per service: service id → 48 counts (one hall-local day) */
export type DayCounts = Map<string, number[]>;
/** day (YYYY-MM-DD) → counts; a day absent = no data (agent not running), not "nobody came" */
export type History = Map<string, DayCounts>;

/**
 * How a day's walk-in demand is modelled:
 * closed: nothing; appointmentOnly: bookings only; a weekday name or weekend: its own level and shape;
 * makeUp (调休上班): the mean workday level × its effect.
 */
export type DayClass = 'closed' | 'appointmentOnly' | 'weekend' | 'makeUp' | Exclude<Weekday, 'sat' | 'sun'>;
/** post1/post2: first/second working day after a public holiday; pre: last working day before one */
export type DayEffect = 'post1' | 'post2' | 'pre' | 'makeUp';

export interface DayInfo {
  day: string;
  cls: DayClass;
  effect?: DayEffect;
  /** slots overlapping an opening range (grace included) */
  open: boolean[];
  /** epoch ms of the day's local midnight */
  midnight: number;
}

export function dayMidnight(day: string, tz: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return localToEpoch(y, m, d, 0, 0, tz);
}

export function weekdayOf(day: string): Weekday {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]!;
}

/** Day number since the epoch (UTC calendar), for trends and week arithmetic. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

export function slotOf(ms: number, midnight: number): number {
  return Math.floor((ms - midnight) / SLOT_MS);
}

const isWorking = (c: DayClass) => c !== 'closed' && c !== 'appointmentOnly' && c !== 'weekend';

const shared = new WeakMap<HallCalendar, DayClassifier>();

/** One classifier per calendar object: plan() goes through Intl time-zone formatting, which is slow. */
export function classifierFor(calendar: HallCalendar, tz: string): DayClassifier {
  let c = shared.get(calendar);
  if (!c) {
    c = new DayClassifier(calendar, tz);
    shared.set(calendar, c);
  }
  return c;
}

/** Reads the calendar once per day; memoised because effects look at the neighbouring days. */
export class DayClassifier {
  private readonly base = new Map<string, { cls: DayClass; holiday: boolean; open: boolean[]; midnight: number }>();
  constructor(
    private readonly calendar: HallCalendar,
    private readonly tz: string,
  ) {}

  private raw(day: string) {
    let r = this.base.get(day);
    if (r) return r;
    const plan = this.calendar.plan(day);
    const midnight = dayMidnight(day, this.tz);
    const open = new Array<boolean>(SLOTS).fill(false);
    const grace = this.calendar.data.graceMinutes * 60_000;
    for (const range of plan.ranges) {
      for (let i = 0; i < SLOTS; i++) {
        const s = midnight + i * SLOT_MS;
        if (range.from < s + SLOT_MS && s < range.to + grace) open[i] = true;
      }
    }
    const any = open.some(Boolean);
    let cls: DayClass;
    if (plan.kind === 'holiday') cls = any && plan.appointmentOnly ? 'appointmentOnly' : 'closed';
    else if (!any) cls = 'closed';
    else if (plan.kind === 'makeUpWorkday') cls = 'makeUp';
    else if (plan.kind === 'weekend') cls = 'weekend';
    else cls = weekdayOf(day) as DayClass;
    r = { cls, holiday: plan.kind === 'holiday', open, midnight };
    this.base.set(day, r);
    return r;
  }

  private readonly infos = new Map<string, DayInfo>();

  info(day: string): DayInfo {
    const hit = this.infos.get(day);
    if (hit) return hit;
    const r = this.raw(day);
    const out: DayInfo = { day, cls: r.cls, open: r.open, midnight: r.midnight };
    const effect = this.effect(day, r.cls);
    if (effect) out.effect = effect;
    this.infos.set(day, out);
    return out;
  }

  private effect(day: string, cls: DayClass): DayEffect | undefined {
    if (!isWorking(cls)) return undefined;
    // After a holiday: count working days back to the last holiday day (within 10 calendar days).
    let working = 0;
    for (let i = 1; i <= 10; i++) {
      const d = nextDay(day, -i);
      const r = this.raw(d);
      if (r.holiday) {
        if (working === 0) return 'post1';
        if (working === 1) return 'post2';
        break;
      }
      if (isWorking(r.cls)) working++;
      if (working > 1) break;
    }
    // Before a holiday: no working day between this one and the holiday (within 4 calendar days).
    for (let i = 1; i <= 4; i++) {
      const r = this.raw(nextDay(day, i));
      if (r.holiday) return 'pre';
      if (isWorking(r.cls)) break;
    }
    return cls === 'makeUp' ? 'makeUp' : undefined;
  }
}
