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
