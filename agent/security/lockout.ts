// Sign-in throttling. Three counters per failure, none cleared by another account's success:
//  - per account: applies from every source except those where this account has signed in before
//    (so a stranger typing wrong manager PINs at the kiosk cannot lock the manager out of the board PC),
//  - per account and source: applies everywhere, also at the account's own trusted PCs,
//  - per source: all accounts tried from one address (the interleaved sweep).
// The delays double from the threshold on and are capped; see docs/security.md for the arithmetic.

export const ACCOUNT_FREE_FAILURES = 4;
export const SOURCE_FREE_FAILURES = 8;
/** a mistyped pairing code is common (10 characters typed on a touch screen) */
export const PAIR_FREE_FAILURES = 5;
const BASE_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 60 * 60_000;
/** a source's failures are forgotten after a quiet day */
const SOURCE_FORGET_MS = 24 * 60 * 60_000;

/** Lock imposed after the n-th consecutive failure (n ≥ 1) of a counter with `free` free failures. */
export function lockoutDelayMs(n: number, free = ACCOUNT_FREE_FAILURES): number {
  if (n <= free) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(20, n - free - 1));
}

/** Shortest time an attacker needs for `attempts` wrong PINs against one account. */
export function minimumTimeForAttemptsMs(attempts: number, free = ACCOUNT_FREE_FAILURES): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += lockoutDelayMs(n, free);
  return total;
}

export interface Counter {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

/** Where the counters outlive the process (SecurityStore); the Map stays the one that is read. */
export interface LockoutPersistence {
  loadLockout(): { counters: [string, Counter][]; trusted: [string, string][] };
  saveCounters(entries: [string, Counter][]): void;
  deleteCounters(keys: string[]): void;
  trustSource(account: string, source: string): void;
  /** runs the writes in one transaction (one commit, one fsync) */
  batch(writes: () => void): void;
}

/**
 * Counter writes are gathered for this long and committed together. The hall database commits with
 * synchronous=FULL (an fsync each, on the event loop): one commit per wrong PIN made a flood of them
 * stall every other request, the manager's sign-in included (docs/bench.md). The Map stays the truth
 * while the agent runs; close() writes what is pending, a kill -9 loses at most this window.
 */
export const WRITE_BEHIND_MS = 100;

export interface LockoutState {
  account: string;
  source: string;
  lockedUntil: number;
  failures: number;
}

export interface Reservation {
  state: LockoutState;
  /** a:, as:, s: */
  keys: string[];
  before: (Counter | undefined)[];
  after: (Counter | undefined)[];
}

export class Lockout {
  private readonly counters = new Map<string, Counter>();
  private readonly trusted = new Map<string, Set<string>>();
  private pending: ((p: LockoutPersistence) => void)[] = [];
  private flushTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly now: () => number,
    private readonly persist?: LockoutPersistence,
  ) {
    if (!persist) return;
    const saved = persist.loadLockout();
    for (const [k, c] of saved.counters) this.counters.set(k, c);
    for (const [account, source] of saved.trusted) this.remember(account, source);
  }

