// What a counter's LED shows when no ticket is being called there. A policy, not a driver detail:
// agent/devices calls this so the text follows the counter's state.

export interface CounterLedState {
  open: boolean;
  paused: boolean;
}

/** Idle text of a counter LED: 欢迎光临 only while the counter is open and not paused, else 暂停服务. */
export function counterIdleLines(counter: string, state: CounterLedState | undefined): [string, string] {
  const serving = state?.open === true && !state.paused;
  return [`${counter}号窗口`, serving ? '欢迎光临' : '暂停服务'];
}
