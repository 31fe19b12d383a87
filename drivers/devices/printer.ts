// ESC/POS printer = link + protocol + supervision:
//  - heartbeat: DLE EOT 1..4 every pollMs; the replies give the condition, silence gives "offline"
//    (the only way to notice a dead serial port that sends no close event);
//  - job queue: a job is written only while the printer reports a printable condition and is removed
//    only after its write succeeded, so it prints exactly once; a job still queued at its deadline is
//    failed and dropped (never printed later).
import { encodeStatusPoll, createStatusDecoder, interpretStatus, type PrinterStatusBytes } from '../protocols/escpos.js';
import type { Link } from '../link.js';
import { StatusCell } from './status.js';

export interface PrinterOptions {
  pollMs?: number;
  replyTimeoutMs?: number;
  /** consecutive unanswered polls before "offline" */
  missedPolls?: number;
}

export class PrintDeadlineError extends Error {
  constructor(jobId: string, waitedMs: number) {
    super(`print job ${jobId} not delivered within ${waitedMs} ms`);
  }
}

interface Job {
  id: string;
  bytes: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  expired: boolean;
}

const POLL = new Uint8Array([...encodeStatusPoll(1), ...encodeStatusPoll(2), ...encodeStatusPoll(3), ...encodeStatusPoll(4)]);

export class EscPosPrinter {
  readonly cell = new StatusCell();
  private jobs: Job[] = [];
  private writing = false;
  private expected: Array<1 | 2 | 3 | 4> = [];
  private replies: PrinterStatusBytes = {};
  private missed = 0;
  private pollTimer?: NodeJS.Timeout;
  private replyTimer?: NodeJS.Timeout;
  private running = false;
  private readonly o: Required<PrinterOptions>;
  /** timestamps for the bench: when each job's write was handed to the transport */
  onJobWritten?: (jobId: string, at: number) => void;

  constructor(
    readonly link: Link,
    o: PrinterOptions = {},
  ) {
    this.o = { pollMs: o.pollMs ?? 500, replyTimeoutMs: o.replyTimeoutMs ?? 1000, missedPolls: o.missedPolls ?? 2 };
    const decode = createStatusDecoder((b) => this.onStatusByte(b));
    link.onData(decode);
    link.onUp(() => this.poll());
    link.onDown((err) => {
      this.expected = [];
      clearTimeout(this.replyTimer);
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
    clearTimeout(this.replyTimer);
    for (const j of this.jobs.splice(0)) {
      clearTimeout(j.timer);
      j.reject(new Error('printer stopped'));
    }
    await this.link.stop();
  }

  private poll(): void {
    if (!this.running || !this.link.up || this.expected.length > 0) return;
    this.expected = [1, 2, 3, 4];
    this.replies = {};
    this.link.write(POLL).catch(() => {
      /* the link reports the loss */
    });
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => {
      this.expected = [];
      if (++this.missed >= this.o.missedPolls && this.link.up) this.cell.set('offline', 'no reply to status poll');
    }, this.o.replyTimeoutMs);
  }

  private onStatusByte(b: number): void {
    const n = this.expected.shift();
    if (n === undefined) return; // unsolicited or late: ignore
    this.replies[n] = b;
    if (this.expected.length > 0) return;
    clearTimeout(this.replyTimer);
    this.missed = 0;
    const cond = interpretStatus(this.replies);
    this.cell.set(cond, undefined);
    void this.pump();
  }

  private get printable(): boolean {
    return this.cell.status === 'online' || this.cell.status === 'paperNearEnd';
  }

  /** queues a job; resolves once written to the printer, rejects at the deadline if never written */
  print(id: string, bytes: Uint8Array, deadlineMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const job: Job = { id, bytes, resolve, reject, expired: false };
      job.timer = setTimeout(() => {
        job.expired = true;
        // a job being written right now is decided by its write
        if (this.writing && this.jobs[0] === job) return;
        this.jobs = this.jobs.filter((j) => j !== job);
        reject(new PrintDeadlineError(id, deadlineMs));
      }, deadlineMs);
      this.jobs.push(job);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    while (this.jobs.length > 0 && this.link.up && this.printable) {
      const job = this.jobs[0]!;
      this.writing = true;
      try {
        this.onJobWritten?.(job.id, performance.now());
        await this.link.write(job.bytes);
        this.jobs.shift();
        clearTimeout(job.timer);
        job.resolve();
      } catch {
        if (job.expired) {
          this.jobs.shift();
          job.reject(new PrintDeadlineError(job.id, 0));
        }
        break; // link down: status is offline now; the job waits for the next up
      } finally {
        this.writing = false;
      }
    }
  }
}
