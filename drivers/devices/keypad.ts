// RS-485 keypads: one KeypadBus per link decodes frames, echoes each keypad frame as its ack and
// routes it by address; a KeypadDevice is one address on that bus.
import type { Link } from '../link.js';
import { createKeypadDecoder, encodeDisplay, interpretFrame, type KeypadEvent } from '../protocols/rs485-keypad.js';
import { AckRetry } from './ack-retry.js';
import { StatusCell } from './status.js';

export class KeypadBus {
  private readonly byAddr = new Map<number, Array<(e: KeypadEvent) => void>>();

  constructor(readonly link: Link) {
    link.onData(
      createKeypadDecoder((f, raw) => {
        // host → keypad frames (func ≥ 0x80) are never echoed, or a keypad that echoes
        // our display frame back would start a ping-pong
        if (f.func < 0x80) link.write(raw).catch(() => {});
        const ev = interpretFrame(f);
        // a keypad acks our display frame by echoing it
        for (const fn of this.byAddr.get(f.addr) ?? []) fn(ev);
      }),
    );
  }

  subscribe(addr: number, fn: (e: KeypadEvent) => void): void {
    const list = this.byAddr.get(addr) ?? [];
    list.push(fn);
    this.byAddr.set(addr, list);
  }
}

export class KeypadDevice {
  readonly cell = new StatusCell();
  private text = '';
  private readonly retry = new AckRetry(
    () => void this.write(),
    () => {},
  );

  constructor(
    readonly bus: KeypadBus,
    readonly addr: number,
    onEvent: (e: KeypadEvent) => void,
  ) {
    bus.subscribe(addr, (e) => {
      if (e.type === 'display') this.retry.acked();
      else onEvent(e);
    });
    bus.link.onUp(() => {
      this.cell.set('online');
      if (this.text) void this.write();
    });
    bus.link.onDown((err) => {
      this.retry.stop();
      this.cell.set('offline', err?.message ?? 'connection lost');
    });
  }

  /** writes (≤ 8 ASCII chars) to the keypad's own display; re-sent until the keypad echoes it */
  showText(text: string): Promise<void> {
    this.text = text;
    return this.write();
  }

  private async write(): Promise<void> {
    if (!this.bus.link.up) return;
    await this.bus.link.write(encodeDisplay(this.addr, this.text)).then(
      () => this.retry.sent(),
      () => {},
    );
  }

  stop(): void {
    this.retry.stop();
  }
}
