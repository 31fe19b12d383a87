// ESC/POS printer = link + protocol + supervision:
//  - status requests (DLE EOT 1..4) go out ONE AT A TIME: replies carry no id, so a reply byte is
//    attributed to the single request in flight, in order. Heartbeat polls and job confirmations
//    share that one queue. After an unanswered request the line counts as "dirty": the next
//    request waits until no stray status byte has arrived for settleMs, so a late reply to the old
//    request is not taken for the answer to the new one;
//  - heartbeat: a status request every pollMs; the replies give the condition, silence gives
//    "offline" (the only way to notice a dead serial port that sends no close event);
//  - job queue: a job is written only while the printer reports a printable condition. Once its
//    bytes are written it leaves the queue for good and is CONFIRMED by a status request right
//    behind it: only a healthy reply resolves it (print.done); cover open / paper out / cutter
//    error / offline in that reply, or no reply at all, rejects it (print.failed) and it is NOT
//    re-sent (the printer may still hold it in its buffer; the citizen has the number on screen).
//    A job still queued (never written) at its deadline is failed and dropped, never printed later.
//  - statusPolling: 'full' asks DLE EOT 1–4; 'basic' only 1–2 (clones and print servers that answer
//    nothing else; paper near end is then unknown); 'none' never asks (write-only printers): the
//    status is "online, write-only" while the port is open and a job counts as printed when its
//    bytes were written — the only confirmation such a printer allows, and the status detail says so;
//  - after the port (re)opens the printer is asked at once and, until the first answer, again every
//    recoverTimeoutMs: the far end often opens a moment after us, and waiting a full reply timeout
//    for the first lost poll was what made a replug take ≈ 2 s.
import {
  encodeStatusPoll,
  createStatusDecoder,
  interpretStatus,
  type PrinterCondition,
  type PrinterStatusBytes,
} from '../protocols/escpos.js';
import type { Link } from '../link.js';
import { StatusCell } from './status.js';

export type StatusPolling = 'full' | 'basic' | 'none';

export interface PrinterOptions {
  /** which DLE EOT requests the printer answers (default full) */
  statusPolling?: StatusPolling;
  pollMs?: number;
  replyTimeoutMs?: number;
  /** consecutive unanswered polls before "offline" */
  missedPolls?: number;
  /** after an unanswered request, quiet time (no stray reply byte) before the next request */
  settleMs?: number;
  /** reply timeout of the polls right after the port opened, until the first answer (default 150 ms) */
  recoverTimeoutMs?: number;
  /**
   * write-only printers: ms after the port opens before it counts as online and jobs are written
   * (default 300). Nothing tells us when the far end is ready; bytes written into a port whose other
   * side is still opening are lost without a trace, and for a write-only printer that is a lost ticket.
   */
  writeOnlyReadyMs?: number;
}

/** the status detail of a write-only printer: the board says why there is no paper / cover state */
export const WRITE_ONLY_DETAIL = 'write-only printer (statusPolling: none): no status replies; a job counts as printed once written';

export class PrintDeadlineError extends Error {
  constructor(jobId: string, waitedMs: number) {
    super(`print job ${jobId} not delivered within ${waitedMs} ms`);
  }
}

const FAULT_TEXT: Record<Exclude<PrinterCondition, 'online' | 'paperNearEnd'>, string> = {
  coverOpen: 'printer cover open',
  paperOut: 'printer out of paper',
  cutterError: 'printer cutter error',
  offline: 'printer offline',
};

/** the job's bytes were written but the printer did not confirm it: it is not sent again */
export class PrintUnconfirmedError extends Error {
  constructor(
    jobId: string,
    readonly condition: PrinterCondition | 'noReply' | 'linkLost',
  ) {
    const why =
      condition === 'noReply'
        ? 'no reply to the status poll after the job'
        : condition === 'linkLost'
          ? 'connection lost before the job was confirmed'
          : FAULT_TEXT[condition as keyof typeof FAULT_TEXT];
    super(`print job ${jobId} not printed: ${why} (not re-sent)`);
  }
}

interface Job {
  id: string;
  bytes: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  expired: boolean;
  /** its bytes are being / have been written: decided by the write and the confirmation */
  sent: boolean;
}

type N = 1 | 2 | 3 | 4;
/** a status request: resolves with the replies, or with the reason there are none */
interface StatusRequest {
  ns: N[];
  left: N[];
  replies: PrinterStatusBytes;
  timer?: NodeJS.Timeout;
  /** a recovery poll: short timeout, and no settling after it (see the header) */
  recover?: boolean;
  done: (r: PrinterStatusBytes | 'noReply' | 'linkLost') => void;
}

