// The hall's own forecast and staffing plan, from its SQLite history: the days asked for, each
// slot's expected arrivals and the counters to open (common/forecast). Computed off the request
// path's hot loop (the simulation yields to the event loop after every slot) and kept for
// CACHE_MS, since the history behind it (days before today) changes once a day and bookings slowly.
import type Database from 'better-sqlite3';
import { type CalendarData, HallCalendar, nextDay } from '../queue/calendar.js';
import type { QueueRules } from '../queue/rules.js';
import type { CounterDef, LocalizedText } from '../queue/types.js';
import { type FittedModel, type ForecastResult, forecastArrivals } from '../../common/forecast/arrivals.js';
import { dayMidnight, SLOT_MINUTES, SLOTS } from '../../common/forecast/slots.js';
import { DEFAULT_TARGET, planStaffingAsync, type SlotStaffing, type StaffingTarget } from '../../common/forecast/staffing.js';
import { type HallHistory, readBookings, readHistory } from './history.js';

export const CACHE_MS = 10 * 60_000;
/** weeks of history read (the model fits on the last 8; holiday effects look further back) */
export const HISTORY_WEEKS = 16;
/** simulation replications behind appointment capacity (15 days of it every 10 minutes at most) */
export const CAPACITY_REPLICATIONS = 10;

/** Used for a hall whose config has no calendar section: Mon–Fri 08:30–12:00, 14:00–17:30. */
const FALLBACK_HOURS = [
  { from: '08:30', to: '12:00' },
  { from: '14:00', to: '17:30' },
];
const FALLBACK_CALENDAR: CalendarData = {
  alwaysOpen: true,
  graceMinutes: 0,
  hours: { mon: FALLBACK_HOURS, tue: FALLBACK_HOURS, wed: FALLBACK_HOURS, thu: FALLBACK_HOURS, fri: FALLBACK_HOURS },
  flexible: [],
  weekendDuty: [],
  holidays: [],
  appointmentOnly: [],
};

export interface PlannerHall {
  timezone: string;
  calendar?: CalendarData;
  services: readonly { id: string; expectedMinutes: number; name: LocalizedText }[];
  counters: readonly CounterDef[];
  rules: QueueRules;
  target?: StaffingTarget;
  replications?: number;
}

/** What appointment capacity is derived from, per day (agent/forecast/bookings.ts). */
export interface CapacityDay {
  midnight: number;
  open: readonly boolean[];
  /** counters the planner recommends per open slot for the forecast walk-ins */
  counters: Map<number, number>;
  /** forecast walk-ins per service per slot */
  walkIns: Record<string, number[]>;
  handling: Record<string, { meanMinutes: number }>;
}

export interface PlannedSlot extends SlotStaffing {
  /** "09:30" */
  time: string;
  lo: number;
  hi: number;
  booked: number;
  /** counters that may open in this slot (calendar: weekend duty, 弹性错时) */
  available: number;
}

export interface PlannedHour {
  /** "09:00" */
  hour: string;
  /** the larger of its two half hours: a counter opened for the hour */
  needed: number;
  available: number;
  arrivals: number;
  short: boolean;
}

export interface PlannedDay {
  day: string;
  /** epoch ms of the day's hall-local midnight (slot i starts i × 30 min later) */
  midnight: number;
  cls: string;
  effect?: string;
  holidayName?: string;
  /** counters that may open at some time of the day */
  available: number;
  slots: PlannedSlot[];
  hours: PlannedHour[];
}

export interface ForecastPlan {
  from: string;
  generatedAt: number;
  target: StaffingTarget;
  model: FittedModel;
  handling: Record<string, { meanMinutes: number; cv: number; samples: number }>;
  channelMix: { senior: number; green: number };
  historyDays: number;
  days: PlannedDay[];
}

