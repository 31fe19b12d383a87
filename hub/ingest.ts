// POST /api/v1/ingest: signature and replay checks, per-record contract validation, then every new
// record stored once (ON CONFLICT DO NOTHING on hall + idempotency key) and the derived tables
// (cases, live wait) updated in the same transaction. Refusals are counted per hall and reason.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Compile } from 'typebox/compile';
import { BatchV1, CONTRACTS, type ContractTable, type RecordResult, readableVersions, type SyncRecord } from '../contracts/records.js';
import { inTransaction } from './db/client.js';
import { IngestBusy, IngestWriter } from './ingest-writer.js';
import { applyDerived, DERIVED, storeLiveWait } from './derived.js';
import { HEADER_HALL, HEADER_SIGNATURE, HEADER_TIME, REPLAY_WINDOW_MS, verify } from '../contracts/sign.js';

const batchCheck = Compile(BatchV1);
interface VersionCheck {
  v: number;
  check: ReturnType<typeof Compile>;
  upgrade(data: unknown): unknown;
}

/** per kind, every version this hub reads (the current one first), compiled once */
function compileContracts(table: ContractTable): Map<string, VersionCheck[]> {
  return new Map(
    Object.entries(readableVersions(table)).map(([kind, versions]) => [
      kind,
      versions.map((x) => ({ v: x.v, check: Compile(x.schema), upgrade: x.upgrade })),
    ]),
  );
}

/** a hall clock may run a little fast; a record a day ahead is a broken clock, not a fact */
const FUTURE_SLACK_MS = 24 * 3600_000;

export class IngestCounters {
  batches = 0;
  stored = 0;
  duplicates = 0;
  rejectedRecords = 0;
  rejectedBatches = 0;
  /** answered 503 because the batch could not be written by its deadline */
  busy = 0;
}

export class HallSecrets {
  private cache = new Map<string, { secret: string; at: number }>();
  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 30_000,
    private readonly queryTimeoutMs = 20_000,
  ) {}
  async get(id: string): Promise<string | null> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.secret;
    const r = await this.pool.query({
      text: 'SELECT secret FROM halls WHERE id = $1',
      values: [id],
      query_timeout: this.queryTimeoutMs,
    } as pg.QueryConfig);
    if (!r.rowCount) return null;
    this.cache.set(id, { secret: r.rows[0].secret, at: Date.now() });
    return r.rows[0].secret as string;
  }
}

async function countRejection(pool: pg.Pool, hallId: string, reason: string, n: number, queryTimeoutMs: number): Promise<void> {
  await pool
    .query({
      text: `INSERT INTO rejections (hall_id, reason, count, last_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (hall_id, reason) DO UPDATE SET count = rejections.count + excluded.count, last_at = now()`,
      values: [hallId, reason, n],
      query_timeout: queryTimeoutMs,
    } as pg.QueryConfig)
    .catch(() => {});
}

const DAY_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** the contract checks a day's shape; PostgreSQL would refuse 2026-02-30 and take the whole write with it */
function badDay(data: unknown, path = ''): string | null {
  if (typeof data === 'string') {
    const m = DAY_SHAPE.exec(data);
    if (!m) return null;
    const t = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
    return t.getUTCFullYear() === +m[1]! && t.getUTCMonth() === +m[2]! - 1 && t.getUTCDate() === +m[3]! ? null : path || '/';
  }
  if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === 'string' && !/(day|date)$/i.test(k)) continue; // free text may look like anything
      const at = badDay(v, `${path}/${k}`);
      if (at) return at;
    }
  }
  return null;
}

/**
 * Checks a record against the contract of its kind and version and brings it to the current shape:
 * the record returned has the current `v` and data (an older version's data upgraded), or the reason
 * it is refused.
 */
function validate(contracts: Map<string, VersionCheck[]>, r: SyncRecord, now: number): SyncRecord | string {
  const versions = contracts.get(r.kind);
  if (!versions) return `unknown record kind "${r.kind}"`;
  const c = versions.find((x) => x.v === r.v);
  if (!c) {
    const readable = versions.map((x) => `v${x.v}`).sort();
    return `${r.kind} v${r.v} is not supported (this hub reads ${readable.join(', ')})`;
  }
  if (r.at > now + FUTURE_SLACK_MS) return 'record time is more than a day in the future (check the hall PC clock)';
  if (!c.check.Check(r.data)) {
    const e = [...c.check.Errors(r.data)][0];
    return `${r.kind} v${r.v}: ${e?.instancePath || '/'} ${e?.message ?? 'does not match the contract'}`;
  }
  const wrongDay = badDay(r.day) ?? badDay(r.data);
  if (wrongDay) return `${r.kind}: ${wrongDay === '/' ? '/day' : wrongDay} is not a calendar day`;
  const current = versions[0]!;
  if (c === current) return r;
  const data = c.upgrade(r.data);
  // an upgrade is code too: what it makes must be a valid current record, or the record is refused here
  if (!current.check.Check(data)) return `${r.kind} v${r.v} could not be read as v${current.v} (hub upgrade function)`;
  return { ...r, v: current.v, data } as SyncRecord;
}

