// An LED display at one bus address behind the DisplayProtocol interface. It remembers what it
// should show and sends it through the port's bus until the display acknowledges it; the newest
// text always wins over one still being retried. Re-sent whenever the link comes back (a display
// that lost power shows the right number again).
//   no answer        → retry with backoff; 3 misses → degraded "display does not acknowledge"
//   busy (Modbus 06) → retry with backoff; degraded with the code after 3
//   refused (Modbus 01/02/03, nak) → degraded with the code and its meaning; not retried until the
//                      next text (the same frame would be refused again)
import type { Bus } from '../bus/bus.js';
import type { DisplayAck, DisplayCommand, DisplayProtocol } from '../protocols/display.js';
import { StatusCell } from './status.js';

export interface DisplayOptions {
  timeoutMs?: number;
  /** first retry delay; doubles up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** after a timeout, the next frame waits this long (default: the protocol's, Modbus 2 s) */
  lateMs?: number;
}

export class DisplayDevice {
  readonly cell = new StatusCell();
  private lines: string[] = [];
  private level?: number;
  /** bumped on every change of what should be shown; `sent` is the version the display acked */
  private version = 1;
  private sent = 0;
  private pumping = false;
  private wake?: () => void;
  private running = false;
  lastShownAt = 0;
  /** answers counted for tests and the bench */
  readonly counts = { sent: 0, acked: 0, busy: 0, refused: 0, timeouts: 0 };
  /** answers of this address seen on the line, and those taken as the answer to a request in flight */
  private heard = 0;
  private matched = 0;

  constructor(
    readonly bus: Bus,
    private readonly protocol: DisplayProtocol,
    readonly addr: number,
    readonly owner: string,
    private readonly o: DisplayOptions = {},
  ) {
    // every answer of this address on the line, matched or not: the difference is the late ones
    bus.link.onData(
      protocol.createAckDecoder((ack) => {
        if (ack.addr === addr) this.heard++;
      }),
    );
    bus.link.onUp(() => {
      this.sent = 0; // the display may have lost power: everything again
      void this.pump();
    });
    bus.link.onDown((err) => {
      this.wake?.();
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
  }

  /** answers that came for no request in flight (late, after their request timed out), discarded */
  get late(): number {
    return Math.max(0, this.heard - this.matched);
  }

  get shown(): string[] {
    return this.lines.slice();
  }

  start(): void {
    this.running = true;
    void this.pump();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  show(lines: string[]): void {
    this.lines = lines.slice();
    this.changed();
  }

  clear(): void {
    this.lines = [];
    this.changed();
  }

  brightness(level: number): void {
    this.level = level;
    this.changed();
  }

  private changed(): void {
    this.version++;
    this.wake?.();
    void this.pump();
  }

  private commands(): DisplayCommand[] {
    const out: DisplayCommand[] = [];
    if (this.level !== undefined) out.push({ type: 'brightness', level: this.level });
    out.push(this.lines.length ? { type: 'show', lines: this.lines } : { type: 'clear' });
    return out;
  }

  private async send(frame: Uint8Array): Promise<DisplayAck | 'timeout' | 'down'> {
    this.counts.sent++;
    const addr = this.addr;
    const r = await this.bus.request<DisplayAck>({
      owner: this.owner,
      priority: 'user',
      frame,
      timeoutMs: this.o.timeoutMs,
      lateMs: this.o.lateMs ?? this.protocol.lateMs,
      reply: () => {
        let got: DisplayAck | undefined;
        const decode = this.protocol.createAckDecoder((ack) => {
          if (ack.addr !== addr || got) return;
          if (this.protocol.answers && !this.protocol.answers(frame, ack)) return;
          got = ack;
          this.matched++;
        });
        return (chunk) => {
          decode(chunk);
          return got;
        };
      },
    });
    if (!r.ok) return r.reason === 'timeout' ? 'timeout' : 'down';
    return r.reply ?? 'timeout';
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let failures = 0;
    try {
      while (this.running && this.bus.link.up && this.sent !== this.version) {
        const v = this.version;
        let outcome: 'ok' | 'retry' | 'refused' | 'down' = 'ok';
        let detail: string | undefined;
        send: for (const cmd of this.commands()) {
          for (const frame of this.protocol.encode(this.addr, cmd)) {
            const a = await this.send(frame);
            if (a === 'down') {
              outcome = 'down';
              break send;
            }
            if (a === 'timeout') {
              this.counts.timeouts++;
              outcome = 'retry';
              detail = 'display does not acknowledge';
              break send;
            }
            if (!a.ok) {
              if (a.busy) this.counts.busy++;
              else this.counts.refused++;
              outcome = a.busy || !a.fatal ? 'retry' : 'refused';
              detail = a.detail ?? 'display refused the frame';
              break send;
            }
            this.counts.acked++;
          }
        }
        if (outcome === 'down') return; // re-sent on the next up
        if (outcome === 'ok') {
          failures = 0;
          this.lastShownAt = performance.now();
          if (this.sent !== v) this.sent = v;
          this.cell.set('online');
          continue;
        }
        if (outcome === 'refused') {
          this.sent = v; // not again until the text changes
          this.cell.set('degraded', detail);
          continue;
        }
        failures++;
        if (failures >= 3) this.cell.set('degraded', detail);
        if (this.version !== v) continue; // a newer text: send that at once
        const base = this.o.backoffMs ?? 50;
        await this.sleep(Math.min(this.o.maxBackoffMs ?? 2000, base * 2 ** Math.min(failures - 1, 6)));
      }
    } finally {
      this.pumping = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      const self = this;
      function done() {
        clearTimeout(t);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