  /**
   * A failing disk must not turn a sign-in into an error: the counters in memory still hold for this
   * run, and the storage alert (agent/security/storage.ts) reports the disk.
   */
  private save(fn: (p: LockoutPersistence) => void): void {
    if (!this.persist) return;
    this.pending.push(fn);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), WRITE_BEHIND_MS);
      this.flushTimer.unref?.();
    }
  }

  /** writes the gathered counter changes now, in order, in one transaction (also at shutdown) */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const writes = this.pending;
    this.pending = [];
    const persist = this.persist;
    if (!persist || writes.length === 0) return;
    try {
      persist.batch(() => {
        for (const w of writes) w(persist);
      });
    } catch {
      // kept in memory only until the disk takes writes again
    }
  }

  private remember(account: string, source: string): void {
    const set = this.trusted.get(account) ?? new Set<string>();
    set.add(source);
    this.trusted.set(account, set);
  }

  /** ms until the next attempt is allowed for this account from this source; 0 = go ahead */
  waitMs(account: string, source: string): number {
    const t = this.now();
    const keys = [`as:${account}|${source}`, `s:${source}`];
    if (!this.trusted.get(account)?.has(source)) keys.push(`a:${account}`);
    let until = 0;
    for (const k of keys) until = Math.max(until, this.counters.get(k)?.lockedUntil ?? 0);
    return Math.max(0, until - t);
  }

  /** some account has signed in from this address before (its requests may use the trusted lane) */
  knownSource(source: string): boolean {
    for (const sources of this.trusted.values()) if (sources.has(source)) return true;
    return false;
  }

  trustedAt(account: string, source: string): boolean {
    return this.trusted.get(account)?.has(source) ?? false;
  }

  /**
   * Counts the attempt as a failure before the PIN is hashed, so parallel attempts see each other:
   * the decision (waitMs) and this reservation run in the same tick. It is written to the database when
   * it turns out a failure (`failed`); a correct PIN gives it back (`succeeded`).
   */
  reserve(account: string, source: string): Reservation {
    const keys = [`a:${account}`, `as:${account}|${source}`, `s:${source}`];
    const before = keys.map((k) => this.counters.get(k));
    const state = this.bump(account, source);
    return { state, keys, before, after: keys.map((k) => this.counters.get(k)) };
  }

  failed(r: Reservation): void {
    const entries = r.keys.flatMap((k): [string, Counter][] => {
      const c = this.counters.get(k);
      return c ? [[k, c]] : [];
    });
    this.save((p) => p.saveCounters(entries));
  }

  /** The reserved attempt was the right PIN: the account's counters clear and the address gets its attempt back. */
  succeeded(r: Reservation): void {
    const sKey = r.keys[2] as string;
    const now = this.counters.get(sKey);
    const prev = r.before[2];
    // untouched since the reservation: back to what it was (and what the database still holds)
    if (now === r.after[2]) {
      if (prev) this.counters.set(sKey, prev);
      else this.counters.delete(sKey);
    } else if (now) {
      const restored = { ...now, failures: Math.max(0, now.failures - 1) };
      this.counters.set(sKey, restored);
      this.save((p) => p.saveCounters([[sKey, restored]]));
    }
    // the account's counters: only those the database holds need a delete
    const stored = r.keys.slice(0, 2).filter((_k, i) => r.before[i] !== undefined);
    for (const k of r.keys.slice(0, 2)) this.counters.delete(k);
    const known = this.trustedAt(r.state.account, r.state.source);
    this.remember(r.state.account, r.state.source);
    this.save((p) => {
      if (stored.length) p.deleteCounters(stored);
      if (!known) p.trustSource(r.state.account, r.state.source);
    });
  }

  failure(account: string, source: string): LockoutState {
    const r = this.reserve(account, source);
    this.failed(r);
    return r.state;
  }

  private bump(account: string, source: string): LockoutState {
    const t = this.now();
    const bump = (key: string, free: number, forgetMs?: number) => {
      const prev = this.counters.get(key);
      const failures = prev && (forgetMs === undefined || t - prev.lastAt < forgetMs) ? prev.failures + 1 : 1;
      const c = { failures, lockedUntil: t + lockoutDelayMs(failures, free), lastAt: t };
      this.counters.set(key, c);
      return c;
    };
    const a = bump(`a:${account}`, ACCOUNT_FREE_FAILURES);
    const as = bump(`as:${account}|${source}`, ACCOUNT_FREE_FAILURES);
    const s = bump(`s:${source}`, SOURCE_FREE_FAILURES, SOURCE_FORGET_MS);
    return { account, source, failures: a.failures, lockedUntil: Math.max(a.lockedUntil, as.lockedUntil, s.lockedUntil) };
  }

  /** Clears only this account's counters; the source keeps its count. */
  success(account: string, source: string): void {
    // most sign-ins have nothing to clear and come from a known PC: they write nothing
    const keys = [`a:${account}`, `as:${account}|${source}`].filter((k) => this.counters.delete(k));
    const known = this.trusted.get(account)?.has(source);
    this.remember(account, source);
    this.save((p) => {
      if (keys.length) p.deleteCounters(keys);
      if (!known) p.trustSource(account, source);
    });
  }

  // ---- pairing codes: counted per address only, so one stranger's wrong codes lock no other screen
  pairWaitMs(source: string): number {
    return Math.max(0, (this.counters.get(`p:${source}`)?.lockedUntil ?? 0) - this.now());
  }

  pairFailure(source: string): Counter {
    const t = this.now();
    const key = `p:${source}`;
    const prev = this.counters.get(key);
    const failures = prev && t - prev.lastAt < SOURCE_FORGET_MS ? prev.failures + 1 : 1;
    const c = { failures, lockedUntil: t + lockoutDelayMs(failures, PAIR_FREE_FAILURES), lastAt: t };
    this.counters.set(key, c);
    this.save((p) => p.saveCounters([[key, c]]));
    return c;
  }

  /** a screen at this address paired: its mistypes are forgiven */
  pairSuccess(source: string): void {
    if (this.counters.delete(`p:${source}`)) this.save((p) => p.deleteCounters([`p:${source}`]));
  }

  /** addresses locked out of pairing now (the board lists and unlocks them) */
  pairLocked(): { source: string; until: number; failures: number }[] {
    const t = this.now();
    return [...this.counters.entries()]
      .filter(([k, c]) => k.startsWith('p:') && c.lockedUntil > t)
      .map(([k, c]) => ({ source: k.slice(2), until: c.lockedUntil, failures: c.failures }));
  }

  /** the board's 解锁 for pairing: one address, or all */
  clearPairing(source?: string): number {
    const keys = [...this.counters.keys()].filter((k) => (source === undefined ? k.startsWith('p:') : k === `p:${source}`));
    for (const key of keys) this.counters.delete(key);
    if (keys.length) this.save((p) => p.deleteCounters(keys));
    return keys.length;
  }

  /** the manager's "unlock" in the staff panel */
  clearAccount(account: string): void {
    const keys = [...this.counters.keys()].filter((key) => key === `a:${account}` || key.startsWith(`as:${account}|`));
    for (const key of keys) this.counters.delete(key);
    this.save((p) => p.deleteCounters(keys));
  }
}
