// The printer's job queue (printer.ts supervises the status, this file decides each ticket's fate):
//  - a job is written only while the printer is printable; once its bytes are written it leaves the
//    queue and is CONFIRMED by the status request right behind it: only a healthy reply resolves it
//    (print.done); cover open / paper out / cutter error / offline in that reply, or no reply to
//    missedPolls requests in a row, rejects it (print.failed) and it is NOT re-sent (the printer may
//    still hold it in its buffer; the citizen has the number on screen);
//  - across a reconnect: when the link drops between the write and its confirmation, the job waits for
//    the first answer of the next session (settle): healthy → printed; paper out (two answers) → the
//    printer dropped it: held and written again once paper is seen; any other fault → failed, not re-sent;
//  - a job still queued (never written) at its deadline is failed and dropped, never printed later.
import type { Link } from '../link.js';
import type { PrinterCondition, PrinterStatusBytes } from '../protocols/escpos.js';
import type { StatusAnswer } from './printer-status.js';

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

export const printableCond = (c: PrinterCondition) => c === 'online' || c === 'paperNearEnd';

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

/** what the queue needs from the printer's supervision */
export interface JobPrinter {
  readonly link: Link;
  /** the printer may be written to now */
  readonly printable: boolean;
  /** statusPolling none: a completed write is all the confirmation there is */
  readonly writeOnly: boolean;
  /** consecutive unanswered status requests after a job before it fails */
  readonly missedPolls: number;
  /** one status request (a paper-out answer checked by a second one) */
  ask(): Promise<StatusAnswer>;
  /** an answer: sets the status and returns the condition */
  apply(replies: PrinterStatusBytes): PrinterCondition;
  /** no answer after a job, missedPolls times: the printer is offline */
  unanswered(): void;
}

export class PrintJobs {
  private jobs: Job[] = [];
  /** written, then the link dropped before the confirmation: decided by the next session's answer */
  private unconfirmed: Job[] = [];
  private writing = false;
  /** timestamps for the bench: when each job's write was handed to the transport */
  onJobWritten?: (jobId: string, at: number) => void;

  constructor(private readonly p: JobPrinter) {}

  get pending(): number {
    return this.jobs.length + this.unconfirmed.length;
  }

  rejectAll(err: Error): void {
    for (const j of [...this.jobs.splice(0), ...this.unconfirmed.splice(0)]) {
      clearTimeout(j.timer);
      j.reject(err);
    }
  }

  /**
   * Queues a job. Resolves once written AND confirmed by a healthy status reply; rejects with
   * PrintUnconfirmedError when the reply after it shows a fault (or none comes), or with
   * PrintDeadlineError when it was never written before the deadline.
   */
  add(id: string, bytes: Uint8Array, deadlineMs: number): Promise<void> {
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

  /** the first answer after a reconnect decides the jobs whose confirmation the link loss cut off */
  settle(cond: PrinterCondition): void {
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

  async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    const { p } = this;
    try {
      while (this.jobs.length > 0 && p.link.up && p.printable) {
        const job = this.jobs[0]!;
        job.sent = true;
        try {
          this.onJobWritten?.(job.id, performance.now());
          await p.link.write(job.bytes);
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
        if (p.writeOnly) {
          // write-only: the completed write is all the confirmation there is (WRITE_ONLY_DETAIL)
          clearTimeout(job.timer);
          job.resolve();
          continue;
        }
        // one unanswered poll is not a lost ticket: a busy PC or a printer still feeding can miss one;
        // the job fails only after missedPolls unanswered in a row, as the printer turns offline
        let r = await p.ask();
        for (let i = 1; r === 'noReply' && i < p.missedPolls && p.link.up; i++) r = await p.ask();
        if (r === 'linkLost') {
          if (job.expired) job.reject(new PrintUnconfirmedError(job.id, r));
          else this.unconfirmed.push(job);
          continue;
        }
        clearTimeout(job.timer);
        if (r === 'noReply') {
          p.unanswered();
          job.reject(new PrintUnconfirmedError(job.id, r));
          continue;
        }
        const cond = p.apply(r);
        if (printableCond(cond)) job.resolve();
        else job.reject(new PrintUnconfirmedError(job.id, cond));
      }
    } finally {
      this.writing = false;
    }
  }
}
