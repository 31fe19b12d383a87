import Type from 'typebox';
import type { HallContext } from '../../context.js';
import type { TypedApp } from '../server.js';

export function hallRoutes(app: TypedApp, ctx: HallContext): void {
  const { config } = ctx;

  app.get('/healthz', { schema: { tags: ['hall'], summary: 'Liveness' } }, async () => ({ ok: true }));

  app.get('/api/v1/hall', { schema: { tags: ['hall'], summary: 'Hall name, phones, notices, counters (信息公开)' } }, async () => ({
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
    })),
    voice: config.voice,
    idleSeconds: config.kiosk.idleSeconds,
    ratingTimeoutSeconds: config.rating.timeoutSeconds,
    waitAlertMinutes: config.board.waitAlertMinutes,
  }));

  app.get('/api/v1/services', { schema: { tags: ['hall'], summary: 'Services (业务) with materials, conditions, fees' } }, async () => ({
    services: config.services,
  }));

  app.post(
    '/api/v1/auth/staff',
    {
      schema: {
        tags: ['auth'],
        summary: 'Staff sign-in at a counter',
        body: Type.Object(
          {
            counter: Type.String({ minLength: 1, maxLength: 40 }),
            staffId: Type.String({ minLength: 1, maxLength: 40 }),
            pin: Type.String({ minLength: 1, maxLength: 20 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { counter, staffId, pin } = request.body;
      const { token } = ctx.auth.loginStaff(counter, staffId, pin, request.ip);
      const staff = config.staff.find((s) => s.id === staffId);
      return { token, counter, staff: { id: staffId, name: staff?.name ?? staffId, photoUrl: staff?.photo ?? null } };
    },
  );

  for (const role of ['guide', 'manager'] as const) {
    app.post(
      `/api/v1/auth/${role}`,
      {
        schema: {
          tags: ['auth'],
          summary: role === 'guide' ? 'Guide-staff PIN (绿色通道 tickets)' : 'Hall manager PIN',
          body: Type.Object({ pin: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
        },
      },
      async (request) => {
        const { token } = ctx.auth.loginRole(role, request.body.pin, request.ip);
        return { token, role };
      },
    );
  }
}
