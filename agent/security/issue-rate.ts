import type { FastifyRequest } from 'fastify';
import type { HallContext } from '../context.js';
import { ApiError } from '../api/errors.js';
import { whoOf } from './access.js';
import { RateLimiter } from './rate.js';

const limiters = new WeakMap<HallContext, RateLimiter>();

/**
 * Tickets per kiosk (or per signed-in person): a burst, then a steady rate (kiosk.ticketsPerMinute).
 * One bucket per hall, shared by every route that prints a ticket (取号, 预约取号, 补材料回来, 办不成事),
 * so a kiosk cannot get a second allowance by switching routes.
 */
export function takeIssueToken(ctx: HallContext, request: FastifyRequest): void {
  let issuing = limiters.get(ctx);
  if (!issuing) {
    const perMinute = ctx.config.kiosk.ticketsPerMinute;
    issuing = new RateLimiter(Math.max(5, Math.ceil(perMinute / 2)), 60_000 / perMinute);
    limiters.set(ctx, issuing);
  }
  const who = whoOf(request);
  const key = who.terminal ? `terminal:${who.terminal.id}` : `account:${who.session?.staffId ?? request.ip}`;
  if (!issuing.take(key))
    throw new ApiError(429, 'too_many_tickets', '取号过于频繁，请稍候再试', 'Too many tickets from this kiosk; wait a moment');
}
