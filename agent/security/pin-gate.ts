// Admission for PIN checks. scrypt is the one expensive thing an anonymous caller can make the agent do,
// so the agent bounds it twice:
//  - per account: one check in flight; a few more wait behind it, the rest are refused at once. The
//    lockout decision of a waiting check is taken only when its turn comes, so it sees every earlier result.
//  - in all: HASH_CONCURRENCY hashes run at once and at most QUEUE_LIMIT wait; beyond that 503 with a
//    Retry-After. An address where the account has signed in before (its own counter PC, the board PC)
//    waits in a separate lane served first, so a flood from strangers does not keep staff from signing in.

export const HASH_CONCURRENCY = 2;
export const QUEUE_LIMIT = 48;
export const TRUSTED_QUEUE_LIMIT = 32;
export const ACCOUNT_WAITERS = 4;

export class GateRefusal extends Error {
  constructor(
    readonly reason: 'account_busy' | 'queue_full',
    readonly retryAfterS: number,
  ) {
    super(reason);
  }
}

type Waiter = () => void;

export class PinGate {
  private running = 0;
  private readonly trustedLane: Waiter[] = [];
  private readonly lane: Waiter[] = [];
  private readonly accounts = new Map<string, { waiters: Waiter[] }>();
  /** moving average of one hash, for Retry-After */
  private hashMs = 60;

  constructor(
    private readonly limits = {
      concurrency: HASH_CONCURRENCY,
      queue: QUEUE_LIMIT,
      trustedQueue: TRUSTED_QUEUE_LIMIT,
      accountWaiters: ACCOUNT_WAITERS,
    },
  ) {}

  get queued(): number {
    return this.lane.length + this.trustedLane.length;
  }

  /** no room left in the strangers' lane: a sign-in from an address no account trusts would get 503 anyway */
  get strangerLaneFull(): boolean {
    return this.running >= this.limits.concurrency && this.lane.length >= this.limits.queue;
  }

  retryAfterS(): number {
    return Math.max(1, Math.ceil(((this.queued + this.running) * this.hashMs) / this.limits.concurrency / 1000));
  }

  /**
   * Runs `check` holding the account's slot and a hashing slot. `check` must take its lockout decision
   * synchronously before its first await, so decision and reservation cannot interleave with another check.
   */
  async run<T>(account: string, trusted: boolean, check: () => Promise<T>): Promise<T> {
    await this.enterAccount(account);
    try {
      await this.enterHash(trusted);
      const started = performance.now();
      try {
        return await check();
      } finally {
        this.hashMs = this.hashMs * 0.8 + (performance.now() - started) * 0.2;
        this.leaveHash();
      }
    } finally {
      this.leaveAccount(account);
    }
  }

  private enterAccount(account: string): Promise<void> {
    const slot = this.accounts.get(account);
    if (!slot) {
      this.accounts.set(account, { waiters: [] });
      return Promise.resolve();
    }
    if (slot.waiters.length >= this.limits.accountWaiters) return Promise.reject(new GateRefusal('account_busy', 1));
    return new Promise((resolve) => slot.waiters.push(resolve));
  }

  private leaveAccount(account: string): void {
    const slot = this.accounts.get(account);
    const next = slot?.waiters.shift();
    if (next) next();
    else this.accounts.delete(account);
  }

  private enterHash(trusted: boolean): Promise<void> {
    if (this.running < this.limits.concurrency && this.queued === 0) {
      this.running++;
      return Promise.resolve();
    }
    const lane = trusted ? this.trustedLane : this.lane;
    if (lane.length >= (trusted ? this.limits.trustedQueue : this.limits.queue))
      return Promise.reject(new GateRefusal('queue_full', this.retryAfterS()));
    return new Promise((resolve) =>
      lane.push(() => {
        this.running++;
        resolve();
      }),
    );
  }

  private leaveHash(): void {
    this.running--;
    const next = this.trustedLane.shift() ?? this.lane.shift();
    next?.();
  }
}
