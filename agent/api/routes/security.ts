import Type from 'typebox';
import type { HallContext } from '../../context.js';
import { whoOf } from '../../security/access.js';
import { hashPin } from '../../security/pins.js';
import type { Account } from '../../security/store.js';
import { pinPolicy } from '../auth.js';
import { ApiError } from '../errors.js';
import type { TypedApp } from '../server.js';

const idText = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });
const pin = Type.String({ minLength: 4, maxLength: 12, pattern: '^\\d+$' });
const counters = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 99 });

const staffView = (a: Account, locked: boolean) => ({
  id: a.id,
  role: a.role,
  name: a.name,
  counters: a.counters ?? null,
  photo: a.photo ?? null,
  disabled: a.disabled,
  locked,
});

/** Sign-out, terminal pairing, staff administration and the audit log (docs/security.md). */
export function securityRoutes(app: TypedApp, ctx: HallContext): void {
  const { auth } = ctx;
  const store = auth.store;
  const actorOf = (request: Parameters<typeof whoOf>[0]) => whoOf(request).session?.staffId ?? 'unknown';
  const knownCounters = (list: string[] | undefined) => {
    for (const c of list ?? [])
      if (!ctx.config.counters.some((d) => d.id === c)) throw new ApiError(400, 'unknown_counter', `没有${c}号窗口`, `No counter ${c}`);
  };

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: ['staff', 'guide', 'manager'] },
      schema: { tags: ['auth'], summary: 'End this sign-in (the token stops working at once)' },
    },
    async (request, reply) => {
      const header = request.headers.authorization ?? '';
      auth.logout(header.slice(7).trim());
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/terminals/pair',
    {
      config: { access: 'public' },
      schema: {
        tags: ['terminals'],
        summary: 'Exchange a one-time pairing code for this screen’s own token',
        body: Type.Object({ code: Type.String({ minLength: 4, maxLength: 20 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { token, terminal } = auth.pair(request.body.code, request.ip);
      return { token, terminal: { id: terminal.id, kind: terminal.kind, counter: terminal.counter ?? null, name: terminal.name ?? null } };
    },
  );

  app.get(
    '/api/v1/terminals/pairing/locked',
    { config: { access: ['manager'] }, schema: { tags: ['terminals'], summary: 'Addresses locked out of pairing by wrong codes' } },
    async () => ({ locked: auth.lockout.pairLocked() }),
  );

  app.post(
    '/api/v1/terminals/pairing/unlock',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['terminals'],
        summary: 'Unlock pairing for one address (or every address)',
        body: Type.Object({ source: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const cleared = auth.lockout.clearPairing(request.body.source);
      store.audit({
        at: Date.now(),
        actor: actorOf(request),
        action: 'terminal.pairingUnlock',
        target: request.body.source ?? null,
        detail: { cleared },
        source: request.ip,
      });
      return { cleared };
    },
  );

  app.get(
    '/api/v1/terminals/me',
    {
      config: { access: ['terminal:kiosk', 'terminal:pad', 'terminal:display', 'terminal:counter'] },
      schema: { tags: ['terminals'], summary: 'Which registered terminal this screen is' },
    },
    async (request) => {
      const t = whoOf(request).terminal;
      return { terminal: t ? { id: t.id, kind: t.kind, counter: t.counter ?? null, name: t.name ?? null } : null };
    },
  );

  app.get(
    '/api/v1/terminals',
    { config: { access: ['manager'] }, schema: { tags: ['terminals'], summary: 'Registered terminals and how many screens hold a token' } },
    async () => ({ terminals: store.terminals() }),
  );

  app.post(
    '/api/v1/terminals',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['terminals'],
        summary: 'Register a terminal',
        body: Type.Object(
          {
            id: idText,
            kind: Type.Union([Type.Literal('kiosk'), Type.Literal('pad'), Type.Literal('display'), Type.Literal('counter')]),
            counter: Type.Optional(Type.String({ maxLength: 40 })),
            readers: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 8 })),
            name: Type.Optional(Type.String({ maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (store.terminal(b.id)) throw new ApiError(409, 'terminal_exists', `终端已存在：${b.id}`, `Terminal ${b.id} exists`);
      if ((b.kind === 'pad' || b.kind === 'counter') && !b.counter)
        throw new ApiError(400, 'counter_required', '评价器和窗口终端须指定窗口', 'Pad and counter terminals need a counter');
      knownCounters(b.counter ? [b.counter] : []);
      const readers = b.readers ?? [];
      for (const r of readers)
        if (!ctx.config.devices.some((d) => d.id === r && d.kind === 'idReader'))
          throw new ApiError(400, 'unknown_reader', `没有该身份证阅读器：${r}`, `No ID-card reader ${r}`);
      store.putTerminal({ id: b.id, kind: b.kind, counter: b.counter, readers, name: b.name, disabled: false }, Date.now());
      store.audit({
        at: Date.now(),
        actor: actorOf(request),
        action: 'terminal.add',
        target: `terminal:${b.id}`,
        detail: { kind: b.kind, counter: b.counter, readers },
        source: request.ip,
      });
      reply.status(201);
      return { terminal: store.terminal(b.id) };
    },
  );

  app.post(
    '/api/v1/terminals/:id/pair-code',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['terminals'],
        summary: 'A one-time pairing code (15 minutes) for this terminal',
        params: Type.Object({ id: idText }),
      },
    },
    async (request, reply) => {
      const { code, expiresAt } = auth.createPairCode(request.params.id, actorOf(request));
      reply.status(201);
      return { code, expiresAt };
    },
  );

  app.post(
    '/api/v1/terminals/:id/revoke',
    {
      config: { access: ['manager'] },
      schema: { tags: ['terminals'], summary: 'Unpair every screen holding a token of this terminal', params: Type.Object({ id: idText }) },
    },
    async (request) => {
      if (!store.terminal(request.params.id)) throw new ApiError(404, 'unknown_terminal', '没有该终端', `No terminal ${request.params.id}`);
      const revoked = store.revokeTerminalTokens(request.params.id, Date.now());
      store.audit({
        at: Date.now(),
        actor: actorOf(request),
        action: 'terminal.revoke',
        target: `terminal:${request.params.id}`,
        detail: { revoked },
        source: request.ip,
      });
      return { revoked };
    },
  );

  // ---- staff administration
  const lockedNow = (id: string) => auth.lockout.waitMs(id, '\u0000board') > 0;
  app.get(
    '/api/v1/staff',
    { config: { access: ['manager'] }, schema: { tags: ['staff'], summary: 'Staff, guide and manager accounts (no PINs)' } },
    async () => ({ staff: store.accounts().map((a) => staffView(a, lockedNow(a.id))) }),
  );

  app.post(
    '/api/v1/staff',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['staff'],
        summary: 'Add a staff member',
        body: Type.Object(
          {
            id: idText,
            name: Type.String({ minLength: 1, maxLength: 40 }),
            pin,
            role: Type.Optional(Type.Union([Type.Literal('staff'), Type.Literal('guide'), Type.Literal('manager')])),
            counters: Type.Optional(counters),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (store.account(b.id)) throw new ApiError(409, 'staff_exists', `工号已存在：${b.id}`, `Staff number ${b.id} exists`);
      const role = b.role ?? 'staff';
      const why = pinPolicy(role, b.pin, ctx.config.demo);
      if (why) throw new ApiError(400, 'weak_pin', `密码不符合要求：${why}`, `PIN refused: ${why}`);
      knownCounters(b.counters);
      const account: Account = { id: b.id, role, name: b.name, pinHash: await hashPin(b.pin), counters: b.counters, disabled: false };
      store.putAccount(account, Date.now());
      store.audit({
        at: Date.now(),
        actor: actorOf(request),
        action: 'staff.add',
        target: b.id,
        detail: { name: b.name, role, counters: b.counters ?? null },
        source: request.ip,
      });
      reply.status(201);
      return { staff: staffView(account, false) };
    },
  );

  app.patch(
    '/api/v1/staff/:id',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['staff'],
        summary: 'Rename, disable/enable, assign counters (null = any counter), unlock',
        params: Type.Object({ id: idText }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            disabled: Type.Optional(Type.Boolean()),
            counters: Type.Optional(Type.Union([counters, Type.Null()])),
            unlock: Type.Optional(Type.Literal(true)),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const a = store.account(request.params.id);
      if (!a) throw new ApiError(404, 'unknown_staff', `没有该人员：${request.params.id}`, `No staff member ${request.params.id}`);
      const b = request.body;
      const actor = actorOf(request);
      if (b.disabled === true && a.id === actor)
        throw new ApiError(400, 'cannot_disable_self', '不能停用自己的账号', 'You cannot disable your own account');
      if (b.counters) knownCounters(b.counters);
      const next: Account = {
        ...a,
        name: b.name ?? a.name,
        disabled: b.disabled ?? a.disabled,
        counters: b.counters === undefined ? a.counters : (b.counters ?? undefined),
      };
      store.putAccount(next, Date.now());
      if (b.unlock) auth.lockout.clearAccount(a.id);
      const changed: Record<string, unknown> = {};
      if (b.name !== undefined && b.name !== a.name) changed.name = { from: a.name, to: b.name };
      if (b.disabled !== undefined && b.disabled !== a.disabled) changed.disabled = b.disabled;
      if (b.counters !== undefined) changed.counters = { from: a.counters ?? null, to: b.counters };
      if (b.unlock) changed.unlocked = true;
      store.audit({ at: Date.now(), actor, action: 'staff.update', target: a.id, detail: changed, source: request.ip });
      if (next.disabled && !a.disabled) {
        auth.endAll(a.id, 'disabled');
        // nobody works a counter under a disabled account: it closes, its citizen goes back to the line
        ctx.engine.closeCountersOf(a.id);
      }
      return { staff: staffView(next, lockedNow(a.id)) };
    },
  );

  app.post(
    '/api/v1/staff/:id/pin',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['staff'],
        summary: 'Reset a PIN (ends that person’s sessions)',
        params: Type.Object({ id: idText }),
        body: Type.Object({ newPin: pin }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      await auth.setPin(request.params.id, request.body.newPin, actorOf(request), request.ip);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: ['manager'] },
      schema: {
        tags: ['staff'],
        summary: 'Audit log: who changed staff and terminals, when (newest first)',
        querystring: Type.Object(
          { before: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ entries: store.auditLog(request.query.limit ?? 50, request.query.before) }),
  );

  app.get(
    '/api/v1/security/alerts',
    {
      config: { access: ['manager'] },
      schema: { tags: ['staff'], summary: 'Recent lockout and storage alerts (also pushed as `alert` on /board)' },
    },
    async () => ({ alerts: auth.recentAlerts }),
  );
}
