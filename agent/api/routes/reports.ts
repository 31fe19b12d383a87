import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';

const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export function reportRoutes(app: TypedApp, ctx: HallContext): void {
  app.get(
    '/api/v1/reports/handling',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['manager'],
        summary: 'Average handling and waiting time per staff member, counter or service, filtered',
        querystring: Type.Object(
          {
            from: Type.Optional(day),
            to: Type.Optional(day),
            service: Type.Optional(Type.String({ maxLength: 40 })),
            counter: Type.Optional(Type.String({ maxLength: 40 })),
            staff: Type.Optional(Type.String({ maxLength: 40 })),
            groupBy: Type.Optional(Type.Union([Type.Literal('staff'), Type.Literal('counter'), Type.Literal('service')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      ctx.auth.requireRole(request, ['manager']);
      const q = request.query;
      const today = ctx.engine.today();
      const from = q.from ?? q.to ?? today;
      const to = q.to ?? q.from ?? today;
      if (from > to) throw new ApiError(400, 'invalid_range', '开始日期不能晚于结束日期', '"from" must not be after "to"');
      const groupBy = q.groupBy ?? 'staff';
      const rows = ctx.reports.handling({ from, to, service: q.service, counter: q.counter, staffId: q.staff, groupBy });
      const names = new Map(ctx.auth.store.accounts().map((s) => [s.id, s.name]));
      return {
        from,
        to,
        groupBy,
        rows: rows.map((r) => (groupBy === 'staff' ? { ...r, name: r.key === null ? null : (names.get(r.key) ?? r.key) } : r)),
      };
    },
  );
}
