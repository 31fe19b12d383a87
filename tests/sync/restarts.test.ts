// Three halls post while the hub is restarted twice and its PostgreSQL once: every ingest request is
// answered before the hall's timeout, and once the hub is back every record is stored exactly once
// within 10 s (the halls' backoff, grown through the outages, is cut short when the hub answers again).
import Database from 'better-sqlite3';
import dc from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEngine } from '../../agent/queue/engine.js';
import { freePort } from '../../hub/db/local-server.js';
import { addHall } from '../../hub/registry.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import type { TestAgent } from '../helpers/agent.js';
import { startTestAgent } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { syncConfig, waitFor } from './fixtures.js';

const HALLS = ['RS-1', 'RS-2', 'RS-3'];
const secret = (id: string) => `${id}-restart-secret-0123`;
let pg: TestPostgres;
let hub: RunningHub | null = null;
let port: number;
const agents: TestAgent[] = [];

/** what happened to each ingest request the halls made */
const requests: { hall: string; outcome: string }[] = [];
/** the halls post over node:http (agent/sync/http-post.ts): its diagnostics channels tell each request's end */
const ingestOf = (req: ClientRequest) => (req.path.endsWith('/api/v1/ingest') ? String(req.getHeader('x-hallq-hall')) : undefined);
const onAnswer = (m: unknown) => {
  const { request, response } = m as { request: ClientRequest; response: IncomingMessage };
  const hall = ingestOf(request);
  if (hall) requests.push({ hall, outcome: String(response.statusCode) });
};
const onError = (m: unknown) => {
  const { request, error } = m as { request: ClientRequest; error: Error & { code?: string } };
  const hall = ingestOf(request);
  if (hall) requests.push({ hall, outcome: error.code === 'ETIMEDOUT' ? 'timeout' : `network ${error.code ?? error.message}` });
};

const startTheHub = async () => {
  hub = await startHub({ databaseUrl: pg.url, port, ingestDeadlineMs: 2000 });
};

beforeAll(async () => {
  pg = await startTestPostgres();
  port = await freePort();
  await startTheHub();
  for (const id of HALLS) await addHall(hub!.pool, { id, name: id, city: '合肥市', secret: secret(id) });
  dc.subscribe('http.client.response.finish', onAnswer);
  dc.subscribe('http.client.request.error', onError);
  for (const id of HALLS) {
    // The default backoff (1 s doubling up to 300 s), small batches; a timeout well above the hub's 2 s deadline.
    const text = syncConfig(`http://127.0.0.1:${port}`).replace(
      /\nupstream:[\s\S]*$/,
      `\nupstream:\n  url: http://127.0.0.1:${port}\n  hallId: ${id}\n  secret: ${secret(id)}\n  batchSize: 50\n  timeoutSeconds: 10\n`,
    );
    agents.push(await startTestAgent({ configText: text }));
  }
});

afterAll(async () => {
  dc.unsubscribe('http.client.response.finish', onAnswer);
  dc.unsubscribe('http.client.request.error', onError);
  for (const a of agents) await a.stop();
  await hub?.close();
  await pg?.destroy();
});

/** a citizen served at counter 1, every other one rated */
function serveOne(engine: QueueEngine, i: number): void {
  const { ticket } = engine.issue({ service: 'id-card' });
  engine.callNumber('1', ticket.number);
  engine.start('1');
  engine.finish('1', { caseNumber: `BJ-${i}` });
  if (i % 2 === 0) engine.rate({ counter: '1', level: 5, source: 'pad' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outbox(a: TestAgent): { key: string; kind: string; sent: boolean }[] {
  const db = new Database(join(a.dataDir, 'hall.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT idempotency_key AS key, kind, sent_at FROM outbox').all() as {
        key: string;
        kind: string;
        sent_at: number | null;
      }[]
    ).map((r) => ({ key: r.key, kind: r.kind, sent: r.sent_at !== null }));
  } finally {
    db.close();
  }
}

describe('ingest across hub and database restarts', () => {
  it('answers every request in time and stores every record once within 10 s of the hub’s return', async () => {
    const served = HALLS.map(() => 0);
    for (const a of agents) a.hall.ctx.engine.open('1', 'A1001');
    let busy = true;
    const activity = Promise.all(
      agents.map(async (a, h) => {
        while (busy) {
          serveOne(a.hall.ctx.engine, served[h]!);
          served[h]!++;
          await sleep(120);
        }
      }),
    );

    await sleep(1000);
    await hub!.close(); // restart 1: the hub process goes away mid-stream
    await sleep(1500);
    await startTheHub();
    await sleep(1500);
    await pg.stop('immediate'); // the database crashes under the hub
    await sleep(1500);
    await pg.start();
    await sleep(1500);
    // restart 2: a 10 s outage, as a hall PC sees an upgrade of the hub; the halls keep serving through part of it
    await hub!.close();
    await sleep(3000);
    busy = false;
    await activity;
    await sleep(7000);
    await startTheHub();
    const back = Date.now();

    // Every hall's every outbox row at the hub exactly once, within 10 s of the hub's return.
    const keysOf = agents.map((a) => outbox(a).map((r) => r.key));
    await waitFor(
      'every record at the hub',
      async () => {
        for (const [h, id] of HALLS.entries()) {
          const r = await hub!.pool.query('SELECT count(DISTINCT key)::int AS n FROM records WHERE hall_id = $1 AND key = ANY($2)', [
            id,
            keysOf[h],
          ]);
          if (r.rows[0].n !== keysOf[h]!.length) return false;
        }
        return agents.every((a) => outbox(a).every((row) => row.sent));
      },
      10_000,
    );
    console.log(`backlog of ${keysOf.flat().length} records drained ${Date.now() - back} ms after the hub's return`);

    for (const [h, id] of HALLS.entries()) {
      const rows = await hub!.pool.query('SELECT key, kind FROM records WHERE hall_id = $1', [id]);
      const keys = rows.rows.map((r) => r.key as string);
      expect(keys.length).toBe(new Set(keys).size); // none twice
      // none missing of those the hall had at the hub's return; none the hall never wrote (rows written
      // since, like a 未评价 after the rating timeout, may or may not have gone up yet)
      expect(keysOf[h]!.filter((k) => !keys.includes(k))).toEqual([]);
      const now = new Set(outbox(agents[h]!).map((r) => r.key));
      expect(keys.filter((k) => !now.has(k))).toEqual([]);
      // The oracle from the workload: one service record per citizen served, a rating for every other.
      expect(rows.rows.filter((r) => r.kind === 'serviceRecord')).toHaveLength(served[h]!);
      expect(rows.rows.filter((r) => r.kind === 'rating')).toHaveLength(Math.ceil(served[h]! / 2));
    }

    // Every request the hub took was answered before the hall gave up on it; the only unanswered
    // ones are those made while no hub was listening.
    expect(requests.filter((r) => r.outcome === 'timeout')).toEqual([]);
    expect(new Set(requests.map((r) => (r.outcome.startsWith('network') ? 'network' : r.outcome)))).toEqual(
      new Set(['200', '503', 'network']),
    );
  });
});
