// A synthetic arrival history for the backtest and the hub-scale benchmark. The generating model
// is documented in docs/forecast.md ("Synthetic history") and deliberately differs in form from
// the forecast model (smooth peaks, not a slot table; shocks per day and per service-day; a
// compounding weekly growth), so the forecast is not scored on its own assumptions.
import { type CalendarData, HallCalendar, nextDay } from '../../agent/queue/calendar.js';
import type { CounterDef } from '../../agent/queue/types.js';
import { classifierFor, type DayEffect, type History, SLOT_MINUTES, SLOTS } from './slots.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export function poisson(mean: number, r: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > l) {
    k++;
    p *= r();
  }
  return k;
}

/** The demo hall's calendar in force (2026 holidays and 调休 from the 国务院办公厅 notice). */
export const SYNTHETIC_CALENDAR: CalendarData = {
  alwaysOpen: false,
  graceMinutes: 10,
  hours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [
      d,
      [
        { from: '08:30', to: '12:00' },
        { from: '14:00', to: '17:30' },
      ],
    ]),
  ),
  flexible: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], ranges: [{ from: '12:00', to: '14:00' }], counters: ['1'] }],
  weekendDuty: [{ day: 'sat', weeks: 'all', ranges: [{ from: '09:00', to: '12:00' }], counters: ['1', '2'] }],
  makeUpHours: [
    { from: '08:30', to: '12:00' },
    { from: '14:00', to: '17:30' },
  ],
  holidays: [
    {
      year: 2026,
      off: [
        { from: '2026-01-01', to: '2026-01-03', name: '元旦' },
        { from: '2026-02-15', to: '2026-02-23', name: '春节' },
        { from: '2026-04-04', to: '2026-04-06', name: '清明节' },
        { from: '2026-05-01', to: '2026-05-05', name: '劳动节' },
        { from: '2026-06-19', to: '2026-06-21', name: '端午节' },
        { from: '2026-09-25', to: '2026-09-27', name: '中秋节' },
        { from: '2026-10-01', to: '2026-10-07', name: '国庆节' },
      ],
      workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    },
  ],
  appointmentOnly: [],
};

export const SYNTHETIC_SERVICES = [
  { id: 'id-card', share: 0.36, minutes: 8, morning: 1.2 },
  { id: 'hukou-move', share: 0.1, minutes: 15, morning: 1.3 },
  { id: 'birth-registration', share: 0.06, minutes: 12, morning: 1.4 },
  { id: 'residence-permit', share: 0.14, minutes: 6, morning: 1 },
  { id: 'hukou-certificate', share: 0.14, minutes: 4, morning: 1 },
  { id: 'consultation', share: 0.13, minutes: 3, morning: 0.8 },
  { id: 'temp-id-card', share: 0.07, minutes: 5, morning: 1 },
] as const;

const WEEKDAY_FACTOR: Record<string, number> = { mon: 1.25, tue: 1.05, wed: 0.95, thu: 0.92, fri: 1.05, makeUp: 0.95 };
/** Saturday duty mornings draw this share of an average workday, in three hours */
const WEEKEND_FACTOR = 0.35;
const EFFECT: Record<DayEffect, number> = { post1: 1.45, post2: 1.2, pre: 1.15, makeUp: 1 };

/** Time-of-day intensity (per minute, unnormalised): a morning and an afternoon peak over a floor. */
function intensity(minute: number, morning: number): number {
  const g = (mu: number, sd: number) => Math.exp(-0.5 * ((minute - mu) / sd) ** 2);
  return 0.25 + morning * g(9.5 * 60, 50) + 0.35 * g(11 * 60, 30) + 0.7 * g(14.75 * 60, 45) - 0.15 * g(13 * 60, 40);
}

const weightCache = new Map<string, { w: number[]; tw: number }>();

/** The intensity integrated over each open slot (5-minute steps), memoised per opening pattern. */
function slotWeights(open: readonly boolean[], morning: number): { w: number[]; tw: number } {
  const key = `${open.map((o) => (o ? 1 : 0)).join('')}|${morning}`;
  let hit = weightCache.get(key);
  if (hit) return hit;
  const w = new Array<number>(SLOTS).fill(0);
  for (let i = 0; i < SLOTS; i++) {
    if (!open[i]) continue;
    for (let m = 0; m < SLOT_MINUTES; m += 5) w[i]! += intensity(i * SLOT_MINUTES + m + 2.5, morning);
  }
  hit = { w, tw: w.reduce((a, b) => a + b, 0) };
  weightCache.set(key, hit);
  return hit;
}

