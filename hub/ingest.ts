// POST /api/v1/ingest: signature and replay checks, per-record contract validation, then every new
// record stored once (ON CONFLICT DO NOTHING on hall + idempotency key) and the derived tables
// (cases, live wait) updated in the same transaction. Refusals are counted per hall and reason.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Compile } from 'typebox/compile';
import { BatchV1, CONTRACTS, type RecordKind, type RecordResult, type SyncRecord } from '../contracts/records.js';
import { applyDerived, DERIVED, storeLiveWait } from './derived.js';
import { HEADER_HALL, HEADER_SIGNATURE, HEADER_TIME, REPLAY_WINDOW_MS, verify } from '../contracts/sign.js';

const batchCheck = Compile(BatchV1);
const checks = Object.fromEntries(Object.entries(CONTRACTS).map(([k, c]) => [k, { v: c.v, check: Compile(c.schema) }])) as Record<
  RecordKind,
  { v: number; check: ReturnType<typeof Compile> }
>;
/** a hall clock may run a little fast; a record a day ahead is a broken clock, not a fact */
const FUTURE_SLACK_MS = 24 * 3600_000;

const FAST_INGEST = `
  WITH seen AS (
    INSERT INTO seen_batches (hall_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1
  ), ins AS (
    INSERT INTO records (hall_id, key, kind, v, at, day, data)
    SELECT $1, r.key, r.kind, r.v, to_timestamp(r.at / 1000.0), r.day::date, r.data
    FROM jsonb_to_recordset($3::jsonb) AS r(key text, kind text, v int, at bigint, day text, data jsonb)
    WHERE EXISTS (SELECT 1 FROM seen)
    ON CONFLICT DO NOTHING RETURNING key
  ), upd AS (
    UPDATE halls SET last_seen_at = now(),
      last_record_at = CASE WHEN $4::bigint IS NULL THEN last_record_at ELSE greatest(last_record_at, to_timestamp($4::bigint / 1000.0)) END
    WHERE id = $1 AND EXISTS (SELECT 1 FROM seen)
  )
  SELECT EXISTS (SELECT 1 FROM seen) AS seen, ARRAY(SELECT key FROM ins) AS keys`;

export class IngestCounters {
  batches = 0;
  stored = 0;
  duplicates = 0;
  rejectedRecords = 0;
  rejectedBatches = 0;
}

export class HallSecrets {
  private cache = new Map<string, { secret: string; at: number }>();
  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 30_000,
  ) {}
  async get(id: string): Promise<string | null> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.secret;
    const r = await this.pool.query('SELECT secret FROM halls WHERE id = $1', [id]);
    if (!r.rowCount) return null;
    this.cache.set(id, { secret: r.rows[0].secret, at: Date.now() });
    return r.rows[0].secret as string;
  }
}

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { code, message } });
}

async function countRejection(pool: pg.Pool, hallId: string, reason: string, n = 1): Promise<void> {
  await pool
    .query(
      `INSERT INTO rejections (hall_id, reason, count, last_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (hall_id, reason) DO UPDATE SET count = rejections.count + excluded.count, last_at = now()`,
      [hallId, reason, n],
    )
    .catch(() => {});
}

function validate(r: SyncRecord, now: number): string | null {
  const c = checks[r.kind as RecordKind];
  if (!c) return `unknown record kind "${r.kind}"`;
  if (r.v !== c.v) return `${r.kind} v${r.v} is not supported (this hub reads v${c.v})`;
  if (r.at > now + FUTURE_SLACK_MS) return 'record time is more than a day in the future (check the hall PC clock)';
  if (!c.check.Check(r.data)) {
    const e = [...c.check.Errors(r.data)][0];
    return `${r.kind}: ${e?.instancePath || '/'} ${e?.message ?? 'does not match the contract'}`;
  }
  return null;
}

