// 分流/就近办: the hall's waiting count and estimated wait per service, pushed to the hub within a
// couple of seconds of a queue change (coalesced: a burst of tickets is one post) and re-sent every
// minute so the hub can tell a quiet hall from a silent one. Only the latest state matters, so
// it bypasses the outbox: a failed post is simply replaced by the next one.
import type { Logger } from 'pino';
import { CONTRACTS, type RecordData } from '../../contracts/records.js';
import type { HallBus } from '../bus.js';
import type { QueueEngine } from '../queue/engine.js';
import { estimateMinutes } from '../queue/estimate.js';
import type { CounterDef, ServiceDef } from '../queue/types.js';
import { postBatch, type Upstream } from './post.js';

export interface LiveWaitOptions {
  bus: HallBus;
  engine: QueueEngine;
  services: ServiceDef[];
  counters: CounterDef[];
  upstream: Upstream;
  logger: Logger;
  /** a burst of changes within this window is sent once */
  coalesceMs?: number;
  /** after a failed post */
  retryMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  /** a post was answered 200: the hub is up (the outbox sender cuts its backoff short) */
  onDelivered?: () => void;
}

export function liveWaitOf(engine: QueueEngine, services: ServiceDef[], counters: CounterDef[], now: number): RecordData['liveWait'] {
  const snap = engine.snapshot();
  const openIds = new Set(snap.counters.filter((c) => c.open && !c.paused).map((c) => c.id));
  // after the day's close (closing time + grace, midnight, or the start-up after a night off) the hub
  // shows 已闭厅, never the last queue; before the opening hour too, unless a counter is already open or
  // someone already took a ticket
  const dayClosed = (engine.lastClosedDay()?.day ?? '') >= engine.today();
  const busy = snap.counters.some((c) => c.open) || snap.services.some((x) => x.waiting > 0);
  const open = !dayClosed && (engine.calendarStatus().open || busy);
  return {
    at: now,
    open,
    services: services.map((def) => {
      const s = snap.services.find((x) => x.id === def.id);
      const waiting = s?.waiting ?? 0;
      const openCounters = counters.filter((c) => openIds.has(c.id) && c.services.includes(def.id)).length;
      const ewma = s && s.avgHandlingMs > 0 ? s.avgHandlingMs : def.expectedMinutes * 60_000;
      return {
        service: def.id,
        name: def.name.zh,
        waiting,
        estimateMinutes: openCounters === 0 ? null : estimateMinutes(waiting, ewma, openCounters),
        openCounters,
      };
    }),
  };
}

export class LiveWaitPublisher {
  private dirty = true;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  lastSentAt: number | null = null;
  lastError: string | null = null;

  constructor(private readonly o: LiveWaitOptions) {}

  start(): void {
    this.unsubscribe = this.o.bus.on('queue', () => this.changed());
    this.heartbeat = setInterval(() => this.changed(), this.o.heartbeatMs ?? 60_000);
    this.heartbeat.unref?.();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.inFlight;
  }

  private changed(): void {
    this.dirty = true;
    this.schedule(this.o.coalesceMs ?? 2000);
  }

  private schedule(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.inFlight) {
        this.schedule(ms); // one post at a time; the change is picked up after it
        return;
      }
      this.inFlight = this.publish().finally(() => {
        this.inFlight = null;
      });
    }, ms);
    this.timer.unref?.();
  }

  private async publish(): Promise<void> {
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    const now = (this.o.now ?? Date.now)();
    const data = liveWaitOf(this.o.engine, this.o.services, this.o.counters, now);
    const day = this.o.engine.today();
    const out = await postBatch(
      this.o.upstream,
      [{ key: `liveWait:${now}`, kind: 'liveWait', v: CONTRACTS.liveWait.v, at: now, day, data }],
      now,
    );
    if (out.kind === 'ok') {
      this.lastSentAt = now;
      this.lastError = null;
      this.o.onDelivered?.();
      return;
    }
    this.lastError = 'error' in out ? out.error : out.reason;
    this.o.logger.debug({ error: this.lastError }, 'live wait not delivered; will retry');
    this.dirty = true;
    this.schedule(this.o.retryMs ?? 5000);
  }
}
