// An RS-485 caller keypad or rating pad at one address, polled by the host through the port's bus
// (docs/protocols/rs485-keypad.md). Each poll carries the sequence number of the last event taken
// from this pad (the ack); the pad answers idle or with its oldest unacknowledged event. An event
// whose number equals the last one taken is a repeat (our ack was lost) and is not emitted again.
// After a reply carrying an event the pad is polled again at once, so a queue of presses drains
// at bus speed; otherwise every pollMs. Polls are background traffic: texts shown go first.
// Bus time is what a press waits for (docs/protocols/rs485-keypad.md, "Poll cycle"), so:
//  - a rating pad (restPollMs set) is polled at full rate only while its counter awaits a rating
//    (awaitRating), else on a slow heartbeat that still notices it going offline;
//  - a pad that stopped answering is polled about every deadPollMs, not every cycle, and its "offline" is
//    reported once. Its probe waits only as long as a live pad's answer takes on the wire plus a USB
//    adapter's latency (deadTimeoutMs), not the full reply timeout: the bus is held for ≈ 41 ms instead of
//    ≈ 108 ms. A revived pad whose first answer comes later than that is heard one probe later;
//  - heartbeats and probes are spread ±25 %, so that pads in step do not all fall into one cycle;
//  - a garbled reply (bytes came, no valid frame) is retried at once, once, before it counts as a miss.
import type { Bus } from '../bus/bus.js';
import type { HostPadFraming } from '../protocols/pad-framing.js';
import { type KeypadEvent, type PollReply, fullHostFraming } from '../protocols/rs485-keypad.js';
import { StatusCell } from './status.js';

export interface PadOptions {
  /** time between polls of this address when it has nothing to report */
  pollMs?: number;
  timeoutMs?: number;
  /** unanswered polls in a row before "offline" */
  missedPolls?: number;
  /** rating pads: time between polls while no rating is awaited (default: every pollMs) */
  restPollMs?: number;
  /** an offline pad is polled about this often (default 2000 ms, spread ±25 %) */
  deadPollMs?: number;
  /**
   * reply timeout of an offline pad's probe (default 20 ms + 12.5 characters: a 3.5-character turnaround
   * and the longest idle answer of either framing, 9 characters; never more than timeoutMs)
   */
  deadTimeoutMs?: number;
  /** an awaited rating is given up after this long (the counter's rating window; default 120 s) */
  awaitMs?: number;
}

/**
 * ±25 %: pads started together (or cut off together) would otherwise stay in step and all take their
 * heartbeat or probe in the same cycle, which then holds every keypad's poll for all of them at once
 */
const spread = (ms: number) => ms * (0.75 + 0.5 * Math.random());

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
  readonly counts = { polls: 0, events: 0, repeats: 0, timeouts: 0, garbled: 0 };
  private awaiting = false;
  private awaitTimer?: NodeJS.Timeout;
  /** the last poll's reply was garbled and has been retried once already */
  private retried = false;

  constructor(
    readonly bus: Bus,
    readonly addr: number,
    readonly owner: string,
    private readonly onEvent: (e: Extract<KeypadEvent, { type: 'key' | 'rating' }>) => void,
    private readonly o: PadOptions = {},
    /** the bytes: FF 68 framing (rs485-keypad) or the short one (rs485-keypad-short) */
    private readonly framing: HostPadFraming = fullHostFraming,
  ) {
    bus.link.onUp(() => {
      // re-poll at once: a press made while the port was away is waiting in the pad. Misses counted
      // before the port went are forgotten, so the pad is asked with the full reply timeout, not a
      // dead pad's short probe: right after a replug, under load, its first answer can be slow.
      this.textSent = 0;
      this.misses = 0;
      this.retried = false;
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
    clearTimeout(this.awaitTimer);
  }

  /** a rating pad: its counter awaits a rating (full-rate polls) or no longer (the slow heartbeat) */
  awaitRating(on: boolean): void {
    clearTimeout(this.awaitTimer);
    const was = this.awaiting;
    this.awaiting = on;
    if (on) {
      this.awaitTimer = setTimeout(() => (this.awaiting = false), this.o.awaitMs ?? 120_000);
      this.awaitTimer.unref();
      if (!was && this.misses < (this.o.missedPolls ?? 3)) this.schedule(0);
    }
  }

  private get dead(): boolean {
    return this.misses >= (this.o.missedPolls ?? 3);
  }

  /** the pause before the next poll of a pad with nothing to report */
  private get restMs(): number {
    if (this.dead) return spread(this.o.deadPollMs ?? 2000);
    // a resting pad not yet heard since start or a replug is asked at full rate until it answers: a
    // lost first poll must not leave it "offline" for a whole heartbeat (seen under load after a replug)
    if (this.o.restPollMs !== undefined && !this.awaiting && this.cell.status === 'online') return spread(this.o.restPollMs);
    return this.o.pollMs ?? 100;
  }

  private get deadTimeoutMs(): number {
    const full = this.o.timeoutMs ?? Infinity;
    return Math.min(full, this.o.deadTimeoutMs ?? 20 + 12.5 * this.bus.charMs);
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

  private async poll(): Promise<void> {
    if (this.polling || !this.running || !this.bus.link.up) return;
    this.polling = true;
    let next = this.restMs;
    try {
      this.counts.polls++;
      const r = await this.bus.request<PollReply>({
        owner: this.owner,
        priority: 'background',
        frame: this.framing.poll(this.addr, this.lastSeq),
        timeoutMs: this.dead ? this.deadTimeoutMs : this.o.timeoutMs,
        reply: () => this.framing.pollReader(this.addr),
      });
      if (!r.ok) {
        // link down or stopped: the finally below does not reschedule, onUp polls again
        if (r.reason === 'timeout') {
          this.counts.timeouts++;
          if (r.garbled && !this.retried) {
            // noise tore the reply: ask again now, within this cycle, before calling it a miss
            this.counts.garbled++;
            this.retried = true;
            next = 0;
            return;
          }
          this.retried = false;
          if (++this.misses >= (this.o.missedPolls ?? 3)) this.cell.set('offline', 'no reply to poll');
          next = this.restMs;
        }
        return;
      }
      this.retried = false;
      this.misses = 0;
      next = this.restMs;
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
        if (reply.event.type === 'rating') this.awaitRating(false);
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
        const frame = this.framing.text(this.addr, this.text);
        const r = await this.bus.request({
          owner: this.owner,
          priority: 'user',
          frame,
          timeoutMs: this.o.timeoutMs,
          reply: () => this.framing.textAckReader(this.addr, frame),
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
