import type { Logger } from 'pino';
import type { QueueEngine } from './queue/engine.js';

/**
 * 未评价 for every finished service that got no rating, with or without a rating pad page open:
 * a timer records it once the pad's own timeout (plus a margin for a slow pad) has passed.
 */
/** a slow pad's margin after its own timeout: the sweep records 未评价 then, and a pad's rating closes then */
export const RATING_MARGIN_S = 5;

export function startRatingSweep(engine: QueueEngine, timeoutSeconds: number, logger: Logger, everyMs = 10_000): () => void {
  const after = (timeoutSeconds + RATING_MARGIN_S) * 1000;
  const timer = setInterval(() => {
    try {
      const n = engine.sweepNotRated(after);
      if (n > 0) logger.info({ count: n }, 'recorded not-rated services');
    } catch (err) {
      logger.error({ err }, 'not-rated sweep failed');
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