export interface SyntheticHall {
  id: string;
  /** mean walk-ins on a plain workday at the start */
  dailyMean: number;
  weeklyGrowth: number;
  shares: Record<string, number>;
  history: History;
}

export interface SyntheticOptions {
  halls: number;
  /** first and last day generated (inclusive) */
  from: string;
  to: string;
  seed: number;
}

export function generateHistory(opts: SyntheticOptions): SyntheticHall[] {
  const cal = new HallCalendar(SYNTHETIC_CALENDAR, 'Asia/Shanghai');
  const cls = classifierFor(cal, 'Asia/Shanghai');
  const halls: SyntheticHall[] = [];
  for (let h = 0; h < opts.halls; h++) {
    const r = rng(opts.seed * 7919 + h);
    const dailyMean = 80 + r() * 320;
    const weeklyGrowth = -0.01 + r() * 0.03;
    const raw = SYNTHETIC_SERVICES.map((s) => s.share * (0.7 + 0.6 * r()));
    const norm = raw.reduce((a, b) => a + b, 0);
    const shares = Object.fromEntries(SYNTHETIC_SERVICES.map((s, i) => [s.id, raw[i]! / norm]));
    const history: History = new Map();
    let week = 0;
    for (let day = opts.from, n = 0; day <= opts.to; day = nextDay(day), n++) {
      week = n / 7;
      const info = cls.info(day);
      const counts = new Map<string, number[]>();
      for (const s of SYNTHETIC_SERVICES) counts.set(s.id, new Array<number>(SLOTS).fill(0));
      history.set(day, counts);
      if (info.cls === 'closed' || info.cls === 'appointmentOnly') {
        // Day-level randomness is drawn anyway, so each hall's stream stays aligned across days.
        gaussian(r);
        continue;
      }
      const dayFactor = info.cls === 'weekend' ? WEEKEND_FACTOR : WEEKDAY_FACTOR[info.cls]!;
      const effect = info.effect ? EFFECT[info.effect] : 1;
      const shock = Math.exp(0.08 * gaussian(r) - 0.0032);
      const level = dailyMean * (1 + weeklyGrowth) ** week * dayFactor * effect * shock;
      const mondayBoost = info.cls === 'mon' ? 1.2 : 1;
      for (const s of SYNTHETIC_SERVICES) {
        const serviceShock = Math.exp(0.08 * gaussian(r) - 0.0032);
        const { w, tw } = slotWeights(info.open, s.morning * mondayBoost);
        const xs = counts.get(s.id)!;
        for (let i = 0; i < SLOTS; i++) if (w[i]! > 0) xs[i] = poisson((level * shares[s.id]! * serviceShock * w[i]!) / tw, r);
      }
    }
    halls.push({ id: `hall-${String(h + 1).padStart(4, '0')}`, dailyMean, weeklyGrowth, shares, history });
  }
  return halls;
}

/**
 * Counters of a synthetic hall: pairs of services as in the demo hall, a 老年人专窗 and a 绿色通道
 * counter that take every service, AB岗 partners two by two.
 */
export function syntheticCounters(n: number): CounterDef[] {
  const ids = SYNTHETIC_SERVICES.map((s) => s.id);
  const pairs: string[][] = [
    ['id-card', 'temp-id-card'],
    ['id-card', 'hukou-certificate'],
    ['hukou-move', 'birth-registration'],
    ['residence-permit', 'hukou-certificate'],
    ['consultation', 'residence-permit'],
    ['id-card', 'consultation'],
  ];
  const out: CounterDef[] = [];
  const plain = Math.max(1, n - 2);
  for (let i = 0; i < plain; i++) {
    const id = String(i + 1);
    const c: CounterDef = {
      id,
      name: { zh: `${id}号窗口`, en: `Counter ${id}` },
      services: pairs[i % pairs.length]!,
      senior: false,
      green: false,
    };
    c.backupCounter = String(i % 2 === 0 ? Math.min(plain, i + 2) : i);
    if (c.backupCounter === id) delete c.backupCounter;
    out.push(c);
  }
  out.push({ id: String(plain + 1), name: { zh: '老年人专窗', en: 'Seniors' }, services: ids, senior: true, green: false });
  out.push({ id: String(plain + 2), name: { zh: '绿色通道', en: 'Green' }, services: ids, senior: false, green: true });
  return out;
}

export const SYNTHETIC_HANDLING: Record<string, { meanMinutes: number; cv: number }> = Object.fromEntries(
  SYNTHETIC_SERVICES.map((s) => [s.id, { meanMinutes: s.minutes, cv: 0.6 }]),
);
