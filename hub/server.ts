// The hub service: fastify + PostgreSQL. Halls post signed batches to /api/v1/ingest; supervisors
// read the pages after logging in; citizens read the live waits.
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ContractTable } from '../contracts/records.js';
import { withClient } from './db/client.js';
import { migrateHub } from './db/migrations.js';
import { ensurePartitions } from './db/partitions.js';
import { forecastTick } from './forecast-run.js';
import { IngestCounters, ingestRoutes, pruneSeenBatches } from './ingest.js';
import { IngestBusy } from './ingest-writer.js';
import { bookingSyncRoutes } from './booking-sync.js';
import { pruneBookings } from './booking-queries.js';
import { bookingRoutes } from './pages/book.js';
import type { RateLimitSettings } from './rate-limit.js';
import { publicRoutes } from './pages/public.js';
import { supervisionRoutes } from './pages/supervision.js';

// DATE columns as the plain YYYY-MM-DD the halls sent, not as a Date in this machine's zone.
pg.types.setTypeParser(1082, (v) => v);

export interface HubOptions {
  databaseUrl: string;
  host?: string;
  port?: number;
  logger?: Logger | boolean;
  poolSize?: number;
  /** a hall silent for longer is flagged on the pages */
  lateMinutes?: number;
  secureCookie?: boolean;
  /** an ingest request not written within this is answered 503 with Retry-After (default 10 s, below the halls' 20 s timeout) */
  ingestDeadlineMs?: number;
  /** a hall that sent no live-wait post for this long today shows 暂停服务 on /live (default 15) */
  liveSilentMinutes?: number;
  /** 分流: a wait this long (minutes) on /live gets suggestions of nearby halls (default 30) */
  liveDivertMinutes?: number;
  /** record kinds and versions read at ingest (default contracts/records.ts; tests give their own) */
  contracts?: ContractTable;
  /** run the forecast of every hall once a night after 02:00 Asia/Shanghai (hub/forecast-run.ts); off in tests */
  nightlyForecast?: boolean;
  /**
   * the hub's clock (default Date.now): "today" of the supervision figures (整改按期率, overdue cases)
   * and a hall's lateness are read from it, so a simulated month can run the hub on the halls' clock
   */
  now?: () => number;
  /** serve HTTPS itself (PEM key and certificate); the session cookie is then Secure */
  tls?: { key: string; cert: string };
  /**
   * the reverse proxies in front of the hub (addresses/CIDRs, comma-separated, or the number of hops):
   * a request from one of them is the client's whose address X-Forwarded-For gives. Default none: the
   * peer's address, and a client's own X-Forwarded-For is ignored.
   */
  trustProxy?: string | number;
  /** the per-address limit of the public booking actions (default 10 at once, 30 an hour); false: none */
  bookingRate?: RateLimitSettings | false;
}

export interface RunningHub {
  app: FastifyInstance;
  pool: pg.Pool;
  url: string;
  counters: IngestCounters;
  /**
   * the nightly forecast's look at the clock (HubOptions.nightlyForecast): what the 15-minute timer runs;
   * one at a time (a call while one runs waits for it). Null: nothing run (before 02:00, done, or off).
   */
  forecastTick(): Promise<{ day: string; halls: number; slots: number } | null>;
  close(): Promise<void>;
}

export function createPool(url: string, max = 10, log?: (err: Error) => void): pg.Pool {
  // keepAlive: a connection whose peer vanished without a FIN is found out by TCP instead of lingering in the pool.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client whose server went away emits here; without a listener it would crash the hub.
  pool.on('error', (err) => log?.(err));
  return pool;
}

const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
  '53300',
]);