export interface IngestOptions {
  /** group-commit writers (connections the ingest may use at once for plain batches) */
  writers?: number;
  /** a batch not answered within this is answered 503 busy with Retry-After; below the halls' timeout (20 s) */
  deadlineMs?: number;
  /** the record kinds and versions read (contracts/records.ts); another table only in tests */
  contracts?: ContractTable;
  /**
   * the hub's clock for the facts (HubOptions.now): a record dated more than a day after it is refused.
   * The signature's replay window stays on the real time the halls sign with.
   */
  now?: () => number;
}

interface Answer {
  status: number;
  body: unknown;
}

export function ingestRoutes(app: FastifyInstance, pool: pg.Pool, counters: IngestCounters, opts: IngestOptions = {}): void {
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const factNow = opts.now ?? Date.now;
  const contracts = compileContracts(opts.contracts ?? CONTRACTS);
  // A statement still running past this is cut off and its connection dropped (hub/db/client.ts).
  const queryTimeoutMs = 2 * deadlineMs;
  const secrets = new HallSecrets(pool, 30_000, queryTimeoutMs);
  const writer = new IngestWriter(pool, { writers: opts.writers ?? 4, deadlineMs, statementTimeoutMs: queryTimeoutMs, now: factNow });
  const busy = () => new IngestBusy(Math.max(1, Math.ceil(deadlineMs / 2000)));
  // The exact bytes are needed for the signature, so this route parses its own JSON.
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post('/api/v1/ingest', async (request: FastifyRequest, reply: FastifyReply) => {
      // Every request is answered by its deadline: the work goes on in the background (its statements
      // have read timeouts), and the hall, told 503, sends the same keys again.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(busy()), deadlineMs);
      });
      const work = ingest(request);
      work.catch(() => {});
      try {
        const a = await Promise.race([work, late]);
        return reply.status(a.status).send(a.body);
      } catch (err) {
        if (err instanceof IngestBusy) counters.busy++;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  });

  async function ingest(request: FastifyRequest): Promise<Answer> {
    const raw = request.body as Buffer;
    const hallId = String(request.headers[HEADER_HALL] ?? '');
    const ts = Number(request.headers[HEADER_TIME]);
    const sig = String(request.headers[HEADER_SIGNATURE] ?? '');
    const now = Date.now();
    const bad = async (reason: string, status: number, message: string, countFor = hallId): Promise<Answer> => {
      counters.rejectedBatches++;
      await countRejection(pool, countFor, reason, 1, queryTimeoutMs);
      return { status, body: { error: { code: reason, message } } };
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
    for (const sent of batch.records) {
      const checked = seenKeys.has(sent.key) ? 'key repeated within the batch' : validate(contracts, sent, factNow());
      seenKeys.add(sent.key);
      if (typeof checked === 'string') {
        results.push({ key: sent.key, status: 'rejected', reason: checked });
        continue;
      }
      const r = checked;
      if (r.kind === 'liveWait') {
        if (!live || r.at > live.at) live = r;
        results.push({ key: r.key, status: 'stored' });
      } else valid.push(r);
    }
    const needsDerived = live !== null || valid.some((r) => DERIVED.has(r.kind));
    let stored: Set<string> | null;
    if (!needsDerived) {
      // The common case (service records, notices): replay check, insert and the hall's last-seen in
      // one statement, grouped with other halls' batches waiting at the moment.
      const one = await writer.write(hallId, batch.batchId, valid);
      stored = one.fresh ? one.stored : null;
    } else stored = await writeWithDerived(hallId, batch.batchId, valid, live);
    if (stored === null) return bad('replayed', 409, `batch ${batch.batchId} was already received`);
    for (const r of valid) results.push({ key: r.key, status: stored.has(r.key) ? 'stored' : 'duplicate' });
    const rejected = results.filter((r) => r.status === 'rejected').length;
    counters.batches++;
    counters.stored += stored.size;
    counters.duplicates += valid.length - stored.size;
    counters.rejectedRecords += rejected;
    if (rejected) await countRejection(pool, hallId, 'record_invalid', rejected, queryTimeoutMs);
    return { status: 200, body: { results } };
  }

  /** one transaction: replay check, records, the tables derived from them, the hall's last-seen; null = replay */
  function writeWithDerived(hallId: string, batchId: string, valid: SyncRecord[], live: SyncRecord<'liveWait'> | null) {
    return inTransaction(
      pool,
      async (client) => {
        const seen = await client.query('INSERT INTO seen_batches (hall_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [
          hallId,
          batchId,
        ]);
        if (!seen.rowCount) return null;
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
        const keys = new Set(ins.rows.map((x) => x.key as string));
        await applyDerived(
          client,
          hallId,
          valid.filter((r) => keys.has(r.key)),
        );
        if (live) await storeLiveWait(client, hallId, live);
        await client.query(
          `UPDATE halls SET last_seen_at = to_timestamp($3::double precision / 1000.0),
             last_record_at = CASE WHEN $2::bigint IS NULL THEN last_record_at ELSE greatest(last_record_at, to_timestamp($2::bigint / 1000.0)) END
           WHERE id = $1`,
          [hallId, valid.length ? valid.reduce((m, r) => Math.max(m, r.at), -Infinity) : null, factNow()],
        );
        return keys;
      },
      { queryTimeoutMs },
    );
  }
}

/** Old batch ids only guard the replay window; older ones are refused by their timestamp anyway. */
export async function pruneSeenBatches(pool: pg.Pool): Promise<number> {
  const r = await pool.query(`DELETE FROM seen_batches WHERE at < now() - interval '1 hour'`);
  return r.rowCount ?? 0;
}
