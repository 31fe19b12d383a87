import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';
import { printState, ticketView } from './tickets.js';
import { whoOf } from '../../security/access.js';
import { publicCounter, publicTicket } from '../../security/projection.js';
import { RATING_MARGIN_S } from '../../rating-sweep.js';
import { MAX_RATING_REASONS, RATING_REASON_CODE } from '../../../common/rating-reasons.js';

const params = Type.Object({ counter: Type.String({ minLength: 1, maxLength: 40 }) });
const materialIds = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 50 });
// codes of the hall's list (config rating.reasons): the engine refuses one the hall does not offer
const reasons = Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: RATING_REASON_CODE.source }), {
  maxItems: MAX_RATING_REASONS,
});

const STAFF = ['staff', 'manager'] as const;

export function counterRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine, config } = ctx;
  const knownCounter = (id: string) => {
    if (!config.counters.some((c) => c.id === id)) throw new ApiError(404, 'unknown_counter', `没有${id}号窗口`, `No counter ${id}`);
  };
  const tags = ['counters'];

  app.get(
    '/api/v1/counters/:counter',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A counter and its current ticket; its pad, staff and the manager also see the staff member and history',
        params,
      },
    },
    async (request) => {
      const id = request.params.counter;
      knownCounter(id);
      const state = engine.counterSnapshot(id);
      const who = whoOf(request);
      const own =
        who.session?.role === 'manager' ||
        who.session?.role === 'guide' ||
        (who.session?.role === 'staff' && who.session.counter === id) ||
        (who.terminal?.kind === 'pad' && who.terminal.counter === id);
      const account = state?.staffId ? ctx.auth.store.account(state.staffId) : undefined;
      const current = state?.current;
      if (!own) {
        return {
          counter: state ? publicCounter(state) : null,
          definition: config.counters.find((c) => c.id === id),
          current: current ? publicTicket(current) : null,
          history: [],
          staff: null,
        };
      }
      const staff = account ? { id: account.id, name: account.name, photo: account.photo } : undefined;
      return {
        counter: state,
        definition: config.counters.find((c) => c.id === id),
        current: current ? ticketView(current) : null,
        history: current ? engine.ticketHistory(current.id) : [],
        staff: staff ? { id: staff.id, name: staff.name, photoUrl: staff.photo ?? null } : null,
      };
    },
  );

  // One table for every plain action keeps the keypad, the console and the API in step.
  const simple = {
    recall: (c: string) => engine.recall(c),
    start: (c: string) => engine.start(c),
    // 办件编号 (optional body { caseNumber }) goes upward with the service record and the rating.
    finish: (c: string, body?: unknown) =>
      engine.finish(c, { caseNumber: (body as { caseNumber?: unknown } | null)?.caseNumber as string | undefined }),
    skip: (c: string) => engine.skip(c),
  } as const;
  for (const [action, run] of Object.entries(simple)) {
    app.post(
      `/api/v1/counters/:counter/${action}`,
      { config: { access: STAFF }, schema: { tags, summary: action, params } },
      async (request) => {
        knownCounter(request.params.counter);
        ctx.auth.requireCounter(request, request.params.counter);
        return { ticket: ticketView(run(request.params.counter, request.body)) };
      },
    );
  }

  app.post(
    '/api/v1/counters/:counter/call-next',
    { config: { access: STAFF }, schema: { tags, summary: 'Call the next ticket (叫号); 204 when nobody waits', params } },
    async (request, reply) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      const ticket = engine.callNext(request.params.counter);
      if (!ticket) return reply.status(204).send();
      return { ticket: ticketView(ticket) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/call-number',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Call a specific number (叫指定号)',
        params,
        body: Type.Object({ number: Type.String({ minLength: 2, maxLength: 10 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      return { ticket: ticketView(engine.callNumber(request.params.counter, request.body.number.trim().toUpperCase())) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/transfer',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Transfer to another service or counter (转移; owner stays — 首接负责制)',
        params,
        body: Type.Object(
          { service: Type.Optional(Type.String({ maxLength: 40 })), counter: Type.Optional(Type.String({ maxLength: 40 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      const { service, counter } = request.body;
      if (!service && !counter)
        throw new ApiError(400, 'transfer_target_missing', '请选择转办的业务或窗口', 'Choose a service or a counter to transfer to');
      return { ticket: ticketView(engine.transfer(request.params.counter, { service, counter })) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/pause',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Pause with a reason (暂停)',
        params,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      const reason = request.body.reason.trim();
      if (!reason) throw new ApiError(400, 'pause_reason_required', '暂停必须填写原因', 'A pause needs a reason');
      return { counter: engine.pause(request.params.counter, reason) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/resume',
    { config: { access: STAFF }, schema: { tags, summary: 'Resume', params } },
    async (request) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      return { counter: engine.resume(request.params.counter) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/open',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary:
          'Open the counter (signed-in staff). A counter off the day’s duty (周末轮岗, holiday) answers 409 COUNTER_NOT_ON_DUTY unless the manager confirms with their PIN and a reason',
        params,
        body: Type.Optional(
          Type.Union([
            Type.Null(),
            Type.Object(
              {
                managerPin: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              },
              { additionalProperties: false },
            ),
          ]),
        ),
      },
    },
    async (request) => {
      const counter = request.params.counter;
      knownCounter(counter);
      const session = ctx.auth.requireCounter(request, counter);
      const body = request.body ?? {};
      const off = engine.offDuty(counter);
      if (!off || body.managerPin === undefined) return { counter: engine.open(counter, session.staffId) };
      if (!body.reason?.trim()) throw new ApiError(400, 'reason_required', '请填写开启原因', 'Give the reason for opening off duty');
      const manager = await ctx.auth.confirmByManager(body.managerPin, request.ip);
      const opened = engine.open(counter, session.staffId, { confirmedBy: manager.id, reason: body.reason });
      ctx.auth.store.audit({
        at: Date.now(),
        actor: manager.id,
        action: 'counter.openOffDuty',
        target: `counter:${counter}`,
        detail: { staffId: session.staffId ?? null, why: off.zh, reason: body.reason.trim() },
        source: request.ip,
      });
      return { counter: opened };
    },
  );

  app.post(
    '/api/v1/counters/:counter/close',
    { config: { access: STAFF }, schema: { tags, summary: 'Close the counter', params } },
    async (request) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      return { counter: engine.close(request.params.counter) };
    },
  );

  app.post(
    '/api/v1/counters/:counter/notice',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Print a one-time notice slip (一次性告知单)',
        params,
        body: Type.Object(
          { missingMaterialIds: materialIds, service: Type.Optional(Type.String({ maxLength: 40 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const counter = request.params.counter;
      knownCounter(counter);
      const session = ctx.auth.requireCounter(request, counter);
      const current = engine.counterSnapshot(counter)?.current;
      const service = request.body.service ?? current?.service;
      if (!service) throw new ApiError(400, 'service_required', '当前没有号票，请选择业务', 'No current ticket: choose the service');
      const notice = engine.recordNotice({
        counter,
        service,
        missingMaterialIds: request.body.missingMaterialIds,
        ticketId: current?.id,
        staffId: session.staffId,
      });
      const print = printState(ctx);
      const job = await ctx.devices.printNotice({
        service,
        missingMaterialIds: request.body.missingMaterialIds,
        counter,
        staffId: session.staffId,
        ticketNumber: current?.number,
        returnCode: notice.returnCode,
        at: notice.at,
      });
      reply.status(201);
      return { notice, print: { ...print, jobId: job.jobId } };
    },
  );

  app.post(
    '/api/v1/counters/:counter/accept-with-missing',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Accept a case with a missing secondary material (容缺办理)',
        params,
        body: Type.Object(
          {
            ticketId: Type.String({ maxLength: 80 }),
            missingMaterialIds: materialIds,
            followUpDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      knownCounter(request.params.counter);
      ctx.auth.requireCounter(request, request.params.counter);
      engine.acceptWithMissing({ counter: request.params.counter, ...request.body });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/counters/:counter/rating',
    {
      config: { access: ['terminal:pad'] },
      schema: {
        tags: ['ratings'],
        summary: 'Rate the counter’s last service (好差评, one per ticket)',
        params,
        body: Type.Object(
          {
            level: Type.Integer({ minimum: 1, maximum: 5 }),
            reasons: Type.Optional(reasons),
            comment: Type.Optional(Type.String({ maxLength: 500 })),
            ticketId: Type.Optional(Type.String({ maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      knownCounter(request.params.counter);
      // only this counter's registered rating pad: a forged rating would open a 整改 against the staff member
      ctx.auth.requirePad(request, request.params.counter);
      const { level, reasons: why, comment, ticketId } = request.body;
      if (level <= 2 && (!why || why.length === 0)) {
        throw new ApiError(400, 'reason_required', '不满意评价请选择原因', 'Please choose a reason for a dissatisfied rating');
      }
      const rating = engine.rate({
        counter: request.params.counter,
        ticketId,
        level: level as 1 | 2 | 3 | 4 | 5,
        reasons: why,
        comment,
        // the counter's rating pad (评价器), whether a screen or a device: channel 窗口评价器 upward, not 扫码
        source: 'pad',
        windowMs: (ctx.config.rating.timeoutSeconds + RATING_MARGIN_S) * 1000,
      });
      reply.status(201);
      return { rating };
    },
  );

  app.post(
    '/api/v1/counters/:counter/rating/timeout',
    { config: { access: ['terminal:pad'] }, schema: { tags: ['ratings'], summary: 'Rating pad timed out: recorded as not rated', params } },
    async (request, reply) => {
      knownCounter(request.params.counter);
      ctx.auth.requirePad(request, request.params.counter);
      engine.recordNotRated(request.params.counter);
      return reply.status(204).send();
    },
  );
}
