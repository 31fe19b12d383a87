import type { Logger } from 'pino';
import type { QueueEngine } from './queue/engine.js';

/**
 * 未评价 for every finished service that got no rating, with or without a rating pad page open:
 * a timer records it once the pad's own timeout (plus a margin for a slow pad) has passed.
 */
export function startRatingSweep(engine: QueueEngine, timeoutSeconds: number, logger: Logger, everyMs = 10_000): () => void {
  const after = (timeoutSeconds + 5) * 1000;
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
