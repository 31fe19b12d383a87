// A real hub on a real PostgreSQL server (tests/helpers/postgres.ts), plus record builders.
import type { SyncRecord } from '../../contracts/records.js';
import { addHall, addSupervisor } from '../../hub/registry.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

export interface HubHarness {
  pg: TestPostgres;
  hub: RunningHub;
  stop(): Promise<void>;
}

export async function startHubHarness(opts: { port?: number; now?: () => number } = {}): Promise<HubHarness> {
  const pg = await startTestPostgres();
  try {
    const hub = await startHub({ databaseUrl: pg.url, port: opts.port ?? 0, poolSize: 10, ...(opts.now ? { now: opts.now } : {}) });
    return {
      pg,
      hub,
      async stop() {
        await hub.close().catch(() => {});
        await pg.destroy();
      },
    };
  } catch (err) {
    await pg.destroy();
    throw err;
  }
}

export const SECRET_A = 'hall-a-secret-0123456789';
export const SECRET_B = 'hall-b-secret-9876543210';

export async function registerHalls(h: RunningHub): Promise<void> {
  await addHall(h.pool, { id: 'HALL-A', name: '甲大厅', city: '合肥市', secret: SECRET_A });
  await addHall(h.pool, { id: 'HALL-B', name: '乙大厅', city: '芜湖市', secret: SECRET_B });
  await addSupervisor(h.pool, { username: 'province', password: 'province-pass', city: null });
  await addSupervisor(h.pool, { username: 'hefei', password: 'hefei-pass', city: '合肥市' });
}

export function serviceRecord(key: string, day: string, at: number, over: Partial<Record<string, unknown>> = {}): SyncRecord {
  return {
    key,
    kind: 'serviceRecord',
    v: 1,
    at,
    day,
    data: {
      ticketId: `${day}:${key}`,
      number: 'A001',
      day,
      service: 'id-card',
      channel: 'normal',
      counter: '1',
      owner: '1',
      staffId: 'A1001',
      issuedAt: at - 600_000,
      calledAt: at - 300_000,
      startedAt: at - 300_000,
      finishedAt: at,
      waitMs: 300_000,
      handlingMs: 300_000,
      caseNumber: null,
      transfers: [],
      acceptedWithMissing: [],
      ...over,
    } as never,
  };
}

/** logs in and returns the session cookie */
export async function loginCookie(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, next: '/' }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error(`login failed: ${res.status}`);
  return cookie.split(';')[0]!;
}

export async function count(h: RunningHub, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await h.pool.query(sql, params)).rows[0].n);
}
