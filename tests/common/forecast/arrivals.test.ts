import { describe, expect, it } from 'vitest';
import { type CalendarData, HallCalendar, nextDay } from '../../../agent/queue/calendar.js';
import { forecastArrivals, naiveForecast } from '../../../common/forecast/arrivals.js';
import { backtest, emptyBacktest, mape, mergeBacktest, rollingOrigins, wape } from '../../../common/forecast/backtest.js';
import { countInterval, countQuantile } from '../../../common/forecast/quantile.js';
import type { History } from '../../../common/forecast/slots.js';
import { generateHistory, SYNTHETIC_CALENDAR, SYNTHETIC_SERVICES } from '../../../common/forecast/synthetic.js';

const TZ = 'Asia/Shanghai';
const hours = [
  { from: '08:30', to: '12:00' },
  { from: '14:00', to: '17:30' },
];
const calendarData: CalendarData = {
  alwaysOpen: false,
  graceMinutes: 0,
  hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  flexible: [],
  weekendDuty: [],
  holidays: [{ year: 2026, off: [{ from: '2026-05-01', to: '2026-05-05', name: '劳动节' }], workdays: ['2026-05-09'] }],
  appointmentOnly: [],
};
const calendar = new HallCalendar(calendarData, TZ);
const slots = (m: Record<number, number>) => Array.from({ length: 48 }, (_, i) => m[i] ?? 0);

/** 8 weeks before 2026-04-27 (a Monday): Mondays bring 10 (4 at 09:00, 6 at 09:30), other workdays 5 (2, 3). */
function steadyHistory(): History {
  const h: History = new Map();
  for (let d = '2026-03-02'; d < '2026-04-27'; d = nextDay(d)) {
    const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    h.set(d, new Map([['s', wd === 1 ? slots({ 18: 4, 19: 6 }) : slots({ 18: 2, 19: 3 })]]));
  }
  return h;
}

