// The hub's nightly forecast (issue 22, part 1 "on the hub, every hall, nightly"): for every hall, the
// walk-in arrivals per half hour for the next 14 days from its service records (common/forecast, the
// model the agent uses, docs/forecast.md) and the counters Erlang C asks for at each slot, stored in
// hub_forecast. The hub knows no hall's counters or calling order, so it uses Erlang C (a lower bound
// for a hall with single-skill counters), not the simulation (docs/forecast.md, "Measured").
import type pg from 'pg';
import { forecastArrivals } from '../common/forecast/arrivals.js';
import { serversNeeded } from '../common/forecast/erlang.js';
import { dayMidnight, type History, SLOT_MS, SLOTS } from '../common/forecast/slots.js';
import { SYNTHETIC_CALENDAR } from '../common/forecast/synthetic.js';
import { type CalendarData, HallCalendar, nextDay } from '../agent/queue/calendar.js';
import { DEFAULT_TARGET } from '../common/forecast/staffing.js';
import { inTransaction, withClient } from './db/client.js';

export const HUB_TZ = 'Asia/Shanghai';
export const FORECAST_DAYS = 14;
const HISTORY_WEEKS = 16;
const MIN_SAMPLES = 30;
const DEFAULT_MINUTES = 10;
const HOURS = [
  { from: '08:30', to: '12:00' },
  { from: '14:00', to: '17:30' },
];
/**
 * The hub does not hold the halls' calendars: every hall is planned on the standard hours (Mon–Fri
 * 08:30–12:00, 14:00–17:30) and the national holidays and 调休 days (those of the demo hall's config).
 */
export const HUB_CALENDAR: CalendarData = {
  alwaysOpen: false,
  graceMinutes: 0,
  hours: { mon: HOURS, tue: HOURS, wed: HOURS, thu: HOURS, fri: HOURS },
  flexible: [],
  weekendDuty: [],
  holidays: SYNTHETIC_CALENDAR.holidays,
  appointmentOnly: [],
};

export interface HallHistoryRows {
  history: History;
  /** mean handling minutes per service (measured from 30 records on) */
  minutes: Record<string, number>;
}

/** walk-ins (not the appointment channel) per day, service and slot, and handling means, from the hall's service records */
export async function hallHistory(pool: pg.Pool, hallId: string, from: string, to: string): Promise<HallHistoryRows> {
  const r = await pool.query(
    `SELECT day::text AS day, data->>'service' AS service, data->>'channel' AS channel,
            (data->>'issuedAt')::bigint AS issued, (data->>'handlingMs')::bigint AS handling
     FROM records WHERE hall_id = $1 AND kind = 'serviceRecord' AND day >= $2::date AND day < $3::date`,
    [hallId, from, to],
  );
  const history: History = new Map();
  const work = new Map<string, { n: number; ms: number }>();
  const midnights = new Map<string, number>();
  for (const x of r.rows) {
    if (x.handling > 0) {
      const w = work.get(x.service) ?? { n: 0, ms: 0 };
      w.n++;
      w.ms += Number(x.handling);
      work.set(x.service, w);
    }
    if (x.channel === 'appointment' || x.issued === null) continue;
    let m = midnights.get(x.day);
    if (m === undefined) {
      m = dayMidnight(x.day, HUB_TZ);
      midnights.set(x.day, m);
    }
    const slot = Math.floor((Number(x.issued) - m) / SLOT_MS);
    if (slot < 0 || slot >= SLOTS) continue;
    let d = history.get(x.day);
    if (!d) {
      d = new Map();
      history.set(x.day, d);
    }
    let xs = d.get(x.service);
    if (!xs) {
      xs = new Array<number>(SLOTS).fill(0);
      d.set(x.service, xs);
    }
    xs[slot]!++;
  }
  const minutes: Record<string, number> = {};
  for (const [s, w] of work) if (w.n >= MIN_SAMPLES) minutes[s] = w.ms / w.n / 60_000;
  return { history, minutes };
}

export interface HubSlotPlan {
  day: string;
  slot: number;
  arrivals: number;
  lo: number;
  hi: number;
  counters: number;
}

