import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';
import { whoOf } from '../../security/access.js';
import { projectSnapshot } from '../../security/projection.js';
import { RateLimiter } from '../../security/rate.js';

export function queueRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;
  // the event history is paged (≤ 1000 a page); each address may page a burst of 300, then 20 a second
  const historyRate = new RateLimiter(300, 50);

  app.get(
    '/api/v1/queue',
    {
      config: { access: 'public' },
      schema: {
        tags: ['queue'],
        summary: 'Waiting per service, counters and current tickets (staff and manager see staff and pause reasons)',
      },
    },
    async (request) => {
      const role = whoOf(request).session?.role;
      return projectSnapshot(engine.snapshot(), role === 'manager' ? 'manager' : role === 'staff' || role === 'guide' ? 'staff' : 'public');
    },
  );

  app.get(
    '/api/v1/queue/waiting',
    {
      config: { access: ['staff', 'manager'] },
      schema: { tags: ['queue'], summary: 'Waiting tickets with service, channel and wait (counter staff, manager)' },
    },
    async () => {
      const now = engine.now();
      return {
        tickets: engine.waitingTickets().map((t) => ({
          id: t.id,
          number: t.number,
          service: t.service,
          channel: t.channel,
          targetCounter: t.targetCounter ?? null,
          transferred: t.transferredFrom !== undefined,
          waitingMs: Math.max(0, now - (t.queuedAt ?? t.issuedAt)),
        })),
      };
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['queue'],
        summary: 'Page through the append-only event table',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
      },
    },
    async (request) => {
      if (!historyRate.take(request.ip))
        throw new ApiError(429, 'too_many_requests', '请求过于频繁，请稍后再试', 'Too many history requests; wait a moment');
      const events = engine.eventsAfter(request.query.after ?? 0, request.query.limit ?? 200);
      return { events, lastSeq: events.at(-1)?.seq ?? request.query.after ?? 0 };
    },
  );

  app.get(
    '/api/v1/stats',
    {
      config: { access: ['manager'] },
      schema: { tags: ['manager'], summary: 'Today’s ratings, bad ratings, handling times, unresolved reports' },
    },
    async () => {
      return engine.stats();
    },
  );

  app.get(
    '/api/v1/devices',
    { config: { access: 'public' }, schema: { tags: ['devices'], summary: 'Every device with its status' } },
    async () => ({
      devices: ctx.devices.list(),
    }),
  );

  // The simulator drives counters and rating pads: only in the demo hall (or `simulator: true`), only for staff.
  if (!ctx.config.simulator) {
    voiceRoute(app, ctx);
    return;
  }
  app.get(
    '/api/v1/sim',
    { config: { access: ['staff', 'manager'] }, schema: { tags: ['devices'], summary: 'Simulated devices (demo hall)' } },
    async () => ctx.devices.simState(),
  );

  app.post(
    '/api/v1/sim/:deviceId',
    {
      config: { access: ['staff', 'manager'], rawIdNumbers: true },
      schema: {
        tags: ['devices'],
        summary: 'Act on a simulated device: press a key, rate, paper out, cover open, ID card',
        params: Type.Object({ deviceId: Type.String({ maxLength: 60 }) }),
        body: Type.Object({ type: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: true }),
      },
    },
    async (request) => {
      try {
        return { result: ctx.devices.simAction(request.params.deviceId, request.body as Record<string, unknown>) ?? null };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ApiError(400, 'sim_action_refused', `模拟设备拒绝了该操作：${message}`, `The simulated device refused: ${message}`);
      }
    },
  );

  voiceRoute(app, ctx);
}

function voiceRoute(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;
  app.get(
    '/api/v1/voice',
    {
      // public: only whether calls are spoken or chimed, which anyone in the hall hears anyway
      config: { access: 'public' },
      schema: { tags: ['voice'], summary: 'Voice health: spoken calls (espeak-ng or a recorded pack) or chime only' },
    },
    async () => {
      const h = ctx.voice.health?.() ?? { mode: 'speech' as const, checkedAt: 0 };
      // the reason text names paths on the hall PC: the board (manager) reads it from its device alert
      return { mode: h.mode, source: h.source ?? null, checkedAt: h.checkedAt, replayMaxAgeSeconds: ctx.config.voice.replayMaxAgeSeconds };
    },
  );

  app.get(
    '/api/v1/voice/call/:file',
    {
      config: { access: 'public' },
      schema: {
        tags: ['voice'],
        summary: 'WAV announcement of a call event: /api/v1/voice/call/<seq>.wav',
        params: Type.Object({ file: Type.String({ pattern: '^\\d{1,12}\\.wav$' }) }),
      },
    },
    async (request, reply) => {
      const seq = Number(request.params.file.slice(0, -4));
      const event = engine.eventsAfter(seq - 1, 1)[0];
      if (!event || event.seq !== seq || (event.type !== 'ticket.called' && event.type !== 'ticket.recalled') || !event.counter) {
        throw new ApiError(404, 'not_a_call', '该序号不是叫号事件', 'That sequence number is not a call');
      }
      const number = String(event.data.number ?? engine.getTicket(event.ticketId ?? '')?.number ?? '');
      const wav = await ctx.voice.announce({ number, counter: event.counter, recall: event.type === 'ticket.recalled' });
      // a chime-only WAV must not be cached: the voice may be back for the next play of this call
      const speech = ctx.voice.health?.().mode !== 'chime';
      reply.header('cache-control', speech ? 'public, max-age=86400' : 'no-store').type('audio/wav');
      return reply.send(wav);
    },
  );
}
