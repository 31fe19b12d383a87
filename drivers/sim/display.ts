// Virtual LED display(s) for either display protocol: keeps what each address shows and acks.
import { createLedDecoder, encodeLedAck, interpretLedRequest } from '../protocols/led-framed.js';
import { createModbusDecoder, encodeModbusResponse, interpretModbusRequest } from '../protocols/modbus-display.js';
import type { DisplayRequest } from '../protocols/display.js';
import { VirtualDevice } from './base.js';

export interface ShownState {
  lines: string[];
  brightness: number;
  updatedAt: number;
}

export class VirtualDisplay extends VirtualDevice {
  readonly screens = new Map<number, ShownState>();
  frames = 0;
  private readonly decode: (chunk: ArrayLike<number>) => void;
  private readonly listeners: Array<(addr: number, s: ShownState) => void> = [];

  constructor(
    name: string,
    readonly protocol: 'led-framed' | 'modbus-display',
  ) {
    super(name);
    this.decode =
      protocol === 'led-framed'
        ? createLedDecoder((f) => {
            const req = interpretLedRequest(f);
            if (req) this.apply(req);
            this.send(encodeLedAck(f.addr, f.cmd, req !== undefined));
          })
        : createModbusDecoder('device', (f) => {
            const req = interpretModbusRequest(f);
            if (req) this.apply(req);
            this.send(encodeModbusResponse(f));
          });
  }

  onChange(fn: (addr: number, s: ShownState) => void): void {
    this.listeners.push(fn);
  }

  screen(addr: number): ShownState {
    let s = this.screens.get(addr);
    if (!s) {
      s = { lines: [], brightness: 100, updatedAt: 0 };
      this.screens.set(addr, s);
    }
    return s;
  }

  private apply(req: DisplayRequest): void {
    this.frames++;
    const s = this.screen(req.addr);
    if (req.type === 'show') s.lines = req.lines.filter((l, i, a) => l !== '' || a.slice(i).some((x) => x !== ''));
    if (req.type === 'clear') s.lines = [];
    if (req.type === 'brightness') s.brightness = req.level;
    s.updatedAt = Date.now();
    for (const fn of this.listeners) fn(req.addr, s);
  }

  protected receive(bytes: Uint8Array): void {
    this.decode(bytes);
  }

  state() {
    return { powered: this.powered, protocol: this.protocol, screens: Object.fromEntries(this.screens) };
  }
}
