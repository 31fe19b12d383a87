// An LED display at one bus address behind the DisplayProtocol interface. It remembers what it
// should show and re-sends it whenever the link comes back (a display that lost power shows the
// right number again), and keeps re-sending until the display acks. Three missed acks → "degraded".
import type { Link } from '../link.js';
import { AckRetry } from './ack-retry.js';
import type { DisplayCommand, DisplayProtocol } from '../protocols/display.js';
import { StatusCell } from './status.js';

export class DisplayDevice {
  readonly cell = new StatusCell();
  private lines: string[] = [];
  private level?: number;
  lastShownAt = 0;
  private readonly retry = new AckRetry(
    () => void this.resendAll(),
    (misses) => {
      if (misses >= 3 && this.link.up) this.cell.set('degraded', 'display does not acknowledge');
    },
  );

  constructor(
    readonly link: Link,
    private readonly protocol: DisplayProtocol,
    readonly addr: number,
  ) {
    link.onData(
      protocol.createAckDecoder((ack) => {
        if (ack.addr !== addr) return;
        this.retry.acked();
        if (this.link.up) this.cell.set('online');
      }),
    );
    link.onUp(() => {
      this.cell.set('online');
      void this.resendAll();
    });
    link.onDown((err) => {
      this.retry.stop(); // everything is re-sent on the next up
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
  }

  get shown(): string[] {
    return this.lines.slice();
  }

  show(lines: string[]): Promise<void> {
    this.lines = lines.slice();
    return this.send({ type: 'show', lines: this.lines });
  }

  clear(): Promise<void> {
    this.lines = [];
    return this.send({ type: 'clear' });
  }

  brightness(level: number): Promise<void> {
    this.level = level;
    return this.send({ type: 'brightness', level });
  }

  private async resendAll(): Promise<void> {
    if (this.level !== undefined) await this.send({ type: 'brightness', level: this.level });
    await this.send(this.lines.length ? { type: 'show', lines: this.lines } : { type: 'clear' });
  }

  stop(): void {
    this.retry.stop();
  }

  private async send(cmd: DisplayCommand): Promise<void> {
    if (!this.link.up) return; // re-sent on reconnect
    try {
      for (const frame of this.protocol.encode(this.addr, cmd)) {
        await this.link.write(frame);
        this.lastShownAt = performance.now();
        this.retry.sent();
      }
    } catch {
      /* the link reports the loss and re-sends on reconnect */
    }
  }
}
