// The outbox sender: batches in outbox order, signed, retried with exponential backoff and jitter
// while the hub is unreachable or failing; a record the hub refuses is parked with the reason and
// the rest keep flowing. Rows are marked sent only on the hub's per-record acknowledgement.
import type { Logger } from 'pino';
import type { SyncRecord } from '../../contracts/records.js';
import { type OutboxRow, toRecord, UnmappableRecord } from './map.js';
import type { OutboxTable } from './outbox.js';
import { type PostOutcome, postBatch, type Upstream } from './post.js';

export interface SenderOptions {
  outbox: OutboxTable;
  upstream: Upstream;
  timezone: string;
  batchSize: number;
  logger: Logger;
  now?: () => number;
  /** first retry delay; doubles per consecutive failure up to maxBackoffMs */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * the longest wait after a failure the hub itself answered (503 busy, 500): it is up, so the backlog
   * must not sit out a backoff grown while it was away. Retry-After is honoured up to this.
   */
  answeredMaxBackoffMs?: number;
  /** how soon (at random, up to this) to try again once the hub is heard from after an outage */
  backAgainJitterMs?: number;
  /** how often to look for new rows when nobody kicks the sender */
  idlePollMs?: number;
  random?: () => number;
}

export interface SenderStatus {
  pending: number;
  parked: number;
  oldestUnsentAt: number | null;
  /** now − oldest unsent row's time; 0 when everything is sent */
  lagMs: number;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  consecutiveFailures: number;
  sentTotal: number;
}

export class OutboxSender {
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private lastError: string | null = null;
  private lastAttemptAt: number | null = null;
  private nextAttemptAt: number | null = null;
  private sentTotal = 0;

  constructor(private readonly o: SenderOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  /** new rows were written: send now instead of at the next poll (ignored while backing off) */
  kick(): void {
    if (this.nextAttemptAt !== null && this.running) return;
    this.wake?.();
  }

  /**
   * Another request to the same hub was answered (the live wait): the hub is back. A backoff grown
   * through its outage is cut to a short random delay, so the backlog drains within seconds of its
   * return instead of after the next doubling; the jitter spreads a fleet's halls.
   */
  hubAnswered(): void {
    if (!this.running || this.nextAttemptAt === null || !this.timer) return;
    const delay = Math.round((this.o.random ?? Math.random)() * (this.o.backAgainJitterMs ?? 2000));
    if (this.now() + delay >= this.nextAttemptAt) return;
    clearTimeout(this.timer);
    this.nextAttemptAt = this.now() + delay;
    const wake = this.wake;
    this.timer = setTimeout(() => wake?.(), delay);
  }

  status(): SenderStatus {
    const c = this.o.outbox.counts();
    const last = this.o.outbox.state('lastSuccessAt');
    return {
      pending: c.pending,
      parked: c.parked,
      oldestUnsentAt: c.oldest,
      lagMs: c.oldest === null ? 0 : Math.max(0, this.now() - c.oldest),
      lastSuccessAt: last ? Number(last) : null,
      lastAttemptAt: this.lastAttemptAt,
      lastError: this.lastError,
      nextAttemptAt: this.nextAttemptAt,
      consecutiveFailures: this.failures,
      sentTotal: this.sentTotal,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.wake = done;
      this.timer = setTimeout(done, ms);
    });
  }

