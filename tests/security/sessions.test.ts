import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../agent/config/load.js';
import { type RunningHall, startHall } from '../../agent/hall.js';
import { api, DEMO_CONFIG } from '../helpers/agent.js';

// Findings: a second staff member could sign in at an occupied counter, one person could hold two counters,
// signing out left the token valid for 12 h (no logout route), and sessions lived only in memory.

const dataDir = mkdtempSync(join(tmpdir(), 'hallq-sessions-'));
let hall: RunningHall | undefined;
afterAll(async () => {
  await hall?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async () =>
  startHall(loadConfigFile(DEMO_CONFIG), { host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'silent' }) });
const signIn = (url: string, counter: string, staffId: string, takeover?: boolean) =>
  api(url, 'POST', '/api/v1/auth/staff', { counter, staffId, pin: '1234', ...(takeover ? { takeover } : {}) });

describe('staff sessions', () => {
  it('one session per counter, one counter per person; takeover ends the first; logout ends the token', async () => {
    hall = await start();
    const url = hall.url;
    const first = await signIn(url, '1', 'A1001');
    expect(first.status).toBe(200);
    const other = await signIn(url, '1', 'A1002');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('counter_taken');
    const elsewhere = await signIn(url, '2', 'A1001');
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error.code).toBe('already_signed_in');
    // work is booked to the signed-in person only
    expect((await api(url, 'POST', '/api/v1/counters/1/open', {}, first.body.token)).status).toBe(200);

    const taken = await signIn(url, '1', 'A1002', true);
    expect(taken.status).toBe(200);
    expect((await api(url, 'POST', '/api/v1/counters/1/call-next', {}, first.body.token)).status).toBe(401);

    expect((await api(url, 'POST', '/api/v1/auth/logout', {}, taken.body.token)).status).toBe(204);
    expect((await api(url, 'POST', '/api/v1/counters/1/call-next', {}, taken.body.token)).status).toBe(401);
    // the counter is free again
    expect((await signIn(url, '1', 'A1003')).status).toBe(200);
  });

  it('sessions and pairings survive an agent restart (stored hashed in hall.db)', async () => {
    const url = hall!.url;
    const staff = await signIn(url, '5', 'A1005');
    const manager = (await api(url, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const code = (await api(url, 'POST', '/api/v1/terminals/kiosk-1/pair-code', {}, manager)).body.code;
    const kiosk = (await api(url, 'POST', '/api/v1/terminals/pair', { code })).body.token;
    await hall!.close();
    hall = await start();
    const again = hall.url;
    expect((await api(again, 'POST', '/api/v1/counters/5/open', {}, staff.body.token)).status).toBe(200);
    expect((await api(again, 'GET', '/api/v1/stats', undefined, manager)).status).toBe(200);
    const res = await fetch(`${again}/api/v1/terminals/me`, { headers: { 'x-hallq-terminal': kiosk } });
    expect(res.status).toBe(200);
    // nothing secret in the tables: only hashes
    const db = hall.ctx.auth.store.db;
    const tables = JSON.stringify([
      db.prepare('SELECT * FROM sessions').all(),
      db.prepare('SELECT * FROM terminal_tokens').all(),
      db.prepare('SELECT * FROM pair_codes').all(),
      db.prepare('SELECT * FROM accounts').all(),
    ]);
    for (const secret of [staff.body.token, manager, kiosk, code]) expect(tables).not.toContain(secret);
    expect(tables).toMatch(/scrypt\$/);
  });
});

describe('staff administration', () => {
  it('adds, disables, resets a PIN and assigns counters, each in the audit log', async () => {
    const url = hall!.url;
    const manager = (await api(url, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    expect((await api(url, 'POST', '/api/v1/staff', { id: 'A2001', name: '周平', pin: '4321', counters: ['6'] }, manager)).status).toBe(
      201,
    );
    expect((await signIn(url, '7', 'A2001')).status).toBe(401); // PIN 1234 is not theirs
    const own = await api(url, 'POST', '/api/v1/auth/staff', { counter: '6', staffId: 'A2001', pin: '4321' });
    expect(own.status).toBe(200);
    expect((await api(url, 'POST', '/api/v1/auth/staff', { counter: '7', staffId: 'A2001', pin: '4321', takeover: true })).status).toBe(
      403,
    );
    expect((await api(url, 'POST', '/api/v1/staff/A2001/pin', { newPin: '5678' }, manager)).status).toBe(204);
    expect((await api(url, 'POST', '/api/v1/counters/6/open', {}, own.body.token)).status).toBe(401); // reset ends sessions
    const disabled = await api(url, 'PATCH', '/api/v1/staff/A2001', { disabled: true }, manager);
    expect(disabled.status).toBe(200);
    expect((await api(url, 'POST', '/api/v1/auth/staff', { counter: '6', staffId: 'A2001', pin: '5678' })).status).toBe(401);
    expect((await api(url, 'PATCH', '/api/v1/staff/A2001', { disabled: false, counters: ['6', '7'] }, manager)).status).toBe(200);
    expect((await api(url, 'POST', '/api/v1/auth/staff', { counter: '7', staffId: 'A2001', pin: '5678' })).status).toBe(200);
    const staff = (await api(url, 'GET', '/api/v1/staff', undefined, manager)).body.staff;
    expect(JSON.stringify(staff)).not.toMatch(/scrypt|pin/i);
    const actions = (await api(url, 'GET', '/api/v1/audit', undefined, manager)).body.entries
      .filter((e: { target: string }) => e.target === 'A2001')
      .map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`);
    expect(actions).toEqual(['manager staff.update', 'manager staff.update', 'manager staff.resetPin', 'manager staff.add']);
    expect(
      (await api(url, 'POST', '/api/v1/staff', { id: 'A2002', name: '新', pin: '1234' }, (await signIn(url, '8', 'A1008')).body.token))
        .status,
    ).toBe(403);
  });
});