const POLL_SETS: Record<Exclude<StatusPolling, 'none'>, N[]> = { full: [1, 2, 3, 4], basic: [1, 2] };
const pollBytes = (ns: N[]) => Uint8Array.from(ns.flatMap((n) => [...encodeStatusPoll(n)]));
const printableCond = (c: PrinterCondition) => c === 'online' || c === 'paperNearEnd';

export class EscPosPrinter {
  readonly cell = new StatusCell();
  private jobs: Job[] = [];
  private writing = false;
  private readonly waiting: StatusRequest[] = [];
  private inFlight?: StatusRequest;
  /** no request is written before this time (performance.now): the line settles after a miss */
  private quietUntil = 0;
  private kickTimer?: NodeJS.Timeout;
  private missed = 0;
  /** the last unanswered request got replies to DLE EOT 1 and 2 only: a 'basic' printer set to 'full' */
  private answersBasicOnly = false;
  private pollTimer?: NodeJS.Timeout;
  private running = false;
  private readonly o: Required<PrinterOptions>;
  /** the status requests this printer answers; empty for a write-only printer */
  private readonly ns: N[];
  /** write-only printers: the port is open and has had writeOnlyReadyMs to settle */
  private writeOnlyReady = false;
  private session = 0;
  private readyTimer?: NodeJS.Timeout;
  /** the port opened and no status reply has come yet: quick polls left before the normal heartbeat */
  private recovering = 0;
  /** timestamps for the bench: when each job's write was handed to the transport */
  onJobWritten?: (jobId: string, at: number) => void;

