import type { HallBus } from './bus.js';
import type { QueueEngine } from './queue/engine.js';

interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Turns caller-keypad presses and rating-pad keys into queue actions. A refused action (nobody
 * waiting, counter paused…) is logged and shown nowhere else: the keypad has no screen to explain it.
 */
/**
 * @param ratingWindowMs a hardware rating pad rates only its counter's last finished service, within the
 * pad's timeout (as the screen pad: a forged late 1-star would open a 整改 against an officer)
 */
export function bindKeypads(bus: HallBus, engine: QueueEngine, log: Log, ratingWindowMs?: number): () => void {
  const offKey = bus.on('device.key', ({ deviceId, counter, key, digits }) => {
    try {
      switch (key) {
        case 'call':
          if (digits) engine.callNumber(counter, digits.toUpperCase());
          else engine.callNext(counter);
          break;
        case 'recall':
          engine.recall(counter);
          break;
        case 'skip':
          engine.skip(counter);
          break;
        case 'start':
          engine.start(counter);
          break;
        case 'finish':
          engine.finish(counter);
          break;
        case 'pause':
          engine.pause(counter, '呼叫器暂停');
          break;
        case 'resume':
          engine.resume(counter);
          break;
        case 'transfer':
          if (digits) engine.transfer(counter, { counter: digits });
          break;
        default:
          // confirm/digit are composed by the driver into a call or transfer with digits
          break;
      }
    } catch (err) {
      log.warn({ deviceId, counter, key, reason: err instanceof Error ? err.message : String(err) }, 'keypad action refused');
    }
  });
  const offRating = bus.on('device.rating', ({ deviceId, counter, level }) => {
    try {
      engine.rate({ counter, level, source: 'keypad', ...(ratingWindowMs !== undefined ? { windowMs: ratingWindowMs } : {}) });
    } catch (err) {
      log.warn({ deviceId, counter, reason: err instanceof Error ? err.message : String(err) }, 'rating refused');
    }
  });
  return () => {
    offKey();
    offRating();
  };
}
