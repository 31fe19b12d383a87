// Group commit for the common ingest case. When many halls post at once, each batch alone would be one
// PostgreSQL transaction and one WAL flush; here the batches waiting at that moment are written by one
// statement (one transaction, one flush), and every hall still gets its own answer. A lone batch is
// written at once: grouping only happens when there is a queue, so it never adds waiting.
//
// A hall appears at most once per group and in at most one group in flight, which keeps the statement's
// answer unambiguous (a key belongs to one batch) and the groups free of row-lock cycles (they touch
// disjoint halls rows). A group that fails on its data is retried batch by batch, so one hall's bad
// record cannot hold the others back.
//
// Every batch has a deadline. Without one, a statement that never comes back (a connection the network
// dropped without a word, so PostgreSQL has no backend for it) held its writer and its hall's slot for
// good: the hall's later batches queued behind it unanswered, each retry adding one more. Now a batch not
// written by its deadline is answered "busy" (503, the hall retries with the same keys, so a late commit
// is never stored twice), and the statement itself is cut off by a read timeout that also drops the
// connection, which frees the writer and the hall.
import type pg from 'pg';
import type { SyncRecord } from '../contracts/records.js';

export interface WriteResult {
  /** false: this batch id was already received (replay) and nothing was written */
  fresh: boolean;
  /** keys newly stored; the other valid keys were already there */
  stored: Set<string>;
}

/** the batch could not be written in time; nothing is lost, the hall sends it again */
export class IngestBusy extends Error {
  readonly code = 'HUB_BUSY';
  constructor(readonly retryAfterSeconds: number) {
    super('the hub could not write this batch in time');
  }
}

interface Pending {
  hallId: string;
  batchId: string;
  /** the group's JSON for this batch, made once on the request's own turn */
  json: string;
  rows: number;
  /** answered (written, failed or timed out): a late result is dropped */
  settled: boolean;
  resolve(r: WriteResult): void;
  reject(err: unknown): void;
}

const GROUP_INGEST = `
  WITH b AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(h text, id text, last bigint, r jsonb)
  ), seen AS (
    INSERT INTO seen_batches (hall_id, batch_id) SELECT h, id FROM b ON CONFLICT DO NOTHING RETURNING hall_id
  ), ins AS (
    INSERT INTO records (hall_id, key, kind, v, at, day, data)
    SELECT b.h, r.key, r.kind, r.v, to_timestamp(r.at / 1000.0), r.day::date, r.data
    FROM b JOIN seen ON seen.hall_id = b.h,
      jsonb_to_recordset(b.r) AS r(key text, kind text, v int, at bigint, day text, data jsonb)
    ON CONFLICT DO NOTHING RETURNING hall_id, key
  ), upd AS (
    UPDATE halls SET last_seen_at = to_timestamp($2::double precision / 1000.0),
      last_record_at = CASE WHEN b.last IS NULL THEN halls.last_record_at ELSE greatest(halls.last_record_at, to_timestamp(b.last / 1000.0)) END
    FROM b JOIN seen ON seen.hall_id = b.h
    WHERE halls.id = b.h
  )
  SELECT (SELECT coalesce(json_agg(hall_id), '[]') FROM seen) AS seen,
         (SELECT coalesce(json_agg(json_build_array(hall_id, key)), '[]') FROM ins) AS stored`;

/** PostgreSQL error classes caused by the data of one batch rather than by the server or the connection */
const DATA_ERROR = /^(22|23|42)/;

export class IngestWriter {
  private queue: Pending[] = [];
  private inFlight = new Set<string>();
  private running = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: {
      writers?: number;
      maxBatches?: number;
      maxRows?: number;
      /** a batch not written within this is answered busy (503) */
      deadlineMs?: number;
      /** a group statement without an answer for this long is cut off and its connection dropped */
      statementTimeoutMs?: number;
      /** the hub's clock (HubOptions.now): a hall's last-seen time, which the reports compare with it (同步延迟) */
      now?: () => number;
    } = {},
  ) {}

  /** writes one verified batch: replay check, records, the hall's last-seen, all or nothing */
  write(hallId: string, batchId: string, records: SyncRecord[]): Promise<WriteResult> {
    const last = records.length ? records.reduce((m, r) => Math.max(m, r.at), -Infinity) : null;
    const json = `{"h":${JSON.stringify(hallId)},"id":${JSON.stringify(batchId)},"last":${last},"r":${JSON.stringify(records)}}`;
    const deadlineMs = this.opts.deadlineMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (p.settled) return;
        this.queue = this.queue.filter((x) => x !== p);
        p.reject(new IngestBusy(Math.max(1, Math.ceil(deadlineMs / 2000))));
      }, deadlineMs);
      const p: Pending = {
        hallId,
        batchId,
        json,
        rows: records.length,
        settled: false,
        resolve(r) {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(timer);
          resolve(r);
        },
        reject(err) {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(timer);
          reject(err);
        },
      };
      this.queue.push(p);
      this.pump();
    });
  }

  private pump(): void {
    const writers = this.opts.writers ?? 4;
    while (this.running < writers && this.queue.length > 0) {
      const group = this.takeGroup();
      if (group.length === 0) return; // every queued hall is already in flight; a finishing group pumps again
      this.running++;
      for (const p of group) this.inFlight.add(p.hallId);
      this.run(group).finally(() => {
        this.running--;
        for (const p of group) this.inFlight.delete(p.hallId);
        this.pump();
      });
    }
  }

  private takeGroup(): Pending[] {
    const maxBatches = this.opts.maxBatches ?? 250;
    const maxRows = this.opts.maxRows ?? 10_000;
    const group: Pending[] = [];
    const halls = new Set<string>();
    let rows = 0;
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const fits = group.length < maxBatches && (group.length === 0 || rows + p.rows <= maxRows);
      if (fits && !halls.has(p.hallId) && !this.inFlight.has(p.hallId)) {
        group.push(p);
        halls.add(p.hallId);
        rows += p.rows;
      } else rest.push(p);
    }
    this.queue = rest;
    return group;
  }

  private async run(group: Pending[]): Promise<void> {
    try {
      const results = await this.writeGroup(group);
      for (const p of group) p.resolve(results.get(p.hallId)!);
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      if (group.length > 1 && DATA_ERROR.test(code)) {
        // Find the batch at fault: each alone; the good ones are stored, the bad one gets the error.
        for (const p of group) {
          if (p.settled) continue; // already answered busy; the hall sends it again
          await this.writeGroup([p]).then(
            (r) => p.resolve(r.get(p.hallId)!),
            (e) => p.reject(e),
          );
        }
      } else for (const p of group) p.reject(err);
    }
  }

  private async writeGroup(group: Pending[]): Promise<Map<string, WriteResult>> {
    const r = await this.pool.query({
      text: GROUP_INGEST,
      values: [`[${group.map((p) => p.json).join(',')}]`, (this.opts.now ?? Date.now)()],
      query_timeout: this.opts.statementTimeoutMs ?? 2 * (this.opts.deadlineMs ?? 10_000),
    } as pg.QueryConfig);
    const seen = new Set<string>(r.rows[0].seen as string[]);
    const out = new Map<string, WriteResult>(group.map((p) => [p.hallId, { fresh: seen.has(p.hallId), stored: new Set<string>() }]));
    for (const [hall, key] of r.rows[0].stored as [string, string][]) out.get(hall)?.stored.add(key);
    return out;
  }
}
