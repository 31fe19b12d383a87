import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { HallConfig } from '../config/load.js';
import { ApiError } from './errors.js';

export type Role = 'staff' | 'guide' | 'manager';
export interface Session {
  role: Role;
  staffId?: string;
  counter?: string;
  expiresAt: number;
}

const SESSION_MS = 12 * 60 * 60 * 1000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;

function samePin(a: string, b: string): boolean {
  // Hash first so that the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * In-memory sessions for staff, guide and manager logins. A later hardening issue may persist
 * them or move to signed tokens; callers only see `login*` and `require`.
 */
export class AuthService {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly config: HallConfig,
    private readonly now: () => number = Date.now,
  ) {}

  loginStaff(counter: string, staffId: string, pin: string, from: string): { token: string; session: Session } {
    this.checkLockout(from);
    const staff = this.config.staff.find((s) => s.id === staffId);
    const counterKnown = this.config.counters.some((c) => c.id === counter);
    if (!counterKnown) throw new ApiError(404, 'unknown_counter', `没有${counter}号窗口`, `No counter ${counter}`);
    if (!staff || !samePin(staff.pin, pin)) {
      this.recordFailure(from);
      throw new ApiError(401, 'bad_credentials', '工号或密码不正确', 'Wrong staff number or PIN');
    }
    if (staff.counters && !staff.counters.includes(counter)) {
      throw new ApiError(
        403,
        'counter_not_allowed',
        `${staff.name}不能登录${counter}号窗口`,
        `${staffId} may not sign in at counter ${counter}`,
      );
    }
    return this.issue({ role: 'staff', staffId, counter, expiresAt: this.now() + SESSION_MS }, from);
  }

  loginRole(role: 'guide' | 'manager', pin: string, from: string): { token: string; session: Session } {
    this.checkLockout(from);
    const expected = role === 'guide' ? this.config.auth.guidePin : this.config.auth.managerPin;
    if (!samePin(expected, pin)) {
      this.recordFailure(from);
      throw new ApiError(401, 'bad_credentials', '密码不正确', 'Wrong PIN');
    }
    return this.issue({ role, expiresAt: this.now() + SESSION_MS }, from);
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  /** The session behind a bearer token, or undefined when absent/expired. */
  session(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  fromRequest(request: FastifyRequest): Session | undefined {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    return this.session(token);
  }

  /** Staff of that counter, or the manager. */
  requireCounter(request: FastifyRequest, counter: string): Session {
    const s = this.fromRequest(request);
    if (!s) throw notSignedIn();
    if (s.role === 'manager' || (s.role === 'staff' && s.counter === counter)) return s;
    throw new ApiError(403, 'wrong_counter', `当前登录不能操作${counter}号窗口`, `This sign-in cannot act for counter ${counter}`);
  }

  requireRole(request: FastifyRequest, roles: Role[]): Session {
    const s = this.fromRequest(request);
    if (!s) throw notSignedIn();
    if (!roles.includes(s.role)) throw new ApiError(403, 'forbidden', '没有权限进行此操作', 'Not allowed for this sign-in');
    return s;
  }

  private issue(session: Session, from: string): { token: string; session: Session } {
    this.failures.delete(from);
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, session);
    return { token, session };
  }

  private checkLockout(from: string): void {
    const f = this.failures.get(from);
    if (f && f.count >= MAX_FAILURES && f.until > this.now()) {
      throw new ApiError(429, 'too_many_attempts', '密码错误次数过多，请1分钟后再试', 'Too many wrong PINs; try again in a minute');
    }
  }

  private recordFailure(from: string): void {
    const f = this.failures.get(from);
    const count = f && f.until > this.now() ? f.count + 1 : 1;
    this.failures.set(from, { count, until: this.now() + LOCKOUT_MS });
  }
}

function notSignedIn(): ApiError {
  return new ApiError(401, 'not_signed_in', '请先登录（POST /api/v1/auth/staff）', 'Sign in first (POST /api/v1/auth/staff)');
}
