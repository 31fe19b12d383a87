// Every ingest request gets an answer, also when the hub's database connections die without a word
// (no FIN, no error: PostgreSQL has no backend for them). Before the ingest had deadlines, a batch
// written on such a connection was never answered, and the hall's later batches queued behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostOutcome, postBatch } from '../../agent/sync/post.js';
import type { SyncRecord } from '../../contracts/records.js';
import { signedHeaders } from '../../contracts/sign.js';
import { addHall } from '../../hub/registry.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { serviceRecord } from './harness.js';
import { type PgLine, startPgLine } from './pg-line.js';

let pg: TestPostgres;
let line: PgLine;
let hub: RunningHub;
const HALLS = ['LINE-1', 'LINE-2', 'LINE-3'];
const secret = (id: string) => `${id}-secret-0123456789`;
const DAY = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
/** the hall's own timeout: an answer must come before it */
const HALL_TIMEOUT_MS = 6000;

beforeAll(async () => {
  pg = await startTestPostgres();
  line = await startPgLine(pg.port);
  hub = await startHub({ databaseUrl: pg.url.replace(`:${pg.port}/`, `:${line.port}/`), port: 0, ingestDeadlineMs: 1500 });
  for (const id of HALLS) await addHall(hub.pool, { id, name: id, city: '合肥市', secret: secret(id) });
});
afterAll(async () => {
  await hub?.close();
  await line?.close();
  await pg?.destroy();
});

function rating(key: string, at: number): SyncRecord {
  return {
    key,
    kind: 'rating',
    v: 2,
    at,
    day: DAY,
    data: {
      ticketId: `${DAY}:${key}`,
      number: 'A001',
      day: DAY,
      at,
      service: 'id-card',
      counter: '1',
      staffId: 'A1001',
      level: 5,
      reasons: [],
      reasonNames: [],
      channel: 'pad',
      caseNumber: null,
      comment: null,
      rectification: null,
    },
  };
}

const post = (hallId: string, records: SyncRecord[]) =>
  postBatch({ url: hub.url, hallId, secret: secret(hallId), timeoutMs: HALL_TIMEOUT_MS }, records);

/** a hall's batch of plain records (group commit) and one with a rating (the transactional path) */
function batches(hallId: string, round: string): SyncRecord[][] {
  const at = Date.now();
  return [
    [0, 1, 2].map((i) => serviceRecord(`s:${hallId}:${round}:${i}`, DAY, at + i)),
    [rating(`r:${hallId}:${round}`, at), serviceRecord(`s:${hallId}:${round}:r`, DAY, at)],
  ];
}

describe('ingest answers', () => {
  it('answers every batch (200, or 503 with Retry-After) when the database connections go silent, and stores each record once after', async () => {
    // Warm: every hall posts both kinds at once, which leaves several connections idle in the pool.
    const warm = await Promise.all(HALLS.flatMap((h) => batches(h, 'warm').map((b) => post(h, b))));
    expect(warm.map((o) => o.kind)).toEqual(warm.map(() => 'ok'));

    expect(line.silence()).toBeGreaterThan(0);

    // Each hall keeps sending its two batches, the same keys again after every non-answer, until
    // both are stored: the hall's sender does exactly this.
    const outcomes: PostOutcome[] = [];
    const statuses: string[] = [];
    const sent = HALLS.flatMap((h) => batches(h, 'silent').map((b) => ({ h, b })));
    await Promise.all(
      sent.map(async ({ h, b }) => {
        for (let attempt = 0; attempt < 40; attempt++) {
          const o = await post(h, b);
          outcomes.push(o);
          statuses.push(o.kind === 'ok' ? 'ok' : o.kind === 'retry' ? o.error.slice(0, 8) : o.kind);
          if (o.kind === 'ok') return;
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );
    // Not one request ran into the hall's timeout: the unanswered ones were answered busy.
    expect(outcomes.filter((o) => o.kind === 'retry' && /network/.test(o.error))).toEqual([]);
    expect(statuses.filter((s) => s !== 'ok' && s !== 'HTTP 503')).toEqual([]);
    // Some did go to the silent connections (otherwise this test proves nothing).
    expect(statuses).toContain('HTTP 503');
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(sent.length);

    const keys = sent.flatMap(({ b }) => b.map((r) => r.key));
    const rows = await hub.pool.query('SELECT key, count(*)::int AS n FROM records WHERE key = ANY($1) GROUP BY key', [keys]);
    expect(new Map(rows.rows.map((r) => [r.key, r.n]))).toEqual(new Map(keys.map((k) => [k, 1])));
  });

  it('sends Retry-After with a busy answer', async () => {
    line.silence();
    let busy: Response | null = null;
    for (let i = 0; i < 20 && !busy; i++) {
      const body = JSON.stringify({ batchId: `busy-probe-${i}-${Date.now()}`, records: [serviceRecord(`s:probe:${i}`, DAY, Date.now())] });
      const res = await fetch(`${hub.url}/api/v1/ingest`, {
        method: 'POST',
        headers: signedHeaders(secret('LINE-1'), 'LINE-1', body),
        body,
        signal: AbortSignal.timeout(HALL_TIMEOUT_MS),
      });
      if (res.status === 503) busy = res;
      else await res.arrayBuffer();
      if (i === 0) line.silence();
    }
    expect(busy?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await busy!.json()).error.code).toBe('busy');
  });
});
