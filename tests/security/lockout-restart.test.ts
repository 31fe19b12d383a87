// The sign-in throttle's counters are in the hall database: restarting the agent (a crash, a power cut,
// the watchdog) neither unlocks an account nor forgets which PC the manager signs in from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../agent/config/load.js';
import { type RunningHall, startHall } from '../../agent/hall.js';
import { DEMO_CONFIG } from '../helpers/agent.js';
import { seedVoicePack } from '../helpers/voice-pack.js';
import { postFrom } from './helpers.js';

const KIOSK_PC = '127.0.0.2';
const BOARD_PC = '127.0.0.1';
const dataDir = mkdtempSync(join(tmpdir(), 'hallq-lockout-restart-'));
let hall: RunningHall | undefined;
afterAll(async () => {
  await hall?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<string> {
  const config = loadConfigFile(DEMO_CONFIG);
  config.upstream = undefined;
  await seedVoicePack(dataDir);
  hall = await startHall(config, { host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'silent' }) });
  return hall.url;
}

describe('sign-in lockout across a restart', () => {
  it('an account locked by wrong PINs is still locked after the agent restarts, with its alert; its trusted PC still signs in', async () => {
    let url = await start();
    const manager = (from: string, pin: string) => postFrom(url, from, '/api/v1/auth/manager', { pin });
    expect((await manager(BOARD_PC, '9999')).status).toBe(200);
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) status = (await manager(KIOSK_PC, String(1000 + i))).status;
    expect(status).toBe(429);

    await hall!.close();
    hall = undefined;
    url = await start();
    const again = await manager(KIOSK_PC, '9999'); // even the right PIN waits out the lock
    expect(again.status, JSON.stringify(again.body)).toBe(429);
    expect(again.body.error.code).toBe('too_many_attempts');
    // the manager's own board PC was trusted before the restart and is not locked out by the stranger
    const board = await manager(BOARD_PC, '9999');
    expect(board.status).toBe(200);
    // and the lockout alert raised before the restart is still there for the manager
    const res = await fetch(`${url}/api/v1/security/alerts`, { headers: { authorization: `Bearer ${board.body.token}` } });
    const { alerts } = (await res.json()) as { alerts: { kind: string; account?: string; source?: string }[] };
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'lockout', account: 'manager', source: KIOSK_PC }));
  });
});
