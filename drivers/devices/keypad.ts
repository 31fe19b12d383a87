// An RS-485 caller keypad or rating pad at one address, polled by the host through the port's bus
// (docs/protocols/rs485-keypad.md). Each poll carries the sequence number of the last event taken
// from this pad (the ack); the pad answers idle or with its oldest unacknowledged event. An event
// whose number equals the last one taken is a repeat (our ack was lost) and is not emitted again.
// After a reply carrying an event the pad is polled again at once, so a queue of presses drains
// at bus speed; otherwise every pollMs. Polls are background traffic: texts shown go first.
import type { Bus } from '../bus/bus.js';
import {
  createKeypadDecoder,
  encodeDisplay,
  encodePoll,
  interpretReply,
  type KeypadEvent,
  type PollReply,
} from '../protocols/rs485-keypad.js';
import { StatusCell } from './status.js';

export interface PadOptions {
  /** time between polls of this address when it has nothing to report */
  pollMs?: number;
  timeoutMs?: number;
  /** unanswered polls in a row before "offline" */
  missedPolls?: number;
}

export class KeypadDevice {
  readonly cell = new StatusCell();
  private lastSeq = 0;
  private misses = 0;
  private running = false;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private text?: string;
  private textVersion = 0;
  private textSent = 0;
  private textBusy = false;
  readonly counts = { polls: 0, events: 0, repeats: 0, timeouts: 0 };

  constructor(
    readonly bus: Bus,
    readonly addr: number,
    readonly owner: string,
    private readonly onEvent: (e: Extract<KeypadEvent, { type: 'key' | 'rating' }>) => void,
    private readonly o: PadOptions = {},
  ) {
    bus.link.onUp(() => {
      // re-poll at once: a press made while the port was away is waiting in the pad
      this.textSent = 0;
      this.schedule(0);
      void this.pushText();
    });
    bus.link.onDown((err) => {
      clearTimeout(this.timer);
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** writes (≤ 8 ASCII chars) to the keypad's own display; re-sent until the keypad echoes it */
  showText(text: string): void {
    this.text = text;
    this.textVersion++;
    void this.pushText();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private matcher(accept: (r: PollReply) => boolean) {
    return () => {
      let got: PollReply | undefined;
      const decode = createKeypadDecoder((f) => {
        if (f.addr !== this.addr || got) return;
        const r = interpretReply(f);
        if (r && accept(r)) got = r;
      });
      return (chunk: Uint8Array) => {
        decode(chunk);
        return got;
      };
    };
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.running || !this.bus.link.up) return;
    this.polling = true;
    let next = this.o.pollMs ?? 100;
    try {
      this.counts.polls++;
      const r = await this.bus.request<PollReply>({
        owner: this.owner,
        priority: 'background',
        frame: encodePoll(this.addr, this.lastSeq),
        timeoutMs: this.o.timeoutMs,
        reply: this.matcher((x) => x.type === 'idle' || x.type === 'event'),
      });
      if (!r.ok) {
        // link down or stopped: the finally below does not reschedule, onUp polls again
        if (r.reason === 'timeout') {
          this.counts.timeouts++;
          if (++this.misses >= (this.o.missedPolls ?? 3)) this.cell.set('offline', 'no reply to poll');
        }
        return;
      }
      this.misses = 0;
      this.cell.set('online');
      const reply = r.reply;
      if (reply?.type === 'event') {
        if (reply.seq === this.lastSeq) this.counts.repeats++;
        else {
          this.lastSeq = reply.seq;
          this.counts.events++;
          try {
            this.onEvent(reply.event);
          } catch {
            /* a listener must not stop the poll loop */
          }
        }
        next = 0; // ack it now and fetch the next queued event
      }
    } finally {
      this.polling = false;
      if (this.running && this.bus.link.up) this.schedule(next);
    }
  }

  private async pushText(): Promise<void> {
    if (this.textBusy) return;
    this.textBusy = true;
    let failures = 0;
    try {
      while (this.running && this.bus.link.up && this.text !== undefined && this.textSent !== this.textVersion) {
        const v = this.textVersion;
        const frame = encodeDisplay(this.addr, this.text);
        const r = await this.bus.request<PollReply>({
          owner: this.owner,
          priority: 'user',
          frame,
          timeoutMs: this.o.timeoutMs,
          reply: this.matcher((x) => x.type === 'display'),
        });
        if (r.ok) {
          this.textSent = v;
          failures = 0;
          continue;
        }
        if (r.reason !== 'timeout') return;
        failures++;
        await new Promise((res) => setTimeout(res, Math.min(2000, 50 * 2 ** Math.min(failures, 5))).unref());
      }
    } finally {
      this.textBusy = false;
    }
  }
}
