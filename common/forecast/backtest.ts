// Rolling-origin backtest: at each origin the model sees only the days before it, forecasts the
// next `horizon` days, and is scored on the open slots against what came; the naive "same slot on
// the last observed same weekday" is scored on the same slots.
import { type HallCalendar, nextDay } from '../../agent/queue/calendar.js';
import { type DayForecast, forecastArrivals, naiveForecast } from './arrivals.js';
import { type History, SLOTS } from './slots.js';

export interface ErrorTally {
  /** Σ|e|/y over slots with y > 0, and their number */
  apeSum: number;
  apeN: number;
  /** Σ|e| and Σy over all scored slots (WAPE) */
  absErr: number;
  actual: number;
}

export interface BacktestResult {
  /** service × slot */
  model: ErrorTally;
  naive: ErrorTally;
  /** the hall total per slot (what staffing uses) */
  modelHall: ErrorTally;
  naiveHall: ErrorTally;
  /** service × slot prediction intervals holding the actual count */
  hits: number;
  scored: number;
  /** hall total × slot: the hall total's interval (what the board and the hub show) holding the total */
  hallHits: number;
  hallScored: number;
}

const tally = (): ErrorTally => ({ apeSum: 0, apeN: 0, absErr: 0, actual: 0 });

function add(t: ErrorTally, f: number, y: number) {
  t.absErr += Math.abs(f - y);
  t.actual += y;
  if (y > 0) {
    t.apeSum += Math.abs(f - y) / y;
    t.apeN++;
  }
}

export const mape = (t: ErrorTally) => (t.apeN ? t.apeSum / t.apeN : Number.NaN);
export const wape = (t: ErrorTally) => (t.actual ? t.absErr / t.actual : Number.NaN);

export function emptyBacktest(): BacktestResult {
  return { model: tally(), naive: tally(), modelHall: tally(), naiveHall: tally(), hits: 0, scored: 0, hallHits: 0, hallScored: 0 };
}

export function mergeBacktest(into: BacktestResult, r: BacktestResult): void {
  for (const k of ['model', 'naive', 'modelHall', 'naiveHall'] as const) {
    into[k].apeSum += r[k].apeSum;
    into[k].apeN += r[k].apeN;
    into[k].absErr += r[k].absErr;
    into[k].actual += r[k].actual;
  }
  into.hits += r.hits;
  into.scored += r.scored;
  into.hallHits += r.hallHits;
  into.hallScored += r.hallScored;
}

/**
 * Scores one forecast's days into `out`: every open slot of the `services` against `actual` (a day
 * absent from it is not scored), the naive forecast of the same day beside it.
 */
export function scoreForecast(
  out: BacktestResult,
  days: readonly DayForecast[],
  actual: History,
  naiveOf: (day: string) => Record<string, number[]>,
  services: readonly string[],
): void {
  for (const fd of days) {
    const y = actual.get(fd.day);
    if (!y) continue;
    const naive = naiveOf(fd.day);
    for (let i = 0; i < SLOTS; i++) {
      if (!fd.open[i]) continue;
      let mh = 0;
      let nh = 0;
      let yh = 0;
      for (const s of services) {
        const ys = y.get(s)?.[i] ?? 0;
        const sf = fd.services[s]!;
        add(out.model, sf.mean[i]!, ys);
        add(out.naive, naive[s]![i]!, ys);
        out.scored++;
        if (sf.lo[i]! <= ys && ys <= sf.hi[i]!) out.hits++;
        mh += sf.mean[i]!;
        nh += naive[s]![i]!;
        yh += ys;
      }
      out.hallScored++;
      if (fd.total.lo[i]! <= yh && yh <= fd.total.hi[i]!) out.hallHits++;
      add(out.modelHall, mh, yh);
      add(out.naiveHall, nh, yh);
    }
  }
}

export function backtest(opts: {
  history: History;
  calendar: HallCalendar;
  timezone: string;
  services: readonly string[];
  origins: string[];
  horizon: number;
}): BacktestResult {
  const out = emptyBacktest();
  for (const origin of opts.origins) {
    const past: History = new Map([...opts.history].filter(([d]) => d < origin));
    const f = forecastArrivals({ ...opts, history: past, from: origin, days: opts.horizon });
    scoreForecast(out, f.days, opts.history, (day) => naiveForecast(past, opts.services, origin, day), opts.services);
  }
  return out;
}

/** Origins every `step` days, the last one leaving `horizon` days of actuals. */
export function rollingOrigins(lastDay: string, horizon: number, count: number, step = 7): string[] {
  const out: string[] = [];
  const last = nextDay(lastDay, -horizon + 1);
  for (let i = count - 1; i >= 0; i--) out.push(nextDay(last, -i * step));
  return out;
}
