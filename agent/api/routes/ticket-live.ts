// The phone ticket page, live: a server-sent event stream of one ticket's status (pushed within a
// fraction of a second of any queue change, instead of a 10 s re-read), and 扫码评价 — after the
// ticket is finished, the page offers a rating link whose token is bound to that finished ticket.
// One rating per ticket across pad and phone is the engine's rule (queue/feedback.ts, ALREADY_RATED);
// the phone's rating is source 'web', synced upward as channel `qr`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ticketIdFromPublic } from '../../security/ticket-ids.js';
import { ApiError } from '../errors.js';
import { MAX_RATING_REASONS } from '../../../common/rating-reasons.js';
import type { TypedApp } from '../server.js';
import { type TicketStatus, ticketStatus } from './ticket-page.js';

/** a phone page left open all day must not hold the agent: a cap on open streams */
const MAX_STREAMS = 500;
/** queue events come in bursts (call + display + voice): one recomputation per burst */
const PUSH_DEBOUNCE_MS = 100;
/** a comment line keeps proxies and phones from closing an idle stream */
const HEARTBEAT_MS = 25_000;

/** the rating token of a finished ticket entry: HMAC with the hall secret, so only the page of that ticket knows it */
export function rateToken(secret: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`rate:${ticketId}`).digest().subarray(0, 16).toString('base64url');
}

function tokenOk(secret: string, ticketId: string, given: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(rateToken(secret, ticketId));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** the ticket's latest entry after transfers, as the citizen sees it, plus the rating link when it can be rated */
export type LiveStatus = TicketStatus & { rate: { token: string } | null; rated: boolean };

export function liveStatus(ctx: HallContext, publicId: string): LiveStatus | undefined {
  const internal = ticketIdFromPublic(ctx.config.hall.secret, publicId);
  const s = internal ? ticketStatus(ctx, internal) : undefined;
  if (!s) return undefined;
  // s.id is the latest entry's internal id here: the token binds to the entry that was finished
  const rated = s.state === 'done' && ctx.engine.isRated(s.id);
  const rate = s.state === 'done' && !rated ? { token: rateToken(ctx.config.hall.secret, s.id) } : null;
  return { ...s, id: publicId, rate, rated };
}

export function ticketLiveRoutes(app: TypedApp, ctx: HallContext): void {
  const params = Type.Object({ id: Type.String({ maxLength: 200 }) });
  const streams = new Map<ServerResponse, { publicId: string; last: string }>();

  const send = (res: ServerResponse, s: LiveStatus) => {
    const body = JSON.stringify({ ...s, updatedAt: 0 });
    const entry = streams.get(res);
    if (!entry || entry.last === body) return; // nothing the citizen would see changed
    entry.last = body;
    res.write(`event: status\ndata: ${JSON.stringify(s)}\n\n`);
  };
  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = ctx.bus.on('queue', () => {
    if (pending || streams.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      for (const [res, { publicId }] of streams) {
        const s = liveStatus(ctx, publicId);
        if (s) send(res, s);
      }
    }, PUSH_DEBOUNCE_MS);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams.keys()) res.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  app.addHook('onClose', async () => {
    off();
    clearTimeout(pending);
    clearInterval(heartbeat);
    for (const res of streams.keys()) res.end();
    streams.clear();
  });

  app.get(
    '/api/v1/tickets/:id/events',
    {
      config: { access: 'public' },
      schema: {
        tags: ['tickets'],
        summary: "One ticket's status as server-sent events (event: status, the same JSON as /status), pushed on every change",
        params,
      },
    },
    async (request, reply) => {
      const first = liveStatus(ctx, request.params.id);
      if (!first) throw new ApiError(404, 'ticket_not_found', '没有找到这张号票', 'No such ticket');
      if (streams.size >= MAX_STREAMS)
        throw new ApiError(429, 'too_many_streams', '当前查看人数过多，请稍后刷新', 'Too many viewers, retry later');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 1000\n\n');
      streams.set(res, { publicId: request.params.id, last: '' });
      send(res, first);
      request.raw.on('close', () => streams.delete(res));
    },
  );

  app.post(
    '/api/v1/tickets/:id/rating',
    {
      config: { access: 'public' },
      schema: {
        tags: ['ratings'],
        summary: '扫码评价: rate a finished ticket from its phone page (token from the page; one rating per ticket, pad or phone)',
        params,
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 64 }),
            level: Type.Integer({ minimum: 1, maximum: 5 }),
            reasons: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: MAX_RATING_REASONS })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const internal = ticketIdFromPublic(ctx.config.hall.secret, request.params.id);
      const s = internal ? ticketStatus(ctx, internal) : undefined;
      if (!s) throw new ApiError(404, 'ticket_not_found', '没有找到这张号票', 'No such ticket');
      if (s.state !== 'done' || !s.counter)
        throw new ApiError(409, 'not_finished', '办结后才能评价', 'Only a finished ticket can be rated');
      if (!tokenOk(ctx.config.hall.secret, s.id, request.body.token)) {
        throw new ApiError(403, 'bad_rate_token', '评价链接无效，请重新扫码', 'Invalid rating link');
      }
      const reasons = [...new Set(request.body.reasons ?? [])];
      if (reasons.some((r) => !ctx.config.rating.reasons.some((d) => d.code === r))) {
        throw new ApiError(400, 'bad_reason', '评价原因不正确', 'Unknown rating reason');
      }
      if (request.body.level <= 2 && reasons.length === 0) {
        throw new ApiError(400, 'reason_required', '不满意评价请选择原因', 'Please choose a reason for a dissatisfied rating');
      }
      const rating = ctx.engine.rate({
        counter: s.counter,
        ticketId: s.id,
        level: request.body.level as 1 | 2 | 3 | 4 | 5,
        reasons,
        source: 'web',
      });
      reply.status(201);
      return { rating: { level: rating.level, number: rating.number } };
    },
  );
}
