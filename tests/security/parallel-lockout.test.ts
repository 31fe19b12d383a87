import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockoutDelayMs, minimumTimeForAttemptsMs, SOURCE_FREE_FAILURES } from '../../agent/security/lockout.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { postFrom } from './helpers.js';

// Finding: the lock was checked before the scrypt hash and the failure recorded after it. 100 sign-ins sent at
// once from 5 addresses with the right PIN at position 77: 99 × 401, 1 × 200, never locked; 500 from 25
// addresses checked 147 PINs before the first 429. And 100 sign-ins with unknown staff numbers held a real
// sign-in for 9 s. Every burst here is sent at once, from several loopback addresses.

const YEAR_MS = 365 * 24 * 60 * 60_000;
/** attempts the schedule lets through before the first lock: computed from the delays, not from the server */
const BURST = (() => {
  let n = 1;
  while (lockoutDelayMs(n) === 0) n++;
  return n;
})();

let agent: TestAgent;
let now = Date.now();
beforeAll(async () => {
  agent = await startTestAgent({ clock: { now: () => now } });
});
afterAll(async () => {
  await agent?.stop();
});

const addr = (i: number) => `127.0.${10 + Math.floor(i / 200)}.${(i % 200) + 1}`;
const staff = (from: string, staffId: string, pin: string, counter = '3') =>
  postFrom(agent.baseUrl, from, '/api/v1/auth/staff', { counter, staffId, pin });
const pin4 = (n: number) => String(n).padStart(4, '0');

describe('PIN lockout under parallel sign-ins', () => {
  it('100 sign-ins at once from 5 addresses, right PIN at position 77: no token, at most the free burst checked', async () => {
    const sends = Array.from({ length: 100 }, (_, i) => staff(addr(i % 5), 'A1003', i === 77 ? '1234' : pin4(5000 + i)));
    const answers = await Promise.all(sends);
    const by = (s: number) => answers.filter((a) => a.status === s).length;
    expect(by(200), 'the attacker never gets a token').toBe(0);
    expect(by(401), 'PINs actually checked').toBeLessThanOrEqual(BURST);
    expect(by(401)).toBeGreaterThan(0);
    expect(by(401) + by(429) + by(503)).toBe(100);
    for (const a of answers.filter((x) => x.status === 429 || x.status === 503))
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    // the right PIN from the attacker's addresses stays refused while the lock holds
    const after = await staff(addr(5), 'A1003', '1234');
    expect(after.status).toBe(429);
    expect(after.body.error.code).toBe('too_many_attempts');
  });

  it('a sustained parallel attack from 25 addresses checks one PIN per lock, as the schedule says', async () => {
    const checkedPerRound: number[] = [];
    const waitsS: number[] = [];
    let tried = 0;
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => staff(addr(100 + i), 'A1006', pin4(tried + i), '6')));
      expect(answers.some((a) => a.status === 200)).toBe(false);
      checkedPerRound.push(answers.filter((a) => a.status === 401).length);
      tried += 50;
      // wait exactly as long as the server says, on the agent's clock
      const locked = await staff(addr(100), 'A1006', '9999', '6');
      expect(locked.status).toBe(429);
      const wait = Number(locked.headers['retry-after']);
      waitsS.push(wait);
      now += wait * 1000;
    }
    expect(checkedPerRound[0]).toBe(BURST);
    expect(checkedPerRound.slice(1)).toEqual([1, 1, 1, 1]);
    // the server's waits are the schedule's delays after the 5th…9th failure
    const expected = [BURST, BURST + 1, BURST + 2, BURST + 3, BURST + 4].map((n) => Math.ceil(lockoutDelayMs(n) / 1000));
    expect(waitsS).toEqual(expected);
    // the figures in docs/security.md: with one PIN per lock, the whole search space takes this long
    const staffYears = minimumTimeForAttemptsMs(10 ** 4) / YEAR_MS;
    const managerYears = minimumTimeForAttemptsMs(10 ** 6) / YEAR_MS;
    console.log(
      `parallel attack: ${checkedPerRound.join('+')} PINs checked in ${checkedPerRound.length} bursts of 50; ` +
        `10^4 PINs ≥ ${staffYears.toFixed(2)} years, 10^6 PINs ≥ ${managerYears.toFixed(0)} years`,
    );
    expect(staffYears).toBeGreaterThan(1);
    expect(managerYears).toBeGreaterThan(100);
  });

  it('100 sign-ins with unknown staff numbers: bounded hashing, 503 + Retry-After, a staff PC still signs in', async () => {
    // the manager's own PC: trusted for that account after one sign-in
    expect((await postFrom(agent.baseUrl, '127.0.0.1', '/api/v1/auth/manager', { pin: '9999' })).status).toBe(200);
    const flood = Array.from({ length: 100 }, (_, i) => staff(addr(200 + (i % 5)), `X${9000 + i}`, '1234'));
    const real = postFrom(agent.baseUrl, '127.0.0.1', '/api/v1/auth/manager', { pin: '9999' });
    const [answers, mine] = await Promise.all([Promise.all(flood), real]);
    expect(mine.status).toBe(200);
    const by = (s: number) => answers.filter((a) => a.status === s).length;
    expect(by(401) + by(429) + by(503)).toBe(100);
    // unknown numbers count on their address like known ones: each address gets its free failures and the locking one
    expect(by(401)).toBeLessThanOrEqual(5 * (SOURCE_FREE_FAILURES + 1));
    expect(by(503)).toBeGreaterThan(0);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.body.error.code).toBe('sign_in_queue_full');
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }
    // and an unknown number locks its address for a known account's right PIN too
    for (let i = 0; i <= SOURCE_FREE_FAILURES; i++) expect((await staff(addr(300), `Y${i}`, '1234')).status).toBe(401);
    const known = await staff(addr(300), 'A1004', '1234', '4');
    expect(known.status).toBe(429);
    expect(known.body.error.code).toBe('too_many_attempts');
  });
});
