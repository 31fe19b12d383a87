import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';

export function queueRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;

  app.get(
    '/api/v1/queue',
    { schema: { tags: ['queue'], summary: 'Waiting per service, counters and their current tickets, event seq' } },
    async () => engine.snapshot(),
  );

  app.get(
    '/api/v1/queue/waiting',
    { schema: { tags: ['queue'], summary: 'Waiting tickets with service, channel and wait (counter staff, manager)' } },
    async (request) => {
      ctx.auth.requireRole(request, ['staff', 'manager']);
      const now = Date.now();
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
      const events = engine.eventsAfter(request.query.after ?? 0, request.query.limit ?? 200);
      return { events, lastSeq: events.at(-1)?.seq ?? request.query.after ?? 0 };
    },
  );

  app.get(
    '/api/v1/stats',
    { schema: { tags: ['manager'], summary: 'Today’s ratings, bad ratings, handling times, unresolved reports' } },
    async (request) => {
      ctx.auth.requireRole(request, ['manager']);
      return engine.stats();
    },
  );

  app.get('/api/v1/devices', { schema: { tags: ['devices'], summary: 'Every device with its status' } }, async () => ({
    devices: ctx.devices.list(),
  }));

  app.get('/api/v1/sim', { schema: { tags: ['devices'], summary: 'Simulated devices (demo hall)' } }, async () => ctx.devices.simState());

  app.post(
    '/api/v1/sim/:deviceId',
    {
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

  app.get(
    '/api/v1/voice',
    { schema: { tags: ['voice'], summary: 'Voice health: spoken calls (espeak-ng or a recorded pack) or chime only' } },
    async () => {
      const h = ctx.voice.health?.() ?? { mode: 'speech' as const, checkedAt: 0 };
      // the reason text names paths on the hall PC: the board (manager) reads it from its device alert
      return { mode: h.mode, source: h.source ?? null, checkedAt: h.checkedAt, replayMaxAgeSeconds: ctx.config.voice.replayMaxAgeSeconds };
    },
  );

  app.get(
    '/api/v1/voice/call/:file',
    {
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
