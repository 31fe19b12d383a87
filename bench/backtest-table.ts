// How the forecast benches print a backtest: MAPE and WAPE of the model and of the naive "same slot
// last week" forecast, per service × slot and per hall total × slot.
import { type BacktestResult, mape, wape } from '../common/forecast/backtest.js';

export const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export const backtestTable = (b: BacktestResult) => ({
  'service × slot': {
    MAPE: pct(mape(b.model)),
    WAPE: pct(wape(b.model)),
    'naive MAPE': pct(mape(b.naive)),
    'naive WAPE': pct(wape(b.naive)),
  },
  'hall total × slot': {
    MAPE: pct(mape(b.modelHall)),
    WAPE: pct(wape(b.modelHall)),
    'naive MAPE': pct(mape(b.naiveHall)),
    'naive WAPE': pct(wape(b.naiveHall)),
  },
});

/** the table, the two interval hit rates and whether the model beats naive; `counted`: what the cells hold */
export function printBacktest(b: BacktestResult, counted: string): void {
  console.table(backtestTable(b));
  console.log(`80 % prediction interval holds the ${counted} in ${pct(b.hits / b.scored)} of ${b.scored} service × slot cells`);
  console.log(
    `the hall total's 80 % interval (as the board and the hub show it) holds it in ${pct(b.hallHits / b.hallScored)} of ${b.hallScored} hall × slot cells`,
  );
  const beats = mape(b.model) < mape(b.naive) && wape(b.modelHall) < wape(b.naiveHall);
  console.log(beats ? 'the model beats the naive forecast' : 'FAIL: the model does not beat the naive forecast');
}