const hhmm = (slot: number) => {
  const m = slot * SLOT_MINUTES;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Counters per slot from the day's opening ranges: a range limited to some counters limits the slot. */
function slotCounters(cal: HallCalendar, day: string, midnight: number, grace: number): (string[] | undefined)[] {
  const plan = cal.plan(day);
  const out: (string[] | undefined)[] = [];
  for (let i = 0; i < SLOTS; i++) {
    const s = midnight + i * SLOT_MINUTES * 60_000;
    const here = plan.ranges.filter((r) => r.from < s + SLOT_MINUTES * 60_000 && s < r.to + grace);
    if (here.length === 0 || here.some((r) => r.counters === undefined)) out.push(plan.counters);
    else out.push([...new Set(here.flatMap((r) => r.counters ?? []))]);
  }
  return out;
}

export class HallPlanner {
  private readonly calendar: HallCalendar;
  private readonly cache = new Map<string, { at: number; plan: Promise<ForecastPlan> }>();
  private readonly capBasis = new Map<string, { at: number; basis: Promise<Map<string, CapacityDay>> }>();
  private pastRead?: { before: string; past: HallHistory };

  constructor(
    private readonly db: Database.Database,
    private readonly hall: PlannerHall,
    private readonly now: () => number,
  ) {
    this.calendar = new HallCalendar(hall.calendar ?? FALLBACK_CALENDAR, hall.timezone);
  }

  /** The plan for `days` days from `from`, from the history before `from`; cached for CACHE_MS. */
  plan(from: string, days: number): Promise<ForecastPlan> {
    const key = `${from}|${days}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.plan;
    const plan = this.compute(from, days);
    this.cache.set(key, { at: this.now(), plan });
    plan.catch(() => this.cache.delete(key));
    // a few keys at most (today's, the board's); drop the stale ones
    for (const [k, v] of this.cache) if (this.now() - v.at >= CACHE_MS) this.cache.delete(k);
    return plan;
  }

  /**
   * What appointment capacity is derived from (agent/forecast/bookings.ts), for the next `days` days
   * from `today` (history before today): the walk-in forecast and the counters the planner
   * recommends for it in each slot; cached for the day.
   */
  capacityBasis(today: string, days: number): Promise<Map<string, CapacityDay>> {
    const key = `cap|${today}|${days}`;
    // kept for the whole day: it reads only the history before today, the calendar and the counters
    // (forecast walk-ins, not bookings), none of which changes until midnight or a restart; its
    // simulation costs ≈ 1 s of CPU in a busy hall, which every 10 minutes would be paid for nothing
    const hit = this.capBasis.get(key);
    if (hit) return hit.basis;
    const basis = Promise.resolve().then(() => this.computeBasis(today, days));
    this.capBasis.clear();
    this.capBasis.set(key, { at: this.now(), basis });
    basis.catch(() => this.capBasis.delete(key));
    return basis;
  }

  /**
   * The recommendation of the board (Erlang C where it holds, else the simulation of the hall's
   * calling order; the same seed per day) on the walk-ins alone: counting the booked citizens would
   * let bookings raise their own capacity. CAPACITY_REPLICATIONS for every day of the booking window.
   */
  private async computeBasis(today: string, days: number): Promise<Map<string, CapacityDay>> {
    const { timezone: tz, counters, rules } = this.hall;
    const { past, forecast: f } = this.forecast(today, days);
    const grace = this.calendar.data.graceMinutes * 60_000;
    const out = new Map<string, CapacityDay>();
    for (const d of f.days) {
      // the history read above already held the loop: a kiosk press goes first, then the day's simulation
      await new Promise((res) => setImmediate(res));
      const plan = this.calendar.plan(d.day);
      const walkIns = Object.fromEntries(Object.entries(d.services).map(([s, x]) => [s, x.mean.map((m, i) => m - x.booked[i]!)]));
      const rows = await planStaffingAsync({
        counters,
        ...(plan.counters ? { available: plan.counters } : {}),
        slotCounters: slotCounters(this.calendar, d.day, dayMidnight(d.day, tz), grace),
        rules,
        handling: past.handling,
        walkIns,
        open: d.open,
        channelMix: past.channelMix,
        target: this.hall.target ?? DEFAULT_TARGET,
        replications: CAPACITY_REPLICATIONS,
        seed: Number(d.day.replaceAll('-', '')),
      });
      out.set(d.day, {
        midnight: dayMidnight(d.day, tz),
        open: d.open,
        counters: new Map(rows.map((r) => [r.slot, r.needed])),
        walkIns,
        handling: past.handling,
      });
    }
    return out;
  }

  /**
   * The arrivals forecast of `days` days from `from`: the HISTORY_WEEKS of the store before `from`,
   * the bookings known, the model of common/forecast (also what bench/forecast-month.ts scores).
   */
  forecast(from: string, days: number): { past: HallHistory; forecast: ForecastResult } {
    const { timezone: tz, services } = this.hall;
    const past = this.history(from);
    const bookings = readBookings(this.db, from, nextDay(from, days), tz);
    const forecast = forecastArrivals({
      history: past.history,
      calendar: this.calendar,
      timezone: tz,
      services: services.map((s) => s.id),
      from,
      days,
      bookings,
    });
    return { past, forecast };
  }

  /**
   * The walk-in history of the HISTORY_WEEKS before `before`, read once per day asked for: days before
   * today no longer change, and reading 16 weeks of a busy hall (≈ 25,000 tickets through json_extract)
   * holds the event loop for 150–400 ms, which every recomputation (every CACHE_MS, and each quota
   * round) used to pay while kiosks and keypads waited.
   */
  private history(before: string): HallHistory {
    if (this.pastRead?.before !== before) {
      const { timezone, services } = this.hall;
      this.pastRead = { before, past: readHistory(this.db, nextDay(before, -7 * HISTORY_WEEKS), before, timezone, services) };
    }
    return this.pastRead.past;
  }

  clockNow(): number {
    return this.now();
  }

  /** Forget cached plans (bookings changed). */
  invalidate(): void {
    this.cache.clear();
  }

  private async compute(from: string, days: number): Promise<ForecastPlan> {
    const { timezone: tz, counters, rules } = this.hall;
    const target = this.hall.target ?? DEFAULT_TARGET;
    const { past, forecast: f } = this.forecast(from, days);
    const grace = this.calendar.data.graceMinutes * 60_000;
    const out: PlannedDay[] = [];
    for (const [index, d] of f.days.entries()) {
      const plan = this.calendar.plan(d.day);
      const perSlot = slotCounters(this.calendar, d.day, dayMidnight(d.day, tz), grace);
      const walkIns: Record<string, number[]> = {};
      const booked: Record<string, number[]> = {};
      for (const [s, x] of Object.entries(d.services)) {
        walkIns[s] = x.mean.map((m, i) => m - x.booked[i]!);
        booked[s] = x.booked;
      }
      const staffing = await planStaffingAsync({
        counters,
        ...(plan.counters ? { available: plan.counters } : {}),
        slotCounters: perSlot,
        rules,
        handling: past.handling,
        walkIns,
        booked,
        open: d.open,
        channelMix: past.channelMix,
        target,
        // the first two days (today's alert, tomorrow's roster) get 20 replications, the week after 10:
        // a week ahead the forecast's own error is larger than the simulation's
        replications: this.hall.replications ?? (index < 2 ? 20 : 10),
        // the same day always gets the same random citizens: a reload shows the same numbers
        seed: Number(d.day.replaceAll('-', '')),
      });
      const availableAt = (i: number) => (perSlot[i] ?? plan.counters ?? counters.map((c) => c.id)).length;
      // the hall total's own 80 % interval (docs/forecast.md)
      const slots: PlannedSlot[] = staffing.map((r) => ({
        ...r,
        time: hhmm(r.slot),
        lo: d.total.lo[r.slot]!,
        hi: d.total.hi[r.slot]!,
        booked: d.total.booked[r.slot]!,
        available: availableAt(r.slot),
      }));
      const hours: PlannedHour[] = [];
      for (const s of slots) {
        const hour = `${s.time.slice(0, 2)}:00`;
        const h = hours.find((x) => x.hour === hour);
        if (h) {
          h.needed = Math.max(h.needed, s.needed);
          h.available = Math.max(h.available, s.available);
          h.arrivals += s.arrivals;
          h.short ||= s.short;
        } else hours.push({ hour, needed: s.needed, available: s.available, arrivals: s.arrivals, short: s.short });
      }
      const day: PlannedDay = {
        day: d.day,
        midnight: dayMidnight(d.day, tz),
        cls: d.cls,
        available: Math.max(0, ...slots.map((s) => s.available)),
        slots,
        hours,
      };
      if (d.effect) day.effect = d.effect;
      if (plan.holidayName) day.holidayName = plan.holidayName;
      out.push(day);
    }
    return {
      from,
      generatedAt: this.now(),
      target,
      model: f.model,
      handling: past.handling,
      channelMix: past.channelMix,
      historyDays: past.history.size,
      days: out,
    };
  }
}
