// Builds drivers from the hall's device config: one supervised link per transport (devices on one
// serial path share it), a virtual device behind every sim transport, and the device driver per
// entry. Knows nothing of queues; the manager wires the results to the bus.
import { type DeviceConfig, PROTOCOLS_FOR_KIND, transportKey } from '../../drivers/config.js';
import { DisplayDevice } from '../../drivers/devices/display.js';
import { InputDevice } from '../../drivers/devices/input.js';
import { KeypadBus, KeypadDevice } from '../../drivers/devices/keypad.js';
import { EscPosPrinter, type PrinterOptions } from '../../drivers/devices/printer.js';
import type { StatusCell } from '../../drivers/devices/status.js';
import { createTransport, type TransportDeps } from '../../drivers/factory.js';
import { Link } from '../../drivers/link.js';
import {
  DEFAULT_KEYMAP,
  type HidPadEvent,
  type Keymap,
  compileKeymap,
  createHidKeymapDecoder,
} from '../../drivers/protocols/hid-keymap.js';
import { type IdReadEvent, createIdHidDecoder, createIdSerialDecoder } from '../../drivers/protocols/idcard.js';
import { ledFramed } from '../../drivers/protocols/led-framed.js';
import { createModbusDisplayProtocol } from '../../drivers/protocols/modbus-display.js';
import type { KeypadEvent } from '../../drivers/protocols/rs485-keypad.js';
import type { VirtualDevice } from '../../drivers/sim/base.js';
import { VirtualDisplay } from '../../drivers/sim/display.js';
import { VirtualHidPad } from '../../drivers/sim/hid-pad.js';
import { VirtualIdReader } from '../../drivers/sim/idreader.js';
import { VirtualKeypadBus } from '../../drivers/sim/keypad.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';

export type PadEvent = KeypadEvent | (HidPadEvent & { addr?: undefined });

export interface BoundDevice {
  cfg: DeviceConfig;
  link: Link;
  cell: StatusCell;
  printer?: EscPosPrinter;
  display?: DisplayDevice;
  keypad?: KeypadDevice;
  sim?: VirtualDevice;
}

export interface BindHandlers {
  onPad(dev: DeviceConfig, e: PadEvent): void;
  onIdRead(dev: DeviceConfig, e: IdReadEvent): void;
  log(level: 'debug' | 'info' | 'warn', msg: string, deviceId?: string): void;
}

const ALLOWED = PROTOCOLS_FOR_KIND;

function keymapOf(cfg: DeviceConfig): Keymap {
  const km = cfg.options?.keymap;
  if (km === undefined) return DEFAULT_KEYMAP;
  if (typeof km !== 'object' || km === null) throw new Error(`device ${cfg.id}: options.keymap must be an object`);
  return km as Keymap;
}

function simFor(cfg: DeviceConfig): VirtualDevice {
  switch (cfg.protocol) {
    case 'escpos':
      return new VirtualPrinter(cfg.id);
    case 'rs485-keypad':
      return new VirtualKeypadBus(cfg.id);
    case 'led-framed':
    case 'modbus-display':
      return new VirtualDisplay(cfg.id, cfg.protocol);
    case 'hid-keymap':
      return new VirtualHidPad(cfg.id, keymapOf(cfg));
    case 'idcard-serial':
      return new VirtualIdReader(cfg.id, 'serial');
    case 'idcard-hid':
      return new VirtualIdReader(cfg.id, 'hid');
  }
}

/** Throws a clear Error for a config the drivers cannot run (wrong protocol for the kind, bad keymap). */
export function bindDevices(
  devices: DeviceConfig[],
  h: BindHandlers,
  o: { printer?: PrinterOptions; deps?: Omit<TransportDeps, 'sim'> } = {},
): BoundDevice[] {
  const links = new Map<string, Link>();
  const keypadBuses = new Map<Link, KeypadBus>();
  const seen = new Set<string>();
  const out: BoundDevice[] = [];

  for (const cfg of devices) {
    if (seen.has(cfg.id)) throw new Error(`device id "${cfg.id}" is configured twice`);
    seen.add(cfg.id);
    if (!ALLOWED[cfg.kind]?.includes(cfg.protocol))
      throw new Error(`device ${cfg.id}: protocol "${cfg.protocol}" cannot drive a ${cfg.kind} (use ${ALLOWED[cfg.kind]?.join(' or ')})`);
    if (cfg.protocol === 'hid-keymap') compileKeymap(keymapOf(cfg));
    // Modbus address 0 is broadcast: a display never answers it, so it could never be supervised
    if (cfg.protocol === 'modbus-display' && cfg.address !== undefined && (cfg.address < 1 || cfg.address > 247))
      throw new Error(`device ${cfg.id}: a Modbus display address must be 1–247 (got ${cfg.address})`);

    const key = transportKey(cfg.transport, cfg.id);
    const sim = cfg.transport.type === 'sim' ? simFor(cfg) : undefined;
    let link = links.get(key);
    if (!link) {
      link = new Link(createTransport(cfg.transport, { ...o.deps, sim }), {
        onLog: (level, msg) => h.log(level, msg, cfg.id),
      });
      links.set(key, link);
    }
    const addr = cfg.address ?? 1;
    const b: Omit<BoundDevice, 'cell'> & { cell?: StatusCell } = { cfg, link, sim };

    switch (cfg.protocol) {
      case 'escpos':
        b.printer = new EscPosPrinter(link, o.printer);
        b.cell = b.printer.cell;
        break;
      case 'led-framed':
      case 'modbus-display': {
        const proto = cfg.protocol === 'led-framed' ? ledFramed : createModbusDisplayProtocol(Number(cfg.options?.lines ?? 2));
        b.display = new DisplayDevice(link, proto, addr);
        b.cell = b.display.cell;
        break;
      }
      case 'rs485-keypad': {
        let bus = keypadBuses.get(link);
        if (!bus) {
          bus = new KeypadBus(link);
          keypadBuses.set(link, bus);
        }
        b.keypad = new KeypadDevice(bus, addr, (e) => h.onPad(cfg, e));
        b.cell = b.keypad.cell;
        break;
      }
      case 'hid-keymap':
        b.cell = new InputDevice(
          link,
          createHidKeymapDecoder(keymapOf(cfg), (e) => h.onPad(cfg, e)),
        ).cell;
        break;
      case 'idcard-serial':
        b.cell = new InputDevice(
          link,
          createIdSerialDecoder((e) => h.onIdRead(cfg, e)),
        ).cell;
        break;
      case 'idcard-hid':
        b.cell = new InputDevice(
          link,
          createIdHidDecoder((e) => h.onIdRead(cfg, e)),
        ).cell;
        break;
    }
    out.push(b as BoundDevice);
  }
  return out;
}
