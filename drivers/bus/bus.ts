// One bus per serial port (RS-485 is half duplex and multi-drop): every device configured on the
// path talks through it. Rules, all enforced here rather than in each device:
//  - one request in flight: the next frame goes out only after the reply or the reply timeout;
//  - an inter-frame silence after the last byte on the wire (Modbus RTU: ≥ 3.5 character times);
//  - fair round-robin between devices within a priority class;
//  - user-visible commands (a call on an LED, a keypad's text) before background polls.
// Bytes that arrive with no request in flight are dropped (and keep the line "busy"), so a late
// reply is never taken for the answer to the next request.
import type { Link } from '../link.js';

export type Priority = 'user' | 'background';

export interface BusRequest<R> {
  /** the device the request belongs to: the unit of fair scheduling */
  owner: string;
  priority: Priority;
  frame: Uint8Array;
  /**
   * Builds a matcher for the reply: fed every received chunk while this request is in flight,
   * it returns the reply once complete. Absent: no reply is expected (broadcast / write-only).
   */
  reply?: () => (chunk: Uint8Array) => R | undefined;
  /** reply timeout, counted from the estimated end of transmission; default the bus's */
  timeoutMs?: number;
  /**
   * Protocols whose replies carry no transaction id (Modbus RTU): after this request times out, its
   * owner's next request waits this long if it is a different frame, so that a late reply to the old
   * frame arrives with nothing of that owner in flight (and is discarded) instead of being taken for
   * the answer to the new one. A repeat of the same frame may go at once: a late answer to an identical
   * frame acknowledges the same content (and a device reopened after a replug recovers at once).
   */
  lateMs?: number;
}

export type BusResult<R> =
  | { ok: true; reply: R | undefined; rtt: number }
  /** garbled: bytes came while it waited, but no valid reply (a reply torn by noise) */
  | { ok: false; reason: 'timeout'; garbled: boolean }
  | { ok: false; reason: 'linkDown' | 'stopped' };

export interface BusOptions {
  /** wire time of one character (ms) at the port's framing */
  charMs: number;
  /** minimum silence between frames, in characters (Modbus: 3.5) */
  gapChars?: number;
  /** floor for the silence in ms (Modbus above 19200 Bd: 1.75 ms) */
  minGapMs?: number;
  timeoutMs?: number;
  /** wire tap for tests and the bench: every frame written and chunk received, with its time */
  onWire?: (dir: 'tx' | 'rx', bytes: Uint8Array, at: number) => void;
}

interface Pending<R> {
  req: BusRequest<R>;
  done: (r: BusResult<R>) => void;
}

