// The /sim page: state of every simulated device and actions on them. Every input is checked and a
// bad one throws an Error with a clear message (the API turns it into a 400), never a crash.
// Which buttons a device gets comes from its protocol's registry entry (simActions).
import { VirtualDisplay } from '../sim/display.js';
import { VirtualHidPad } from '../sim/hid-pad.js';
import { VirtualIdReader } from '../sim/idreader.js';
import { VirtualKeypadBus } from '../sim/keypad.js';
import { VirtualPrinter } from '../sim/printer.js';
import { VirtualSamReader } from '../sim/sam-reader.js';
import type { BoundDevice } from './local.js';

const KEYS = ['call', 'recall', 'skip', 'transfer', 'pause', 'resume', 'start', 'finish', 'confirm', 'digit'] as const;
type Key = (typeof KEYS)[number];

export function simState(devices: BoundDevice[]) {
  return devices
    .filter((d) => d.sim)
    .map((d) => {
      const base = {
        id: d.cfg.id,
        kind: d.cfg.kind,
        protocol: d.cfg.protocol,
        counter: d.cfg.counter,
        status: d.cell.status,
        actions: ['power', ...d.entry.simActions.map((a) => a.type)],
      };
      const sim = d.sim!;
      const addr = d.cfg.address ?? 1;
      if (sim instanceof VirtualPrinter) return { ...base, state: sim.state() };
      if (sim instanceof VirtualDisplay) {
        const s = sim.screen(addr);
        return { ...base, state: { powered: sim.powered, lines: s.lines, brightness: s.brightness } };
      }
      if (sim instanceof VirtualKeypadBus)
        return { ...base, state: { powered: sim.powered, display: sim.displays.get(addr) ?? '', acks: sim.acks } };
      return { ...base, state: sim.state() };
    });
}

function str(action: Record<string, unknown>, field: string): string {
  const v = action[field];
  if (typeof v !== 'string') throw new Error(`sim action "${String(action.type)}" needs a string "${field}"`);
  return v;
}

export function simAction(devices: BoundDevice[], deviceId: string, action: Record<string, unknown>): unknown {
  const d = devices.find((x) => x.cfg.id === deviceId);
  if (!d) throw new Error(`no device "${deviceId}"`);
  const sim = d.sim;
  if (!sim) throw new Error(`device "${deviceId}" is not simulated (transport ${d.cfg.transport.type})`);
  if (typeof action !== 'object' || action === null || typeof action.type !== 'string')
    throw new Error('sim action must be an object with a string "type"');
  const addr = d.cfg.address ?? 1;
  const type = action.type;

  if (type === 'power') {
    if (typeof action.on !== 'boolean') throw new Error('power action needs a boolean "on"');
    sim.setPower(action.on);
    return { ok: true };
  }
  if (sim instanceof VirtualPrinter) {
    if (type === 'paper') {
      const state = str(action, 'state');
      if (state !== 'ok' && state !== 'nearEnd' && state !== 'out') throw new Error('paper state must be ok, nearEnd or out');
      sim.paper = state;
      return { ok: true };
    }
    if (type === 'cover') {
      if (typeof action.open !== 'boolean') throw new Error('cover action needs a boolean "open"');
      sim.coverOpen = action.open;
      return { ok: true };
    }
    if (type === 'cutter') {
      if (typeof action.error !== 'boolean') throw new Error('cutter action needs a boolean "error"');
      sim.cutterError = action.error;
      return { ok: true };
    }
  }
  if (sim instanceof VirtualKeypadBus || sim instanceof VirtualHidPad) {
    if (type === 'press') {
      const key = str(action, 'key');
      if (!(KEYS as readonly string[]).includes(key)) throw new Error(`unknown key "${key}" (one of ${KEYS.join(', ')})`);
      const digits = action.digits === undefined ? undefined : str(action, 'digits');
      if (digits !== undefined && !/^[0-9]{0,8}$/.test(digits)) throw new Error('digits must be 0–8 decimal digits');
      if (key === 'digit' && !digits) throw new Error('a digit key needs "digits"');
      if (sim instanceof VirtualKeypadBus) sim.press(addr, key as Key, digits);
      else sim.emit(key === 'digit' ? { type: 'key', key: 'digit', digits: digits?.slice(0, 1) } : { type: 'key', key: key as Key });
      return { ok: true };
    }
    if (type === 'rate') {
      const level = action.level;
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 5)
        throw new Error('rating level must be an integer 1–5');
      if (sim instanceof VirtualKeypadBus) sim.rate(addr, level);
      else sim.emit({ type: 'rating', level: level as 1 | 2 | 3 | 4 | 5 });
      return { ok: true };
    }
  }
  if (sim instanceof VirtualIdReader && type === 'idcard') {
    const number = str(action, 'number');
    // the reader sends what it reads; the host validates. Only bound the size here.
    if (!/^[0-9Xx]{1,32}$/.test(number)) throw new Error('idcard number must be 1–32 characters 0-9 or X');
    sim.read(number);
    return { ok: true };
  }
  if (sim instanceof VirtualSamReader) return samAction(sim, type, action);
  throw new Error(`action "${type}" is not supported by ${d.cfg.kind} "${deviceId}"`);
}

/** the demo stands in for a citizen laying a card without a name on the form */
const SIM_CARD_NAME = '王小明';

function samAction(sim: VirtualSamReader, type: string, action: Record<string, unknown>): unknown {
  if (type === 'idcard') {
    const number = str(action, 'number');
    // a card carries 18 characters; the reader (host side) validates the check character
    if (!/^[0-9]{17}[0-9Xx]$/.test(number)) throw new Error('idcard number must be 18 characters: 17 digits and a digit or X');
    const name = action.name === undefined ? SIM_CARD_NAME : str(action, 'name');
    // the card's name field holds 15 UCS-2 characters
    if (name.trim().length === 0 || Array.from(name).length > 15) throw new Error('idcard name must be 1–15 characters');
    sim.present({ idNumber: number.toUpperCase(), name });
    return { ok: true };
  }
  if (type === 'remove') {
    sim.remove();
    return { ok: true };
  }
  if (type === 'readError') {
    sim.failNextRead();
    return { ok: true };
  }
  throw new Error(`action "${type}" is not supported by a SAM ID-card reader (idcard, remove, readError)`);
}
