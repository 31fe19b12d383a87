import { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import type { HallConfig } from '../config/load.js';
import { Lockout } from '../security/lockout.js';
import { GateRefusal, PinGate } from '../security/pin-gate.js';
import { DUMMY_HASH, hashPin, verifyPin } from '../security/pins.js';
import { type Account, type AccountRole, newToken, type SecurityStore, sha256, type Terminal } from '../security/store.js';
import { type SecurityAlert, SecurityAlerts } from './alerts.js';
import { seedFromConfig } from './auth-seed.js';
import { ApiError } from './errors.js';
import { TerminalPairing } from './pairing.js';

export type { SecurityAlert } from './alerts.js';

export type Role = AccountRole;
export interface Session {
  role: Role;
  /** account id: the staff number, or `guide` / `manager` for the shared PINs */
  staffId?: string;
  counter?: string;
  expiresAt: number;
  tokenHash: string;
}

const SESSION_MS = 12 * 60 * 60 * 1000;

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}
export function terminalTokenOf(request: FastifyRequest): string | undefined {
  const h = request.headers['x-hallq-terminal'];
  return typeof h === 'string' && h.length > 0 && h.length <= 200 ? h : undefined;
}

export function pinPolicy(role: Role, pin: string, demo: boolean): string | undefined {
  if (!/^\d+$/.test(pin) || pin.length > 12) return 'a PIN is 4 to 12 digits';
  const min = role === 'staff' || demo ? 4 : 6;
  if (pin.length < min) return `a ${role} PIN needs at least ${min} digits`;
  return undefined;
}

/**
 * Who is asking: staff, guide and manager sign in with PINs (scrypt hashes in hall.db); kiosks,
 * rating pads, displays and counter PCs are registered terminals with their own tokens. Sessions and
 * terminal tokens are stored hashed, so they survive a restart and a copied database opens nothing.
 */
export class AuthService {
  readonly lockout: Lockout;
  readonly gate = new PinGate();
  private readonly alertLog: SecurityAlerts;
  private readonly pairing: TerminalPairing;
  private readonly ended = new EventEmitter();

  constructor(
    private readonly config: HallConfig,
    readonly store: SecurityStore,
    private readonly now: () => number = Date.now,
  ) {
    // the counters live in the hall database: restarting the agent does not give a PIN guesser a fresh start
    this.lockout = new Lockout(now, store);
    this.alertLog = new SecurityAlerts(store, now);
    this.pairing = new TerminalPairing(store, this.lockout, now, (a) => this.alert(a));
  }

  /**
   * First start: staff, guide and manager PINs and the terminals come from the YAML. Later starts add new
   * terminals only. The terminals are in at once; the PINs are hashed while the hall starts listening
   * (the promise), and every PIN check waits for them: no sign-in can exist on a new database before.
   */
  seed(): Promise<void> {
    this.accountsReady = seedFromConfig(this.config, this.store, this.now());
    return this.accountsReady;
  }

  private accountsReady: Promise<void> = Promise.resolve();

  /** the account a PIN is checked against, once the config's accounts are seeded */
  private async accountFor(id: string): Promise<Account | undefined> {
    await this.accountsReady;
    return this.store.account(id);
  }

  onSessionEnded(listener: (tokenHash: string) => void): () => void {
    this.ended.on('ended', listener);
    return () => this.ended.off('ended', listener);
  }

  /** `alert` events for /board */
  get alerts(): EventEmitter {
    return this.alertLog.events;
  }

  /** the last 50 alerts, newest first, as kept in hall.db (they survive a restart) */
  get recentAlerts(): SecurityAlert[] {
    return this.alertLog.recent;
  }

  /** an alert for the manager board: pushed on /board as `alert`, kept in hall.db for GET /api/v1/security/alerts */
  alert(a: Omit<SecurityAlert, 'at'>): void {
    this.alertLog.raise(a);
  }

  private lockedError(wait: number): ApiError {
    const s = Math.ceil(wait / 1000);
    return new ApiError(
      429,
      'too_many_attempts',
      `密码错误次数过多，请${s >= 60 ? `${Math.ceil(s / 60)}分钟` : `${s}秒`}后再试`,
      `Too many wrong PINs; try again in ${s} s`,
      s,
    );
  }