const PRIORITIES: Priority[] = ['user', 'background'];

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export class Bus {
  private readonly queues: Record<Priority, Map<string, Pending<unknown>[]>> = { user: new Map(), background: new Map() };
  /** when each owner was last served (a counter): the one served longest ago goes first */
  private readonly served = new Map<string, number>();
  /** owners whose last request timed out with lateMs: no other frame of theirs goes out before this time */
  private readonly heldUntil = new Map<string, { until: number; frame: Uint8Array }>();
  private serial = 0;
  private inFlight?: { p: Pending<unknown>; match?: (c: Uint8Array) => unknown; timer?: NodeJS.Timeout; sentAt: number; heard?: boolean };
  /** performance.now() before which nothing may be written (silence after the last byte on the wire) */
  private quietUntil = 0;
  private kickTimer?: NodeJS.Timeout;
  private stopped = false;
  readonly gapMs: number;
  /** counters for the bench and the board */
  stats = { requests: 0, timeouts: 0, strayBytes: 0 };

  constructor(
    readonly link: Link,
    private readonly o: BusOptions,
  ) {
    this.gapMs = Math.max(o.minGapMs ?? 0, (o.gapChars ?? 3.5) * o.charMs);
    link.onData((chunk) => this.onData(chunk));
    link.onDown(() => this.failAll('linkDown'));
    link.onUp(() => {
      this.quietUntil = 0;
      this.heldUntil.clear();
      this.kick();
    });
  }

  /** queues a request; never rejects */
  request<R>(req: BusRequest<R>): Promise<BusResult<R>> {
    if (this.stopped) return Promise.resolve({ ok: false, reason: 'stopped' });
    if (!this.link.up) return Promise.resolve({ ok: false, reason: 'linkDown' });
    return new Promise((done) => {
      const q = this.queues[req.priority];
      let list = q.get(req.owner);
      if (!list) {
        list = [];
        q.set(req.owner, list);
      }
      list.push({ req, done } as Pending<unknown>);
      this.kick();
    });
  }

  /** wire time of one character (ms) */
  get charMs(): number {
    return this.o.charMs;
  }

  /** requests waiting (not counting the one in flight) */
  get waiting(): number {
    let n = 0;
    for (const p of PRIORITIES) for (const l of this.queues[p].values()) n += l.length;
    return n;
  }

  stop(): void {
    this.stopped = true;
    this.failAll('stopped');
  }

  /** round-robin: within the highest priority waiting, the device served longest ago (never = first) */
  private next(): Pending<unknown> | undefined {
    const now = performance.now();
    for (const prio of PRIORITIES) {
      const q = this.queues[prio];
      let pick: string | undefined;
      for (const owner of q.keys()) {
        const held = this.heldUntil.get(owner);
        if (held !== undefined) {
          if (held.until <= now) this.heldUntil.delete(owner);
          else if (!sameBytes(held.frame, q.get(owner)![0]!.req.frame)) continue;
        }
        if (pick === undefined || (this.served.get(owner) ?? -1) < (this.served.get(pick) ?? -1)) pick = owner;
      }
      if (pick === undefined) continue;
      const list = q.get(pick)!;
      const p = list.shift()!;
      if (list.length === 0) q.delete(pick);
      this.served.set(pick, this.serial++);
      return p;
    }
    return undefined;
  }

  private kick(): void {
    if (this.inFlight || this.stopped || !this.link.up) return;
    const wait = this.quietUntil - performance.now();
    if (wait > 0) {
      if (!this.kickTimer)
        this.kickTimer = setTimeout(() => {
          this.kickTimer = undefined;
          this.kick();
        }, Math.ceil(wait));
      return;
    }
    const p = this.next();
    if (!p) {
      // only held owners wait: come back when the first of them may go
      const held = [...this.heldUntil.values()].map((h) => h.until);
      if (held.length > 0 && this.waiting > 0 && !this.kickTimer)
        this.kickTimer = setTimeout(
          () => {
            this.kickTimer = undefined;
            this.kick();
          },
          Math.max(1, Math.ceil(Math.min(...held) - performance.now())),
        );
      return;
    }
    const { req } = p;
    const sentAt = performance.now();
    const flight: NonNullable<Bus['inFlight']> = { p, match: req.reply?.(), sentAt };
    this.inFlight = flight;
    this.stats.requests++;
    this.o.onWire?.('tx', req.frame, sentAt);
    const txEnd = sentAt + req.frame.length * this.o.charMs;
    const timeout = req.timeoutMs ?? this.o.timeoutMs ?? 200;
    // armed now, not when the write completes: a write that never completes must not stall the bus
    flight.timer = setTimeout(() => this.timedOut(flight), txEnd - sentAt + timeout + 1000);
    this.link.write(req.frame).then(
      () => {
        if (this.inFlight !== flight) return;
        const now = performance.now();
        if (!flight.match) {
          // write-only: the line is ours until the frame has left the wire, then the silence
          this.quietUntil = Math.max(now, txEnd) + this.gapMs;
          this.finish(flight, { ok: true, reply: undefined, rtt: now - sentAt });
          return;
        }
        clearTimeout(flight.timer);
        flight.timer = setTimeout(() => this.timedOut(flight), Math.max(0, txEnd - now) + timeout);
      },
      () => {
        if (this.inFlight === flight) this.finish(flight, { ok: false, reason: 'linkDown' });
      },
    );
  }

  private timedOut(flight: NonNullable<Bus['inFlight']>, confirmed = 0): void {
    if (this.inFlight !== flight) return;
    // After an event-loop stall, timers run before the I/O phase: a reply already waiting in the port
    // would be read only after we gave up on it (and sent the next frame over its tail). Two turns of
    // the loop let a read that is ready arrive first (serialport reads in the thread pool).
    if (confirmed < 2) {
      setImmediate(() => this.timedOut(flight, confirmed + 1));
      return;
    }
    this.stats.timeouts++;
    this.quietUntil = performance.now() + this.gapMs;
    const { lateMs, owner, frame } = flight.p.req;
    if (lateMs) this.heldUntil.set(owner, { until: performance.now() + lateMs, frame });
    this.finish(flight, { ok: false, reason: 'timeout', garbled: !!flight.heard });
  }

  private onData(chunk: Uint8Array): void {
    const now = performance.now();
    this.o.onWire?.('rx', chunk, now);
    // the line is busy while bytes arrive: silence counts from the last one
    this.quietUntil = Math.max(this.quietUntil, now + this.gapMs);
    const f = this.inFlight;
    if (!f?.match) {
      this.stats.strayBytes += chunk.length;
      return;
    }
    f.heard = true;
    let reply: unknown;
    try {
      reply = f.match(chunk);
    } catch {
      reply = undefined; // a matcher must not break the bus
    }
    if (reply !== undefined) this.finish(f, { ok: true, reply, rtt: now - f.sentAt });
  }

  private finish(f: NonNullable<Bus['inFlight']>, r: BusResult<unknown>): void {
    clearTimeout(f.timer);
    if (this.inFlight === f) this.inFlight = undefined;
    try {
      f.p.done(r);
    } finally {
      this.kick();
    }
  }

  private failAll(reason: 'linkDown' | 'stopped'): void {
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    const f = this.inFlight;
    this.inFlight = undefined;
    if (f) {
      clearTimeout(f.timer);
      f.p.done({ ok: false, reason });
    }
    for (const prio of PRIORITIES) {
      for (const list of this.queues[prio].values()) for (const p of list) p.done({ ok: false, reason });
      this.queues[prio].clear();
    }
  }
}
