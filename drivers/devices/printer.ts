// ESC/POS printer = link + protocol + supervision:
//  - status requests go through one StatusLine (printer-status.ts): one in flight, a reply counts only
//    for the request it answers in the link session it was written in;
//  - heartbeat: a status request every pollMs; the replies give the condition, silence gives
//    "offline" (the only way to notice a dead serial port that sends no close event);
//  - paper out is believed on two consecutive answers: the first one is checked by a second request at
//    once. One byte (a late or partial reply, line noise that looks like a status byte) never turns a
//    printer with paper into "out of paper", and never fails a ticket;
//  - job queue: a job is written only while the printer reports a printable condition. Once its
//    bytes are written it leaves the queue and is CONFIRMED by a status request right behind it: only a
//    healthy reply resolves it (print.done); cover open / paper out / cutter error / offline in that
//    reply, or no reply at all, rejects it (print.failed) and it is NOT re-sent (the printer may still
//    hold it in its buffer; the citizen has the number on screen).
//    Across a reconnect: when the link drops between the write and its confirmation, the job waits for
//    the first answer of the next session: healthy → printed; paper out (two answers) → the printer
//    dropped it: it is held and written again once paper is seen; any other fault → failed, not re-sent.
//    A job still queued (never written) at its deadline is failed and dropped, never printed later.
//  - statusPolling: 'auto' (default) finds at each open which DLE EOT n (1–4) the printer answers and
//    polls with those; the status detail names what was found when it is less than all four.
//    'full' asks 1–4; 'basic' only 1–2; 'none' never asks (write-only printers): the status is
//    "online, write-only" while the port is open and a job counts as printed when its bytes were
//    written — the only confirmation such a printer allows, and the status detail says so;
//  - hardware flow control (RTS/CTS, XON/XOFF): a printer holds the line while busy or out of paper.
//    A write it holds is not a wedged port (Link.onBlocked): the status says so, the job waits.
//  - after the port (re)opens the printer is asked at once and, until the first answer, again every
//    recoverTimeoutMs: the far end often opens a moment after us.
import type { Link } from '../link.js';
import { interpretStatus, type PrinterCondition, type PrinterStatusBytes } from '../protocols/escpos.js';
import { type N, type StatusAnswer, StatusLine } from './printer-status.js';
import { StatusCell } from './status.js';

export type StatusPolling = 'auto' | 'full' | 'basic' | 'none';

