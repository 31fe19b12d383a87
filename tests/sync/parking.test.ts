import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, type TestAgent } from '../helpers/agent.js';
import { type HubHarness, registerHalls, startHubHarness } from '../hub/harness.js';
import { type Chaos, startChaosProxy } from './chaos-proxy.js';
import { CONTACT, hallActivity, ID_NUMBER, startSyncAgent, waitFor } from './fixtures.js';

let h: HubHarness;
let agent: TestAgent | null = null;
let chaos: Chaos | null = null;

beforeAll(async () => {
  h = await startHubHarness();
  await registerHalls(h.hub);
});
afterEach(async () => {
  await agent?.stop();
  agent = null;
  await chaos?.close();
  chaos = null;
  await h.hub.pool.query("DELETE FROM records WHERE hall_id = 'HALL-A'");
});
afterAll(async () => h?.stop());

const token = async (a: TestAgent, path: string, body: unknown) => (await api(a.baseUrl, 'POST', path, body)).body.token as string;

/** an outbox row as a broken or older agent might have left it */
function insertRow(a: TestAgent, kind: string, key: string, payload: unknown): void {
  const db = new Database(join(a.dataDir, 'hall.db'));
  try {
    db.prepare('INSERT INTO outbox (kind, idempotency_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)').run(
      kind,
      key,
      JSON.stringify(payload),
      Date.now(),
      Date.now(),
    );
  } finally {
    db.close();
  }
}

