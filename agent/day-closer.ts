// The hall's day as a running part: closes the business day at closing time + grace (hall calendar),
// at midnight when the agent runs through it, and at start-up when the stored day is already over
// (the PC was off overnight). The close itself is the engine's (agent/queue/day-close.ts); this part
// only decides when. A timer re-checks every 30 s against the injected clock instead of sleeping until
// the boundary: a suspended PC or a clock set forward still closes on the next check.
import type { Logger } from 'pino';
import type { HallPart } from './lifecycle.js';
import type { DayCloseHook, DayCloseSummary, QueueEngine } from './queue/engine.js';
import { dayOf } from './queue/time.js';

export interface DayCloserOptions {
  engine: QueueEngine;
  clock: { now(): number };
  timezone: string;
  logger: Pick<Logger, 'info' | 'error'>;
  everyMs?: number;
  /** what else ends with the day (staff sessions), registered while the part runs */
  hooks?: DayCloseHook[];
}

export class DayCloser implements HallPart {
  readonly name = 'dayCloser';
  private timer: NodeJS.Timeout | undefined;
  private unhook: (() => void)[] = [];

  constructor(private readonly o: DayCloserOptions) {}

  start(): void {
    this.unhook = (this.o.hooks ?? []).map((h) => this.o.engine.onDayClose(h));
    this.check(true);
    this.timer = setInterval(() => this.check(false), this.o.everyMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.unhook) off();
    this.unhook = [];
  }

  /** Closes whatever is due now; returns the closes it made (none most of the time). */
  check(startup = false): DayCloseSummary[] {
    const { engine } = this.o;
    const done: DayCloseSummary[] = [];
    try {
      const stale = engine.ensureDay(startup ? 'startup' : 'midnight');
      if (stale) done.push(stale);
      const now = this.o.clock.now();
      const today = dayOf(now, this.o.timezone);
      const closesAt = engine.dayClosesAt(today);
      if (closesAt !== undefined && now >= closesAt && (engine.lastClosedDay()?.day ?? '') < today) {
        const s = engine.closeDay('closingTime');
        if (s) done.push(s);
      }
    } catch (err) {
      this.o.logger.error({ err }, 'day close failed; it is retried on the next check');
    }
    for (const s of done) this.o.logger.info({ ...s }, 'hall day closed');
    return done;
  }
}
