// Arrivals forecast per service and half-hour slot (docs/forecast.md walks through one by hand):
//   mean = base(service, day class) × trend(day) × effect(day) × shape(service, day class, slot | open slots)
//          + appointments already booked
// with an 80 % prediction interval from a negative binomial whose dispersion is fitted in-sample.
// Every parameter is a mean or a ratio of sums over named days, so a reviewer can redo it in a sheet.
import { type HallCalendar, nextDay } from '../../agent/queue/calendar.js';
import { countInterval } from './quantile.js';
import { classifierFor, type DayClass, type DayClassifier, type DayEffect, type DayInfo, dayNumber, type History, SLOTS } from './slots.js';

export interface ForecastOptions {
  /** weeks of history the levels, shapes and trend are fitted on */
  windowWeeks: number;
  /** coverage of the prediction interval */
  level: number;
  /** pseudo-arrivals pulling a service's time-of-day shape towards the hall's (small services are noisy) */
  serviceShapePrior: number;
  /** pseudo-arrivals pulling a day class's hall shape towards the pooled workday shape */
  hallShapePrior: number;
  /** pseudo-days pulling an estimated holiday effect towards its default */
  effectPrior: number;
  effectDefaults: Record<DayEffect, number>;
  /** the trend multiplier is kept inside these bounds (a trend is not extrapolated without end) */
  trendBounds: [number, number];
}

export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = {
  windowWeeks: 8,
  level: 0.8,
  serviceShapePrior: 100,
  hallShapePrior: 300,
  effectPrior: 2,
  effectDefaults: { post1: 1.35, post2: 1.15, pre: 1.1, makeUp: 1 },
  trendBounds: [0.75, 1.33],
};

export interface ForecastInput {
  history: History;
  calendar: HallCalendar;
  timezone: string;
  services: readonly string[];
  /** first day to forecast */
  from: string;
  days: number;
  /** appointments known for future days: people per service per slot */
  bookings?: History;
  options?: Partial<ForecastOptions>;
}

export interface ServiceForecast {
  /** expected arrivals (walk-ins + booked) */
  mean: number[];
  lo: number[];
  hi: number[];
  /** of which already booked */
  booked: number[];
}

export interface DayForecast {
  day: string;
  cls: DayClass;
  effect?: DayEffect;
  open: boolean[];
  /** trend × effect applied to the base level */
  factor: number;
  services: Record<string, ServiceForecast>;
  /** the hall total: the sum of the services' means and bookings, its own 80 % interval */
  total: ServiceForecast;
}

/** The fitted parameters, kept for the docs and for the board's "why" line. */
export interface FittedModel {
  /** daily walk-in arrivals per service and day class */
  base: Record<string, Partial<Record<DayClass, number>>>;
  trend: { slopePerDay: number; used: boolean; centerDay: number };
  effects: Record<DayEffect, { factor: number; days: number }>;
  dispersion: Record<string, number>;
  /** φ of the hall total per slot */
  hallDispersion: number;
  trainingDays: number;
}

const WORKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
type ShapeKey = DayClass | 'workday';

const zeros = () => new Array<number>(SLOTS).fill(0);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Spreads a daily total over the open slots in proportion to the shape (uniform if it has no mass there). */
export function spread(total: number, shape: readonly number[], open: readonly boolean[]): number[] {
  let w = 0;
  let n = 0;
  for (let i = 0; i < SLOTS; i++) {
    if (!open[i]) continue;
    w += shape[i]!;
    n++;
  }
  const out = zeros();
  if (n === 0 || total <= 0) return out;
  for (let i = 0; i < SLOTS; i++) if (open[i]) out[i] = w > 1e-12 ? (total * shape[i]!) / w : total / n;
  return out;
}

class Fit {
  readonly opts: ForecastOptions;
  readonly cls: DayClassifier;
  readonly base = new Map<string, Map<DayClass, number>>();
  readonly hallBase = new Map<DayClass, number>();
  workdayMean = new Map<string, number>();
  hallWorkdayMean = 0;
  slope = 0;
  trendUsed = false;
  center = 0;
  readonly effects = {} as Record<DayEffect, { factor: number; days: number }>;
  readonly shapes = new Map<string, Map<ShapeKey, number[]>>();
  readonly dispersion = new Map<string, number>();
  hallDispersion = 0;
  trainingDays = 0;

