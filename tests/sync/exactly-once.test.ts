import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../hub/db/local-server.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { api, type TestAgent } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { registerHalls } from '../hub/harness.js';
import { type Chaos, startChaosProxy } from './chaos-proxy.js';
import { hallActivity, startSyncAgent, waitFor } from './fixtures.js';

let pg: TestPostgres;
let hub: RunningHub | null = null;
let agent: TestAgent | null = null;
let chaos: Chaos | null = null;

beforeAll(async () => {
  pg = await startTestPostgres();
  hub = await startHub({ databaseUrl: pg.url, port: 0 });
  await registerHalls(hub);
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await chaos?.close();
  chaos = null;
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
});

async function managerToken(a: TestAgent): Promise<string> {
  return (await api(a.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
}

async function syncStatus(a: TestAgent, token: string) {
  return (await api(a.baseUrl, 'GET', '/api/v1/sync/status', undefined, token)).body;
}

/** every outbox row of the hall is at the hub exactly once, and marked sent in the hall */
async function expectExactlyOnce(a: TestAgent, h: RunningHub) {
  const db = new Database(join(a.dataDir, 'hall.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT idempotency_key AS k, sent_at FROM outbox ORDER BY id').all() as {
      k: string;
      sent_at: number | null;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.sent_at === null)).toEqual([]);
    const keys = rows.map((r) => r.k);
    const stored = (await h.pool.query(`SELECT key FROM records WHERE hall_id = 'HALL-A' AND key = ANY($1)`, [keys])).rows.map(
      (r) => r.key,
    );
    expect(stored.length).toBe(keys.length); // none twice
    expect(new Set(stored)).toEqual(new Set(keys)); // none missing
    return keys.length;
  } finally {
    db.close();
  }
}

async function clearHub(h: RunningHub) {
  await h.pool.query("DELETE FROM records WHERE hall_id = 'HALL-A'");
  await h.pool.query("DELETE FROM cases WHERE hall_id = 'HALL-A'");
}

describe('upward sync, exactly once', () => {
  it('keeps every record while the hub is down for a while and delivers each once when it is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await hub!.close();
    hub = null;
    agent = await startSyncAgent(url);
    const token = await managerToken(agent);
    hallActivity(agent.hall.ctx.engine, 25);
    const down = await waitFor('retries against the missing hub', async () => {
      const s = await syncStatus(agent!, token);
      return s.consecutiveFailures >= 3 && s;
    });
    expect(down.pending).toBeGreaterThan(25);
    expect(down.lastError).toMatch(/network/);
    expect(down.lagMs).toBeGreaterThan(0);
    expect(down.lastSuccessAt).toBeNull();

    hub = await startHub({ databaseUrl: pg.url, port });
    const up = await waitFor('catch-up', async () => {
      const s = await syncStatus(agent!, token);
      return s.pending === 0 && s;
    });
    expect(up.lastSuccessAt).toBeGreaterThan(0);
    expect(up.lagMs).toBe(0);
    expect(await expectExactlyOnce(agent, hub)).toBe(down.pending);
  });

  it('delivers exactly once through random 500s and connections dropped mid-answer', async () => {
    await clearHub(hub!);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    chaos = await startChaosProxy(hub!.url, { p500: 0.3, pDrop: 0.3, random });
    agent = await startSyncAgent(chaos.url);
    const token = await managerToken(agent);
    hallActivity(agent.hall.ctx.engine, 40);
    await waitFor('delivery through chaos', async () => (await syncStatus(agent!, token)).pending === 0, 120_000);
    // The chaos did happen: batches the hub stored but the hall never heard about were resent.
    expect(chaos.stats.failed500).toBeGreaterThan(0);
    expect(chaos.stats.dropped).toBeGreaterThan(0);
    await expectExactlyOnce(agent, hub!);
  });

  it('loses nothing when PostgreSQL is restarted in the middle of an ingest', async () => {
    await clearHub(hub!);
    // A slow line keeps the catch-up going long enough to pull the database out from under it.
    chaos = await startChaosProxy(hub!.url, { delayMs: 150 });
    agent = await startSyncAgent(chaos.url);
    const token = await managerToken(agent);
    hallActivity(agent.hall.ctx.engine, 60);
    await waitFor(
      'the first batches',
      async () => Number((await hub!.pool.query("SELECT count(*) AS n FROM records WHERE hall_id = 'HALL-A'")).rows[0].n) > 0,
    );
    await pg.stop('immediate'); // a crash: no shutdown checkpoint, recovery from the WAL
    const during = await syncStatus(agent, token);
    await new Promise((r) => setTimeout(r, 1500));
    await pg.start();
    await waitFor('catch-up after the restart', async () => (await syncStatus(agent!, token)).pending === 0, 120_000);
    expect(during.pending).toBeGreaterThan(0);
    await expectExactlyOnce(agent, hub!);
  });
});
