// Virtual RS-485 pad bus: one object answers for every pad address on one bus (caller keypads and
// rating pads alike). Pads queue their presses and answer the host's polls one event at a time; an
// event leaves the queue when the next poll acknowledges its sequence number.
// With `wire`, the object also models the shared half-duplex line: a reply takes turnaround +
// length × character time, and when a host frame arrives while a pad is transmitting both frames are
// garbled (counted in `collisions`) — the failure a polled bus must never produce.
// The bytes come from a pad-side framing (drivers/protocols/pad-framing.ts): FF 68 or the short one.
import type { HostFrame, PadEvent, PadSideFraming } from '../protocols/pad-framing.js';
import { type KeypadKey, fullPadFraming } from '../protocols/rs485-keypad.js';
import { VirtualDevice } from './base.js';

export interface WireModel {
  /** wire time of one character, ms */
  charMs: number;
  /** time from the end of the host's frame to the pad's first byte, ms */
  turnaroundMs: number;
}

interface Reply {
  start: number;
  end: number;
  bytes: Uint8Array;
  garbled: boolean;
}

export class VirtualKeypadBus extends VirtualDevice {
  readonly displays = new Map<number, string>();
  private readonly queues = new Map<number, { seq: number; ev: PadEvent }[]>();
  private readonly nextSeq = new Map<number, number>();
  /** addresses that do not answer (a pad missing from the bus) */
  readonly absent = new Set<number>();
  /** events acknowledged by the host */
  acks = 0;
  polls = 0;
  collisions = 0;
  private reply?: Reply;
  private readonly reader: (chunk: Uint8Array, at: number) => void;
  private arrival = 0;

  constructor(
    name: string,
    readonly wire?: WireModel,
    private readonly framing: PadSideFraming = fullPadFraming,
  ) {
    super(name);
    // a pad ends a frame after 1.5 characters of silence (framings delimited by silence use it)
    this.reader = framing.reader((f) => this.onHostFrame(f), Math.max(1, 1.5 * (wire?.charMs ?? 1.042)));
  }

  protected receive(bytes: Uint8Array): void {
    this.arrival = performance.now();
    this.reader(bytes, this.arrival);
  }

  private onHostFrame(f: HostFrame): void {
    const { addr, raw } = f;
    const r = this.reply;
    if (this.wire && r) {
      const start = this.arrival;
      const end = start + raw.length * this.wire.charMs;
      if (start < r.end && end > r.start) {
        // two transmitters at once: both frames are lost on a real line
        this.collisions++;
        r.garbled = true;
        return;
      }
    }
    if (this.absent.has(addr) || !this.powered) return;
    if (f.type === 'poll') {
      this.polls++;
      const q = this.queues.get(addr) ?? [];
      if (q[0] && q[0].seq === f.ack) {
        q.shift();
        this.acks++;
      }
      const head = q[0];
      this.answer(raw.length, head ? this.framing.event(addr, head.seq, head.ev) : this.framing.idle(addr));
      return;
    }
    this.displays.set(addr, f.text);
    this.answer(raw.length, this.framing.textAck(addr, raw));
  }

  private answer(hostLen: number, bytes: Uint8Array): void {
    if (!this.wire) {
      this.send(bytes);
      return;
    }
    const start = this.arrival + hostLen * this.wire.charMs + this.wire.turnaroundMs;
    const r: Reply = { start, end: start + bytes.length * this.wire.charMs, bytes, garbled: false };
    this.reply = r;
    setTimeout(
      () => {
        if (this.reply === r) this.reply = undefined;
        // a garbled frame reaches the host as noise: same length, broken checksum and end byte
        this.send(r.garbled ? r.bytes.map((b, i) => (i >= r.bytes.length - 2 ? b ^ 0x5a : b)) : r.bytes);
      },
      Math.max(0, r.end - performance.now()),
    );
  }

  private enqueue(addr: number, ev: PadEvent): void {
    const seq = this.nextSeq.get(addr) ?? 1;
    this.nextSeq.set(addr, seq >= 255 ? 1 : seq + 1);
    const q = this.queues.get(addr) ?? [];
    q.push({ seq, ev });
    this.queues.set(addr, q);
  }

  press(addr: number, key: KeypadKey, digits?: string): void {
    this.enqueue(addr, key === 'digit' ? { type: 'key', key, digits: digits?.slice(0, 1) ?? '0' } : { type: 'key', key, digits });
  }

  rate(addr: number, level: number): void {
    this.enqueue(addr, { type: 'rating', level });
  }

  /** raw bytes on the bus (garbage, torn frames) */
  inject(bytes: Uint8Array): void {
    this.send(bytes);
  }

  /** events queued in the pads and not yet acknowledged */
  get pendingAcks(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  state() {
    return {
      powered: this.powered,
      displays: Object.fromEntries(this.displays),
      acks: this.acks,
      pendingAcks: this.pendingAcks,
      polls: this.polls,
      collisions: this.collisions,
    };
  }
}