  constructor(input: ForecastInput) {
    this.opts = { ...DEFAULT_FORECAST_OPTIONS, ...input.options };
    this.cls = classifierFor(input.calendar, input.timezone);
    const past = [...input.history.keys()].filter((d) => d < input.from).sort();
    const fromN = dayNumber(input.from);
    const inWindow = past.filter((d) => fromN - dayNumber(d) <= this.opts.windowWeeks * 7);
    const info = new Map(past.map((d) => [d, this.cls.info(d)] as const));
    const plain = (d: string) => {
      const i = info.get(d)!;
      return !i.effect && i.cls !== 'closed' && i.cls !== 'appointmentOnly' && i.cls !== 'makeUp';
    };
    // Plain days of each class: the window's, or (a class the window lacks) the last 8 of all history.
    const plainByClass = new Map<DayClass, string[]>();
    for (const c of [...WORKDAYS, 'weekend'] as DayClass[]) {
      let days = inWindow.filter((d) => plain(d) && info.get(d)!.cls === c);
      if (days.length === 0) days = past.filter((d) => plain(d) && info.get(d)!.cls === c).slice(-8);
      if (days.length > 0) plainByClass.set(c, days);
    }
    const training = [...plainByClass.values()].flat();
    this.trainingDays = training.length;
    const total = (d: string, s: string) => sum(input.history.get(d)?.get(s) ?? []);
    const hallTotal = (d: string) => input.services.reduce((a, s) => a + total(d, s), 0);

    // Levels.
    for (const s of input.services) {
      const m = new Map<DayClass, number>();
      for (const [c, days] of plainByClass) m.set(c, sum(days.map((d) => total(d, s))) / days.length);
      this.base.set(s, m);
    }
    for (const [c, days] of plainByClass) this.hallBase.set(c, sum(days.map(hallTotal)) / days.length);
    for (const s of input.services) {
      const m = this.base.get(s)!;
      const wd = WORKDAYS.filter((c) => m.has(c)).map((c) => m.get(c)!);
      this.workdayMean.set(s, wd.length ? sum(wd) / wd.length : 0);
    }
    const hw = WORKDAYS.filter((c) => this.hallBase.has(c)).map((c) => this.hallBase.get(c)!);
    this.hallWorkdayMean = hw.length ? sum(hw) / hw.length : 0;

    // Trend: least-squares slope of (day total / its class level) on the day number, hall level.
    const pts = training
      .map((d) => ({
        t: dayNumber(d),
        y: this.hallBase.get(info.get(d)!.cls)! > 0 ? hallTotal(d) / this.hallBase.get(info.get(d)!.cls)! : 1,
      }))
      .filter((p) => Number.isFinite(p.y));
    this.center = pts.length ? sum(pts.map((p) => p.t)) / pts.length : fromN;
    if (pts.length >= 10) {
      const ybar = sum(pts.map((p) => p.y)) / pts.length;
      const sxx = sum(pts.map((p) => (p.t - this.center) ** 2));
      const b = sum(pts.map((p) => (p.t - this.center) * (p.y - ybar))) / sxx;
      const a = ybar - b * this.center;
      const rss = sum(pts.map((p) => (p.y - a - b * p.t) ** 2));
      const se = Math.sqrt(rss / (pts.length - 2) / sxx);
      // Only a trend that stands out of the day-to-day noise (|t| > 2) is carried forward.
      if (Math.abs(b) > 2 * se) {
        this.slope = b;
        this.trendUsed = true;
      }
    }

    // Holiday effects from all history: ratio of sums, shrunk towards the defaults.
    const acc = new Map<DayEffect, { a: number; e: number; n: number }>();
    for (const d of past) {
      const i = info.get(d)!;
      if (!i.effect) continue;
      const expected = this.hallLevel(i) * this.trend(dayNumber(d));
      if (!(expected > 0)) continue;
      const r = acc.get(i.effect) ?? { a: 0, e: 0, n: 0 };
      r.a += hallTotal(d);
      r.e += expected;
      r.n++;
      acc.set(i.effect, r);
    }
    for (const e of ['post1', 'post2', 'pre', 'makeUp'] as DayEffect[]) {
      const f0 = this.opts.effectDefaults[e];
      const r = acc.get(e);
      const k = this.opts.effectPrior;
      this.effects[e] = r ? { factor: (r.n * (r.a / r.e) + k * f0) / (r.n + k), days: r.n } : { factor: f0, days: 0 };
    }

    // Shapes: counts per slot, shrunk service → hall class → hall workday pool → uniform.
    const counts = (days: string[], s?: string) => {
      const out = zeros();
      for (const d of days) {
        for (const svc of s ? [s] : input.services) {
          const xs = input.history.get(d)?.get(svc);
          if (xs) for (let i = 0; i < SLOTS; i++) out[i]! += xs[i] ?? 0;
        }
      }
      return out;
    };
    const shrink = (c: number[], prior: number[], k: number) => {
      const n = sum(c);
      return c.map((x, i) => (x + k * prior[i]!) / (n + k));
    };
    const workdayDays = WORKDAYS.flatMap((c) => plainByClass.get(c) ?? []);
    const uniform = new Array<number>(SLOTS).fill(1 / SLOTS);
    const poolCounts = counts(workdayDays);
    const poolN = sum(poolCounts);
    const pool = poolN > 0 ? poolCounts.map((x) => x / poolN) : uniform;
    const hallShape = new Map<ShapeKey, number[]>([['workday', pool]]);
    for (const [c, days] of plainByClass) hallShape.set(c, shrink(counts(days), pool, this.opts.hallShapePrior));
    for (const s of input.services) {
      const m = new Map<ShapeKey, number[]>();
      m.set('workday', shrink(counts(workdayDays, s), pool, this.opts.serviceShapePrior));
      for (const [c, days] of plainByClass) m.set(c, shrink(counts(days, s), hallShape.get(c)!, this.opts.serviceShapePrior));
      this.shapes.set(s, m);
    }

    // Dispersion φ (variance = μ + φμ²) by moments over the training slots, per service and for the
    // hall total: a day's shock moves every service together, which a sum of services would miss. The
    // hall's residuals are taken leave-one-out (× n/(n − 1), n the days of the class): at the hall level
    // the error of the fitted level matters beside the day-to-day noise, per service the Poisson noise
    // dominates (measured in docs/forecast.md).
    const moments = () => ({ num: 0, den: 0 });
    const perService = new Map(input.services.map((s) => [s, moments()] as const));
    const hall = moments();
    for (const d of training) {
      const i = info.get(d)!;
      const muHall = zeros();
      const yHall = zeros();
      for (const s of input.services) {
        const m = perService.get(s)!;
        const mu = this.walkIns(s, i);
        const y = input.history.get(d)?.get(s) ?? zeros();
        for (let k = 0; k < SLOTS; k++) {
          if (!i.open[k]) continue;
          m.num += (y[k]! - mu[k]!) ** 2 - mu[k]!;
          m.den += mu[k]! ** 2;
          muHall[k]! += mu[k]!;
          yHall[k]! += y[k]!;
        }
      }
      const n = plainByClass.get(i.cls)?.length ?? 1;
      const loo = n > 1 ? (n / (n - 1)) ** 2 : 1;
      for (let k = 0; k < SLOTS; k++) {
        if (!i.open[k]) continue;
        hall.num += loo * (yHall[k]! - muHall[k]!) ** 2 - muHall[k]!;
        hall.den += muHall[k]! ** 2;
      }
    }
    const phi = (m: { num: number; den: number }) => (m.den > 0 ? Math.min(3, Math.max(0, m.num / m.den)) : 0);
    for (const [s, m] of perService) this.dispersion.set(s, phi(m));
    this.hallDispersion = phi(hall);
  }

