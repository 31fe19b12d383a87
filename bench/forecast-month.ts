// The forecast on the simulated month's hall (issue 22, item 6; docs/forecast.md, "The simulated
// month"): per hall, 8 weeks of the month's workload played through the real engine and store, the
// agent's forecast at the origin (the holiday Monday 2026-11-02) for 14 days, those days played and
// scored against the workload log, beside the naive "same slot last week". 5 halls (seeds 1–5); --quick: 1.
import { performance } from 'node:perf_hooks';
import { emptyBacktest, mape, mergeBacktest, wape } from '../common/forecast/backtest.js';
import { ORIGIN, runMonthBacktest } from '../tests/figures/forecast-month.js';
import { pct, printBacktest } from './backtest-table.js';
import { sized } from './mode.js';

const HALLS = sized(5, 1);
const all = emptyBacktest();
const rows: Record<string, unknown>[] = [];
const t0 = performance.now();
let span = '';
for (let seed = 1; seed <= HALLS; seed++) {
  const r = runMonthBacktest({ seed });
  span = `${r.first} … ${r.last}`;
  mergeBacktest(all, r.result);
  rows.push({
    hall: r.hallId,
    'workdays played': r.workdays,
    'walk-ins before': r.walkInsBefore,
    'walk-ins scored': r.walkInsScored,
    'service MAPE': pct(mape(r.result.model)),
    'naive MAPE': pct(mape(r.result.naive)),
    'hall WAPE': pct(wape(r.result.modelHall)),
    'naive hall WAPE': pct(wape(r.result.naiveHall)),
    '80 % hits': pct(r.result.hits / r.result.scored),
  });
}

console.log(
  `simulated month: ${HALLS} hall(s) played ${span} through the engine and store, forecast at ${ORIGIN} for 14 days ` +
    `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);
console.table(rows);
printBacktest(all, 'logged count');
