// The whole agent, not just the engine: kill -9 while kiosks and counters hammer it over HTTP, restart
// on the same data directory, and check that nothing acknowledged was lost and no number came twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { api, DEMO_CONFIG, terminalToken } from '../helpers/agent.js';
import { type AgentProcess, startAgentProcess } from '../helpers/agent-process.js';

const CYCLES = 5;
const dir = mkdtempSync(join(tmpdir(), 'hallq-agent-kill-'));
const dataDir = join(dir, 'data');
let agent: AgentProcess | undefined;
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `api` of the test helpers, except that a request cut off by the kill was simply never acknowledged. */
async function send(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: any } | undefined> {
  const { origin, pathname, search } = new URL(url);
  try {
    return await api(origin, method, pathname + search, body, token);
  } catch {
    return undefined;
  }
}

function sameDay(seen: Map<string, string>, id: string, number: string): boolean {
  for (const [otherId, otherNumber] of seen) if (otherNumber === number && otherId.slice(0, 10) === id.slice(0, 10)) return true;
  return false;
}

describe('agent killed under load', () => {
  it(`keeps every acknowledged ticket and never repeats a number across ${CYCLES} SIGKILLs`, async () => {
    const acknowledged = new Map<string, string>(); // ticket id → number
    const services = ['id-card', 'hukou-move', 'residence-permit', 'hukou-certificate', 'consultation'];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // the demo hall, with the per-kiosk issuing limit raised: the load here is the point
      const config = readFileSync(DEMO_CONFIG, 'utf8').replace(
        'printDeadlineSeconds: 20 }',
        'printDeadlineSeconds: 20, ticketsPerMinute: 600 }',
      );
      agent = await startAgentProcess(config, { dataDir });
      const base = agent.url;
      // sessions survive the crash too: take the counter over from the session of the previous run
      const login = await send(`${base}/api/v1/auth/staff`, 'POST', { counter: '8', staffId: 'A1008', pin: '1234', takeover: true });
      const token = login?.body.token as string;
      // Everything acknowledged before the previous crash is still there after the restart.
      for (const [id, number] of acknowledged) {
        const got = await send(`${base}/api/v1/tickets/${encodeURIComponent(id)}`, 'GET', undefined, token);
        expect(got?.status, `ticket ${number} (${id}) lost after crash ${cycle}`).toBe(200);
        expect(got?.body.ticket.number).toBe(number);
      }
      await send(`${base}/api/v1/counters/8/open`, 'POST', undefined, token);
      await terminalToken(base, 'kiosk-1'); // pair the kiosk before the load: the crash window is for issuing

      let stop = false;
      const kiosk = async (lane: number) => {
        for (let i = 0; !stop; i++) {
          const res = await send(`${base}/api/v1/tickets`, 'POST', { service: services[(lane + i) % services.length] });
          if (res?.status === 201) {
            const { id, number } = res.body.ticket as { id: string; number: string };
            // Ticket ids are day + number, so a number issued twice shows up as an id seen twice.
            if (acknowledged.has(id) || sameDay(acknowledged, id, number)) {
              throw new Error(`${number} issued twice`);
            }
            acknowledged.set(id, number);
          }
        }
      };
      const counter = async () => {
        while (!stop) {
          await send(`${base}/api/v1/counters/8/call-next`, 'POST', undefined, token);
          await send(`${base}/api/v1/counters/8/finish`, 'POST', undefined, token);
        }
      };
      const load = Promise.all([kiosk(0), kiosk(1), kiosk(2), kiosk(3), counter()]);
      // killed mid-load: after at least 12 acknowledged tickets of this cycle (a busy machine issues slower, and
      // a kill before any load proves nothing), then at a random moment within the next 0.6 s
      const before = acknowledged.size;
      const loaded = (async () => {
        while (acknowledged.size - before < 12) await new Promise((r) => setTimeout(r, 20));
      })();
      await Promise.race([loaded, load]); // a number issued twice fails here, not as a timeout
      await new Promise((r) => setTimeout(r, Math.random() * 600));
      await agent.crash();
      agent = undefined;
      stop = true;
      await load;
    }
    expect(acknowledged.size).toBeGreaterThan(CYCLES * 10);
    const numbers = [...acknowledged].map(([id, n]) => `${id.slice(0, 10)} ${n}`);
    expect(new Set(numbers).size).toBe(numbers.length);

    const db = new Database(join(dataDir, 'hall.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }, 180_000); // each restart also signs in and pairs the kiosk again (scrypt) on a shared 2-core machine
});
