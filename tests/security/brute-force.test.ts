import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { ACCOUNT_FREE_FAILURES, lockoutDelayMs, minimumTimeForAttemptsMs } from '../../agent/security/lockout.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { postFrom } from './helpers.js';

// Finding: failures were counted per client address and any success from that address cleared them; with
// the guide PIN interleaved all 10,000 manager PINs were tried in 3.4 s. And five wrong PINs at the kiosk PC
// locked every correct sign-in from it.

const KIOSK_PC = '127.0.0.2';
const BOARD_PC = '127.0.0.1';
const YEAR_MS = 365 * 24 * 60 * 60_000;

let agent: TestAgent;
let now = Date.now();
beforeAll(async () => {
  agent = await startTestAgent({ clock: { now: () => now } });
});
afterAll(async () => {
  await agent?.stop();
});

const manager = (from: string, pin: string) => postFrom(agent.baseUrl, from, '/api/v1/auth/manager', { pin });
const guide = (from: string, pin: string) => postFrom(agent.baseUrl, from, '/api/v1/auth/guide', { pin });

describe('interleaved PIN brute force', () => {
  it('stops an attacker within 10 wrong PINs per account even with correct guide sign-ins in between', async () => {
    // the manager signs in at the board PC first (that PC is trusted for the manager account from now on)
    expect((await manager(BOARD_PC, '9999')).status).toBe(200);
    let tried = 0;
    let refused = 0;
    for (let pin = 0; pin < 60; pin++) {
      const res = await manager(KIOSK_PC, String(pin).padStart(4, '0'));
      if (res.status === 401) tried++;
      else if (res.status === 429) refused++;
      else expect(res.status, JSON.stringify(res.body)).toBe(429);
      await guide(KIOSK_PC, '8888'); // never clears the manager account's failures
    }
    expect(tried).toBeLessThanOrEqual(10);
    expect(refused).toBeGreaterThanOrEqual(50);
    // and the correct manager PIN from the attacker's PC is refused as well while locked
    expect((await manager(KIOSK_PC, '9999')).status).toBe(429);
  });

  it('wrong guide PINs at a kiosk lock neither the manager at the board PC nor the guide at their own tablet', async () => {
    expect((await manager(BOARD_PC, '9999')).status).toBe(200);
    expect((await guide('127.0.0.4', '8888')).status).toBe(200); // the guide's tablet
    for (let i = 0; i < 12; i++) await guide('127.0.0.3', '0000');
    expect((await guide('127.0.0.3', '8888')).status).toBe(429); // the kiosk PC is locked
    expect((await manager(BOARD_PC, '9999')).status).toBe(200);
    expect((await guide('127.0.0.4', '8888')).status).toBe(200);
  });

  it('grows the delay as the server enforces it, and the search space takes more than a year', async () => {
    // a staff account, attacked from a PC where it never signed in
    const staff = (pin: string) => postFrom(agent.baseUrl, '127.0.0.5', '/api/v1/auth/staff', { counter: '5', staffId: 'A1005', pin });
    const observed: number[] = [];
    for (let n = 1; n <= ACCOUNT_FREE_FAILURES + 4; n++) {
      expect((await staff(`00${n}0`)).status).toBe(401);
      const delay = lockoutDelayMs(n);
      if (delay > 0) {
        now += delay - 1000;
        expect((await staff('9999')).status, `still locked 1 s before the end of lock ${n}`).toBe(429);
        now += 1000;
      }
      observed.push(delay);
    }
    expect(observed.slice(ACCOUNT_FREE_FAILURES)).toEqual([30_000, 60_000, 120_000, 240_000]);

    const staffYears = minimumTimeForAttemptsMs(10 ** 4) / YEAR_MS; // 4-digit staff PINs
    const managerYears = minimumTimeForAttemptsMs(10 ** 6) / YEAR_MS; // 6-digit manager and guide PINs
    expect(staffYears).toBeGreaterThan(1);
    expect(managerYears).toBeGreaterThan(100);
  });

  it('raises an alert on the board when an account locks', async () => {
    const { body } = await manager(BOARD_PC, '9999');
    const socket = io(`${agent.baseUrl}/board`, { auth: { token: body.token }, transports: ['websocket'] });
    try {
      await new Promise((r) => socket.once('snapshot', r));
      const alert = new Promise<any>((r) => socket.once('alert', r));
      for (let i = 0; i <= ACCOUNT_FREE_FAILURES; i++) await guide('127.0.0.6', '1111');
      const a = await alert;
      expect(a).toMatchObject({ kind: 'lockout', account: 'guide', source: '127.0.0.6' });
    } finally {
      socket.close();
    }
  });
});
