import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Session } from '../api/auth.js';
import { ApiError } from '../api/errors.js';
import { maskIdsInBody } from './mask.js';
import { badTextPath, stripBidi, stripBidiIn } from '../../common/text-hygiene.js';
import type { Terminal, TerminalKind } from './store.js';

/** Who may call a route: a person's role, a registered terminal's kind, or everyone. */
export type Principal = 'staff' | 'guide' | 'manager' | `terminal:${TerminalKind}`;
export type Access = 'public' | readonly Principal[];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** required on every route: who may call it (docs/security.md); a route without it fails to register */
    access?: Access;
    /** the body carries a 身份证 number on purpose (a simulated card read): do not mask it */
    rawIdNumbers?: boolean;
  }
  interface FastifyRequest {
    who?: { session?: Session; terminal?: Terminal };
  }
}

// The static-file plugin's catch-all serves the built screens (and their hashed assets, cached as
// immutable); everything else declares its access.
const STATIC_ROUTES = new Set(['/*', '/assets/*']);

export class MissingAccessError extends Error {}

/** Every route must say who may call it; enforced before the handler runs. */
export function installAccessGuard(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRoute', (route) => {
    if (STATIC_ROUTES.has(route.url)) return;
    const access = route.config?.access;
    if (access === undefined) {
      throw new MissingAccessError(`${String(route.method)} ${route.url}: declare config.access (who may call it; docs/security.md)`);
    }
  });
  // Free text typed by citizens or staff never keeps a 身份证 number in clear (stored, synced, logged).
  app.addHook('preHandler', async (request) => {
    // NUL and lone surrogates would be stored, then parked for ever by the hub's PostgreSQL: refused here
    const bad = badTextPath(request.body) ?? badTextPath(request.query);
    if (bad)
      throw new ApiError(
        400,
        'invalid_text',
        `内容含有无法保存的字符（空字符或不成对的代理字符）：${bad}`,
        `Text with a NUL or a lone surrogate cannot be stored: ${bad}`,
      );
    if (request.body && typeof request.body === 'object') stripBidiIn(request.body);
    else if (typeof request.body === 'string') request.body = stripBidi(request.body);
    if (request.body && typeof request.body === 'object' && !request.routeOptions.config?.rawIdNumbers) maskIdsInBody(request.body);
  });
  // Who is asking is settled before the body is even read: a refused caller learns nothing from validation.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    const session = auth.fromRequest(request);
    const terminal = auth.terminalFromRequest(request);
    request.who = { session, terminal };
    if (access === undefined || access === 'public') return;
    if (allowed(access, session, terminal)) return;
    if (!session && !terminal) {
      const wantsTerminal = access.some((p) => p.startsWith('terminal:'));
      throw new ApiError(
        401,
        wantsTerminal ? 'not_authorized' : 'not_signed_in',
        wantsTerminal ? '请先登录，或在已登记的设备上操作' : '请先登录',
        wantsTerminal ? 'Sign in, or use a registered screen' : 'Sign in first',
      );
    }
    throw new ApiError(403, 'forbidden', '没有权限进行此操作', 'Not allowed for this sign-in or screen');
  });
}

export function allowed(access: Access, session: Session | undefined, terminal: Terminal | undefined): boolean {
  if (access === 'public') return true;
  if (session && access.includes(session.role)) return true;
  if (terminal && access.includes(`terminal:${terminal.kind}`)) return true;
  return false;
}

export function whoOf(request: FastifyRequest): { session?: Session; terminal?: Terminal } {
  return request.who ?? {};
}

/** The signed-in person on a route whose access names only roles: the access hook already refused anyone else. */
export function sessionOf(request: FastifyRequest): Session {
  const session = request.who?.session;
  if (!session) throw new ApiError(401, 'not_signed_in', '请先登录', 'Sign in first');
  return session;
}
