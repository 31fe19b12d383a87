// Virtual second-generation ID-card reader speaking the SAM protocol (drivers/protocols/idcard-sam.ts).
// It answers the host's find / select / read / SAM commands like a reader does, and lets a test or
// the /sim page present a card, take it away (also in the middle of a read), make the next read fail,
// put the SAM into a fault and spray line noise. Like a real reader, a card that was read once is
// "halted" and no longer found until it leaves the field (haltAfterRead: false models readers that
// keep finding it). state() never contains the card's number or name.
import { concat } from '../bytes.js';
import { createSamDecoder, encodeSamReply, samCommandOf } from '../protocols/idcard-sam.js';
import { encodeReadData, type IdCardText } from '../protocols/idcard-sam-text.js';
import { VirtualDevice } from './base.js';

export interface VirtualSamReaderOptions {
  /** ms the reader takes to read the card before it answers 30 01 (real readers: ≈ 300–900 ms) */
  readDelayMs?: number;
  haltAfterRead?: boolean;
}

export type SamCard = Partial<IdCardText> & { idNumber: string; name: string };

export class VirtualSamReader extends VirtualDevice {
  private card?: SamCard;
  private halted = false;
  private selected = false;
  /** SW3 of a SAM fault the reader reports to every command, e.g. 0x60 self-check failed */
  samFault?: number;
  private failReads: number[] = [];
  private removeOnRead = false;
  private truncateNext = false;
  /** random bytes sent before each reply (line noise on the wire) */
  noiseBeforeReplies = 0;
  reads = 0;
  commands = 0;
  corruptCommands = 0;
  readonly readDelayMs: number;
  /** a card read once is not found again until it leaves the field (as most readers behave) */
  haltAfterRead: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly decode = createSamDecoder((e) => {
    if (e.type === 'corrupt') {
      this.corruptCommands++;
      this.reply(encodeSamReply(0x10));
    } else this.onCommand(e.body);
  });

  constructor(name: string, o: VirtualSamReaderOptions = {}) {
    super(name);
    this.readDelayMs = o.readDelayMs ?? 20;
    this.haltAfterRead = o.haltAfterRead ?? true;
  }

  /** a card is laid on the reader */
  present(card: SamCard): void {
    this.card = card;
    this.halted = false;
    this.selected = false;
  }

  /** the card leaves the field */
  remove(): void {
    this.card = undefined;
    this.halted = false;
    this.selected = false;
  }

  get cardPresent(): boolean {
    return !!this.card;
  }

  /** the next read answers this status instead of the data (default 0x41 读证/卡操作失败) */
  failNextRead(sw3 = 0x41): void {
    this.failReads.push(sw3);
  }

  /** the card is pulled away while the next read is in progress: the reader answers 0x41 */
  removeDuringNextRead(): void {
    this.removeOnRead = true;
  }

  /** the next read reply stops half way (a torn frame, as when a USB adapter drops bytes) */
  truncateNextRead(): void {
    this.truncateNext = true;
  }

  /** raw bytes on the line, unasked */
  noise(bytes: Uint8Array): void {
    this.send(bytes);
  }

  protected receive(bytes: Uint8Array): void {
    this.decode(bytes);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private reply(frame: Uint8Array): void {
    const noise = new Uint8Array(this.noiseBeforeReplies);
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(Math.random() * 256);
    this.send(concat([noise, frame]));
  }

  private onCommand(body: Uint8Array): void {
    this.commands++;
    const frame = this.answer(body);
    if (frame) this.reply(frame);
  }

  /** the reply to a command, or undefined when it comes later (a read takes time) */
  private answer(body: Uint8Array): Uint8Array | undefined {
    const c = samCommandOf(body[0] ?? -1, body[1] ?? -1);
    if (!c) return encodeSamReply(0x21);
    if (this.samFault !== undefined && c !== 'reset') return encodeSamReply(this.samFault);
    switch (c) {
      case 'reset':
      case 'samStatus':
        return encodeSamReply(0x90);
      case 'samId':
        return encodeSamReply(
          0x90,
          Uint8Array.from({ length: 16 }, (_, i) => i),
        );
      case 'find':
        this.selected = false;
        return this.card && !this.halted ? encodeSamReply(0x9f, [0, 0, 0, 0]) : encodeSamReply(0x80);
      case 'select':
        this.selected = !!this.card && !this.halted;
        return this.selected ? encodeSamReply(0x90, new Uint8Array(8)) : encodeSamReply(0x81);
      case 'read':
        return this.read();
    }
  }

  private read(): Uint8Array | undefined {
    const card = this.card;
    if (!card || !this.selected) return encodeSamReply(0x41);
    this.selected = false;
    const fail = this.failReads.shift();
    const pulled = this.removeOnRead;
    this.removeOnRead = false;
    if (pulled) this.remove();
    this.later(this.readDelayMs, () => {
      if (fail !== undefined || pulled) {
        this.reply(encodeSamReply(fail ?? 0x41));
        return;
      }
      this.reads++;
      if (this.haltAfterRead) this.halted = true;
      const photo = Uint8Array.from({ length: 1024 }, (_, i) => (i * 37 + 11) & 0xff);
      const frame = encodeSamReply(0x90, encodeReadData(card, photo));
      if (this.truncateNext) {
        this.truncateNext = false;
        this.reply(frame.subarray(0, 600));
      } else this.reply(frame);
    });
    return undefined;
  }

  override detach(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    super.detach();
  }

  state() {
    return {
      powered: this.powered,
      cardPresent: !!this.card,
      halted: this.halted,
      samFault: this.samFault,
      reads: this.reads,
      commands: this.commands,
      corruptCommands: this.corruptCommands,
    };
  }
}
