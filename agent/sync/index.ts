// Upward sync wiring: the outbox sender, the daily summaries, the live-wait publisher and the
// manager's sync-status routes. Started with one line in agent/hall.ts; stops with the app.
import type { Database } from 'better-sqlite3';
import Type from 'typebox';
import { ApiError } from '../api/errors.js';
import type { TypedApp } from '../api/server.js';
import type { HallContext } from '../context.js';
import { HubQuotas } from '../forecast/hub-quota.js';
import { BookingSyncer, type BookingSyncStatus } from './booking-sync.js';
import { writeDailySummaries } from './daily.js';
import { LiveWaitPublisher } from './live-wait.js';
import { OutboxTable } from './outbox.js';
import { OutboxSender, type SenderStatus } from './sender.js';

export interface SyncStatus extends Partial<SenderStatus> {
  enabled: boolean;
  upstream: string | null;
  hallId: string | null;
  liveWait: { lastSentAt: number | null; lastError: string | null } | null;
  parkedRows: { id: number; kind: string; key: string; createdAt: number; reason: string }[];
  /** online booking through the hub: null when the hall takes none */
  bookings: BookingSyncStatus | null;
}

export interface SyncHandle {
  status(): SyncStatus;
  sender: OutboxSender | null;
  bookings: BookingSyncer | null;
  stop(): Promise<void>;
}

/**
 * How long after the hall listens its upward sync starts. The first round computes the live wait and the
 * booking quotas (and used to load Node's fetch, ≈ 0.2 s of CPU, before posts went through node:http:
 * http-post.ts): time a restart spent before it could answer /healthz and the screens reconnecting. The hub hears from the hall a
 * moment later instead; nothing is lost (the outbox is durable, the live wait is re-read when sent).
 */
export const SYNC_START_DELAY_MS = 2000;

export function startSync(
  app: TypedApp,
  db: Database,
  ctx: HallContext,
  opts: { dailyCheckMs?: number; startDelayMs?: number } = {},
): SyncHandle {
  const { config, logger } = ctx;
  const outbox = new OutboxTable(db);
  const up = config.upstream;
  const log = logger.child({ module: 'sync' });
  let sender: OutboxSender | null = null;
  let live: LiveWaitPublisher | null = null;
  let bookingSync: BookingSyncer | null = null;
  const timers: NodeJS.Timeout[] = [];
  const unsubscribe: (() => void)[] = [];
  let stopped = false;

  if (up) {
    const upstream = { url: up.url, hallId: up.hallId, secret: up.secret, timeoutMs: up.timeoutSeconds * 1000, ca: up.ca };
    sender = new OutboxSender({
      outbox,
      upstream,
      timezone: config.hall.timezone,
      batchSize: up.batchSize,
      logger: log,
      baseBackoffMs: Math.min(1000, up.backoffMaxSeconds * 1000),
      maxBackoffMs: up.backoffMaxSeconds * 1000,
    });
    live = new LiveWaitPublisher({
      bus: ctx.bus,
      engine: ctx.engine,
      services: config.services,
      counters: config.counters,
      upstream,
      logger: log,
      onDelivered: () => sender?.hubAnswered(),
    });
    if (ctx.bookings) {
      const quotas = new HubQuotas(
        db,
        ctx.bookings,
        new Map(config.services.map((s) => [s.id, s.name.zh])),
        ctx.bookings.now,
        ctx.bookings.today,
      );
      bookingSync = new BookingSyncer({
        quotas,
        upstream,
        pollMs: up.bookingsPollSeconds * 1000,
        maxBackoffMs: Math.max(up.bookingsPollSeconds, up.backoffMaxSeconds) * 1000,
        logger: log,
      });
    }
    const daily = () => {
      try {
        const days = writeDailySummaries(
          db,
          outbox,
          (day) => ctx.engine.periodReport('daily', day).sums,
          ctx.engine.today(),
          ctx.engine.now(),
        );
        if (days.length > 0) sender?.kick();
      } catch (err) {
        log.error({ err }, 'daily summary failed');
      }
    };
    // Workers start once the hall is listening: a hall that fails to start must not sync from a closed store.
    const startWorkers = () => {
      if (stopped) return;
      daily();
      const t = setInterval(daily, opts.dailyCheckMs ?? 10 * 60_000);
      t.unref();
      timers.push(t);
      // Facts that write outbox rows also emit a queue event: wake the sender instead of waiting for its poll.
      unsubscribe.push(ctx.bus.on('queue', () => sender?.kick()));
      sender?.start();
      live?.start();
      bookingSync?.start();
      log.info({ upstream: up.url, hallId: up.hallId }, 'upward sync started');
    };
    app.server.once('listening', () => {
      const delay = opts.startDelayMs ?? SYNC_START_DELAY_MS;
      if (delay <= 0) return startWorkers();
      const t = setTimeout(startWorkers, delay);
      t.unref();
      timers.push(t);
    });
  }

  const status = (): SyncStatus => {
    const base = sender?.status() ?? { ...outbox.counts(), parked: outbox.counts().parked };
    return {
      ...base,
      enabled: Boolean(up),
      upstream: up?.url ?? null,
      hallId: up?.hallId ?? null,
      liveWait: live ? { lastSentAt: live.lastSentAt, lastError: live.lastError } : null,
      parkedRows: outbox.parked(20),
      bookings: bookingSync?.status() ?? null,
    };
  };

  app.get(
    '/api/v1/sync/status',
    {
      config: { access: ['manager'] },
      schema: { tags: ['manager'], summary: 'Upward sync: lag, oldest unsent, last success, parked rows (manager)' },
    },
    async () => status(),
  );
  app.post(
    '/api/v1/sync/parked/:id/retry',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['manager'],
        summary: 'Send a parked outbox row again (manager)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      },
    },
    async (request) => {
      if (!outbox.unpark(request.params.id))
        throw new ApiError(404, 'not_parked', '没有该待处理记录', `Outbox row ${request.params.id} is not parked`);
      sender?.kick();
      return { ok: true };
    },
  );

  const handle: SyncHandle = {
    status,
    sender,
    bookings: bookingSync,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t); // clears the start timeout too
      for (const u of unsubscribe) u();
      await Promise.all([sender?.stop(), live?.stop(), bookingSync?.stop()]);
    },
  };
  app.addHook('onClose', async () => handle.stop());
  return handle;
}