export function ingestRoutes(app: FastifyInstance, pool: pg.Pool, counters: IngestCounters): void {
  const secrets = new HallSecrets(pool);
  // The exact bytes are needed for the signature, so this route parses its own JSON.
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post('/api/v1/ingest', async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.body as Buffer;
      const hallId = String(request.headers[HEADER_HALL] ?? '');
      const ts = Number(request.headers[HEADER_TIME]);
      const sig = String(request.headers[HEADER_SIGNATURE] ?? '');
      const now = Date.now();
      const bad = async (reason: string, status: number, message: string, countFor = hallId) => {
        counters.rejectedBatches++;
        await countRejection(pool, countFor, reason);
        return refuse(reply, status, reason, message);
      };
      if (!Buffer.isBuffer(raw) || !hallId || !sig || !Number.isFinite(ts))
        return bad('unsigned', 401, `signed requests only: ${HEADER_HALL}, ${HEADER_TIME}, ${HEADER_SIGNATURE}`, '');
      const secret = await secrets.get(hallId);
      if (!secret) return bad('unknown_hall', 401, `hall ${hallId.slice(0, 40)} is not registered at this hub`, '');
      if (!verify(secret, hallId, ts, raw, sig)) return bad('bad_signature', 401, 'signature does not match (check upstream.secret)');
      if (Math.abs(now - ts) > REPLAY_WINDOW_MS)
        return bad('stale_timestamp', 401, 'timestamp outside the replay window (check the hall PC clock)');
      let batch: { batchId: string; records: SyncRecord[] };
      try {
        batch = JSON.parse(raw.toString('utf8'));
      } catch {
        return bad('bad_batch', 400, 'body is not JSON');
      }
      if (!batchCheck.Check(batch)) {
        const e = [...batchCheck.Errors(batch)][0];
        return bad('bad_batch', 400, `batch ${e?.instancePath || '/'} ${e?.message ?? 'invalid'}`);
      }
      const results: RecordResult[] = [];
      const valid: SyncRecord[] = [];
      let live: SyncRecord<'liveWait'> | null = null;
      const seenKeys = new Set<string>();
      for (const r of batch.records) {
        const why = seenKeys.has(r.key) ? 'key repeated within the batch' : validate(r, now);
        seenKeys.add(r.key);
        if (why) results.push({ key: r.key, status: 'rejected', reason: why });
        else if (r.kind === 'liveWait') {
          if (!live || r.at > live.at) live = r as SyncRecord<'liveWait'>;
          results.push({ key: r.key, status: 'stored' });
        } else valid.push(r);
      }
      const needsDerived = live !== null || valid.some((r) => DERIVED.has(r.kind));
      let fresh: Set<string>;
      if (!needsDerived) {
        // The common case (service records, ratings without a 整改, notices): one statement is one
        // round trip and one transaction — replay check, insert and the hall's last-seen together.
        const one = await pool.query(FAST_INGEST, [
          hallId,
          batch.batchId,
          JSON.stringify(valid),
          valid.length ? Math.max(...valid.map((r) => r.at)) : null,
        ]);
        if (!one.rows[0].seen) return bad('replayed', 409, `batch ${batch.batchId} was already received`);
        fresh = new Set(one.rows[0].keys as string[]);
        return finish(fresh);
      }
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const seen = await client.query('INSERT INTO seen_batches (hall_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [
          hallId,
          batch.batchId,
        ]);
        if (!seen.rowCount) {
          await client.query('ROLLBACK');
          return bad('replayed', 409, `batch ${batch.batchId} was already received`);
        }
        const ins =
          valid.length === 0
            ? { rows: [] as { key: string }[] }
            : await client.query(
                `INSERT INTO records (hall_id, key, kind, v, at, day, data)
                 SELECT $1, r.key, r.kind, r.v, to_timestamp(r.at / 1000.0), r.day::date, r.data
                 FROM jsonb_to_recordset($2::jsonb) AS r(key text, kind text, v int, at bigint, day text, data jsonb)
                 ON CONFLICT DO NOTHING RETURNING key`,
                [hallId, JSON.stringify(valid)],
              );
        fresh = new Set(ins.rows.map((x) => x.key as string));
        await applyDerived(
          client,
          hallId,
          valid.filter((r) => fresh.has(r.key)),
        );
        if (live) await storeLiveWait(client, hallId, live);
        await client.query(
          `UPDATE halls SET last_seen_at = now(),
             last_record_at = CASE WHEN $2::bigint IS NULL THEN last_record_at ELSE greatest(last_record_at, to_timestamp($2::bigint / 1000.0)) END
           WHERE id = $1`,
          [hallId, valid.length ? Math.max(...valid.map((r) => r.at)) : null],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        broken = err as Error; // a connection that failed mid-transaction is not put back in the pool
        throw err;
      } finally {
        client.release(broken);
      }
      return finish(fresh);

      async function finish(stored: Set<string>) {
        for (const r of valid) results.push({ key: r.key, status: stored.has(r.key) ? 'stored' : 'duplicate' });
        const rejected = results.filter((r) => r.status === 'rejected').length;
        counters.batches++;
        counters.stored += stored.size;
        counters.duplicates += valid.length - stored.size;
        counters.rejectedRecords += rejected;
        if (rejected) await countRejection(pool, hallId, 'record_invalid', rejected);
        return { results };
      }
    });
  });
}

/** Old batch ids only guard the replay window; older ones are refused by their timestamp anyway. */
export async function pruneSeenBatches(pool: pg.Pool): Promise<number> {
  const r = await pool.query(`DELETE FROM seen_batches WHERE at < now() - interval '1 hour'`);
  return r.rowCount ?? 0;
}
