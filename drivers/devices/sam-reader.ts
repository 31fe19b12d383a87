// Second-generation ID-card reader on the SAM protocol = link + protocol + supervision.
// The reader never talks unasked: every period the host sends find (20 01); on "card found" it sends
// select (20 02) and read (30 01) at once, decodes the text, validates the number and emits one
// `idcard` event per presentation of a card. One command is in flight at a time; a reply that does
// not fit the command in flight (a late answer to a timed-out one) is ignored.
//   - a card read that fails (read error, card pulled away mid-read, corrupted reply, invalid number)
//     → `idcard.error` with the reason, never the number;
//   - SAM faults (self-check failed, not authorised, …) → status `degraded` with the SW3 code;
//   - no reply to `missedPolls` commands in a row, or the port gone → `offline`.
// The number and the name are personal data: nothing here logs them, and the status details never
// contain them.
import { createHash, randomBytes } from 'node:crypto';
import { idNumberProblem } from '../../common/gb11643.js';
import type { DeviceEvent } from '../host/contract.js';
import type { Link } from '../link.js';
import {
  createSamDecoder,
  describeSamStatus,
  encodeSamCommand,
  type SamCommand,
  type SamReply,
  parseSamReply,
  samStatusInfo,
} from '../protocols/idcard-sam.js';
import { decodeIdText, ID_TEXT_BYTES, parseReadData } from '../protocols/idcard-sam-text.js';
import { StatusCell } from './status.js';

export interface SamReaderOptions {
  /** ms between find commands while no card is being read (default 500) */
  periodMs?: number;
  /** reply timeout for find / select / SAM commands (default 1000 ms) */
  replyTimeoutMs?: number;
  /** reply timeout for the read: the reader reads the card first (≈ 0.3–1 s), then sends 1,295 bytes */
  readTimeoutMs?: number;
  /** consecutive commands without any reply before "offline" (default 3) */
  missedPolls?: number;
  /** the same card read again within this time (field-edge flapping) is not a new presentation */
  repeatGuardMs?: number;
  onLog?: (level: 'debug' | 'info' | 'warn', msg: string) => void;
}

type Outcome = SamReply | 'timeout' | 'corrupt' | 'linkLost';

interface Pending {
  cmd: SamCommand;
  timer?: NodeJS.Timeout;
  done: (r: Outcome) => void;
}

/** Does this reply belong to the command in flight? Error replies (no data) fit any command. */
function fits(cmd: SamCommand, r: SamReply): boolean {
  if (r.sw3 !== 0x90 && r.sw3 !== 0x9f) return r.data.length === 0;
  switch (cmd) {
    case 'find':
      return r.sw3 === 0x9f;
    case 'select':
      return r.sw3 === 0x90 && r.data.length >= 8;
    case 'read':
      return r.sw3 === 0x90 && r.data.length >= 4 + ID_TEXT_BYTES;
    case 'samId':
      return r.sw3 === 0x90 && r.data.length > 0;
    case 'samStatus':
    case 'reset':
      return r.sw3 === 0x90 && r.data.length === 0;
  }
}

const LINE_ERRORS_TO_DEGRADE = 3;
/** a 10-byte command takes < 1 ms at 115200 Bd; this only catches a write that never completes */
const WRITE_ALLOWANCE_MS = 2000;

export class SamReader {
  readonly cell = new StatusCell();
  private readonly listeners: Array<(e: DeviceEvent) => void> = [];
  private readonly o: Required<Omit<SamReaderOptions, 'onLog'>> & Pick<SamReaderOptions, 'onLog'>;
  private pending?: Pending;
  private running = false;
  private gen = 0;
  private timer?: NodeJS.Timeout;
  private samOk = false;
  /** a card was read and has not left the field since */
  private presented = false;
  private missed = 0;
  private lineErrors = 0;
  private last?: { hash: string; at: number };
  /** in-memory only: the repeat guard compares hashes, never keeps the number */
  private readonly salt = randomBytes(16);
  readonly stats = { reads: 0, readErrors: 0, corruptReplies: 0 };

