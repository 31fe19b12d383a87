// POST /api/v1/booking-sync: the hall's side of the downward channel (contracts/booking-sync.ts).
// Checked like an ingest batch (signature over the exact bytes, timestamp window, batch id never seen),
// then in one transaction: the grants applied, the hall's cursor noted, the events after it read.
// The answer is signed with the hall's secret, so the hall applies only what this hub said.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Compile } from 'typebox/compile';
import { BOOKING_SYNC_PATH, type BookingSyncAnswer, BookingSyncRequest } from '../contracts/booking-sync.js';
import { HEADER_HALL, HEADER_SIGNATURE, HEADER_TIME, REPLAY_WINDOW_MS, sign, verify } from '../contracts/sign.js';
import { applyGrants, feedAfter, isRealDay } from './bookings.js';
import { inTransaction } from './db/client.js';
import { HallSecrets } from './ingest.js';

const check = Compile(BookingSyncRequest);

export function bookingSyncRoutes(app: FastifyInstance, pool: pg.Pool): void {
  const secrets = new HallSecrets(pool);
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(BOOKING_SYNC_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.body as Buffer;
      const hallId = String(request.headers[HEADER_HALL] ?? '');
      const ts = Number(request.headers[HEADER_TIME]);
      const sig = String(request.headers[HEADER_SIGNATURE] ?? '');
      const refuse = (status: number, code: string, message: string) => reply.status(status).send({ error: { code, message } });
      if (!Buffer.isBuffer(raw) || !hallId || !sig || !Number.isFinite(ts))
        return refuse(401, 'unsigned', `signed requests only: ${HEADER_HALL}, ${HEADER_TIME}, ${HEADER_SIGNATURE}`);
      const secret = await secrets.get(hallId);
      if (!secret) return refuse(401, 'unknown_hall', `hall ${hallId.slice(0, 40)} is not registered at this hub`);
      if (!verify(secret, hallId, ts, raw, sig)) return refuse(401, 'bad_signature', 'signature does not match (check upstream.secret)');
      if (Math.abs(Date.now() - ts) > REPLAY_WINDOW_MS)
        return refuse(401, 'stale_timestamp', 'timestamp outside the replay window (check the hall PC clock)');
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(400, 'bad_request', 'body is not JSON');
      }
      if (!check.Check(body)) {
        const e = [...check.Errors(body)][0];
        return refuse(400, 'bad_request', `${e?.instancePath || '/'} ${e?.message ?? 'invalid'}`);
      }
      const req = body as BookingSyncRequest;
      const bad = req.quotas.find((q) => q.end <= q.start || !isRealDay(q.day));
      if (bad) return refuse(400, 'bad_request', `quota ${bad.day} ${bad.service} ${bad.slot}: not a real day or an empty slot`);
      const answer = await inTransaction(pool, async (client) => {
        const seen = await client.query('INSERT INTO seen_batches (hall_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [
          hallId,
          `booking:${req.batchId}`,
        ]);
        if (!seen.rowCount) return null;
        const acks = await applyGrants(client, hallId, req.quotas);
        const { events, more } = await feedAfter(client, hallId, req.after);
        return { batchId: req.batchId, acks, events, more } satisfies BookingSyncAnswer;
      });
      if (!answer) return refuse(409, 'replayed', `batch ${req.batchId} was already received`);
      const text = JSON.stringify(answer);
      const at = Date.now();
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header(HEADER_TIME, String(at))
        .header(HEADER_SIGNATURE, sign(secret, hallId, at, text))
        .send(text);
    });
  });
}
