import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../agent/api/auth.js';
import { parseConfig } from '../../agent/config/load.js';
import { SecurityStore } from '../../agent/security/store.js';
import { openHallStore } from '../../agent/store/index.js';
import { api, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { agentEntry } from '../helpers/agent-process.js';
import { REAL_PINS, realHallYaml } from './helpers.js';

// Findings: a non-demo config without HALLQ_SECRET started with the public demo key; database files were
// 0644; /api/v1/sim existed in every hall without a login; no security headers; socket.io took any Origin;
// a read-only data folder killed start-up with a raw stack trace.

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'hallq-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runMain(yaml: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `hall-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const clean = { ...process.env, ...env };
  if (!('HALLQ_SECRET' in env)) delete clean.HALLQ_SECRET;
  return spawnSync(process.execPath, [...agentEntry(), '--config', file, '--port', '0', ...args], {
    cwd: ROOT,
    env: clean,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('start-up refusals', () => {
  it('a non-demo hall without a secret refuses to start: one line saying how to set it, exit code 2', () => {
    const r = runMain(realHallYaml({ secret: false }), ['--data', join(dir, 'nosecret')]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HALLQ_SECRET/);
    expect(lines[0]).toMatch(/16 characters/);
    const short = runMain(realHallYaml({ secret: false }), ['--data', join(dir, 'short')], { HALLQ_SECRET: 'tooshort' });
    expect(short.status).toBe(2);
  });

  it('a read-only data folder stops start-up with one line naming the folder and the fix, exit code 2', () => {
    // root ignores file modes: a sysfs folder is read-only even for root
    const readOnly = process.getuid?.() === 0 ? '/sys/kernel' : join(dir, 'ro');
    if (readOnly !== '/sys/kernel') {
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
    }
    const r = runMain(realHallYaml(), ['--data', readOnly]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(readOnly);
    expect(lines[0]).toMatch(/--data|server\.dataDir/);
  });

  it('manager and guide PINs under 6 digits are refused outside the demo', () => {
    const yaml = realHallYaml().replace(`managerPin: "${REAL_PINS.manager}"`, 'managerPin: "9999"');
    expect(() => parseConfig(yaml, 'hall.yaml', { HALLQ_SECRET: 'x'.repeat(20) })).toThrow(/auth\.managerPin: expected at least 6 digits/);
  });
});

describe('a new database', () => {
  it("checks PINs from the first moment: sign-ins made while the config's PINs are hashed wait for them", async () => {
    const config = parseConfig(realHallYaml(), 'hall.yaml');
    const store = openHallStore(':memory:');
    const auth = new AuthService(config, new SecurityStore(store.db));
    // as agent/hall.ts does: the hall gets ready and listens while the PINs are hashed
    const seeded = auth.seed();
    expect(auth.store.seeded()).toBe(false);
    const from = '192.0.2.7';
    const outcomes = await Promise.allSettled([
      auth.loginRole('manager', REAL_PINS.manager, from),
      auth.loginRole('guide', REAL_PINS.guide, from),
      auth.loginStaff('1', 'A1001', REAL_PINS.staff, from),
      auth.loginStaff('2', 'A1002', REAL_PINS.staff, from),
      auth.loginStaff('3', 'A1003', '000000', from),
      auth.loginStaff('4', 'Z9999', REAL_PINS.staff, from),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 200 : (o.reason as { status?: number }).status))).toEqual([
      200, 200, 200, 200, 401, 401,
    ]);
    await seeded;
    store.close();
  });
});

describe('a real (non-demo) hall', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ configText: realHallYaml() });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('has no /api/v1/sim at all', async () => {
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: REAL_PINS.manager })).body.token;
    expect((await api(agent.baseUrl, 'GET', '/api/v1/sim', undefined, manager)).status).toBe(404);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/sim/keypad-1', { type: 'press', key: 'call' }, manager)).status).toBe(404);
    const spec = (await api(agent.baseUrl, 'GET', '/openapi.json')).body;
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/api/v1/sim'))).toEqual([]);
  });

  it('keeps hall.db and its WAL readable by the agent’s user only (0600)', async () => {
    await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' });
    for (const f of ['hall.db', 'hall.db-wal', 'hall.db-shm']) {
      const mode = statSync(join(agent.dataDir, f)).mode & 0o777;
      expect(mode.toString(8), f).toBe('600');
    }
  });

  it('sends security headers with a CSP, and socket.io refuses a foreign Origin', async () => {
    const res = await fetch(`${agent.baseUrl}/api/v1/hall`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const connect = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = io(`${agent.baseUrl}/display`, { transports: ['polling'], extraHeaders: { origin }, reconnection: false });
        s.once('snapshot', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.close();
          resolve(`refused: ${e.message}`);
        });
      });
    expect(await connect('http://evil.example')).toMatch(/^refused/);
    expect(await connect(agent.baseUrl)).toBe('connected');
  });

  it('times out slow clients and caps connections', () => {
    const server = agent.hall.app.server;
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
    expect(server.headersTimeout).toBeLessThanOrEqual(15_000);
    expect(server.maxConnections).toBeGreaterThan(0);
  });
});
