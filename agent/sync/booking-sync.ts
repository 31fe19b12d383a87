// The downward channel, the hall's side (docs/booking-sync.md): every `bookingsPollSeconds` the hall
// recomputes the online quota of its slots, then POSTs the grants the hub has not answered and its
// cursor to <hub>/api/v1/booking-sync, signed like an ingest batch. It applies the answer only when the
// hub's signature over it holds and it names this request's batch id; the acks, the events and the new
// cursor go into SQLite in one transaction (agent/forecast/hub-quota.ts), so a hall that was offline,
// restarted or crashed mid-way catches up from its cursor and applies every booking exactly once.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { BOOKING_SYNC_PATH, type BookingSyncAnswer, type BookingSyncRequest } from '../../contracts/booking-sync.js';
import { HEADER_SIGNATURE, HEADER_TIME, REPLAY_WINDOW_MS, signedHeaders, verify } from '../../contracts/sign.js';
import type { HubQuotas } from '../forecast/hub-quota.js';
import type { Upstream } from './post.js';
import { type HubAnswer, postToHub } from './http-post.js';

export interface BookingSyncStatus {
  lastSuccessAt: number | null;
  lastError: string | null;
  cursor: number;
  pendingGrants: number;
  /** hub codes that named another appointment of this hall (not applied) */
  conflicts: string[];
}

export class BookingSyncer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  private regrantedAt = Number.NEGATIVE_INFINITY;
  lastSuccessAt: number | null = null;
  lastError: string | null = null;
  conflicts: string[] = [];

  constructor(
    private readonly o: {
      quotas: HubQuotas;
      upstream: Upstream;
      pollMs: number;
      maxBackoffMs: number;
      logger: Logger;
    },
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** run a round now, with the quotas recomputed (after a local change, or in tests) */
  kick(): void {
    this.regrantedAt = Number.NEGATIVE_INFINITY;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
  }

  status(): BookingSyncStatus {
    return {
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      cursor: this.o.quotas.cursor(),
      pendingGrants: this.o.quotas.pending().length,
      conflicts: this.conflicts.slice(-20),
    };
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) return this.schedule(100);
      this.running = this.round()
        .then(
          () => {
            if (this.failures > 0) this.o.logger.info({ failures: this.failures }, 'booking sync works again');
            this.failures = 0;
            this.lastSuccessAt = Date.now();
            this.lastError = null;
          },
          (err: Error) => {
            this.failures++;
            this.lastError = err.message;
            // one warning when the line goes down (and one every 20 tries), as the upward sender does
            const level = this.failures === 1 || this.failures % 20 === 0 ? 'warn' : 'debug';
            this.o.logger[level]({ error: err.message, failures: this.failures }, 'booking sync failed; will retry');
          },
        )
        .finally(() => {
          this.running = null;
          const wait = this.failures === 0 ? this.o.pollMs : Math.min(this.o.maxBackoffMs, this.o.pollMs * 2 ** (this.failures - 1));
          this.schedule(wait);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** one exchange, repeated while the hub has more events or grants wait */
  async round(): Promise<void> {
    // Recomputing reads every slot of 15 days (a few thousand small queries): every 4th exchange, so a
    // capacity change reaches the hub within a minute at the default 15 s while bookings come each round.
    if (Date.now() - this.regrantedAt >= 4 * this.o.pollMs - 50) {
      this.regrantedAt = Date.now();
      await this.o.quotas.regrant();
    }
    for (let i = 0; i < 50 && !this.stopped; i++) {
      const quotas = this.o.quotas.pending();
      const answer = await this.exchange({ batchId: randomUUID(), after: this.o.quotas.cursor(), quotas });
      const out = this.o.quotas.apply(answer.acks, answer.events);
      if (out.conflicts.length) {
        this.conflicts.push(...out.conflicts);
        this.o.logger.error({ codes: out.conflicts }, 'hub booking codes already used by other appointments of this hall');
      }
      const stuck = answer.events.length > 0 && out.cursor < answer.events[answer.events.length - 1]!.seq;
      if (stuck) throw new Error(`hub events not in sequence after ${out.cursor}`);
      if (!answer.more && this.o.quotas.pending().length === 0) return;
      // grants the hub answered with another seq (a newer grant raced this one) are sent again next round
      if (!answer.more && answer.acks.length === quotas.length) return;
    }
  }

  private async exchange(req: BookingSyncRequest): Promise<BookingSyncAnswer> {
    const up = this.o.upstream;
    const body = JSON.stringify(req);
    const headers = signedHeaders(up.secret, up.hallId, body);
    const url = `${up.url.replace(/\/+$/, '')}${BOOKING_SYNC_PATH}`;
    let res: HubAnswer;
    try {
      res = await postToHub(url, { headers, body, timeoutMs: up.timeoutMs, ca: up.ca });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      throw new Error(`network: ${e.cause?.code ?? e.cause?.message ?? e.name}`);
    }
    const text = res.text;
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    const ts = Number(res.header(HEADER_TIME) ?? Number.NaN);
    const sig = res.header(HEADER_SIGNATURE) ?? '';
    if (!Number.isFinite(ts) || !verify(up.secret, up.hallId, ts, text, sig) || Math.abs(Date.now() - ts) > REPLAY_WINDOW_MS)
      throw new Error('the answer is not signed by the hub with this hall secret');
    const answer = JSON.parse(text) as BookingSyncAnswer;
    if (answer.batchId !== req.batchId || !Array.isArray(answer.acks) || !Array.isArray(answer.events))
      throw new Error('the answer does not belong to this request');
    return answer;
  }
}
