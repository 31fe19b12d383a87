import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubHarness, loginCookie, startHubHarness } from './harness.js';

const root = resolve(import.meta.dirname, '../..');
let h: HubHarness;
beforeAll(async () => {
  h = await startHubHarness();
});
afterAll(async () => h?.stop());

const hub = (...args: string[]) => hubWith({}, ...args);
const hubWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'hub/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, HUB_DATABASE_URL: h.pg.url, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run hub -- …', () => {
  it('registers a hall with a generated secret and a supervisor who can then log in', async () => {
    const r = hub('add-hall', '--id', 'AH-340111-HZ01', '--name', '包河区户政大厅', '--city', '合肥市');
    expect(r.status).toBe(0);
    const secret = /secret: (\S+)/.exec(r.stdout)?.[1];
    expect(secret?.length).toBeGreaterThanOrEqual(16);
    const row = (await h.hub.pool.query("SELECT city, secret FROM halls WHERE id = 'AH-340111-HZ01'")).rows[0];
    expect(row).toEqual({ city: '合肥市', secret });

    expect(hub('add-supervisor', '--user', 'baohe', '--password', 'a-long-password', '--city', '合肥市').status).toBe(0);
    expect(await loginCookie(h.hub.url, 'baohe', 'a-long-password')).toMatch(/^hub_session=/);
  });

  it('refuses bad arguments with a message and a failing exit code', () => {
    const bad = hub('add-hall', '--id', 'has space', '--name', 'x', '--city', 'y');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--id: 1–40 letters/);
    const short = hub('add-supervisor', '--user', 'u1', '--password', 'short');
    expect(short.stderr).toMatch(/--password: at least 8/);
    expect(hub('frobnicate').status).toBe(2);
  });

  it('refuses to trust every client as a proxy (each could then pick its own address and dodge the booking limit)', () => {
    const r = hubWith({ HUB_TRUST_PROXY: 'true', HUB_PORT: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /HUB_TRUST_PROXY="true" would let every client name its own address: give the proxy's address, e\.g\. HUB_TRUST_PROXY=127\.0\.0\.1/,
    );
  });
});
