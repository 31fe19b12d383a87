// An LED display at one bus address behind the DisplayProtocol interface. It remembers what it
// should show and re-sends it whenever the link comes back (a display that lost power shows the
// right number again). Three unacknowledged frames in a row → "degraded".
import type { Link } from '../link.js';
import type { DisplayCommand, DisplayProtocol } from '../protocols/display.js';
import { StatusCell } from './status.js';

export class DisplayDevice {
  readonly cell = new StatusCell();
  private lines: string[] = [];
  private level?: number;
  private unacked = 0;
  lastShownAt = 0;

  constructor(
    readonly link: Link,
    private readonly protocol: DisplayProtocol,
    readonly addr: number,
  ) {
    link.onData(
      protocol.createAckDecoder((ack) => {
        if (ack.addr !== addr) return;
        this.unacked = 0;
        if (this.link.up) this.cell.set('online');
      }),
    );
    link.onUp(() => {
      this.cell.set('online');
      this.unacked = 0;
      if (this.level !== undefined) void this.send({ type: 'brightness', level: this.level });
      void this.send(this.lines.length ? { type: 'show', lines: this.lines } : { type: 'clear' });
    });
    link.onDown((err) => this.cell.set('offline', err?.message ?? 'connection lost'));
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

  private async send(cmd: DisplayCommand): Promise<void> {
    if (!this.link.up) return; // re-sent on reconnect
    try {
      for (const frame of this.protocol.encode(this.addr, cmd)) {
        await this.link.write(frame);
        this.lastShownAt = performance.now();
        if (++this.unacked >= 3) this.cell.set('degraded', 'display does not acknowledge');
      }
    } catch {
      /* the link reports the loss and re-sends on reconnect */
    }
  }
}