  /**
   * One PIN check: refused at once while locked; otherwise it waits for the account's slot and a hashing
   * slot (PinGate), decides again and counts itself as a failure in the same tick, then hashes. Unknown
   * and disabled accounts go through the same steps and the same scrypt cost.
   */
  private async checkPin(accountKey: string, account: Account | undefined, pin: string, from: string): Promise<boolean> {
    const early = this.lockout.waitMs(accountKey, from);
    if (early > 0) throw this.lockedError(early);
    try {
      return await this.gate.run(accountKey, this.lockout.trustedAt(accountKey, from), async () => {
        const wait = this.lockout.waitMs(accountKey, from);
        if (wait > 0) throw this.lockedError(wait);
        const reservation = this.lockout.reserve(accountKey, from);
        const ok = (await verifyPin(pin, account?.pinHash ?? DUMMY_HASH)) && account !== undefined && !account.disabled;
        if (ok) {
          this.lockout.succeeded(reservation);
          return true;
        }
        this.lockout.failed(reservation);
        const state = reservation.state;
        if (state.lockedUntil > this.now()) {
          this.alert({
            kind: 'lockout',
            account: accountKey,
            source: from,
            until: state.lockedUntil,
            message: `账号 ${accountKey} 连续输错密码（来自 ${from}），已暂时锁定`,
            messageEn: `Repeated wrong PINs for ${accountKey} from ${from}: locked for now`,
          });
        }
        return false;
      });
    } catch (err) {
      if (!(err instanceof GateRefusal)) throw err;
      if (err.reason === 'account_busy')
        throw new ApiError(
          429,
          'sign_in_busy',
          '该账号正在验证密码，请稍后再试',
          'A PIN check for this account is already running; try again in a moment',
          err.retryAfterS,
        );
      throw new ApiError(
        503,
        'sign_in_queue_full',
        '登录请求过多，请稍后再试',
        'Too many sign-ins at once; try again shortly',
        err.retryAfterS,
      );
    }
  }

  /**
   * Before the body is read: a sign-in from an address no account trusts, while the strangers' hashing lane
   * is full, is refused at once. In a flood every refusal that skips parsing and validation leaves the event
   * loop sooner to the sign-ins that will be checked (the manager at the board PC).
   */
  refuseEarly(from: string): void {
    if (this.gate.strangerLaneFull && !this.lockout.knownSource(from))
      throw new ApiError(
        503,
        'sign_in_queue_full',
        '登录请求过多，请稍后再试',
        'Too many sign-ins at once; try again shortly',
        this.gate.retryAfterS(),
      );
  }

  async loginStaff(
    counter: string,
    staffId: string,
    pin: string,
    from: string,
    opts: { takeover?: boolean; terminal?: Terminal } = {},
  ): Promise<{ token: string; session: Session; account: Account }> {
    if (!this.config.counters.some((c) => c.id === counter))
      throw new ApiError(404, 'unknown_counter', `没有${counter}号窗口`, `No counter ${counter}`);
    if (opts.terminal?.kind === 'counter' && opts.terminal.counter !== counter)
      throw new ApiError(
        403,
        'wrong_counter',
        `这台电脑登记为${opts.terminal.counter}号窗口`,
        `This PC is registered to counter ${opts.terminal.counter}`,
      );
    const account = await this.accountFor(staffId);
    const staff = account?.role === 'staff' ? account : undefined;
    if (!(await this.checkPin(staffId, staff, pin, from)) || !staff)
      throw new ApiError(401, 'bad_credentials', '工号或密码不正确', 'Wrong staff number or PIN');
    if (staff.counters && !staff.counters.includes(counter)) {
      throw new ApiError(
        403,
        'counter_not_allowed',
        `${staff.name}不能登录${counter}号窗口`,
        `${staffId} may not sign in at counter ${counter}`,
      );
    }
    const now = this.now();
    const others = this.store.liveStaffSessions(counter, staffId, now);
    if (others.length > 0 && !opts.takeover) {
      const atCounter = others.find((s) => s.counter === counter && s.accountId !== staffId);
      if (atCounter) {
        throw new ApiError(
          409,
          'counter_taken',
          `${counter}号窗口已有${atCounter.accountId}登录；如需接替，请选择“接管”`,
          `Counter ${counter} is signed in by ${atCounter.accountId}; sign in with takeover to end that session`,
        );
      }
      const where = others[0]?.counter ?? counter;
      throw new ApiError(
        409,
        'already_signed_in',
        `${staffId}已在${where}号窗口登录；如需在此登录，请选择“接管”`,
        `${staffId} is already signed in at counter ${where}; sign in with takeover to end that session`,
      );
    }
    for (const s of others) this.end(s.tokenHash, 'taken_over');
    if (others.length > 0)
      this.store.audit({
        at: now,
        actor: staffId,
        action: 'session.takeover',
        target: `counter:${counter}`,
        detail: { ended: others.length },
        source: from,
      });
    return { ...this.issue({ role: 'staff', staffId, counter }, from), account: staff };
  }

  /**
   * The manager's PIN typed at a counter to confirm an exception (opening a counter off duty). Counted
   * like a sign-in by the lockout; refuses with 403 so the console keeps its own session.
   */
  async confirmByManager(pin: string, from: string, accountId = 'manager'): Promise<Account> {
    const account = await this.accountFor(accountId);
    const match = account?.role === 'manager' ? account : undefined;
    if (!(await this.checkPin(accountId, match, pin, from)) || !match)
      throw new ApiError(403, 'manager_pin_wrong', '所长密码不正确', 'Wrong manager PIN');
    return match;
  }

