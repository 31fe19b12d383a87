// The forecast's seam in the composition root (agent/hall.ts): one planner and one booking desk per hall.
import type Database from 'better-sqlite3';
import type { HallConfig } from '../config/load.js';
import { rulesFromConfig } from '../queue-rules.js';
import { HallBookings } from './bookings.js';
import { HallPlanner } from './planner.js';

export function createForecast(
  db: Database.Database,
  config: HallConfig,
  now: () => number,
  today: () => string,
): { forecast: HallPlanner; bookings: HallBookings } {
  const rules = rulesFromConfig(config);
  const forecast = new HallPlanner(
    db,
    {
      timezone: config.hall.timezone,
      ...(config.calendar ? { calendar: config.calendar } : {}),
      services: config.services,
      counters: config.counters,
      rules,
    },
    now,
  );
  const bookings = new HallBookings(
    db,
    forecast,
    { timezone: config.hall.timezone, secret: config.hall.secret, services: config.services, appointmentGraceMs: rules.appointmentGraceMs },
    now,
    today,
  );
  return { forecast, bookings };
}
