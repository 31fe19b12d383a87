// The forecast scored on the simulated month's hall (issue 22, item 6): the month's workload
// (workload.ts) played through the real engine over a real SQLite file for 8 weeks before an origin
// and 2 weeks after, with walk-ins drawn from a demand model with a weekly and a daily shape
// (docs/forecast.md, "The simulated month"). At the origin's morning the agent's own forecast path
// (HallPlanner.forecast: agent/forecast/history.ts reads the store, common/forecast fits) forecasts
// the 14 days ahead; they are then played, and scored against the walk-ins of the workload log —
// what the simulation did, never the store's tables. Shared by bench/forecast-month.ts and
// tests/figures/forecast-month.test.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DayCloser } from '../../agent/day-closer.js';
import { HallPlanner } from '../../agent/forecast/planner.js';
import { DEFAULT_RULES } from '../../agent/queue/rules.js';
import type { FittedModel } from '../../common/forecast/arrivals.js';
import { naiveForecast } from '../../common/forecast/arrivals.js';
import { type BacktestResult, emptyBacktest, scoreForecast } from '../../common/forecast/backtest.js';
import type { History } from '../../common/forecast/slots.js';
import { COUNTERS, FakeClock, SERVICES } from '../agent/queue/fixtures.js';
import { calendar, HOLIDAY, MAKE_UP, openHall, TZ } from './hall-engine.js';
import { type LogEntry, type Pending, playDay, plusDays, Rng, type WalkIn } from './workload.js';

/** the forecast origin: the month's holiday Monday, so the 14 days ahead hold its 调休 Saturday and the day after it */
export const ORIGIN = HOLIDAY;
const HORIZON = 14;
const MINUTE = 60_000;
const localMs = (day: string, hm: string) => Date.parse(`${day}T${hm}:00+08:00`);
const silent = pino({ level: 'silent' });

// ---- the demand model (docs/forecast.md, "The simulated month") ----

/** daily walk-ins relative to the hall's level, by weekday (Mon … Fri) */
const WEEKDAY = [1.3, 1.05, 0.95, 0.9, 1.0];
/** the first working day after the holiday, and the 调休 Saturday */
const AFTER_HOLIDAY = 1.4;
const MAKE_UP_DAY = 0.9;
const SHARE = { idcard: 0.6, move: 0.4 } as const;
const gauss = (m: number, mu: number, sd: number) => Math.exp(-0.5 * ((m - mu) / sd) ** 2);
/** walk-in intensity per minute of the day (minutes since midnight, 09:00 … 16:30), before normalising */
const INTENSITY: Record<keyof typeof SHARE, (m: number) => number> = {
  idcard: (m) => lunch(m) * (0.25 + gauss(m, 585, 40) + 0.55 * gauss(m, 870, 50)),
  move: (m) => lunch(m) * (0.25 + 0.45 * gauss(m, 615, 45) + 0.9 * gauss(m, 900, 45)),
};
const lunch = (m: number) => (m >= 720 && m < 810 ? 0.55 : 1);
const FIRST_MINUTE = 9 * 60;
const LAST_MINUTE = 16 * 60 + 30;

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}

/** cumulative intensity per minute, for drawing arrival times by inversion */
const CUMULATIVE = Object.fromEntries(
  Object.entries(INTENSITY).map(([s, f]) => {
    const c: number[] = [];
    let a = 0;
    for (let m = FIRST_MINUTE; m < LAST_MINUTE; m++) {
      a += f(m);
      c.push(a);
    }
    return [s, c.map((x) => x / a)];
  }),
) as Record<keyof typeof SHARE, number[]>;

/** The day's expected walk-ins (all services) of a hall of `level`, `week` weeks after the first. */
export function dayMean(day: string, level: number, week: number, growth: number): number {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  const factor = day === MAKE_UP ? MAKE_UP_DAY : day === plusDays(HOLIDAY, 1) ? AFTER_HOLIDAY * WEEKDAY[1]! : WEEKDAY[wd - 1]!;
  return level * factor * (1 + growth) ** week;
}

