import Type from 'typebox';
import type { HallContext } from '../../context.js';
import type { TypedApp } from '../server.js';
import { whoOf } from '../../security/access.js';
import { RateLimiter } from '../../security/rate.js';
import { ApiError } from '../errors.js';

export function hallRoutes(app: TypedApp, ctx: HallContext): void {
  const { config } = ctx;

  // /healthz proves the database takes a write: a full disk or a read-only file is "not ok" (503).
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['hall'], summary: 'Liveness and a writable database' } },
    async (_request, reply) => {
      const db = ctx.storage.probe();
      if (!db.ok) reply.status(503);
      return { ok: db.ok, db: db.ok ? 'writable' : 'unwritable', ...(db.ok ? {} : { code: db.code }) };
    },
  );
  // Sign-ins per source address: a burst of 20, then one every 3 s, before the PIN lockout even counts.
  const logins = new RateLimiter(20, 3000);
  const loginRate = (ip: string) => {
    if (!logins.take(ip))
      throw new ApiError(429, 'too_many_requests', '请求过于频繁，请稍后再试', 'Too many sign-in requests; wait a moment', 3);
  };

  // a flood's refusals are answered before their bodies are parsed (AuthService.refuseEarly)
  const signInAdmission = async (request: { ip: string }) => ctx.auth.refuseEarly(request.ip);

  app.get(
    '/api/v1/hall',
    { config: { access: 'public' }, schema: { tags: ['hall'], summary: 'Hall name, phones, notices, counters (信息公开)' } },
    async () => ({
      name: config.hall.name,
      code: config.hall.code,
      phones: config.hall.phones,
      notices: ctx.engine.hallNotices(config.hall.notices),
      timezone: config.hall.timezone,
      counters: config.counters.map((c) => ({
        id: c.id,
        name: c.name,
        senior: c.senior,
        green: c.green,
        services: c.services,
        backupCounter: c.backupCounter,
        location: c.location,
      })),
      voice: config.voice,
      idleSeconds: config.kiosk.idleSeconds,
      ratingTimeoutSeconds: config.rating.timeoutSeconds,
      /** the 差评 reasons the pad offers, in the hall's order */
      ratingReasons: config.rating.reasons,
      waitAlertMinutes: config.board.waitAlertMinutes,
    }),
  );

  app.get(
    '/api/v1/services',
    { config: { access: 'public' }, schema: { tags: ['hall'], summary: 'Services (业务) with materials, conditions, fees' } },
    async () => ({
      services: config.services,
    }),
  );

  app.post(
    '/api/v1/auth/staff',
    {
      config: { access: 'public' },
      onRequest: signInAdmission,
      schema: {
        tags: ['auth'],
        summary: 'Staff sign-in at a counter',
        body: Type.Object(
          {
            counter: Type.String({ minLength: 1, maxLength: 40 }),
            staffId: Type.String({ minLength: 1, maxLength: 40 }),
            pin: Type.String({ minLength: 1, maxLength: 20 }),
            /** end the session already at this counter (or this staff member's other counter) */
            takeover: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      loginRate(request.ip);
      const { counter, staffId, pin, takeover } = request.body;
      const { token, account } = await ctx.auth.loginStaff(counter, staffId, pin, request.ip, {
        takeover,
        terminal: whoOf(request).terminal,
      });
      return { token, counter, staff: { id: staffId, name: account.name, photoUrl: account.photo ?? null } };
    },
  );

  for (const role of ['guide', 'manager'] as const) {
    app.post(
      `/api/v1/auth/${role}`,
      {
        config: { access: 'public' },
        onRequest: signInAdmission,
        schema: {
          tags: ['auth'],
          summary: role === 'guide' ? 'Guide-staff PIN (绿色通道 tickets)' : 'Hall manager PIN',
          body: Type.Object(
            { pin: Type.String({ minLength: 1, maxLength: 20 }), staffId: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        loginRate(request.ip);
        const { token } = await ctx.auth.loginRole(role, request.body.pin, request.ip, request.body.staffId);
        return { token, role };
      },
    );
  }
}
