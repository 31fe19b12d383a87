import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { nextDay } from '../../queue/calendar.js';
import { isValidDay } from '../../queue/time.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';

/** 建议开放窗口: the arrivals forecast and the counters to open per slot (docs/forecast.md). */
export function forecastRoutes(app: TypedApp, ctx: HallContext): void {
  app.get(
    '/api/v1/forecast',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['manager'],
        summary: 'Arrivals forecast and counters to open per half hour, from the hall history (default: today and the next 8 days)',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 14 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const planner = ctx.forecast;
      if (!planner) throw new ApiError(404, 'forecast_off', '本大厅未启用客流预测', 'The forecast is not enabled in this hall');
      const today = ctx.engine.today();
      const from = request.query.from ?? today;
      // a year either side: enough for a look back, and no one asks for 2099 by mistake and waits for it
      if (!isValidDay(from) || from < nextDay(today, -366) || from > nextDay(today, 366)) {
        throw new ApiError(400, 'invalid_day', '日期无效（只能查询前后一年内）', '"from" must be a real day within a year of today');
      }
      // `now` lets the board place the current slot by the hall's clock, not the browser's
      return { ...(await planner.plan(from, request.query.days ?? 9)), now: planner.clockNow() };
    },
  );
}
