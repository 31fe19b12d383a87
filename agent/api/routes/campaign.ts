import { publicTicketId } from '../../security/ticket-ids.js';
import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { sessionOf, whoOf } from '../../security/access.js';
import { takeIssueToken } from '../../security/issue-rate.js';
import type { Session } from '../auth.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';
import { CITIZEN_DESK, printState, ticketView } from './tickets.js';

const params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) });
const by = Type.Optional(Type.String({ minLength: 1, maxLength: 40 }));
const kind = Type.Union([Type.Literal('homeVisit'), Type.Literal('petition'), Type.Literal('selfCheck'), Type.Literal('revisit')]);
const level = Type.Union([Type.Literal('hall'), Type.Literal('county'), Type.Literal('city'), Type.Literal('province')]);
// Null first: with type coercion on, a boolean branch tried first would turn null ("not reached") into false.
const satisfied = Type.Union([Type.Null(), Type.Boolean()]);

function actor(session: Session, given: string | undefined): string {
  return given?.trim() || session.staffId || session.role;
}

const MANAGER = { access: ['manager'] } as const;
// staff work only the cases assigned to them (or their AB岗 partner's): the engine checks `actorStaff`
const CASE_WORKERS = { access: ['manager', 'staff'] } as const;

/** The staff member acting on their own case; undefined = the manager, who may act on any case. */
const worker = (s: Session) => (s.role === 'staff' ? s.staffId : undefined);