  private hallLevel(i: DayInfo): number {
    if (i.cls === 'makeUp') return this.hallWorkdayMean;
    return this.hallBase.get(i.cls) ?? this.hallWorkdayMean;
  }

  trend(t: number): number {
    const [lo, hi] = this.opts.trendBounds;
    return Math.min(hi, Math.max(lo, 1 + this.slope * (t - this.center)));
  }

  level(s: string, i: DayInfo): number {
    if (i.cls === 'closed' || i.cls === 'appointmentOnly') return 0;
    if (i.cls === 'makeUp') return this.workdayMean.get(s) ?? 0;
    const b = this.base.get(s)?.get(i.cls);
    if (b !== undefined) return b;
    // A class never seen (a new weekend duty): the workday level, scaled by the open hours.
    const wdOpen = 17; // slots of a regular 08:30–12:00, 14:00–17:30 day
    return ((this.workdayMean.get(s) ?? 0) * i.open.filter(Boolean).length) / wdOpen;
  }

  factor(i: DayInfo): number {
    const t = this.trend(dayNumber(i.day));
    return i.effect ? t * this.effects[i.effect].factor : t;
  }

  shape(s: string, i: DayInfo): number[] {
    const m = this.shapes.get(s)!;
    const key: ShapeKey = i.cls === 'makeUp' ? 'workday' : i.cls;
    return m.get(key) ?? m.get('workday')!;
  }

