// The forecast's seam in the composition root (agent/hall.ts): one planner per hall.
import type Database from 'better-sqlite3';
import type { HallConfig } from '../config/load.js';
import { rulesFromConfig } from '../queue-rules.js';
import { HallPlanner } from './planner.js';

export function createPlanner(db: Database.Database, config: HallConfig, now: () => number): HallPlanner {
  return new HallPlanner(
    db,
    {
      timezone: config.hall.timezone,
      ...(config.calendar ? { calendar: config.calendar } : {}),
      services: config.services,
      counters: config.counters,
      rules: rulesFromConfig(config),
    },
    now,
  );
}