describe('parked records', () => {
  it('parks a record the hub refuses, with the reason, and the others keep flowing', async () => {
    chaos = await startChaosProxy(h.hub.url, { reject400If: 'policy-refused-ticket' });
    agent = await startSyncAgent(chaos.url);
    const manager = await token(agent, '/api/v1/auth/manager', { pin: '9999' });
    // One row breaks the contract (level 9), one the hub refuses wholesale (400), one no contract knows.
    const rating = (ticketId: string, level: number) => ({
      rating: {
        ticketId,
        number: 'A999',
        counter: '1',
        service: 'id-card',
        day: agent!.hall.ctx.engine.today(),
        at: Date.now(),
        level,
        reasons: [],
        source: 'pad',
      },
      rectification: null,
    });
    insertRow(agent, 'rating', 'rating:broken', rating('broken-ticket', 9));
    insertRow(agent, 'rating', 'rating:policy', rating('policy-refused-ticket', 4));
    insertRow(agent, 'mystery', 'mystery:1', { x: 1 });
    hallActivity(agent.hall.ctx.engine, 12);

    const s = await waitFor('the rest delivered', async () => {
      const st = (await api(agent!.baseUrl, 'GET', '/api/v1/sync/status', undefined, manager)).body;
      return st.pending === 0 && st;
    });
    expect(s.parked).toBe(3);
    const reasons = Object.fromEntries(s.parkedRows.map((r: { key: string; reason: string }) => [r.key, r.reason]));
    expect(reasons['rating:broken']).toMatch(/level/);
    expect(reasons['rating:policy']).toMatch(/HTTP 400: refused by policy/);
    expect(reasons['mystery:1']).toMatch(/no contract/);
    // Everything else arrived, and the parked rows are still in the hall's outbox (never deleted).
    const db = new Database(join(agent.dataDir, 'hall.db'), { readonly: true });
    const sent = (db.prepare('SELECT idempotency_key AS k FROM outbox WHERE sent_at IS NOT NULL').all() as { k: string }[]).map((r) => r.k);
    const parkedInDb = (db.prepare('SELECT count(*) AS n FROM outbox WHERE parked_reason IS NOT NULL').get() as { n: number }).n;
    db.close();
    expect(parkedInDb).toBe(3);
    expect(sent.length).toBeGreaterThan(30);
    const atHub = (await h.hub.pool.query("SELECT key FROM records WHERE hall_id = 'HALL-A'")).rows.map((r) => r.key);
    expect(new Set(atHub)).toEqual(new Set(sent));

    // Once the hub accepts it, a manager sends the parked row again.
    chaos.set({ reject400If: undefined });
    const policy = s.parkedRows.find((r: { key: string }) => r.key === 'rating:policy');
    expect((await api(agent.baseUrl, 'POST', `/api/v1/sync/parked/${policy.id}/retry`, undefined, manager)).status).toBe(200);
    await waitFor(
      'the retried row',
      async () => (await h.hub.pool.query("SELECT 1 FROM records WHERE key = 'rating:policy'")).rowCount === 1,
    );
    expect((await api(agent.baseUrl, 'GET', '/api/v1/sync/status', undefined, manager)).body.parked).toBe(2);
  });

  it('shows the sync status to the manager only', async () => {
    agent = await startSyncAgent(h.hub.url);
    expect((await api(agent.baseUrl, 'GET', '/api/v1/sync/status')).status).toBe(401);
    const staff = await token(agent, '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '1234' });
    expect((await api(agent.baseUrl, 'GET', '/api/v1/sync/status', undefined, staff)).status).toBe(403);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/sync/parked/1/retry', undefined, staff)).status).toBe(403);
  });

  it('sends no ID data and no names, masks phones, and carries 办件编号, owner and transfers', async () => {
    agent = await startSyncAgent(h.hub.url);
    const manager = await token(agent, '/api/v1/auth/manager', { pin: '9999' });
    hallActivity(agent.hall.ctx.engine, 10);
    await waitFor('delivery', async () => (await api(agent!.baseUrl, 'GET', '/api/v1/sync/status', undefined, manager)).body.pending === 0);
    const rows = (await h.hub.pool.query("SELECT kind, data FROM records WHERE hall_id = 'HALL-A'")).rows as { kind: string; data: any }[];
    const all = JSON.stringify(rows);
    for (const secret of [ID_NUMBER, ID_NUMBER.slice(6, 14), '张先生', '王芳', '李明', '张三', '13812345678'])
      expect(all).not.toContain(secret);
    const report = rows.find((r) => r.kind === 'unresolvedReport')!.data;
    expect(report.contactMasked).toBe('138****5678');
    expect(report.description).toContain('138****5678');
    const services = rows.filter((r) => r.kind === 'serviceRecord').map((r) => r.data);
    expect(services).toHaveLength(10);
    expect(services.map((s) => s.caseNumber).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `BJ-${i}`).sort());
    const moved = services.find((s) => s.caseNumber === 'BJ-4')!;
    expect(moved.counter).toBe('2');
    expect(moved.owner).toBe('1'); // 首接负责制: the first counter stays the owner
    expect(moved.transfers).toEqual([expect.objectContaining({ fromCounter: '1', fromService: 'id-card', toService: 'id-card' })]);
    const bad = rows.filter((r) => r.kind === 'rating' && r.data.level === 1).map((r) => r.data);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0].reasons).toEqual(['attitude']);
    expect(bad[0].rectification.dueDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rows.some((r) => r.kind === 'rating' && r.data.caseNumber === 'BJ-0')).toBe(true);
    expect(rows.some((r) => r.kind === 'caseChange' && r.data.action === 'closed')).toBe(true);
    expect(rows.filter((r) => r.kind === 'acceptedWithMissing')).toHaveLength(4);
    // The hub's case table follows the hall's: the closed 整改 is closed there too.
    const cases = (await h.hub.pool.query("SELECT state FROM cases WHERE hall_id = 'HALL-A' AND kind = 'rectification'")).rows;
    expect(cases.filter((c) => c.state === 'closed')).toHaveLength(1);
    expect(CONTACT).toContain('张先生');
  });

  it('puts a change of the waiting line on the public live-wait JSON within 10 seconds', async () => {
    agent = await startSyncAgent(h.hub.url);
    const engine = agent.hall.ctx.engine;
    await waitFor('first live wait', async () => (await (await fetch(`${h.hub.url}/api/v1/live-wait`)).json()).halls.length > 0);
    const waiting = async () =>
      (await (await fetch(`${h.hub.url}/api/v1/live-wait?service=temp-id-card`)).json()).halls.find((x: any) => x.hallId === 'HALL-A')
        ?.waiting;
    const before = (await waiting()) ?? 0;
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) engine.issue({ service: 'temp-id-card' });
    await waitFor('the new waiting count', async () => (await waiting()) === before + 3, 15_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
