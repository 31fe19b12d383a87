// Supervised transport ("link"): keeps one transport open, reconnecting with capped backoff, and
// serialises writes so frames of devices sharing an RS-485 bus never interleave.
// Backoff is capped at 250 ms so a port that reappears is reopened well within 1 s (reopening a
// missing path costs one failed open(2)).
import type { Transport } from './transports/types.js';

export interface LinkOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onLog?: (level: 'debug' | 'info' | 'warn', msg: string) => void;
}

export class Link {
  private upFlag = false;
  private stopped = true;
  private timer?: NodeJS.Timeout;
  private backoff: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly upFns: Array<() => void> = [];
  private readonly downFns: Array<(err?: Error) => void> = [];
  private readonly dataFns: Array<(c: Uint8Array) => void> = [];
  private readonly blockedFns: Array<(blocked: boolean) => void> = [];
  /** writes in progress: a lost session fails them (serialport may never call a pending write back) */
  private readonly inProgress = new Set<(e: Error) => void>();
  lastError?: string;
  private failures = 0;

  constructor(
    readonly transport: Transport,
    private readonly o: LinkOptions = {},
  ) {
    this.backoff = o.minBackoffMs ?? 50;
    transport.onData((c) => {
      for (const fn of this.dataFns) fn(c);
    });
    transport.onClose((err) => this.lost(err));
  }

  get up(): boolean {
    return this.upFlag;
  }
  onUp(fn: () => void): void {
    this.upFns.push(fn);
  }
  onDown(fn: (err?: Error) => void): void {
    this.downFns.push(fn);
  }
  onData(fn: (c: Uint8Array) => void): void {
    this.dataFns.push(fn);
  }
  /**
   * a write held by hardware flow control (RTS/CTS, XON/XOFF) for longer than a wedged write would take
   * (true), and its completion (false). Only on transports with flow control; others are cycled instead.
   */
  onBlocked(fn: (blocked: boolean) => void): void {
    this.blockedFns.push(fn);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.transport.close().catch(() => {});
    this.upFlag = false;
  }

  private attempt(): void {
    if (this.stopped) return;
    this.transport.open().then(
      () => {
        if (this.stopped) {
          void this.transport.close();
          return;
        }
        this.backoff = this.o.minBackoffMs ?? 50;
        this.failures = 0;
        this.upFlag = true;
        // A simulated device opening is not news; a real port coming up is.
        this.o.onLog?.(this.transport.describe.startsWith('sim:') ? 'debug' : 'info', `${this.transport.describe} open`);
        for (const fn of this.upFns) fn();
      },
      (err: Error) => {
        this.lastError = err.message;
        // log the first failure only; a device unplugged for a day must not flood the log
        if (this.failures++ === 0) this.o.onLog?.('warn', `${this.transport.describe}: ${err.message}`);
        this.schedule();
      },
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.attempt(), this.backoff);
    this.backoff = Math.min(this.o.maxBackoffMs ?? 250, this.backoff * 2);
  }

  private lost(err?: Error): void {
    const wasUp = this.upFlag;
    this.upFlag = false;
    // a write of the dead session may never call back (serialport drops the callback of a write
    // pending at close): the next session's writes must not queue behind it
    this.chain = Promise.resolve();
    for (const fail of [...this.inProgress]) fail(new Error(`${this.transport.describe} lost`));
    if (err) this.lastError = err.message;
    if (wasUp) {
      this.o.onLog?.('warn', `${this.transport.describe} lost${err ? `: ${err.message}` : ''}`);
      for (const fn of this.downFns) fn(err);
    }
    this.schedule();
  }

  /**
   * serialised write; rejects when the link is down or the write fails (the link then reconnects).
   * A write that does not complete in 1 s + 2 ms per byte (a byte takes ~1 ms at 9600 Bd) ends the
   * session: the port is wedged, and a bus must never wait forever behind it. On a port with hardware
   * flow control the far end may hold a write for as long as it is busy or out of paper: that is
   * reported through onBlocked and waited for (an unplug still ends the session: the path watch, EIO).
   */
  write(bytes: Uint8Array): Promise<void> {
    const run = async () => {
      if (!this.upFlag) throw new Error(`${this.transport.describe} is down`);
      let timer: NodeJS.Timeout | undefined;
      let blocked = false;
      let fail: ((e: Error) => void) | undefined;
      const stuck = new Promise<never>((_, reject) => {
        fail = reject;
        this.inProgress.add(reject);
        timer = setTimeout(
          () => {
            if (this.transport.flowControl) {
              blocked = true;
              for (const fn of this.blockedFns) fn(true);
              return;
            }
            reject(new Error(`${this.transport.describe}: write did not complete`));
            void this.transport.close().then(() => this.lost(new Error('write did not complete')));
          },
          1000 + bytes.length * 2,
        );
      });
      try {
        await Promise.race([this.transport.write(bytes), stuck]);
      } finally {
        clearTimeout(timer);
        if (fail) this.inProgress.delete(fail);
        if (blocked) for (const fn of this.blockedFns) fn(false);
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }
}