/** The plan of one hall from its history (pure: the test redoes it from its own inputs). */
export function planHall(h: HallHistoryRows, from: string, days = FORECAST_DAYS): HubSlotPlan[] {
  const services = [...new Set([...h.history.values()].flatMap((d) => [...d.keys()]))].sort();
  if (services.length === 0) return [];
  const f = forecastArrivals({
    history: h.history,
    calendar: new HallCalendar(HUB_CALENDAR, HUB_TZ),
    timezone: HUB_TZ,
    services,
    from,
    days,
  });
  const out: HubSlotPlan[] = [];
  const target = DEFAULT_TARGET;
  for (const d of f.days) {
    d.open.forEach((open, i) => {
      if (!open) return;
      let n = 0;
      let work = 0;
      for (const [s, x] of Object.entries(d.services)) {
        n += x.mean[i]!;
        work += x.mean[i]! * (h.minutes[s] ?? DEFAULT_MINUTES);
      }
      const meanMinutes = n > 0 ? work / n : DEFAULT_MINUTES;
      const counters = serversNeeded(work / 30, target.withinMinutes, meanMinutes, target.share);
      // the hall total's own interval (a sum of the services' ends would hold far more than 80 %)
      out.push({ day: d.day, slot: i, arrivals: n, lo: d.total.lo[i]!, hi: d.total.hi[i]!, counters });
    });
  }
  return out;
}

/** Forecast and store one hall: its rows from `from` on are replaced in one transaction. */
export async function forecastHall(pool: pg.Pool, hallId: string, from: string): Promise<number> {
  const h = await hallHistory(pool, hallId, nextDay(from, -HISTORY_WEEKS * 7), from);
  const plan = planHall(h, from);
  await inTransaction(pool, async (client) => {
    await client.query('DELETE FROM hub_forecast WHERE hall_id = $1 AND day >= $2::date', [hallId, from]);
    if (plan.length)
      await client.query(
        `INSERT INTO hub_forecast (hall_id, day, slot, arrivals, lo, hi, counters)
         SELECT $1, p.day::date, p.slot, p.arrivals, p.lo, p.hi, p.counters
         FROM jsonb_to_recordset($2::jsonb) AS p(day text, slot int, arrivals float8, lo float8, hi float8, counters int)`,
        [hallId, JSON.stringify(plan)],
      );
  });
  return plan.length;
}

/**
 * The nightly run: once per hub day (Asia/Shanghai), by one hub process (advisory lock), every hall in
 * turn, yielding between halls so ingest and pages keep their turn. Returns null when another process
 * has it or today's run is done. A run that was started and never finished (the hub stopped or crashed
 * mid-way, e.g. restarted around 02:00) is started again: its process is gone, since it would still hold
 * the lock, and each hall's rows are replaced whole, so a hall done twice is the same as once.
 */
export async function nightlyForecast(pool: pg.Pool, today: string): Promise<{ halls: number; slots: number } | null> {
  // withClient: the lock's connection is held for the whole run; if the server goes away under it, an
  // unheld 'error' on a checked-out client would kill the hub process
  return withClient(pool, async (lock) => {
    const got = await lock.query('SELECT pg_try_advisory_lock(804250) AS ok');
    if (!got.rows[0].ok) return null;
    try {
      const started = await pool.query(
        `INSERT INTO hub_forecast_runs AS r (run_day) VALUES ($1::date)
         ON CONFLICT (run_day) DO UPDATE SET started_at = now() WHERE r.finished_at IS NULL RETURNING 1`,
        [today],
      );
      if (!started.rowCount) return null;
      const halls = (await pool.query('SELECT id FROM halls ORDER BY id')).rows.map((r) => r.id as string);
      let slots = 0;
      for (const id of halls) {
        slots += await forecastHall(pool, id, today);
        await new Promise((r) => setImmediate(r));
      }
      await pool.query('UPDATE hub_forecast_runs SET finished_at = now(), halls = $2, slots = $3 WHERE run_day = $1::date', [
        today,
        halls.length,
        slots,
      ]);
      return { halls: halls.length, slots };
    } finally {
      await lock.query('SELECT pg_advisory_unlock(804250)');
    }
  });
}

/**
 * One look at the clock (every 15 minutes, and once at start): today's run once it is past 02:00 in the
 * hub's zone (the run waits for the night's last records). A hub that was down over night runs today's
 * at start, or at 02:00 if it starts before; a night it missed entirely is not run afterwards: that
 * night's forecast began with a day that has passed, and today's run replaces it from today on.
 */
export async function forecastTick(pool: pg.Pool, now: number): Promise<{ day: string; halls: number; slots: number } | null> {
  const { day, hour } = hubNow(now);
  if (hour < 2) return null;
  const r = await nightlyForecast(pool, day);
  return r && { day, ...r };
}

/** today in the hub's zone, and whether it is past 02:00 there (the run waits for the night's last records) */
export function hubNow(now = Date.now()): { day: string; hour: number } {
  const t = new Date(now + 8 * 3600_000);
  return { day: t.toISOString().slice(0, 10), hour: t.getUTCHours() };
}
