import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { sessionOf } from '../../security/access.js';
import type { Session } from '../auth.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';

const params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) });
/** who did it: the manager PIN is shared, so the board asks for a name; defaults to the session */
const by = Type.Optional(Type.String({ minLength: 1, maxLength: 40 }));

function actor(session: Session, given: string | undefined): string {
  return given?.trim() || session.staffId || session.role;
}

/** 整改 (bad ratings) and 办不成事 reports, tracked until closed. Manager only. */
export function caseRoutes(app: TypedApp, ctx: HallContext): void {
  const { engine } = ctx;
  const tags = ['cases'];

  app.get(
    '/api/v1/cases',
    {
      config: { access: ['manager'] },
      schema: {
        tags,
        summary: '整改 and 办不成事 cases, most urgent first (default: open ones)',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')])),
            kind: Type.Optional(Type.Union([Type.Literal('rectification'), Type.Literal('unresolved')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const cases = engine.listCases({ state: request.query.state, kind: request.query.kind });
      return { cases };
    },
  );

  app.post(
    '/api/v1/cases/:id/callback',
    {
      config: { access: ['manager'] },
      schema: {
        tags,
        summary: 'Record the 回访 (the manager called the citizen back)',
        params,
        body: Type.Object(
          {
            note: Type.String({ minLength: 1, maxLength: 1000 }),
            // Null first: with type coercion on, a boolean branch tried first turns null ("not reached") into false.
            satisfied: Type.Union([Type.Null(), Type.Boolean()]),
            by,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const { note, satisfied } = request.body;
      return { case: engine.recordCallback(request.params.id, { by: actor(session, request.body.by), note, satisfied }) };
    },
  );

  app.post(
    '/api/v1/cases/:id/close',
    {
      config: { access: ['manager'] },
      schema: {
        tags,
        summary: 'Close a case: 整改 with `measures` (after a 回访), 办不成事 with `resolution`',
        params,
        body: Type.Object(
          {
            measures: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            resolution: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            by,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const who = actor(session, request.body.by);
      const found = engine.getCase(request.params.id);
      if (!found)
        throw new ApiError(404, 'case_unknown', `没有该整改或办不成事记录：${request.params.id}`, `Unknown case ${request.params.id}`);
      // One route for both kinds; each needs its own closing text so a 整改 is never closed with a bare "done".
      if (found.kind === 'rectification') {
        if (request.body.measures === undefined)
          throw new ApiError(400, 'measures_required', '办结整改须填写整改措施', 'Closing a rectification needs `measures`');
        return { case: engine.closeRectification(found.id, { by: who, measures: request.body.measures }) };
      }
      if (request.body.resolution === undefined)
        throw new ApiError(400, 'resolution_required', '办结办不成事须填写办理结果', 'Closing an unresolved report needs `resolution`');
      return { case: engine.closeUnresolved(found.id, { by: who, resolution: request.body.resolution }) };
    },
  );

  app.post(
    '/api/v1/cases/:id/assign',
    {
      config: { access: ['manager'] },
      schema: {
        tags,
        summary: 'Hand a 办不成事 report to a staff member to follow up',
        params,
        body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 40 }), by }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return { case: engine.assignUnresolved(request.params.id, { to: request.body.to, by: actor(session, request.body.by) }) };
    },
  );

  app.post(
    '/api/v1/cases/:id/contact',
    {
      config: { access: ['manager'] },
      schema: {
        tags,
        summary: '回访 phone of a 整改 or 办不成事 case, given with consent; shown masked, deleted on closing',
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
      return { case: engine.setCaseContact(request.params.id, { phone, consent, by: actor(session, request.body.by) }) };
    },
  );
}