  async loginRole(
    role: 'guide' | 'manager',
    pin: string,
    from: string,
    accountId: string = role,
  ): Promise<{ token: string; session: Session }> {
    const account = await this.accountFor(accountId);
    const match = account?.role === role ? account : undefined;
    if (!(await this.checkPin(accountId, match, pin, from))) throw new ApiError(401, 'bad_credentials', '密码不正确', 'Wrong PIN');
    return this.issue({ role, staffId: accountId }, from);
  }

  private issue(s: { role: Role; staffId: string; counter?: string }, from: string): { token: string; session: Session } {
    const token = newToken();
    const now = this.now();
    const session: Session = { ...s, expiresAt: now + SESSION_MS, tokenHash: sha256(token) };
    this.store.addSession({
      tokenHash: session.tokenHash,
      accountId: s.staffId,
      role: s.role,
      counter: s.counter,
      createdAt: now,
      expiresAt: session.expiresAt,
      source: from,
    });
    return { token, session };
  }

  private end(tokenHash: string, reason: string): void {
    this.store.endSession(tokenHash, this.now(), reason);
    this.ended.emit('ended', tokenHash);
  }

  logout(token: string): boolean {
    const s = this.session(token);
    if (!s) return false;
    this.end(s.tokenHash, 'logout');
    return true;
  }

  /** The session behind a bearer token, or undefined when absent, ended or expired. */
  session(token: string | undefined): Session | undefined {
    if (!token || token.length > 200) return undefined;
    const row = this.store.liveSession(sha256(token), this.now());
    if (!row) return undefined;
    if (this.store.account(row.accountId)?.disabled) return undefined;
    return { role: row.role, staffId: row.accountId, counter: row.counter, expiresAt: row.expiresAt, tokenHash: row.tokenHash };
  }

  terminal(token: string | undefined): Terminal | undefined {
    if (!token || token.length > 200) return undefined;
    return this.store.terminalByToken(sha256(token));
  }

  fromRequest(request: FastifyRequest): Session | undefined {
    return this.session(bearer(request));
  }

  terminalFromRequest(request: FastifyRequest): Terminal | undefined {
    return this.terminal(terminalTokenOf(request));
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

  /** The rating pad registered to this counter, or a refusal. */
  requirePad(request: FastifyRequest, counter: string): Terminal {
    const t = this.terminalFromRequest(request);
    if (!t) throw notRegistered();
    if (t.kind !== 'pad' || t.counter !== counter)
      throw new ApiError(403, 'wrong_terminal', `只有${counter}号窗口的评价器可以评价`, `Only counter ${counter}'s rating pad may rate it`);
    return t;
  }

  // ---- pairing (agent/api/pairing.ts)
  createPairCode(terminalId: string, by: string, opts: { demo?: boolean } = {}): { code: string; expiresAt: number } {
    return this.pairing.createPairCode(terminalId, by, opts);
  }

  pair(code: string, from: string): { token: string; terminal: Terminal } {
    return this.pairing.pair(code, from);
  }

  /** A terminal token without a pairing step: tests and the config's pre-registered screens. */
  issueTerminalToken(terminalId: string): string {
    return this.pairing.issueTerminalToken(terminalId);
  }

  // ---- staff administration (manager)
  async setPin(accountId: string, pin: string, actor: string, from: string): Promise<void> {
    const a = this.store.account(accountId);
    if (!a) throw new ApiError(404, 'unknown_staff', `没有该人员：${accountId}`, `No staff member ${accountId}`);
    const why = pinPolicy(a.role, pin, this.config.demo);
    if (why) throw new ApiError(400, 'weak_pin', `密码不符合要求：${why}`, `PIN refused: ${why}`);
    this.store.putAccount({ ...a, pinHash: await hashPin(pin) }, this.now());
    this.lockout.clearAccount(accountId);
    this.store.audit({ at: this.now(), actor, action: 'staff.resetPin', target: accountId, detail: {}, source: from });
    this.endAll(accountId, 'pin_reset');
  }

  /**
   * Signs every counter staff member out (the hall's day closed): ends the rows now, inside the caller's
   * transaction, and returns how many plus the notification of their sockets to run after the commit.
   */
  endStaffSessions(reason: string): { count: number; notify: () => void } {
    const hashes = this.store.endRoleSessions('staff', this.now(), reason);
    const notify = () => {
      for (const h of hashes) this.ended.emit('ended', h);
    };
    return { count: hashes.length, notify };
  }

  endAll(accountId: string, reason: string): void {
    for (const h of this.store.endSessionsOf(accountId, this.now(), reason)) this.ended.emit('ended', h);
  }

  get demo(): boolean {
    return this.config.demo;
  }
}

function notSignedIn(): ApiError {
  return new ApiError(401, 'not_signed_in', '请先登录（POST /api/v1/auth/staff）', 'Sign in first (POST /api/v1/auth/staff)');
}
export function notRegistered(): ApiError {
  return new ApiError(
    401,
    'terminal_not_registered',
    '此设备尚未登记，请用管理看板上的配对码配对',
    'This screen is not registered: pair it with a code from the manager board',
  );
}
