// Erlang C (M/M/N): the textbook delay model. Used for a hall whose counters all serve every
// service and whose tickets are one FIFO line; elsewhere it is the lower bound the simulation
// starts from (docs/forecast.md).

/** Erlang B by the stable recursion B(0)=1, B(k)=A·B(k-1)/(k + A·B(k-1)). */
export function erlangB(servers: number, load: number): number {
  if (servers < 0 || !Number.isInteger(servers)) throw new RangeError(`servers must be a non-negative integer, got ${servers}`);
  if (!(load >= 0)) throw new RangeError(`load must be ≥ 0 Erlang, got ${load}`);
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (load * b) / (k + load * b);
  return b;
}

/** Probability an arrival waits at all (Erlang C); 1 when the load is at or beyond capacity. */
export function erlangC(servers: number, load: number): number {
  if (load === 0) return 0;
  if (servers <= load) return 1;
  const b = erlangB(servers, load);
  return (servers * b) / (servers - load * (1 - b));
}

/**
 * Share of arrivals whose wait is ≤ `within` (same time unit as `meanService`):
 * 1 − C(N, A)·exp(−(N − A)·within / meanService).
 */
export function serviceLevel(servers: number, load: number, within: number, meanService: number): number {
  if (load === 0) return 1;
  if (servers <= load) return 0;
  return 1 - erlangC(servers, load) * Math.exp((-(servers - load) * within) / meanService);
}

/** Mean wait (average speed of answer) = C·h/(N − A). */
export function meanWait(servers: number, load: number, meanService: number): number {
  if (load === 0) return 0;
  if (servers <= load) return Number.POSITIVE_INFINITY;
  return (erlangC(servers, load) * meanService) / (servers - load);
}

/**
 * Fewest servers meeting the target share within `within`. `load` = arrival rate × mean service
 * time (Erlang). 0 when nothing arrives.
 */
export function serversNeeded(load: number, within: number, meanService: number, share: number, max = 10_000): number {
  if (!(share > 0 && share < 1)) throw new RangeError(`target share must be in (0, 1), got ${share}`);
  if (load <= 0) return 0;
  for (let n = Math.max(1, Math.floor(load) + 1); n <= max; n++) {
    if (serviceLevel(n, load, within, meanService) >= share) return n;
  }
  return max;
}
