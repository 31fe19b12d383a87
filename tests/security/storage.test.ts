import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../agent/store/migrations.js';
import { api, managerToken, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { demoYaml } from './helpers.js';

// Findings: a full disk or a read-only database gave a generic 500 while /healthz said ok; the database kept
// the 4+4 masked 身份证 number.

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent({
    configText: demoYaml((t) => t.replace('printDeadlineSeconds: 20 }', 'printDeadlineSeconds: 20, ticketsPerMinute: 600 }')),
  });
});
afterAll(async () => {
  await agent?.stop();
});

describe('storage faults', () => {
  it('disk full: /healthz reports it, issuing answers 503 storage_unavailable, the board gets an alert, and it resumes', async () => {
    const db = agent.hall.ctx.auth.store.db;
    const manager = await managerToken(agent.baseUrl);
    const board = io(`${agent.baseUrl}/board`, { auth: { token: manager }, transports: ['websocket'] });
    try {
      await new Promise((r) => board.once('snapshot', r));
      const alert = new Promise<any>((r) => board.once('alert', r));
      expect((await api(agent.baseUrl, 'GET', '/healthz')).body).toMatchObject({ ok: true, db: 'writable' });
      // SQLite's own "database or disk is full": no page may be added beyond the ones in use
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      let full: { status: number; body: any } | undefined;
      for (let i = 0; i < 200 && full?.status !== 503; i++)
        full = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' });
      expect(full?.status).toBe(503);
      expect(full?.body.error.code).toBe('storage_unavailable');
      expect(full?.body.error.message).toMatch(/存储|无法/);
      const health = await api(agent.baseUrl, 'GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, db: 'unwritable', code: 'SQLITE_FULL' });
      expect(await alert).toMatchObject({ kind: 'storage' });

      db.pragma('max_page_count = 1073741823');
      expect((await api(agent.baseUrl, 'GET', '/healthz')).status).toBe(200);
      expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).status).toBe(201);
    } finally {
      board.close();
    }
  });

  it('read-only database: 503 with the same code, never a 500', async () => {
    const db = agent.hall.ctx.auth.store.db;
    db.pragma('query_only = 1');
    try {
      const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('storage_unavailable');
      expect((await api(agent.baseUrl, 'GET', '/healthz')).status).toBe(503);
    } finally {
      db.pragma('query_only = 0');
    }
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).status).toBe(201);
  });
});

describe('migration 3', () => {
  it('cuts the stored 4+4 mask of older rows to the last four characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-mig-'));
    try {
      const db = new BetterSqlite3(join(dir, 'hall.db'));
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version < 3),
      );
      const data = JSON.stringify({ id: 't1', idMasked: '3401**********1234' });
      db.prepare(
        `INSERT INTO tickets (id, day, service, number, state, id_hash, first_entry, data) VALUES ('t1', '2026-11-28', 'a', 'A001', 'done', 'h', 1, ?)`,
      ).run(data);
      db.prepare(`INSERT INTO events (at, type, ticket_id, data) VALUES (1, 'ticket.issued', 't1', ?)`).run(
        JSON.stringify({ idMasked: '3401**********1234' }),
      );
      expect(migrate(db)).toContain(3);
      const rows = JSON.stringify([db.prepare('SELECT data FROM tickets').all(), db.prepare('SELECT data FROM events').all()]);
      expect(rows).not.toContain('3401');
      expect(rows).toContain('**************1234');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