  constructor(
    readonly link: Link,
    o: PrinterOptions = {},
  ) {
    const replyTimeoutMs = o.replyTimeoutMs ?? 1000;
    this.o = {
      statusPolling: o.statusPolling ?? 'full',
      pollMs: o.pollMs ?? 500,
      replyTimeoutMs,
      missedPolls: o.missedPolls ?? 2,
      settleMs: o.settleMs ?? Math.min(200, replyTimeoutMs),
      recoverTimeoutMs: Math.min(o.recoverTimeoutMs ?? 150, replyTimeoutMs),
      writeOnlyReadyMs: o.writeOnlyReadyMs ?? 300,
    };
    this.ns = this.o.statusPolling === 'none' ? [] : POLL_SETS[this.o.statusPolling];
    const decode = createStatusDecoder((b) => this.onStatusByte(b));
    link.onData(decode);
    link.onUp(() => {
      if (this.ns.length === 0) {
        const session = ++this.session;
        clearTimeout(this.readyTimer);
        this.readyTimer = setTimeout(() => {
          if (session !== this.session || !this.link.up) return;
          this.writeOnlyReady = true;
          this.cell.set('online', WRITE_ONLY_DETAIL);
          void this.pump();
        }, this.o.writeOnlyReadyMs);
        return;
      }
      // ≈ 1.5 s of quick polls; a printer silent longer than that is left to the heartbeat
      this.recovering = Math.ceil(1500 / this.o.recoverTimeoutMs);
      this.quietUntil = 0;
      this.poll();
    });
    link.onDown((err) => {
      // a new session starts clean: nothing from the old one can arrive any more
      this.session++;
      this.writeOnlyReady = false;
      this.quietUntil = 0;
      this.endAll('linkLost');
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
  }

  get pending(): number {
    return this.jobs.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pollTimer = setInterval(() => this.poll(), this.o.pollMs);
    this.pollTimer.unref();
    this.link.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.kickTimer);
    clearTimeout(this.readyTimer);
    this.endAll('linkLost');
    for (const j of this.jobs.splice(0)) {
      clearTimeout(j.timer);
      j.reject(new Error('printer stopped'));
    }
    await this.link.stop();
  }

  // --- status requests: one in flight, FIFO ---------------------------------------------------

  /** queues a status request behind any other; resolves with the replies or why there are none */
  private request(ns: N[], recover = false): Promise<PrinterStatusBytes | 'noReply' | 'linkLost'> {
    return new Promise((done) => {
      this.waiting.push({ ns, left: [...ns], replies: {}, done, recover });
      this.kick();
    });
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
    this.inFlight = req;
    this.link.write(pollBytes(req.ns)).then(
      () => {
        // the clock starts when the poll has left (it may queue behind a long job on the link)
        if (this.inFlight === req && req.left.length > 0)
          req.timer = setTimeout(
            () => {
              if (this.inFlight !== req) return;
              // a recovery poll is repeated at once: a late answer to it describes the same printer
              // a moment earlier, which is harmless while it is offline anyway
              if (!req.recover) this.quietUntil = performance.now() + this.o.settleMs;
              this.answersBasicOnly = req.ns.length > 2 && req.replies[1] !== undefined && req.replies[2] !== undefined;
              this.finish(req, 'noReply');
            },
            req.recover ? this.o.recoverTimeoutMs : this.o.replyTimeoutMs,
          );
      },
      () => {
        if (this.inFlight === req) this.finish(req, 'linkLost');
      },
    );
  }

  private finish(req: StatusRequest, r: PrinterStatusBytes | 'noReply' | 'linkLost'): void {
    clearTimeout(req.timer);
    if (this.inFlight === req) this.inFlight = undefined;
    req.done(r);
    this.kick();
  }

  private endAll(why: 'noReply' | 'linkLost'): void {
    clearTimeout(this.kickTimer);
    const reqs = [...(this.inFlight ? [this.inFlight] : []), ...this.waiting.splice(0)];
    this.inFlight = undefined;
    for (const r of reqs) {
      clearTimeout(r.timer);
      r.done(why);
    }
  }

  private onStatusByte(b: number): void {
    const req = this.inFlight;
    const n = req?.left.shift();
    if (!req || n === undefined) {
      // unsolicited, or late for a request that already timed out: keep the line settling
      this.quietUntil = Math.max(this.quietUntil, performance.now() + this.o.settleMs);
      return;
    }
    req.replies[n] = b;
    if (req.left.length === 0) this.finish(req, req.replies);
  }

  // --- heartbeat --------------------------------------------------------------------------------

  private poll(): void {
    // a request already queued or in flight tells us the condition as well
    if (!this.running || !this.link.up || this.ns.length === 0 || this.inFlight || this.waiting.length > 0) return;
    const recover = this.recovering > 0;
    if (recover) this.recovering--;
    void this.request(this.ns, recover).then((r) => {
      if (r === 'linkLost') return; // onDown set the status
      if (r === 'noReply') {
        if (++this.missed >= this.o.missedPolls && this.link.up)
          this.cell.set(
            'offline',
            this.answersBasicOnly
              ? 'no reply to status poll DLE EOT 3–4 (the printer answers only 1–2: set its option statusPolling: basic)'
              : 'no reply to status poll',
          );
        if (recover && this.recovering > 0) this.poll();
        return;
      }
      this.apply(r);
      void this.pump();
    });
  }

  private apply(replies: PrinterStatusBytes): PrinterCondition {
    this.missed = 0;
    this.recovering = 0;
    const cond = interpretStatus(replies);
    this.cell.set(cond, undefined);
    return cond;
  }

  private get printable(): boolean {
    if (this.ns.length === 0) return this.link.up && this.writeOnlyReady;
    return printableCond(this.cell.status as PrinterCondition);
  }

  // --- jobs ---------------------------------------------------------------------------------------

  /**
   * Queues a job. Resolves once written AND confirmed by a healthy status reply; rejects with
   * PrintUnconfirmedError when the reply after it shows a fault (or none comes), or with
   * PrintDeadlineError when it was never written before the deadline.
   */
  print(id: string, bytes: Uint8Array, deadlineMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const job: Job = { id, bytes, resolve, reject, expired: false, sent: false };
      job.timer = setTimeout(() => {
        job.expired = true;
        // a job being written or confirmed right now is decided by that
        if (job.sent) return;
        this.jobs = this.jobs.filter((j) => j !== job);
        reject(new PrintDeadlineError(id, deadlineMs));
      }, deadlineMs);
      this.jobs.push(job);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.jobs.length > 0 && this.link.up && this.printable) {
        const job = this.jobs[0]!;
        job.sent = true;
        try {
          this.onJobWritten?.(job.id, performance.now());
          await this.link.write(job.bytes);
        } catch {
          // link down: nothing went out; the job waits for the next up unless its time is over
          job.sent = false;
          if (job.expired) {
            this.jobs.shift();
            job.reject(new PrintDeadlineError(job.id, 0));
          }
          break;
        }
        // written: from here on it is never written again, whatever the confirmation says
        this.jobs.shift();
        if (this.ns.length === 0) {
          // write-only: the completed write is all the confirmation there is (WRITE_ONLY_DETAIL)
          clearTimeout(job.timer);
          job.resolve();
          continue;
        }
        const r = await this.request(this.ns);
        clearTimeout(job.timer);
        if (r === 'noReply' || r === 'linkLost') {
          if (r === 'noReply') {
            this.missed = this.o.missedPolls;
            if (this.link.up) this.cell.set('offline', 'no reply to status poll after a print job');
          }
          job.reject(new PrintUnconfirmedError(job.id, r));
          continue;
        }
        const cond = this.apply(r);
        if (printableCond(cond)) job.resolve();
        else job.reject(new PrintUnconfirmedError(job.id, cond));
      }
    } finally {
      this.writing = false;
    }
  }
}
