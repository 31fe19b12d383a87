// Supervised transport ("link"): keeps one transport open, reconnecting with capped backoff, and
// serialises writes so frames of devices sharing an RS-485 bus never interleave.
// Backoff is capped at 500 ms so a port that reappears is reopened well within 2 s.
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
    this.backoff = Math.min(this.o.maxBackoffMs ?? 500, this.backoff * 2);
  }

  private lost(err?: Error): void {
    const wasUp = this.upFlag;
    this.upFlag = false;
    // a write of the dead session whose callback never comes (serialport, port gone mid-write) must not
    // hold every write of the next session behind it
    this.chain = Promise.resolve();
    if (err) this.lastError = err.message;
    if (wasUp) {
      this.o.onLog?.('warn', `${this.transport.describe} lost${err ? `: ${err.message}` : ''}`);
      for (const fn of this.downFns) fn(err);
    }
    this.schedule();
  }

  /** serialised write; rejects when the link is down or the write fails (the link then reconnects) */
  write(bytes: Uint8Array): Promise<void> {
    const run = async () => {
      if (!this.upFlag) throw new Error(`${this.transport.describe} is down`);
      await this.transport.write(bytes);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }
}
