// ESC/POS printer = link + protocol + supervision:
//  - status requests go through one StatusLine (printer-status.ts): one in flight, a reply counts only
//    for the request it answers in the link session it was written in;
//  - heartbeat: a status request every pollMs; the replies give the condition, silence gives
//    "offline" (the only way to notice a dead serial port that sends no close event);
//  - paper out is believed on two consecutive answers: the first one is checked by a second request at
//    once. One byte (a late or partial reply, line noise that looks like a status byte) never turns a
//    printer with paper into "out of paper", and never fails a ticket;
//  - job queue (printer-jobs.ts): a job is written only while the printer reports a printable condition
//    and confirmed by the status request behind it; across a reconnect the next session's answer decides.
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
import { PrintJobs, printableCond } from './printer-jobs.js';
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

export { PrintDeadlineError, PrintUnconfirmedError } from './printer-jobs.js';

const POLL_SETS: Record<'full' | 'basic', N[]> = { full: [1, 2, 3, 4], basic: [1, 2] };

export class EscPosPrinter {
  readonly cell = new StatusCell();
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
  private readonly jobs: PrintJobs;

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
    const printer = this;
    this.jobs = new PrintJobs({
      link,
      get printable() {
        return printer.printable;
      },
      writeOnly: mode === 'none',
      missedPolls: this.o.missedPolls,
      ask: () => this.ask(),
      apply: (r) => this.apply(r),
      unanswered: () => {
        this.missed = this.o.missedPolls;
        if (this.link.up) this.cell.set('offline', 'no reply to status poll after a print job');
      },
    });
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
          void this.jobs.pump();
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
    return this.jobs.pending;
  }

  /** timestamps for the bench: when each job's write was handed to the transport */
  set onJobWritten(fn: ((jobId: string, at: number) => void) | undefined) {
    this.jobs.onJobWritten = fn;
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
    this.jobs.rejectAll(new Error('printer stopped'));
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
      void this.jobs.pump();
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
    void this.jobs.pump();
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
    this.jobs.settle(cond);
    return cond;
  }

  private get printable(): boolean {
    if (this.held) return false;
    if (this.o.statusPolling === 'none') return this.link.up && this.writeOnlyReady;
    if (this.ns.length === 0) return false;
    return printableCond(this.cell.status as PrinterCondition);
  }

  /**
   * Queues a job (printer-jobs.ts). Resolves once written AND confirmed by a healthy status reply; rejects
   * with PrintUnconfirmedError when the reply after it shows a fault (or none comes), or with
   * PrintDeadlineError when it was never written before the deadline.
   */
  print(id: string, bytes: Uint8Array, deadlineMs: number): Promise<void> {
    return this.jobs.add(id, bytes, deadlineMs);
  }
}
