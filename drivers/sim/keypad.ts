// Virtual RS-485 keypad bus: one object answers for several addresses (the keypads on one bus).
// Injects key presses and ratings as frames; shows what the host writes to each keypad display;
// counts the host's echo-acks.
import { hex } from '../bytes.js';
import { FUNC, createKeypadDecoder, encodeKey, encodeRating, interpretFrame, type KeypadKey } from '../protocols/rs485-keypad.js';
import { VirtualDevice } from './base.js';

export class VirtualKeypadBus extends VirtualDevice {
  readonly displays = new Map<number, string>();
  private readonly unacked = new Map<string, number>();
  acks = 0;
  private readonly decoder = createKeypadDecoder((f, raw) => {
    const key = hex(raw);
    const n = this.unacked.get(key);
    if (n !== undefined && f.func !== FUNC.display) {
      // the host echoed one of our frames
      if (n <= 1) this.unacked.delete(key);
      else this.unacked.set(key, n - 1);
      this.acks++;
      return;
    }
    const ev = interpretFrame(f);
    if (ev.type === 'display') {
      this.displays.set(ev.addr, ev.text);
      this.send(raw); // ack by echo, as the host does for our frames
    }
  });

  protected receive(bytes: Uint8Array): void {
    this.decoder(bytes);
  }

  private emitFrame(frame: Uint8Array): void {
    const key = hex(frame);
    this.unacked.set(key, (this.unacked.get(key) ?? 0) + 1);
    this.send(frame);
  }

  press(addr: number, key: KeypadKey, digits?: string): void {
    this.emitFrame(encodeKey(addr, key, digits));
  }

  rate(addr: number, level: number): void {
    this.emitFrame(encodeRating(addr, level));
  }

  /** raw bytes on the bus (garbage, torn frames) */
  inject(bytes: Uint8Array): void {
    this.send(bytes);
  }

  get pendingAcks(): number {
    let n = 0;
    for (const v of this.unacked.values()) n += v;
    return n;
  }

  state() {
    return {
      powered: this.powered,
      displays: Object.fromEntries(this.displays),
      acks: this.acks,
      pendingAcks: this.pendingAcks,
    };
  }
}