describe('arrivals forecast, checked by hand', () => {
  it('a steady history is forecast as itself, with a Poisson 80 % interval', () => {
    const f = forecastArrivals({ history: steadyHistory(), calendar, timezone: TZ, services: ['s'], from: '2026-04-27', days: 2 });
    const [mon, tue] = f.days;
    expect(mon!.cls).toBe('mon');
    expect(mon!.services.s!.mean[18]).toBeCloseTo(4, 9);
    expect(mon!.services.s!.mean[19]).toBeCloseTo(6, 9);
    expect(tue!.services.s!.mean[18]).toBeCloseTo(2, 9);
    expect(tue!.services.s!.mean[19]).toBeCloseTo(3, 9);
    expect(f.model.trend.used).toBe(false);
    expect(f.model.dispersion.s).toBe(0);
    // Poisson(4): P(X < 2) + P(X = 2)/2 = 0.092 + 0.073 = 0.165 ≥ 0.1 (k = 1: 0.055), so lo = 2;
    // P(2 ≤ X ≤ 6) = 0.889 − 0.092 = 0.797 is nearer 0.8 than ≤ 5 (0.693) or ≤ 7 (0.857)
    expect(mon!.services.s!.lo[18]).toBe(2);
    expect(mon!.services.s!.hi[18]).toBe(6);
    // one service: the hall total is that service (φ of the total 0 too)
    expect(mon!.total.lo[18]).toBe(2);
    expect(mon!.total.hi[18]).toBe(6);
    expect(mon!.total.mean[19]).toBeCloseTo(6, 9);
    // closed slots are zero
    expect(mon!.services.s!.mean[30]).toBe(0);
  });

  it('holidays are closed; the first working days after them and the 调休 workday carry their effects', () => {
    const f = forecastArrivals({ history: steadyHistory(), calendar, timezone: TZ, services: ['s'], from: '2026-04-29', days: 12 });
    const by = new Map(f.days.map((d) => [d.day, d]));
    expect(by.get('2026-05-01')!.cls).toBe('closed');
    expect(by.get('2026-05-01')!.services.s!.mean.every((x) => x === 0)).toBe(true);
    // 04-30 (Thu) is the last working day before the holiday: Thursday level 5 × pre 1.1
    expect(by.get('2026-04-30')!.effect).toBe('pre');
    expect(by.get('2026-04-30')!.services.s!.mean.reduce((a, b) => a + b)).toBeCloseTo(5 * 1.1, 9);
    // 05-06 (Wed) first day back: 5 × 1.35; 05-07 second: 5 × 1.15
    expect(by.get('2026-05-06')!.effect).toBe('post1');
    expect(by.get('2026-05-06')!.services.s!.mean.reduce((a, b) => a + b)).toBeCloseTo(5 * 1.35, 9);
    expect(by.get('2026-05-07')!.services.s!.mean.reduce((a, b) => a + b)).toBeCloseTo(5 * 1.15, 9);
    // 05-09 (Sat) is a 调休 workday: the mean workday level (10 + 4 × 5) / 5 = 6, workday shape
    const makeUp = by.get('2026-05-09')!;
    expect(makeUp.cls).toBe('makeUp');
    expect(makeUp.services.s!.mean.reduce((a, b) => a + b)).toBeCloseTo(6, 9);
    expect(by.get('2026-05-10')!.cls).toBe('closed');
  });

  it('bookings already made are added to the mean and to both ends of the interval', () => {
    const bookings: History = new Map([['2026-04-28', new Map([['s', slots({ 20: 3 })]])]]);
    const f = forecastArrivals({
      history: steadyHistory(),
      calendar,
      timezone: TZ,
      services: ['s'],
      from: '2026-04-28',
      days: 1,
      bookings,
    });
    const s = f.days[0]!.services.s!;
    expect(s.booked[20]).toBe(3);
    expect(s.mean[20]).toBeCloseTo(3, 9);
    expect(s.lo[20]).toBe(3);
    expect(s.hi[20]).toBe(3);
  });

  it('a growing hall is forecast above its window average, near the true level', () => {
    const h: History = new Map();
    const start = '2026-02-02';
    for (let d = start, n = 0; d < '2026-04-27'; d = nextDay(d), n++) {
      const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      // 3 % a week, deterministic
      const level = 200 * 1.03 ** (n / 7);
      h.set(d, new Map([['s', slots({ 18: level / 2, 19: level / 2 })]]));
    }
    const f = forecastArrivals({ history: h, calendar, timezone: TZ, services: ['s'], from: '2026-04-27', days: 1 });
    const truth = 200 * 1.03 ** (84 / 7);
    const got = f.days[0]!.services.s!.mean.reduce((a, b) => a + b);
    expect(f.model.trend.used).toBe(true);
    expect(Math.abs(got - truth) / truth).toBeLessThan(0.03);
  });

  it('negative binomial quantiles widen with the dispersion', () => {
    expect(countQuantile(10, 0, 0.9)).toBe(14); // Poisson(10): P(X ≤ 13) = 0.864, P(X ≤ 14) = 0.917
    expect(countQuantile(10, 0.5, 0.9)).toBeGreaterThan(14);
    expect(countQuantile(0, 0.5, 0.9)).toBe(0);
  });

  it('the 80 % interval holds as near 80 % as whole counts allow, and always the mean', () => {
    // Poisson(1): P(0) = 0.368 → lo = 0; [0, 1] holds 0.736, [0, 2] 0.920: 0.736 is nearer 0.8
    expect(countInterval(1, 0, 0.8)).toEqual([0, 1]);
    // Poisson(0.3): [0, 0] would hold 0.741 but not the mean 0.3; [0, 1] holds 0.963
    expect(countInterval(0.3, 0, 0.8)).toEqual([0, 1]);
    expect(countInterval(0, 0.4, 0.8)).toEqual([0, 0]);
    // over many means the coverage averages near 80 % (equal-tailed quantiles: ≈ 90 %)
    const poissonCdf = (mu: number, k: number) => {
      let p = Math.exp(-mu);
      let c = 0;
      for (let j = 0; j <= k; j++) {
        c += p;
        p = (p * mu) / (j + 1);
      }
      return c;
    };
    let cover = 0;
    let n = 0;
    for (let mu = 0.5; mu <= 30; mu += 0.25, n++) {
      const [lo, hi] = countInterval(mu, 0, 0.8);
      expect(lo).toBeLessThanOrEqual(mu);
      expect(hi).toBeGreaterThanOrEqual(mu);
      cover += poissonCdf(mu, hi) - (lo > 0 ? poissonCdf(mu, lo - 1) : 0);
    }
    expect(cover / n).toBeGreaterThan(0.77);
    expect(cover / n).toBeLessThan(0.83);
    // a wide negative binomial: mean 10, variance 10 + 0.5·100 = 60
    const [lo, hi] = countInterval(10, 0.5, 0.8);
    expect(lo).toBeLessThan(countInterval(10, 0, 0.8)[0]);
    expect(hi).toBeGreaterThan(countInterval(10, 0, 0.8)[1]);
  });
});

describe('backtest on the synthetic history', () => {
  it('beats the naive same-slot-last-week forecast', () => {
    const halls = generateHistory({ halls: 3, from: '2026-02-02', to: '2026-05-31', seed: 5 });
    const cal = new HallCalendar(SYNTHETIC_CALENDAR, TZ);
    const services = SYNTHETIC_SERVICES.map((s) => s.id);
    const all = emptyBacktest();
    for (const h of halls) {
      mergeBacktest(
        all,
        backtest({ history: h.history, calendar: cal, timezone: TZ, services, origins: rollingOrigins('2026-05-31', 14, 2), horizon: 14 }),
      );
    }
    expect(wape(all.modelHall)).toBeLessThan(wape(all.naiveHall));
    expect(mape(all.model)).toBeLessThan(mape(all.naive));
    // the 80 % interval is calibrated (equal-tailed quantiles held ≈ 90 %)
    expect(all.hits / all.scored).toBeGreaterThan(0.75);
    expect(all.hits / all.scored).toBeLessThan(0.86);
    // the hall total's own interval: the sum of the services' ends held ≈ 96 %
    expect(all.hallHits / all.hallScored).toBeGreaterThan(0.72);
    expect(all.hallHits / all.hallScored).toBeLessThan(0.86);
    // the naive reference reads the last observed same weekday
    const n = naiveForecast(halls[0]!.history, services, '2026-05-18', '2026-05-27');
    expect(n['id-card']).toEqual(halls[0]!.history.get('2026-05-13')!.get('id-card'));
  });
});
