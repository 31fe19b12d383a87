import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { FastifyReply } from 'fastify';
import type { PeriodReport } from '../../queue/period-report.js';
import type { TypedApp } from '../server.js';
import { COLUMNS, handlingCsv, reportCsv, reportHtml, reportXlsx } from './report-export.js';

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
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const today = ctx.engine.today();
      const from = q.from ?? q.to ?? today;
      const to = q.to ?? q.from ?? today;
      if (from > to) throw new ApiError(400, 'invalid_range', '开始日期不能晚于结束日期', '"from" must not be after "to"');
      const groupBy = q.groupBy ?? 'staff';
      const rows = ctx.reports.handling({ from, to, service: q.service, counter: q.counter, staffId: q.staff, groupBy });
      const names = new Map(ctx.auth.store.accounts().map((s) => [s.id, s.name]));
      const named = rows.map((r) => (groupBy === 'staff' ? { ...r, name: r.key === null ? null : (names.get(r.key) ?? r.key) } : r));
      if (q.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="handling-${from}-${to}.csv"`)
          .send(handlingCsv(named, groupBy));
      }
      return { from, to, groupBy, rows: named };
    },
  );

  const format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('html')]));
  const send = async (report: PeriodReport, fmt: string | undefined, reply: FastifyReply) => {
    const hall = ctx.config.hall.name;
    const file = `${ctx.config.hall.code}-${report.kind}-${report.period}`;
    if (fmt === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}.csv"`)
        .send(reportCsv(report, hall));
    }
    if (fmt === 'xlsx') {
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${file}.xlsx"`)
        .send(await reportXlsx(report, hall));
    }
    if (fmt === 'html') return reply.type('text/html; charset=utf-8').send(reportHtml(report, hall));
    return { report, columns: COLUMNS.map(({ id, zh, en }) => ({ id, zh, en })) };
  };

  app.get(
    '/api/v1/reports/monthly',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['manager'],
        summary: 'Monthly report of a campaign cycle (default 26th of the previous month to the 25th): json, csv, xlsx or a printable page',
        querystring: Type.Object(
          { month: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })), format },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const month = request.query.month ?? ctx.engine.reportMonthOf(ctx.engine.today());
      return send(ctx.engine.periodReport('monthly', month), request.query.format, reply);
    },
  );

  app.get(
    '/api/v1/reports/daily',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['manager'],
        summary: 'Daily report: json, csv, xlsx or a printable page',
        querystring: Type.Object({ day: Type.Optional(day), format }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      return send(ctx.engine.periodReport('daily', request.query.day ?? ctx.engine.today()), request.query.format, reply);
    },
  );
}