export interface PrinterOptions {
  /** which DLE EOT requests the printer answers (default auto: detected at each open) */
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
export const FLOW_HELD_DETAIL = 'the printer holds the line (flow control): busy or out of paper; the ticket waits';

/** 1–2, 3–4, 1, 2, 4 */
const nList = (ns: readonly N[]) =>
  ns.length >= 2 && ns.every((n, i) => i === 0 || n === ns[i - 1]! + 1) ? `${ns[0]}–${ns.at(-1)}` : ns.join(', ');

/** the board's hint for what `auto` found, when it is less than DLE EOT 1–4 */
export function detectedDetail(ns: readonly N[]): string | undefined {
  if (ns.length === 4) return undefined;
  const list = nList(ns);
  const has = (n: N) => ns.includes(n);
  const missing = [
    ...(has(2) ? [] : ['cover open', 'paper out']),
    ...(has(3) ? [] : ['cutter error']),
    ...(has(4) ? [] : ['paper near end']),
  ];
  return `status polling auto: the printer answers DLE EOT ${list} only — ${missing.join(', ')} not reported`;
}

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

const POLL_SETS: Record<'full' | 'basic', N[]> = { full: [1, 2, 3, 4], basic: [1, 2] };
const printableCond = (c: PrinterCondition) => c === 'online' || c === 'paperNearEnd';

export class EscPosPrinter {
  readonly cell = new StatusCell();
  private jobs: Job[] = [];
  /** written, then the link dropped before the confirmation: decided by the next session's answer */
  private unconfirmed: Job[] = [];
  private writing = false;
  private readonly line: StatusLine;
  private missed = 0;
  private pollTimer?: NodeJS.Timeout;
  private running = false;
  private readonly o: Required<PrinterOptions>;
  /** the status requests this printer answers; empty for a write-only printer or before auto found them */
  private ns: N[];
  /** the last accepted answer said paper out (the second consecutive one makes it believed) */
  private paperOutOnce = false;
  private detecting = false;
  /** write-only printers: the port is open and has had writeOnlyReadyMs to settle */
  private writeOnlyReady = false;
  private session = 0;
  private readyTimer?: NodeJS.Timeout;
  /** a write is held by the printer's flow control */
  private held = false;
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
      statusPolling: o.statusPolling ?? 'auto',
      pollMs: o.pollMs ?? 500,
      replyTimeoutMs,
      missedPolls: o.missedPolls ?? 2,
      settleMs: o.settleMs ?? Math.min(200, replyTimeoutMs),
      recoverTimeoutMs: Math.min(o.recoverTimeoutMs ?? 150, replyTimeoutMs),
      writeOnlyReadyMs: o.writeOnlyReadyMs ?? 300,
    };
    const mode = this.o.statusPolling;
    this.ns = mode === 'none' || mode === 'auto' ? [] : POLL_SETS[mode];
    this.line = new StatusLine(link, this.o);
    link.onUp(() => {
      this.session++;
      this.paperOutOnce = false;
      if (mode === 'none') {
        const session = this.session;
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
      this.poll();
    });
    link.onDown((err) => {
      this.session++;
      this.writeOnlyReady = false;
      this.held = false;
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
    link.onBlocked((blocked) => {
      this.held = blocked;
      if (blocked) this.cell.set('offline', FLOW_HELD_DETAIL);
      else if (this.ns.length === 0 && mode === 'none') this.cell.set('online', WRITE_ONLY_DETAIL);
      // with status polling, the next answer tells the condition
    });
  }

  get pending(): number {
    return this.jobs.length + this.unconfirmed.length;
  }

  /** status bytes that answered no request (late, stray, or across a reconnect) */
  get strayStatusBytes(): number {
    return this.line.strayBytes;
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
    clearTimeout(this.readyTimer);
    this.line.endAll('linkLost');
    for (const j of [...this.jobs.splice(0), ...this.unconfirmed.splice(0)]) {
      clearTimeout(j.timer);
      j.reject(new Error('printer stopped'));
    }
    await this.link.stop();
  }

  // --- heartbeat --------------------------------------------------------------------------------

  private poll(): void {
    // a request already queued or in flight tells us the condition as well
    if (!this.running || !this.link.up || this.o.statusPolling === 'none' || this.line.busy || this.detecting || this.held) return;
    if (this.ns.length === 0) {
      void this.detect();
      return;
    }
    const recover = this.recovering > 0;
    if (recover) this.recovering--;
    void this.ask(recover).then((r) => {
      if (r === 'linkLost') return; // onDown set the status
      if (r === 'noReply') {
        this.noAnswer();
        if (recover && this.recovering > 0) this.poll();
        return;
      }
      this.apply(r);
      void this.pump();
    });
  }

  private noAnswer(detail?: string): void {
    const partial = this.line.lastPartial;
    // auto: the printer answers less than it did (another model plugged in): find out again
    if (this.o.statusPolling === 'auto' && partial.length > 0 && partial.length < this.ns.length) this.ns = [];
    if (++this.missed < this.o.missedPolls || !this.link.up) return;
    const unanswered = this.ns.filter((n) => !partial.includes(n));
    const basic = partial.length === 2 && partial[0] === 1 && partial[1] === 2;
    const hint =
      this.o.statusPolling !== 'auto' && partial.length > 0
        ? ` DLE EOT ${nList(unanswered)} (the printer answers only ${nList(partial)}: set its option statusPolling: ${basic ? 'basic' : 'auto'})`
        : '';
    this.cell.set('offline', detail ?? `no reply to status poll${hint}`);
  }

  /**
   * auto: which of DLE EOT 1–4 does this printer answer? Asked one at a time (an answer to a request of
   * several could not say which one it answers). Until DLE EOT 1 is answered, only it is asked, at the
   * quick recovery pace.
   */
  private async detect(): Promise<void> {
    this.detecting = true;
    const session = this.session;
    try {
      const recover = this.recovering > 0;
      if (recover) this.recovering--;
      const first = await this.line.request([1], true);
      if (session !== this.session || first === 'linkLost') return;
      if (first === 'noReply') {
        this.noAnswer('no reply to status poll DLE EOT 1 (statusPolling: auto; a printer that never answers: set statusPolling: none)');
        if (recover && this.recovering > 0) setImmediate(() => this.poll());
        return;
      }
      const found: N[] = [1];
      const replies: PrinterStatusBytes = { ...first };
      for (const n of [2, 3, 4] as const) {
        const r = await this.line.request([n], true);
        if (session !== this.session || r === 'linkLost') return;
        if (r !== 'noReply') {
          found.push(n);
          replies[n] = r[n];
        }
      }
      this.ns = found;
      this.apply(replies);
    } finally {
      this.detecting = false;
    }
    void this.pump();
  }

  /** one status request of the printer's set; an answer saying "paper out" is checked by a second one */
  private async ask(recover = false): Promise<StatusAnswer> {
    const ns = this.ns;
    const r = await this.line.request(ns, recover);
    if (r === 'noReply' || r === 'linkLost' || interpretStatus(r) !== 'paperOut' || this.paperOutOnce) {
      if (r !== 'noReply' && r !== 'linkLost') this.paperOutOnce = interpretStatus(r) === 'paperOut';
      return r;
    }
    this.paperOutOnce = true;
    const again = await this.line.request(ns, recover);
    if (again !== 'noReply' && again !== 'linkLost') this.paperOutOnce = interpretStatus(again) === 'paperOut';
    return again;
  }

  private apply(replies: PrinterStatusBytes): PrinterCondition {
    this.missed = 0;
    this.recovering = 0;
    const cond = interpretStatus(replies);
    const detail = this.o.statusPolling === 'auto' && printableCond(cond) ? detectedDetail(this.ns) : undefined;
    this.cell.set(cond, detail);
    this.settleUnconfirmed(cond);
    return cond;
  }

  /** the first answer after a reconnect decides the jobs whose confirmation the link loss cut off */
  private settleUnconfirmed(cond: PrinterCondition): void {
    if (this.unconfirmed.length === 0) return;
    const jobs = this.unconfirmed.splice(0);
    if (printableCond(cond)) {
      for (const j of jobs) {
        clearTimeout(j.timer);
        j.resolve();
      }
      return;
    }
    if (cond === 'paperOut') {
      // two answers said so: the printer dropped them; they are written again once paper is seen
      for (const j of jobs) j.sent = false;
      this.jobs.unshift(...jobs.filter((j) => !j.expired));
      for (const j of jobs.filter((x) => x.expired)) j.reject(new PrintUnconfirmedError(j.id, 'linkLost'));
      return;
    }
    for (const j of jobs) {
      clearTimeout(j.timer);
      j.reject(new PrintUnconfirmedError(j.id, cond));
    }
  }

  private get printable(): boolean {
    if (this.held) return false;
    if (this.o.statusPolling === 'none') return this.link.up && this.writeOnlyReady;
    if (this.ns.length === 0) return false;
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
        if (this.unconfirmed.includes(job)) {
          // the link never came back with an answer in time
          this.unconfirmed = this.unconfirmed.filter((j) => j !== job);
          reject(new PrintUnconfirmedError(id, 'linkLost'));
          return;
        }
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
        // written: from here on it is never written again, unless the printer is seen to have dropped it
        this.jobs.shift();
        if (this.o.statusPolling === 'none') {
          // write-only: the completed write is all the confirmation there is (WRITE_ONLY_DETAIL)
          clearTimeout(job.timer);
          job.resolve();
          continue;
        }
        // one unanswered poll is not a lost ticket: a busy PC or a printer still feeding can miss one;
        // the job fails only after missedPolls unanswered in a row, as the printer turns offline
        let r = await this.ask();
        for (let i = 1; r === 'noReply' && i < this.o.missedPolls && this.link.up; i++) r = await this.ask();
        if (r === 'linkLost') {
          if (job.expired) job.reject(new PrintUnconfirmedError(job.id, r));
          else this.unconfirmed.push(job);
          continue;
        }
        clearTimeout(job.timer);
        if (r === 'noReply') {
          this.missed = this.o.missedPolls;
          if (this.link.up) this.cell.set('offline', 'no reply to status poll after a print job');
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
