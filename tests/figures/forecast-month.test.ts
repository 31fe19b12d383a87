// The forecast on the simulated month's hall (issue 22, item 6): 8 weeks of the month's workload
// with a weekly and daily shape played through the real engine and SQLite store, the agent's own
// forecast at the origin, 14 days played after it. What happened is read from the workload log
// (the store is gone by the time the forecast is scored); the model must beat "same slot last week".
import { describe, expect, it } from 'vitest';
import { mape, wape } from '../../common/forecast/backtest.js';
import { type MonthBacktest, ORIGIN, runMonthBacktest } from './forecast-month.js';

let run: MonthBacktest;

describe('the forecast on the simulated month', () => {
  it('reads from its store exactly the walk-ins the workload log holds', () => {
    run = runMonthBacktest({ seed: 1 });
    expect(run.storeHistory.size).toBeGreaterThanOrEqual(40); // the 8 weeks' workdays
    expect([...run.storeHistory.keys()].sort()).toEqual([...run.logHistory.keys()].filter((d) => d < ORIGIN).sort());
    for (const [day, services] of run.logHistory) {
      if (day >= ORIGIN) continue;
      for (const s of run.services)
        expect(run.storeHistory.get(day)?.get(s), `${day} ${s}`).toEqual(services.get(s) ?? new Array(48).fill(0));
    }
  }, 60_000);

  it('is scored against the log’s walk-ins of the 14 days after the origin, and beats the naive forecast', () => {
    // the log's own facts: tickets issued at the kiosk or by the guide, and appointments checked in too late for their slot
    const scored = run.log.filter((e) =>
      e.t === 'issue' ? e.day >= ORIGIN : e.t === 'checkIn' && e.day >= ORIGIN && e.batch === 1 && e.at > e.slotEnd + 15 * 60_000,
    ).length;
    expect(scored).toBeGreaterThan(300);
    expect(run.result.model.actual).toBe(scored);
    expect(run.result.modelHall.actual).toBe(scored);
    // 10 workdays (the holiday is closed, its 调休 Saturday open) × 17 open half hours × 2 services
    expect(run.result.scored).toBe(10 * 17 * 2);
    expect(mape(run.result.model)).toBeLessThan(mape(run.result.naive));
    expect(wape(run.result.model)).toBeLessThan(wape(run.result.naive));
    expect(wape(run.result.modelHall)).toBeLessThan(wape(run.result.naiveHall));
    // the 80 % interval, on 340 cells (± 2.2 points of sampling error alone)
    expect(run.result.hits / run.result.scored).toBeGreaterThan(0.7);
    expect(run.result.hits / run.result.scored).toBeLessThan(0.9);
  });
});
