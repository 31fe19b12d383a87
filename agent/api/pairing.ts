// Registered screens get their token by pairing: the manager makes a one-time code, the screen trades it
// for its own token. Wrong codes are bounded twice (docs/security.md, "Registered screens"):
//  - per address (Lockout's p: counters): one stranger's mistypes lock only that address; a success
//    clears it, the board unlocks it;
//  - per live code: a wrong guess counts against every code not yet used (it may have been aimed at any
//    of them), and a code past PAIR_CODE_GUESS_BUDGET is retired, so guesses spread over many addresses
//    are bounded too. A retired code never locks a screen: the manager makes a new one.
import { randomInt } from 'node:crypto';
import type { Lockout } from '../security/lockout.js';
import { newToken, type SecurityStore, sha256, type Terminal } from '../security/store.js';
import type { SecurityAlert } from './alerts.js';
import { ApiError } from './errors.js';

const PAIR_CODE_MS = 15 * 60_000;
/** the demo prints pairing links at start-up; a newcomer may open them later the same day */
const DEMO_PAIR_CODE_MS = 24 * 60 * 60_000;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/**
 * wrong guesses hall-wide a live code survives: 32^10 ≈ 1.1·10^15 codes, so the chance that they find it
 * is below 10^-13, while a hall's own mistypes (a few per screen) never reach it
 */
export const PAIR_CODE_GUESS_BUDGET = 100;

export class TerminalPairing {
  constructor(
    private readonly store: SecurityStore,
    private readonly lockout: Lockout,
    private readonly now: () => number,
    private readonly alert: (a: Omit<SecurityAlert, 'at'>) => void,
  ) {}

  createPairCode(terminalId: string, by: string, opts: { demo?: boolean } = {}): { code: string; expiresAt: number } {
    if (!this.store.terminal(terminalId))
      throw new ApiError(404, 'unknown_terminal', `没有登记该终端：${terminalId}`, `No terminal ${terminalId}`);
    let code = '';
    for (let i = 0; i < 10; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const expiresAt = this.now() + (opts.demo ? DEMO_PAIR_CODE_MS : PAIR_CODE_MS);
    this.store.addPairCode(sha256(code), terminalId, expiresAt, by);
    this.store.audit({
      at: this.now(),
      actor: by,
      action: 'terminal.pairCode',
      target: `terminal:${terminalId}`,
      detail: {},
      source: null,
    });
    return { code, expiresAt };
  }

  /** Synchronous from the check to the count (better-sqlite3): parallel requests cannot slip between them. */
  pair(code: string, from: string): { token: string; terminal: Terminal } {
    const wait = this.lockout.pairWaitMs(from);
    if (wait > 0)
      throw new ApiError(
        429,
        'too_many_attempts',
        '配对码错误次数过多，请稍后再试，或请管理员在管理看板解锁',
        'Too many wrong pairing codes from this screen; try again later or ask the manager to unlock it on the board',
        Math.ceil(wait / 1000),
      );
    const hash = sha256(code.trim().toUpperCase());
    const id = this.store.takePairCode(hash, this.now());
    const terminal = id ? this.store.terminal(id) : undefined;
    if (!terminal || terminal.disabled) {
      if (!id && this.store.pairCodeRetired(hash, this.now()))
        throw new ApiError(
          401,
          'pair_code_retired',
          '该配对码因大厅内多次错误尝试已作废，请到管理看板重新生成',
          'This pairing code was retired after repeated wrong guesses in the hall; make a new one on the manager board',
        );
      this.failed(from);
      throw new ApiError(
        401,
        'bad_pair_code',
        '配对码无效或已过期，请到管理看板重新生成',
        'Unknown or expired pairing code; make a new one on the manager board',
      );
    }
    this.lockout.pairSuccess(from);
    const token = newToken();
    this.store.addTerminalToken(sha256(token), terminal.id, this.now());
    this.store.audit({
      at: this.now(),
      actor: `terminal:${terminal.id}`,
      action: 'terminal.paired',
      target: `terminal:${terminal.id}`,
      detail: {},
      source: from,
    });
    return { token, terminal };
  }

  private failed(from: string): void {
    const c = this.lockout.pairFailure(from);
    if (c.lockedUntil > this.now())
      this.alert({
        kind: 'lockout',
        account: 'pairing',
        source: from,
        until: c.lockedUntil,
        message: `${from} 多次输错配对码，已暂时锁定该地址的配对`,
        messageEn: `Repeated wrong pairing codes from ${from}: pairing locked for that address`,
      });
    let retired: string[] = [];
    try {
      retired = this.store.countWrongPairGuess(this.now(), PAIR_CODE_GUESS_BUDGET);
    } catch {
      // a full disk must not turn a wrong code into an error; the storage alert reports the disk
    }
    for (const terminal of retired)
      this.alert({
        kind: 'lockout',
        account: 'pairing',
        source: from,
        message: `${terminal} 的配对码因大厅内 ${PAIR_CODE_GUESS_BUDGET} 次错误尝试已作废（最近来自 ${from}），请重新生成`,
        messageEn: `The pairing code of ${terminal} was retired after ${PAIR_CODE_GUESS_BUDGET} wrong guesses in the hall (the last from ${from}); make a new one`,
      });
  }

  /** A terminal token without a pairing step: tests and the config's pre-registered screens. */
  issueTerminalToken(terminalId: string): string {
    if (!this.store.terminal(terminalId)) throw new Error(`no terminal ${terminalId}`);
    const token = newToken();
    this.store.addTerminalToken(sha256(token), terminalId, this.now());
    return token;
  }
}