  constructor(
    readonly link: Link,
    readonly deviceId: string,
    o: SamReaderOptions = {},
  ) {
    this.o = {
      periodMs: o.periodMs ?? 500,
      replyTimeoutMs: o.replyTimeoutMs ?? 1000,
      readTimeoutMs: o.readTimeoutMs ?? 3000,
      missedPolls: o.missedPolls ?? 3,
      repeatGuardMs: o.repeatGuardMs ?? 2000,
      onLog: o.onLog,
    };
    const decode = createSamDecoder((e) => {
      if (e.type === 'corrupt') {
        this.stats.corruptReplies++;
        // a corrupted reply answers the command in flight (badly); with nothing in flight it is noise
        this.settle('corrupt');
        return;
      }
      const r = parseSamReply(e.body);
      if (!r || !this.pending) return;
      if (fits(this.pending.cmd, r)) this.settle(r);
      else this.o.onLog?.('debug', `SAM reply ${describeSamStatus(r.sw3)} does not fit ${this.pending.cmd}; ignored as stale`);
    });
    link.onData(decode);
    link.onUp(() => {
      this.gen++;
      this.samOk = false;
      this.missed = 0;
      this.lineErrors = 0;
      // re-poll at once after the port reopens
      this.schedule(0);
    });
    link.onDown((err) => {
      this.gen++;
      const mid = this.pending?.cmd === 'select' || this.pending?.cmd === 'read';
      this.settle('linkLost');
      if (mid) this.readError('connection to the reader lost during the read');
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
    this.cell.onChange((status, detail) => {
      this.emit(detail === undefined ? { type: 'status', deviceId, status } : { type: 'status', deviceId, status, detail });
    });
  }

  onEvent(fn: (e: DeviceEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(e: DeviceEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        /* a listener must not stop the reader */
      }
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.link.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.gen++;
    clearTimeout(this.timer);
    this.settle('linkLost');
    await this.link.stop();
  }

  // --- one command in flight ---------------------------------------------------------------------

  private request(cmd: SamCommand): Promise<Outcome> {
    return new Promise((done) => {
      const p: Pending = { cmd, done };
      this.pending = p;
      const replyMs = cmd === 'read' ? this.o.readTimeoutMs : this.o.replyTimeoutMs;
      // a write that never completes (a port gone mid-write) must not hold the loop: it counts as no reply
      p.timer = setTimeout(() => this.settle('timeout', p), replyMs + WRITE_ALLOWANCE_MS);
      this.link.write(encodeSamCommand(cmd)).then(
        () => {
          // the reply clock starts when the command has left
          if (this.pending !== p) return;
          clearTimeout(p.timer);
          p.timer = setTimeout(() => this.settle('timeout', p), replyMs);
        },
        () => this.settle('linkLost', p),
      );
    });
  }

  private settle(r: Outcome, only?: Pending): void {
    const p = this.pending;
    if (!p || (only && p !== only)) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.done(r);
  }

  // --- the loop ----------------------------------------------------------------------------------

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    const gen = this.gen;
    this.timer = setTimeout(() => void this.run(gen), ms);
  }

  private async run(gen: number): Promise<void> {
    if (!this.running || gen !== this.gen || !this.link.up || this.pending) return;
    try {
      await this.cycle(gen);
    } catch (err) {
      this.o.onLog?.('warn', `SAM reader cycle failed: ${(err as Error).message}`);
    }
    if (this.running && gen === this.gen) this.schedule(this.o.periodMs);
  }

  /** true when the outcome is a reply; otherwise counts the miss and updates the status */
  private heard(r: Outcome): r is SamReply {
    if (r === 'linkLost') return false;
    if (r === 'timeout') {
      if (++this.missed >= this.o.missedPolls && this.link.up) this.cell.set('offline', 'no reply from the ID-card reader');
      return false;
    }
    this.missed = 0;
    if (r === 'corrupt' || samStatusInfo(r.sw3).kind === 'hostError') {
      // line noise: our command or its reply was damaged on the wire
      if (++this.lineErrors >= LINE_ERRORS_TO_DEGRADE) {
        const why = r === 'corrupt' ? 'replies fail their checksum' : `the reader reports damaged commands (${describeSamStatus(r.sw3)})`;
        this.cell.set('degraded', `line errors: ${why}`);
      }
      return false;
    }
    this.lineErrors = 0;
    return true;
  }

  private samFault(sw3: number): void {
    this.samOk = false;
    this.o.onLog?.('warn', `ID-card reader SAM fault: ${describeSamStatus(sw3)}`);
    this.cell.set('degraded', `SAM fault: ${describeSamStatus(sw3)}`);
  }

  private async cycle(gen: number): Promise<void> {
    if (!this.samOk) {
      const s = await this.request('samStatus');
      if (gen !== this.gen || !this.heard(s)) return;
      if (s.sw3 !== 0x90) return this.samFault(s.sw3);
      this.samOk = true;
    }
    const f = await this.request('find');
    if (gen !== this.gen || !this.heard(f)) return;
    const kind = samStatusInfo(f.sw3).kind;
    if (kind === 'samFault') return this.samFault(f.sw3);
    this.cell.set('online', undefined);
    if (f.sw3 !== 0x9f) {
      // no card (or it is halted after its read): the presentation is over
      this.presented = false;
      return;
    }
    // a reader that keeps finding a card it has already read: same presentation, read once
    if (this.presented) return;

    const s = await this.request('select');
    if (gen !== this.gen) return;
    if (!this.heard(s)) {
      if (s !== 'linkLost') this.readError(`select card: ${this.lineProblem(s)}`);
      return;
    }
    if (s.sw3 !== 0x90) {
      if (samStatusInfo(s.sw3).kind === 'samFault') return this.samFault(s.sw3);
      return this.readError(`card removed before it could be read (${describeSamStatus(s.sw3)})`);
    }

    const r = await this.request('read');
    if (gen !== this.gen) return;
    if (!this.heard(r)) {
      if (r === 'timeout') this.readError('no reply to the read command (card removed mid-read?)');
      else if (r !== 'linkLost') this.readError(`read: ${this.lineProblem(r)}; place the card again`);
      return;
    }
    if (r.sw3 !== 0x90) {
      if (samStatusInfo(r.sw3).kind === 'samFault') return this.samFault(r.sw3);
      return this.readError(`card read failed (${describeSamStatus(r.sw3)}); place the card again`);
    }
    this.onCardData(r.data);
  }

  private lineProblem(r: Exclude<Outcome, 'linkLost'>): string {
    if (r === 'timeout') return 'no reply';
    if (r === 'corrupt') return 'reply corrupted (checksum error)';
    return `the reader received a damaged command (${describeSamStatus(r.sw3)})`;
  }

  private readError(reason: string): void {
    this.stats.readErrors++;
    this.o.onLog?.('info', `ID card read failed: ${reason}`);
    this.emit({ type: 'idcard.error', deviceId: this.deviceId, reason });
  }

  private onCardData(data: Uint8Array): void {
    const parts = parseReadData(data);
    if ('problem' in parts) {
      this.readError(`read reply malformed (${parts.problem})`);
      return;
    }
    const text = decodeIdText(parts.text);
    if (!text) {
      this.readError('read reply malformed (text)');
      return;
    }
    const id = text.idNumber.toUpperCase();
    const problem = idNumberProblem(id);
    // the card was read: whatever it says, do not read it again while it stays
    this.presented = true;
    if (problem) {
      this.readError(`the number on the card failed the GB 11643 check (${problem})`);
      return;
    }
    const hash = createHash('sha256').update(this.salt).update(id).digest('hex');
    const now = Date.now();
    if (this.last && this.last.hash === hash && now - this.last.at < this.o.repeatGuardMs) {
      this.last.at = now;
      return;
    }
    this.last = { hash, at: now };
    this.stats.reads++;
    const event: DeviceEvent = { type: 'idcard', deviceId: this.deviceId, idNumber: id };
    if (text.name) event.name = text.name;
    this.emit(event);
  }
}
