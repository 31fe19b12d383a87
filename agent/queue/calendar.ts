// The hall calendar: one pure object that answers "is the hall open now, for whom, and when does
// it next open?" and "which days are working days?" (for 15-working-day due dates). Data, not
// code: opening hours per weekday, 弹性错时 extra hours, 周末轮岗 weekend duty, public holidays and
// 调休 make-up workdays per year, holiday appointment-only days, the off-hours ID-card pickup window.
import { dayOf, localToEpoch } from './time.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** hall-local wall clock, "HH:mm" */
export interface TimeRange {
  from: string;
  to: string;
}

export interface CalendarData {
  /**
   * Demo and training halls: never refuse a ticket because of the calendar (a newcomer may try the
   * demo at 3 a.m.). Status, due dates and appointment checks still use the calendar.
   */
  alwaysOpen: boolean;
  /** the kiosk keeps issuing this long after a range closes (citizens already in the hall) */
  graceMinutes: number;
  /** regular hours; a weekday without ranges is closed */
  hours: Partial<Record<Weekday, TimeRange[]>>;
  /** 弹性错时: extra ranges (noon, evening) on the listed weekdays; counters limits them to some counters */
  flexible: { days: Weekday[]; ranges: TimeRange[]; counters?: string[] }[];
  /** 周末轮岗: which counters open on which weekend days; weeks odd/even = ISO week parity */
  weekendDuty: { day: 'sat' | 'sun'; weeks: 'all' | 'odd' | 'even'; ranges: TimeRange[]; counters: string[] }[];
  /** public holidays and 调休 make-up workdays, entered each year from the 国务院办公厅 notice */
  holidays: { year: number; off: { from: string; to: string; name: string }[]; workdays: string[] }[];
  /** hours of a make-up workday (调休上班); default: Monday's */
  makeUpHours?: TimeRange[];
  /** holiday days on which the hall opens for appointment holders only */
  appointmentOnly: { day: string; ranges: TimeRange[]; counters?: string[] }[];
  /** 非工作时间领证: self-service ID-card pickup outside opening hours (no queue tickets) */
  idPickup?: { days: Weekday[]; ranges: TimeRange[] };
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeUpWorkday';

export interface DayPlan {
  day: string;
  kind: DayKind;
  holidayName?: string;
  /** ranges the hall issues tickets in (regular + flexible), sorted */
  ranges: { from: number; to: number; flexible: boolean; counters?: string[] }[];
  appointmentOnly: boolean;
  /** counters open that day; undefined = all */
  counters?: string[];
}

export interface CalendarStatus {
  /** tickets may be issued at the kiosk now */
  open: boolean;
  /** what the calendar alone says (differs from `open` only under alwaysOpen) */
  calendarOpen: boolean;
  alwaysOpen: boolean;
  /** inside the grace period after a range closed */
  grace: boolean;
  appointmentOnly: boolean;
  flexible: boolean;
  day: string;
  kind: DayKind;
  holidayName?: string;
  /** counters open now; undefined = all */
  counters?: string[];
  closesAt?: number;
  /** next time the kiosk issues tickets; undefined when open or nothing within 60 days */
  nextOpening?: number;
  idPickupOpen: boolean;
}

const HM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

export function isTimeOfDay(s: string): boolean {
  return HM.test(s);
}

function minutes(s: string): number {
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function weekdayOf(day: string): Weekday {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]!;
}

function isoWeek(day: string): number {
  const d = new Date(`${day}T00:00:00Z`);
  // The Thursday of this ISO week decides the week's year and number.
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

export function nextDay(day: string, n = 1): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const DEFAULT_CALENDAR: CalendarData = {
  alwaysOpen: true,
  graceMinutes: 0,
  hours: {},
  flexible: [],
  weekendDuty: [],
  holidays: [],
  appointmentOnly: [],
};

export class HallCalendar {
  private readonly off = new Map<string, string>();
  private readonly makeUp = new Set<string>();
  private readonly apptOnly = new Map<string, CalendarData['appointmentOnly'][number]>();

  constructor(
    readonly data: CalendarData,
    readonly timezone: string,
  ) {
    for (const y of data.holidays) {
      for (const r of y.off) for (let d = r.from; d <= r.to; d = nextDay(d)) this.off.set(d, r.name);
      for (const w of y.workdays) this.makeUp.add(w);
    }
    for (const a of data.appointmentOnly) this.apptOnly.set(a.day, a);
  }

  /** Working day for due dates: Mon–Fri unless a public holiday, plus 调休 make-up workdays. */
  isWorkingDay(day: string): boolean {
    if (this.makeUp.has(day)) return true;
    if (this.off.has(day)) return false;
    const wd = weekdayOf(day);
    return wd !== 'sat' && wd !== 'sun';
  }

  /** The working day n working days after `day` (15 for a 整改 or 信访 deadline). */
  addWorkingDays(day: string, n: number): string {
    let d = day;
    let left = n;
    while (left > 0) {
      d = nextDay(d);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** plans by day: the data never changes, and each plan costs a dozen Intl time-zone lookups */
  private readonly plans = new Map<string, DayPlan>();

  /**
   * The day's opening ranges. Memoised (frozen, so no caller can change another's): computed on every
   * ticket issued (requireOpen → status), it was the largest part of the issue transaction after the
   * commit itself in the kiosk profile (docs/bench.md, round 3).
   */
  plan(day: string): DayPlan {
    let p = this.plans.get(day);
    if (!p) {
      if (this.plans.size >= 128) this.plans.clear();
      p = this.computePlan(day);
      for (const r of p.ranges) Object.freeze(r);
      Object.freeze(p.ranges);
      Object.freeze(p);
      this.plans.set(day, p);
    }
    return p;
  }

  private computePlan(day: string): DayPlan {
    const wd = weekdayOf(day);
    const at = (hm: string) => {
      const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
      const m = minutes(hm);
      return localToEpoch(y, mo, d, 0, 0, this.timezone) + m * 60_000;
    };
    const toRanges = (rs: TimeRange[], flexible: boolean, counters?: string[]) =>
      rs.map((r) => ({ from: at(r.from), to: at(r.to), flexible, ...(counters ? { counters } : {}) }));
    const holidayName = this.off.get(day);
    if (this.makeUp.has(day)) {
      return {
        day,
        kind: 'makeUpWorkday',
        ranges: toRanges(this.data.makeUpHours ?? this.data.hours.mon ?? [], false),
        appointmentOnly: false,
      };
    }
    if (holidayName !== undefined) {
      const a = this.apptOnly.get(day);
      const plan: DayPlan = { day, kind: 'holiday', holidayName, ranges: a ? toRanges(a.ranges, false) : [], appointmentOnly: !!a };
      if (a?.counters) plan.counters = a.counters;
      return plan;
    }
    if (wd === 'sat' || wd === 'sun') {
      const odd = isoWeek(day) % 2 === 1;
      const duty = this.data.weekendDuty.filter((d) => d.day === wd && (d.weeks === 'all' || (d.weeks === 'odd') === odd));
      const ranges = duty.flatMap((d) => toRanges(d.ranges, false, d.counters));
      const plan: DayPlan = { day, kind: 'weekend', ranges: ranges.sort((a, b) => a.from - b.from), appointmentOnly: false };
      if (duty.length > 0) plan.counters = [...new Set(duty.flatMap((d) => d.counters))];
      return plan;
    }
    const ranges = toRanges(this.data.hours[wd] ?? [], false);
    for (const f of this.data.flexible) if (f.days.includes(wd)) ranges.push(...toRanges(f.ranges, true, f.counters));
    return { day, kind: 'workday', ranges: ranges.sort((a, b) => a.from - b.from), appointmentOnly: false };
  }

  status(now: number): CalendarStatus {
    const day = dayOf(now, this.timezone);
    const plan = this.plan(day);
    const grace = this.data.graceMinutes * 60_000;
    const current = plan.ranges.filter((r) => r.from <= now && now < r.to + grace);
    const calendarOpen = current.length > 0;
    const s: CalendarStatus = {
      open: calendarOpen || this.data.alwaysOpen,
      calendarOpen,
      alwaysOpen: this.data.alwaysOpen,
      grace: calendarOpen && current.every((r) => now >= r.to),
      appointmentOnly: calendarOpen && plan.appointmentOnly,
      flexible: calendarOpen && current.every((r) => r.flexible),
      day,
      kind: plan.kind,
      idPickupOpen: this.idPickupOpen(now, day),
    };
    if (plan.holidayName) s.holidayName = plan.holidayName;
    if (calendarOpen) {
      // A range limited to some counters (weekend duty, flexible hours) limits the hall to them.
      if (!current.some((r) => r.counters === undefined)) s.counters = [...new Set(current.flatMap((r) => r.counters ?? []))];
      else if (plan.counters) s.counters = plan.counters;
      s.closesAt = Math.max(...current.map((r) => r.to));
    } else {
      const next = this.nextOpening(now);
      if (next !== undefined) s.nextOpening = next;
    }
    return s;
  }

  /** The next instant tickets are issued (range start), looking 60 days ahead. */
  nextOpening(now: number): number | undefined {
    let day = dayOf(now, this.timezone);
    for (let i = 0; i < 60; i++, day = nextDay(day)) {
      const starts = this.plan(day)
        .ranges.map((r) => r.from)
        .filter((t) => t > now);
      if (starts.length > 0) return Math.min(...starts);
    }
    return undefined;
  }

  /** Is the hall open (by the calendar) at some instant of [from, to]? For appointment slots. */
  openDuring(from: number, to: number): boolean {
    const day = dayOf(from, this.timezone);
    return this.plan(day).ranges.some((r) => r.from < Math.max(to, from + 1) && from < r.to);
  }

  private idPickupOpen(now: number, day: string): boolean {
    const p = this.data.idPickup;
    if (!p?.days.includes(weekdayOf(day))) return false;
    const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
    const base = localToEpoch(y, mo, d, 0, 0, this.timezone);
    return p.ranges.some((r) => base + minutes(r.from) * 60_000 <= now && now < base + minutes(r.to) * 60_000);
  }
}
