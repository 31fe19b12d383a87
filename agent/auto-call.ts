import type { HallBus } from './bus.js';
import type { CounterDef } from './queue/types.js';

interface Engine {
  callNext(counter: string): unknown;
  counterSnapshot(counter: string): { open: boolean; paused: boolean; currentTicketId?: string } | undefined;
}

interface Log {
  warn(obj: object, msg?: string): void;
}

/** Events after which an auto-call counter may be free for the next citizen. */
const TRIGGERS = new Set([
  'ticket.finished',
  'ticket.skipped',
  'ticket.transferred',
  'ticket.cancelled',
  'counter.opened',
  'counter.resumed',
  'ticket.issued',
  'ticket.rejoined',
  'appointment.checkedIn',
]);

/**
 * 自动叫号: counters configured with `autoCall: true` call the next ticket as soon as they are free —
 * after 办结, 过号 or 转移, on opening or resuming, and when a ticket arrives while they sit idle.
 * Calls are deferred to the next tick so they never run inside another commit's notification.
 */
export function bindAutoCall(bus: HallBus, engine: Engine, counters: (CounterDef & { autoCall?: boolean })[], log: Log): () => void {
  const auto = counters.filter((c) => c.autoCall);
  if (auto.length === 0) return () => {};
  let scheduled = false;
  const run = () => {
    scheduled = false;
    for (const c of auto) {
      const s = engine.counterSnapshot(c.id);
      if (!s?.open || s.paused || s.currentTicketId) continue;
      try {
        engine.callNext(c.id);
      } catch (err) {
        log.warn({ counter: c.id, reason: err instanceof Error ? err.message : String(err) }, 'auto-call refused');
      }
    }
  };
  return bus.on('queue', ({ event }) => {
    if (!TRIGGERS.has(event.type) || scheduled) return;
    scheduled = true;
    setImmediate(run);
  });
}
