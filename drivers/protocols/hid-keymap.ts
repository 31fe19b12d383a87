// HID keypads and rating pads: a configurable map from report bytes to key events, per
// vendorId:productId (the config entry carries it in options.keymap). See docs/protocols/hid-keymap.md.
//   keymap: { "<hex prefix of the report>": "call" | "recall" | … | "rate:1".."rate:5" | "digit:0".."digit:9" }
// The longest matching prefix wins; an all-zero report is the key release.
import { fromHex } from '../bytes.js';
import type { KeypadKey } from './rs485-keypad.js';

export type HidPadEvent = { type: 'key'; key: KeypadKey; digits?: string } | { type: 'rating'; level: 1 | 2 | 3 | 4 | 5 };

export type Keymap = Record<string, string>;

/** What the reference pads send: report id 1 keys (code as the RS-485 key codes), report id 2 ratings. */
export const DEFAULT_KEYMAP: Keymap = {
  '0101': 'call',
  '0102': 'recall',
  '0103': 'skip',
  '0104': 'transfer',
  '0105': 'pause',
  '0106': 'finish',
  '0107': 'confirm',
  '0108': 'resume',
  '0109': 'start',
  '0201': 'rate:1',
  '0202': 'rate:2',
  '0203': 'rate:3',
  '0204': 'rate:4',
  '0205': 'rate:5',
};

const KEYS = new Set<string>(['call', 'recall', 'skip', 'transfer', 'pause', 'resume', 'start', 'finish', 'confirm']);

export function parseKeySpec(spec: string): HidPadEvent | undefined {
  const [name, arg] = spec.split(':');
  if (name === 'rate') {
    const level = Number(arg);
    return Number.isInteger(level) && level >= 1 && level <= 5 ? { type: 'rating', level: level as 1 | 2 | 3 | 4 | 5 } : undefined;
  }
  if (name === 'digit' && arg !== undefined && /^[0-9]$/.test(arg)) return { type: 'key', key: 'digit', digits: arg };
  if (name && KEYS.has(name) && arg === undefined) return { type: 'key', key: name as KeypadKey };
  return undefined;
}

/** Validates a keymap from config; throws a clear error naming the bad entry. */
export function compileKeymap(map: Keymap): Array<{ prefix: Uint8Array; event: HidPadEvent }> {
  const out: Array<{ prefix: Uint8Array; event: HidPadEvent }> = [];
  for (const [hexKey, spec] of Object.entries(map)) {
    if (!/^([0-9a-fA-F]{2})+$/.test(hexKey)) throw new Error(`hid keymap: "${hexKey}" is not an even-length hex string`);
    const event = parseKeySpec(String(spec));
    if (!event) throw new Error(`hid keymap: "${hexKey}": unknown key "${String(spec)}"`);
    out.push({ prefix: fromHex(hexKey), event });
  }
  return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * Decoder over whole reports (node-hid delivers one report per 'data'). A held key repeats the same
 * report: it fires once until a different report (usually the all-zero release) arrives.
 */
export function createHidKeymapDecoder(map: Keymap, onEvent: (e: HidPadEvent) => void) {
  const entries = compileKeymap(map);
  let last = '';
  return (report: ArrayLike<number>): void => {
    const bytes = Uint8Array.from(report);
    const key = Array.from(bytes).join(',');
    if (key === last) return;
    last = key;
    for (const e of entries) {
      if (e.prefix.length <= bytes.length && e.prefix.every((b, i) => bytes[i] === b)) {
        onEvent(e.event);
        return;
      }
    }
  };
}

/** The report a pad sends for an event (used by the virtual pad); zero-padded to `size`. */
export function encodeHidReport(map: Keymap, event: HidPadEvent, size = 8): Uint8Array {
  for (const e of compileKeymap(map)) {
    const same =
      e.event.type === event.type &&
      (e.event.type === 'rating'
        ? e.event.level === (event as { level: number }).level
        : e.event.key === (event as { key: string }).key && (e.event.digits ?? '') === ((event as { digits?: string }).digits ?? ''));
    if (same) {
      const out = new Uint8Array(Math.max(size, e.prefix.length));
      out.set(e.prefix);
      return out;
    }
  }
  throw new Error(`hid keymap has no entry for ${JSON.stringify(event)}`);
}
