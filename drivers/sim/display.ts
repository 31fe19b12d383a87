// Virtual LED display(s) for any display protocol: keeps what each address shows and answers like
// the display would (the protocol file supplies the device side of its framing).
import type { DisplayProtocol, DisplayRequest } from '../protocols/display.js';
import { ledFramed } from '../protocols/led-framed.js';
import { createModbusDisplayProtocol } from '../protocols/modbus-display.js';
import { VirtualDevice } from './base.js';

export interface ShownState {
  lines: string[];
  brightness: number;
  updatedAt: number;
}

export class VirtualDisplay extends VirtualDevice {
  readonly screens = new Map<number, ShownState>();
  frames = 0;
  /** addresses that do not answer (a display missing from the bus) */
  readonly absent = new Set<number>();
  private readonly decode: (chunk: ArrayLike<number>) => void;
  private readonly listeners: Array<(addr: number, s: ShownState) => void> = [];

  readonly protocol: DisplayProtocol;

  /** a protocol object, or the name of a built-in one (Modbus with the default register map) */
  constructor(name: string, protocol: DisplayProtocol | 'led-framed' | 'modbus-display') {
    super(name);
    this.protocol = protocol === 'led-framed' ? ledFramed : protocol === 'modbus-display' ? createModbusDisplayProtocol() : protocol;
    this.decode = this.protocol.createDeviceDecoder((req, reply) => {
      const addr = req?.addr;
      if (addr !== undefined && this.absent.has(addr)) return;
      if (req) this.apply(req);
      const bytes = reply(req !== undefined);
      if (bytes) this.send(bytes);
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
    if (req.type === 'show') {
      const all = req.from === undefined ? req.lines.slice() : s.lines.slice();
      if (req.from !== undefined) for (const [i, l] of req.lines.entries()) all[req.from + i] = l;
      for (let i = 0; i < all.length; i++) all[i] ??= '';
      // trailing blank lines are not "shown"
      while (all.length > 0 && all[all.length - 1] === '') all.pop();
      s.lines = all;
    }
    if (req.type === 'clear') s.lines = [];
    if (req.type === 'brightness') s.brightness = req.level;
    s.updatedAt = Date.now();
    for (const fn of this.listeners) fn(req.addr, s);
  }

  protected receive(bytes: Uint8Array): void {
    this.decode(bytes);
  }

  state() {
    return { powered: this.powered, protocol: this.protocol.name, screens: Object.fromEntries(this.screens) };
  }
}