/** Calendar status, notice-slip returns, 上门服务 / 信访 / 自查 / 回访 cases, 容缺 follow-ups, notices. */
export function campaignRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;
  const tags = ['campaign'];

  app.get(
    '/api/v1/calendar/status',
    // public: the kiosk shows 已下班 and the next opening to anyone in the hall
    { config: { access: 'public' }, schema: { tags: ['hall'], summary: 'Open or closed now, next opening (kiosk closed state)' } },
    async () => engine.calendarStatus(),
  );

  app.post(
    '/api/v1/tickets/return',
    {
      config: { access: CITIZEN_DESK },
      schema: {
        tags: ['tickets'],
        summary: 'A citizen back with the materials a notice slip listed: ticket to the owner counter, ahead of the queue',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      takeIssueToken(ctx, request);
      const session = whoOf(request).session; // staff and guides also issue outside hours
      const issuedBy = session?.role === 'staff' ? 'counter' : session ? 'guide' : 'kiosk';
      const result = engine.issueReturn(request.body.code, issuedBy);
      reply.status(201);
      return {
        ticket: ticketView(result.ticket, { waitingAhead: result.waitingAhead, estimateMinutes: result.estimateMinutes }),
        targetCounter: result.ticket.targetCounter ?? null,
        // the signed public id, as the kiosk's tickets carry: the page does not open by date + number
        statusUrl: `${ctx.publicUrl}/t/${publicTicketId(ctx.config.hall.secret, result.ticket.id)}`,
        print: printState(ctx),
      };
    },
  );

  app.get(
    '/api/v1/campaign-cases',
    {
      config: MANAGER,
      schema: {
        tags,
        summary: '上门服务, 信访, 自查 and 回访 cases, most urgent first (default: open ones)',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')])),
            kind: Type.Optional(kind),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      return { cases: engine.listCampaignCases({ state: request.query.state, kind: request.query.kind }) };
    },
  );

  app.get(
    '/api/v1/campaign-cases/mine',
    { config: { access: ['staff'] }, schema: { tags, summary: "The signed-in staff member's cases (and their AB岗 partner's)" } },
    async (request) => {
      const session = sessionOf(request);
      const me = session.staffId ?? '';
      return { cases: engine.listCampaignCases({ assignee: me }), unresolved: engine.casesOfStaff(me) };
    },
  );

  app.post(
    '/api/v1/campaign-cases',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: 'Open a 上门服务 (from a counter or the board), 信访, or 自查 case',
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('homeVisit'), Type.Literal('petition'), Type.Literal('selfCheck')]),
            title: Type.String({ minLength: 1, maxLength: 500 }),
            service: Type.Optional(Type.String({ maxLength: 40 })),
            assignedTo: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            dueDay: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
            address: Type.Optional(Type.String({ maxLength: 200 })),
            scheduledAt: Type.Optional(Type.String({ maxLength: 20 })),
            source: Type.Optional(
              Type.Union([
                Type.Literal('12345'),
                Type.Literal('letter'),
                Type.Literal('kiosk'),
                Type.Literal('visit'),
                Type.Literal('other'),
              ]),
            ),
            escalation: Type.Optional(level),
            measure: Type.Optional(Type.String({ maxLength: 1000 })),
            contactPhone: Type.Optional(Type.String({ maxLength: 20 })),
            consent: Type.Optional(Type.Boolean()),
            by,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      if (session.role === 'staff' && request.body.kind === 'selfCheck') {
        throw new ApiError(403, 'forbidden', '自查清单由所长登记', 'Self-checks are entered by the manager');
      }
      const { by: given, ...rest } = request.body;
      reply.status(201);
      return { case: engine.openCampaignCase({ ...rest, by: actor(session, given) }) };
    },
  );

  app.post(
    '/api/v1/campaign-cases/:id/assign',
    {
      config: MANAGER,
      schema: {
        tags,
        summary: 'Assign to a known staff member (an enabled staff account)',
        params,
        body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 40 }), by }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return { case: engine.assignCampaignCase(request.params.id, { to: request.body.to, by: actor(session, request.body.by) }) };
    },
  );

  app.post(
    '/api/v1/campaign-cases/:id/discuss',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: '信访 一事一议 note; escalateTo = 逐级上报',
        params,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 2000 }), escalateTo: Type.Optional(level), by },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const { text, escalateTo } = request.body;
      return {
        case: engine.discussPetition(request.params.id, {
          by: actor(session, request.body.by),
          text,
          escalateTo,
          actorStaff: worker(session),
        }),
      };
    },
  );

  app.post(
    '/api/v1/campaign-cases/:id/callback',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: '回访; satisfied null = citizen not reached',
        params,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }), satisfied, by }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const { note } = request.body;
      return {
        case: engine.campaignCallback(request.params.id, {
          by: actor(session, request.body.by),
          note,
          satisfied: request.body.satisfied,
          actorStaff: worker(session),
        }),
      };
    },
  );

  app.post(
    '/api/v1/campaign-cases/:id/contact',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: '回访 phone, given with consent; shown masked, deleted on closing',
        params,
        body: Type.Object(
          { phone: Type.String({ minLength: 5, maxLength: 20 }), consent: Type.Boolean(), by },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const { phone, consent } = request.body;
      return {
        case: engine.setCampaignContact(request.params.id, {
          phone,
          consent,
          by: actor(session, request.body.by),
          actorStaff: worker(session),
        }),
      };
    },
  );

  app.post(
    '/api/v1/campaign-cases/:id/close',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: 'Close with the result (信访 and 回访 samples after a 回访)',
        params,
        body: Type.Object({ result: Type.String({ minLength: 1, maxLength: 2000 }), by }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return {
        case: engine.closeCampaignCase(request.params.id, {
          by: actor(session, request.body.by),
          result: request.body.result,
          actorStaff: worker(session),
        }),
      };
    },
  );

  app.get(
    '/api/v1/follow-ups',
    { config: CASE_WORKERS, schema: { tags, summary: '容缺 follow-ups not completed, earliest first' } },
    async () => ({ followUps: engine.followUps() }),
  );

  app.post(
    '/api/v1/follow-ups/:id/complete',
    {
      config: CASE_WORKERS,
      schema: {
        tags,
        summary: 'The missing materials of a 容缺 case arrived',
        params,
        body: Type.Optional(Type.Object({ by }, { additionalProperties: false })),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return { followUp: engine.completeFollowUp(request.params.id, actor(session, request.body?.by)) };
    },
  );

  app.put(
    '/api/v1/hall/notices',
    {
      config: MANAGER,
      schema: {
        tags: ['hall'],
        summary: '信息公开 notices, edited from the board (no restart)',
        body: Type.Object(
          {
            notices: Type.Array(
              Type.Object(
                { zh: Type.String({ minLength: 1, maxLength: 500 }), en: Type.String({ maxLength: 500 }) },
                { additionalProperties: false },
              ),
              { maxItems: 20 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      return { notices: engine.setHallNotices(request.body.notices) };
    },
  );
}