  private backoffMs(answered: { retryAfterMs?: number } | null): number {
    const base = this.o.baseBackoffMs ?? 1000;
    const unreachableMax = this.o.maxBackoffMs ?? 5 * 60_000;
    // The hub answered: it is there. Wait what it asked (Retry-After), never longer than the cap.
    const answeredMax = Math.min(unreachableMax, this.o.answeredMaxBackoffMs ?? 10_000);
    const max = answered ? Math.min(answeredMax, Math.max(base, answered.retryAfterMs ?? answeredMax)) : unreachableMax;
    const exp = Math.min(max, base * 2 ** Math.min(30, this.failures - 1));
    // "Equal jitter": never less than half the step, so a fleet of halls that lost the hub at the
    // same moment does not come back at the same moment.
    return Math.round(exp / 2 + (this.o.random ?? Math.random)() * (exp / 2));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.sendOnce();
      } catch (err) {
        // A bug or a database error must not stop the sender for good.
        this.o.logger.error({ err }, 'outbox sender failed; retrying');
        this.failures++;
      }
      if (!this.running) break;
      if (this.nextAttemptAt !== null) await this.sleep(Math.max(0, this.nextAttemptAt - this.now()));
      else if (!more) await this.sleep(this.o.idlePollMs ?? 5000);
    }
  }

  /** Sends one batch; true when more rows may be waiting. Exposed for tests and the bench. */
  async sendOnce(): Promise<boolean> {
    const rows = this.o.outbox.pending(this.o.batchSize);
    if (rows.length === 0) {
      this.nextAttemptAt = null;
      return false;
    }
    const ready: { row: OutboxRow; rec: SyncRecord }[] = [];
    for (const row of rows) {
      try {
        ready.push({ row, rec: toRecord(row, this.o.timezone) });
      } catch (err) {
        if (!(err instanceof UnmappableRecord)) throw err;
        this.o.outbox.park(row.id, `not sendable: ${err.message}`);
        this.o.logger.warn({ id: row.id, kind: row.kind, reason: err.message }, 'outbox row parked');
      }
    }
    if (ready.length > 0) {
      const ok = await this.deliver(ready);
      if (!ok) return false;
    }
    this.failures = 0;
    this.nextAttemptAt = null;
    this.lastError = null;
    return rows.length === this.o.batchSize;
  }

  /** false when the hub could not be reached (backoff scheduled) */
  private async deliver(items: { row: OutboxRow; rec: SyncRecord }[]): Promise<boolean> {
    this.lastAttemptAt = this.now();
    const out: PostOutcome = await postBatch(
      this.o.upstream,
      items.map((i) => i.rec),
      this.now(),
    );
    if (out.kind === 'ok') {
      const byKey = new Map(out.ack.results.map((r) => [r.key, r]));
      const sent: number[] = [];
      for (const { row } of items) {
        const r = byKey.get(row.idempotency_key);
        if (!r) continue; // not acknowledged: stays unsent, goes again with the next batch
        if (r.status === 'rejected') {
          this.o.outbox.park(row.id, r.reason ?? 'refused by the hub');
          this.o.logger.warn({ id: row.id, kind: row.kind, reason: r.reason }, 'outbox row refused by the hub; parked');
        } else sent.push(row.id);
      }
      const at = this.now();
      this.o.outbox.markSent(sent, at);
      this.sentTotal += sent.length;
      if (sent.length > 0) this.o.outbox.setState('lastSuccessAt', String(at));
      return true;
    }
    if (out.kind === 'reject') {
      // The hub refused the batch as a whole: find the refused record by halving, park only it.
      if (items.length === 1) {
        const { row } = items[0]!;
        this.o.outbox.park(row.id, out.reason);
        this.o.logger.warn({ id: row.id, kind: row.kind, reason: out.reason }, 'outbox row refused by the hub; parked');
        return true;
      }
      const mid = Math.ceil(items.length / 2);
      return (await this.deliver(items.slice(0, mid))) && (await this.deliver(items.slice(mid)));
    }
    this.failures++;
    this.lastError = out.kind === 'auth' ? `${out.error} (check upstream.secret and the hall's registration at the hub)` : out.error;
    const wait = this.backoffMs(out.kind === 'retry' && out.answered ? out : null);
    this.nextAttemptAt = this.now() + wait;
    this.o.outbox.markFailed(
      items.map((i) => i.row.id),
      this.nextAttemptAt,
    );
    // One warning when the line goes down (and one every 20 tries), not one per retry for days.
    const level = this.failures === 1 || this.failures % 20 === 0 ? 'warn' : 'debug';
    this.o.logger[level]({ error: this.lastError, retryInMs: wait, failures: this.failures }, 'upstream sync failed; will retry');
    return false;
  }
}
