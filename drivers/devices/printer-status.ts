// The status line of an ESC/POS printer: DLE EOT requests go out ONE AT A TIME, because replies carry
// no id and a reply byte can only be attributed to the single request in flight, in order.
//  - a request belongs to the link session it was written in: a byte that arrives after that session
//    ended (a reconnect) answers nothing, and a request of a dead session ends as 'linkLost';
//  - after an unanswered request the line counts as "dirty": the next request waits until no stray
//    status byte has arrived for settleMs, so a late reply to the old request is not taken for the
//    answer to the new one;
//  - unsolicited bytes (no request in flight, or more bytes than asked for) also keep the line settling.
import type { Link } from '../link.js';
import { createStatusDecoder, encodeStatusPoll, type PrinterStatusBytes } from '../protocols/escpos.js';

export type N = 1 | 2 | 3 | 4;
export type StatusAnswer = PrinterStatusBytes | 'noReply' | 'linkLost';

interface StatusRequest {
  ns: N[];
  left: N[];
  replies: PrinterStatusBytes;
  session: number;
  timer?: NodeJS.Timeout;
  /** a recovery poll: short timeout, and no settling after it */
  recover?: boolean;
  done: (r: StatusAnswer) => void;
}

export interface StatusLineOptions {
  replyTimeoutMs: number;
  settleMs: number;
  recoverTimeoutMs: number;
}

const pollBytes = (ns: N[]) => Uint8Array.from(ns.flatMap((n) => [...encodeStatusPoll(n)]));

export class StatusLine {
  private readonly waiting: StatusRequest[] = [];
  private inFlight?: StatusRequest;
  /** no request is written before this time (performance.now): the line settles after a miss */
  private quietUntil = 0;
  private kickTimer?: NodeJS.Timeout;
  /** link sessions seen: a request answers only within its own */
  private session = 0;
  /** the requests of the last unanswered request that did get an answer (for the board's hint) */
  lastPartial: N[] = [];
  /** status bytes that answered no request (late, stray, or from across a reconnect): for tests and the log */
  strayBytes = 0;

  constructor(
    private readonly link: Link,
    private readonly o: StatusLineOptions,
  ) {
    link.onData(createStatusDecoder((b) => this.onByte(b)));
    link.onUp(() => {
      this.session++;
      this.quietUntil = 0;
    });
    link.onDown(() => {
      this.session++;
      this.quietUntil = 0;
      this.endAll('linkLost');
    });
  }

  get busy(): boolean {
    return !!this.inFlight || this.waiting.length > 0;
  }

  /** queues a status request behind any other; resolves with the replies or why there are none */
  request(ns: N[], recover = false): Promise<StatusAnswer> {
    return new Promise((done) => {
      this.waiting.push({ ns, left: [...ns], replies: {}, session: this.session, done, recover });
      this.kick();
    });
  }

  endAll(why: 'noReply' | 'linkLost'): void {
    clearTimeout(this.kickTimer);
    const reqs = [...(this.inFlight ? [this.inFlight] : []), ...this.waiting.splice(0)];
    this.inFlight = undefined;
    for (const r of reqs) {
      clearTimeout(r.timer);
      r.done(why);
    }
  }

  private kick(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    if (!this.link.up) {
      this.endAll('linkLost');
      return;
    }
    const wait = this.quietUntil - performance.now();
    if (wait > 0) {
      clearTimeout(this.kickTimer);
      this.kickTimer = setTimeout(() => this.kick(), Math.ceil(wait));
      return;
    }
    const req = this.waiting.shift()!;
    if (req.session !== this.session) {
      // queued in a session that has ended: it cannot be answered any more
      req.done('linkLost');
      this.kick();
      return;
    }
    this.inFlight = req;
    this.link.write(pollBytes(req.ns)).then(
      () => {
        // the clock starts when the poll has left (it may queue behind a long job on the link)
        if (this.inFlight === req && req.left.length > 0)
          req.timer = setTimeout(
            () =>
              // after an event-loop stall timers run before I/O: two more turns let an answer that is
              // already in the port be read before the poll is called unanswered (seen at load ≈ 15)
              setImmediate(() =>
                setImmediate(() => {
                  if (this.inFlight !== req) return;
                  // a recovery poll is repeated at once: a late answer to it describes the same printer
                  // a moment earlier, which is harmless while it is offline anyway
                  if (!req.recover) this.quietUntil = performance.now() + this.o.settleMs;
                  this.lastPartial = req.ns.filter((n) => req.replies[n] !== undefined);
                  this.finish(req, 'noReply');
                }),
              ),
            req.recover ? this.o.recoverTimeoutMs : this.o.replyTimeoutMs,
          );
      },
      () => {
        if (this.inFlight === req) this.finish(req, 'linkLost');
      },
    );
  }

  private finish(req: StatusRequest, r: StatusAnswer): void {
    clearTimeout(req.timer);
    if (this.inFlight === req) this.inFlight = undefined;
    req.done(r);
    this.kick();
  }

  private onByte(b: number): void {
    const req = this.inFlight;
    if (!req || req.session !== this.session || req.left.length === 0) {
      // unsolicited, late for a request that already timed out, or from before a reconnect
      this.strayBytes++;
      this.quietUntil = Math.max(this.quietUntil, performance.now() + this.o.settleMs);
      return;
    }
    const n = req.left.shift()!;
    req.replies[n] = b;
    if (req.left.length === 0) this.finish(req, req.replies);
  }
}