export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const https = opts.tls ? { https: { key: opts.tls.key, cert: opts.tls.cert } } : {};
  const hops = opts.trustProxy;
  // a number of hops: the nearest n addresses of the chain are proxies (Fastify's types take a function for it)
  const trust = typeof hops === 'number' ? { trustProxy: (_addr: string, i: number) => i < hops } : hops ? { trustProxy: hops } : {};
  const common = { bodyLimit: 1024 * 1024, ...https, ...trust };
  const app = (typeof opts.logger === 'object'
    ? Fastify({ loggerInstance: opts.logger, ...common })
    : Fastify({ logger: opts.logger ?? false, ...common })) as unknown as FastifyInstance;
  const pool = createPool(opts.databaseUrl, opts.poolSize ?? 10, (err) =>
    app.log.warn({ err: err.message }, 'idle database connection lost'),
  );
  await withClient(pool, (client) => migrateHub(client));
  await ensurePartitions(pool);

  await app.register(helmet, { contentSecurityPolicy: { directives: { 'script-src': ["'none'"], 'form-action': ["'self'"] } } });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 10_000 }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (err instanceof IngestBusy) {
      request.log.warn('ingest batch not written by its deadline; answered busy');
      return reply
        .status(503)
        .header('retry-after', String(err.retryAfterSeconds))
        .send({ error: { code: 'busy', message: '中心暂时繁忙，请稍后重试（记录未丢失）' } });
    }
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.status(err.statusCode ?? 400).send({ error: { code: err.code ?? 'bad_request', message: err.message } });
    }
    if (err.code && /^22/.test(err.code)) {
      // PostgreSQL refused a value the checks let through: the batch is at fault, so the hall parks it
      // with this reason instead of retrying it forever.
      // the database's own words stay in the log: they can name tables, columns and values
      request.log.warn({ err: err.message, sqlstate: err.code }, 'record refused by the database');
      return reply.status(400).send({ error: { code: 'bad_record', message: `记录被数据库拒绝（SQLSTATE ${err.code}）` } });
    }
    if ((err.code && UNAVAILABLE.has(err.code)) || /Connection terminated|connect|timeout/i.test(err.message)) {
      request.log.warn({ err: err.message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: { code: 'unavailable', message: '数据库暂不可用，请稍后重试' } });
    }
    request.log.error({ err }, 'hub error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: '没有该页面' } }));

  const counters = new IngestCounters();
  // the hub's clock (HubOptions.now): every "today" and "now" of its pages, upkeep and ingest
  const now = opts.now ?? Date.now;
  // Group-commit writers: enough to overlap one group's commit with the next one's parsing, and leave
  // connections for the pages and the transactional path.
  ingestRoutes(app, pool, counters, {
    writers: Math.max(1, Math.min(4, (opts.poolSize ?? 10) - 2)),
    deadlineMs: opts.ingestDeadlineMs,
    contracts: opts.contracts,
    now,
  });
  publicRoutes(app, pool, {
    silentMinutes: opts.liveSilentMinutes ?? 15,
    divertMinutes: opts.liveDivertMinutes,
    now,
  });
  bookingSyncRoutes(app, pool);
  bookingRoutes(app, pool, { now, rate: opts.bookingRate });
  supervisionRoutes(app, pool, {
    lateMinutes: opts.lateMinutes ?? 120,
    secureCookie: opts.secureCookie ?? opts.tls !== undefined,
    now,
  });
  app.get('/healthz', async () => ({ ok: true, ...counters }));

  const timers = [
    setInterval(() => ensurePartitions(pool).catch((err) => app.log.warn({ err: err.message }, 'partition upkeep failed')), 12 * 3600_000),
    setInterval(() => pruneSeenBatches(pool).catch(() => {}), 10 * 60_000),
    setInterval(() => pruneBookings(pool, now()).catch((err) => app.log.warn({ err: err.message }, 'booking upkeep failed')), 10 * 60_000),
  ];
  let forecastRun: Promise<{ day: string; halls: number; slots: number } | null> | null = null;
  const tick = () => {
    if (!opts.nightlyForecast) return Promise.resolve(null);
    forecastRun ??= forecastTick(pool, now())
      .then((r) => {
        if (r) app.log.info(r, 'nightly forecast done');
        return r;
      })
      .catch((err) => {
        app.log.warn({ err: err.message }, 'nightly forecast failed');
        return null;
      })
      .finally(() => {
        forecastRun = null;
      });
    return forecastRun;
  };
  if (opts.nightlyForecast) timers.push(setInterval(tick, 15 * 60_000));
  for (const t of timers) t.unref();

  // a province's halls reconnect at once after an outage: a short accept queue turns into SYN retries (1, 3, 7 s …)
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8090, backlog: 4096 });
  // a hub started after 02:00 (down over night, restarted at 02:05) runs today's at once, not 15 minutes later
  void tick();
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 8090);
  return {
    app,
    pool,
    counters,
    forecastTick: tick,
    url: `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`,
    async close() {
      for (const t of timers) clearInterval(t);
      await app.close();
      // connections the network left silent never confirm their goodbye: do not wait on them forever
      await Promise.race([pool.end(), new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