/** One day's walk-ins: Poisson counts per service around the day's mean × a day shock, times from the intensity. */
export function drawWalkIns(day: string, mean: number, rng: Rng): WalkIn[] {
  const shock = Math.exp(0.1 * normal(rng) - 0.005);
  const out: WalkIn[] = [];
  for (const s of Object.keys(SHARE) as (keyof typeof SHARE)[]) {
    const n = poisson(rng, mean * SHARE[s] * shock);
    const cum = CUMULATIVE[s];
    for (let k = 0; k < n; k++) {
      const u = rng.next();
      const m = cum.findIndex((c) => c >= u);
      out.push({ at: localMs(day, '00:00') + (FIRST_MINUTE + m) * MINUTE + rng.int(MINUTE), service: s });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

// ---- the oracle: walk-ins from the workload log alone ----

const APPOINTMENT_GRACE_MS = 15 * MINUTE; // DEFAULT_RULES: a later check-in queues as a normal ticket (docs/figures.md)

/**
 * Walk-ins per day, service and half hour of the hall-local day (UTC+8), from the log: every
 * `issue` (normal, senior, green) and every single appointment checked in later than its slot's end
 * + grace (it queues as normal); appointments in time and school batches are not walk-ins.
 */
export function walkInsOfLog(log: readonly LogEntry[]): History {
  const out: History = new Map();
  const bump = (day: string, service: string, at: number) => {
    const slot = Math.floor((at - localMs(day, '00:00')) / (30 * MINUTE));
    const d = out.get(day) ?? new Map<string, number[]>();
    out.set(day, d);
    const xs = d.get(service) ?? new Array<number>(48).fill(0);
    d.set(service, xs);
    xs[slot]!++;
  };
  for (const e of log) {
    if (e.t === 'issue') bump(e.day, e.service, e.at);
    else if (e.t === 'checkIn' && e.batch === 1 && e.at > e.slotEnd + APPOINTMENT_GRACE_MS)
      for (const _ of e.ids) bump(e.day, e.service, e.at);
  }
  return out;
}

// ---- the run ----

export interface MonthBacktest {
  hallId: string;
  /** days played, first … last */
  first: string;
  last: string;
  /** working days played */
  workdays: number;
  /** walk-ins the log holds, before the origin and in the 14 days scored */
  walkInsBefore: number;
  walkInsScored: number;
  /** what the agent read from its store at the origin (history before it) */
  storeHistory: History;
  /** the oracle: walk-ins of the log */
  logHistory: History;
  /** the workload log itself */
  log: LogEntry[];
  services: string[];
  result: BacktestResult;
  model: FittedModel;
}

/**
 * Plays `weeks` weeks before ORIGIN and 14 days from it in one hall (seeded), forecasting at the
 * origin's morning, and scores the forecast. The SQLite file is on tmpfs when there is one, removed after.
 */
export function runMonthBacktest(opts: { seed: number; weeks?: number; level?: number; growth?: number }): MonthBacktest {
  const weeks = opts.weeks ?? 8;
  const seed = opts.seed;
  const first = plusDays(ORIGIN, -7 * weeks);
  const last = plusDays(ORIGIN, HORIZON - 1);
  const rng = new Rng(seed);
  const level = opts.level ?? 45 + 20 * rng.next();
  const growth = opts.growth ?? 0.005;
  const hallId = `HALL-F${seed}`;
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hallq-forecast-month-'));
  const clock = new FakeClock(localMs(first, '08:30'));
  const { store, engine } = openHall(join(dir, `${hallId}.db`), hallId, clock);
  const log: LogEntry[] = [];
  const unrated: Pending[] = [];
  const closer = new DayCloser({ engine, clock, timezone: TZ, logger: silent });
  const close = () => {
    for (const s of closer.check(false)) log.push({ t: 'dayClosed', at: clock.now(), day: s.day });
  };
  const planner = new HallPlanner(
    store.db,
    { timezone: TZ, calendar: calendar.data, services: SERVICES, counters: COUNTERS, rules: DEFAULT_RULES },
    () => clock.now(),
  );
  let forecast: ReturnType<HallPlanner['forecast']> | undefined;
  let workdays = 0;
  try {
    for (let day = first, n = 0; day <= last; day = plusDays(day, 1), n++) {
      clock.t = localMs(day, '08:30');
      close();
      // the origin's morning: the forecast sees the store as the hall had it then
      if (day === ORIGIN) forecast = planner.forecast(ORIGIN, HORIZON);
      if (calendar.plan(day).ranges.length === 0) continue;
      workdays++;
      const walkIns = drawWalkIns(day, dayMean(day, level, Math.floor(n / 7), growth), rng);
      clock.t = localMs(day, '09:00');
      playDay(engine, clock, day, rng, log, unrated, undefined, walkIns);
      clock.t = localMs(day, '17:31');
      close();
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const logHistory = walkInsOfLog(log);
  // a service the workload never issues (出生登记) would score its forecast zeros as hits
  const services = SERVICES.map((s) => s.id).filter((s) => [...logHistory.values()].some((d) => d.has(s)));
  const past = forecast!.past.history;
  const result = emptyBacktest();
  const horizon = new Map([...logHistory].filter(([d]) => d >= ORIGIN));
  scoreForecast(result, forecast!.forecast.days, horizon, (day) => naiveForecast(past, services, ORIGIN, day), services);
  const count = (h: History) =>
    [...h.values()].reduce((a, d) => a + [...d.values()].reduce((b, xs) => b + xs.reduce((c, x) => c + x, 0), 0), 0);
  return {
    hallId,
    first,
    last,
    workdays,
    walkInsBefore: count(new Map([...logHistory].filter(([d]) => d < ORIGIN))),
    walkInsScored: count(horizon),
    storeHistory: past,
    logHistory,
    log,
    services,
    result,
    model: forecast!.forecast.model,
  };
}
