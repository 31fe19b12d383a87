import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfigFile, parseConfig } from '../../agent/config/load.js';
import { type RunningHall, startHall } from '../../agent/hall.js';
import type { Clock } from '../../agent/queue/types.js';
import { forgetAgent, terminalHeaders } from './auth.js';
import { seedVoicePack } from './voice-pack.js';

export { managerToken, pairCode, terminalToken } from './auth.js';

export const DEMO_CONFIG = resolve(import.meta.dirname, '../../config/demo-hall.yaml');

export interface TestAgent {
  baseUrl: string;
  dataDir: string;
  hall: RunningHall;
  stop(): Promise<void>;
}

/**
 * A real agent in-process: real SQLite file in a fresh temp dir, real HTTP + socket.io on a free
 * loopback port, the built UI. `configText` lets a test start from its own YAML.
 */
export async function startTestAgent(
  opts: { config?: string; configText?: string; clock?: Clock; dataDir?: string } = {},
): Promise<TestAgent> {
  // a given data dir is the test's (an agent restarted on the same data): it is kept on stop
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hallq-test-'));
  const config =
    opts.configText !== undefined ? parseConfig(opts.configText, 'test-config.yaml') : loadConfigFile(opts.config ?? DEMO_CONFIG);
  const logger = pino({ level: process.env.HALLQ_TEST_LOG ?? 'silent' });
  // The demo config syncs to a local hub: a test agent must never post its data to one a developer runs.
  if (opts.configText === undefined) config.upstream = undefined;
  await seedVoicePack(dataDir);
  // upward sync from the first moment, as before it waited for the hall's first requests (SYNC_START_DELAY_MS)
  const hall = await startHall(config, { host: '127.0.0.1', port: 0, dataDir, logger, clock: opts.clock, syncStartDelayMs: 0 });
  return {
    baseUrl: hall.url,
    dataDir,
    hall,
    async stop() {
      forgetAgent(hall.url);
      await hall.close();
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * fetch JSON with an optional bearer token; returns status and parsed body. Requests only a registered
 * screen may make carry that screen's token (tests/helpers/auth.ts); `opts.terminal` picks another
 * terminal, or null for none (an anonymous client).
 */
export async function api(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  opts: { terminal?: string | null } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = await terminalHeaders(baseUrl, method, path, opts.terminal);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed };
}

export async function staffToken(baseUrl: string, counter: string, staffId = 'A1001', pin = '1234'): Promise<string> {
  // takeover: a test signs the same person in again without signing out first
  const res = await api(baseUrl, 'POST', '/api/v1/auth/staff', { counter, staffId, pin, takeover: true });
  if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