  walkIns(s: string, i: DayInfo): number[] {
    return spread(this.level(s, i) * this.factor(i), this.shape(s, i), i.open);
  }

  model(): FittedModel {
    const base: FittedModel['base'] = {};
    for (const [s, m] of this.base) base[s] = Object.fromEntries(m);
    return {
      base,
      trend: { slopePerDay: this.slope, used: this.trendUsed, centerDay: this.center },
      effects: this.effects,
      dispersion: Object.fromEntries(this.dispersion),
      hallDispersion: this.hallDispersion,
      trainingDays: this.trainingDays,
    };
  }
}

export interface ForecastResult {
  days: DayForecast[];
  model: FittedModel;
}

export function forecastArrivals(input: ForecastInput): ForecastResult {
  const fit = new Fit(input);
  const days: DayForecast[] = [];
  for (let n = 0, day = input.from; n < input.days; n++, day = nextDay(day)) {
    const info = fit.cls.info(day);
    const services: Record<string, ServiceForecast> = {};
    const hallWalk = zeros();
    const hallBooked = zeros();
    for (const s of input.services) {
      const walk = fit.walkIns(s, info);
      const booked = input.bookings?.get(day)?.get(s)?.slice(0, SLOTS) ?? zeros();
      while (booked.length < SLOTS) booked.push(0);
      const phi = fit.dispersion.get(s) ?? 0;
      const ends = walk.map((m) => countInterval(m, phi, fit.opts.level));
      services[s] = {
        mean: walk.map((m, i) => m + booked[i]!),
        lo: ends.map(([lo], i) => lo + booked[i]!),
        hi: ends.map(([, hi], i) => hi + booked[i]!),
        booked,
      };
      for (let i = 0; i < SLOTS; i++) {
        hallWalk[i]! += walk[i]!;
        hallBooked[i]! += booked[i]!;
      }
    }
    const hallEnds = hallWalk.map((m) => countInterval(m, fit.hallDispersion, fit.opts.level));
    const total: ServiceForecast = {
      mean: hallWalk.map((m, i) => m + hallBooked[i]!),
      lo: hallEnds.map(([lo], i) => lo + hallBooked[i]!),
      hi: hallEnds.map(([, hi], i) => hi + hallBooked[i]!),
      booked: hallBooked,
    };
    const out: DayForecast = { day, cls: info.cls, open: info.open, factor: fit.factor(info), services, total };
    if (info.effect) out.effect = info.effect;
    days.push(out);
  }
  return { days, model: fit.model() };
}

/** The naive benchmark: the same slot on the last observed same weekday at or before `origin − 1`. */
export function naiveForecast(history: History, services: readonly string[], origin: string, day: string): Record<string, number[]> {
  const weeksBack = Math.ceil((dayNumber(day) - dayNumber(origin) + 1) / 7);
  const ref = nextDay(day, -7 * Math.max(1, weeksBack));
  const out: Record<string, number[]> = {};
  for (const s of services) out[s] = [...(history.get(ref)?.get(s) ?? zeros())];
  return out;
}
