// RS-485 keypads, short framing (docs/protocols/rs485-keypad-short.md): the same poll / ack / event
// model as rs485-keypad, with frames sized for a full 9600 Bd bus. A poll is 4 bytes and the idle
// answer 1 byte (the FF 68 framing: 10 and 9), so a pad with nothing to report costs ≈ 12 characters
// of bus time instead of 26. Frames are delimited by silence, as Modbus RTU: a pad looks at a host
// frame only from its first byte, so a byte pattern inside another device's frame is never a poll.
// This file: byte values and the checksum; writer.ts encodes, parser.ts decodes.
import { KEY_CODES, type KeypadKey } from '../rs485-keypad.js';

export const SHORT = {
  /** host → pad: A5 addr ack CS */
  poll: 0xa5,
  /** host → keypad: A6 L addr text… CS (L = 1 + text length, text ≤ 8 ASCII characters) */
  text: 0xa6,
  /** pad → host: 7E L addr seq code data… CS (L = bytes from addr to the last data byte) */
  event: 0x7e,
} as const;

/** addresses 1..127: the idle answer ~addr (0x80..0xFE) can then never be 7E, 00 or FF */
export const SHORT_ADDR = { min: 1, max: 127 } as const;

/** rating level n (1..5) travels as event code 0x20 + n */
export const RATING_CODE = 0x20;

/** CS = the sum of every byte before it, mod 256 */
export function cs(bytes: ArrayLike<number>, to = bytes.length): number {
  let s = 0;
  for (let i = 0; i < to; i++) s = (s + (bytes[i] ?? 0)) & 0xff;
  return s;
}

/** the idle answer of a pad: its address inverted (one byte that names the pad and is never 00/FF) */
export const idleByte = (addr: number): number => ~addr & 0xff;

export type ShortPadEvent = { type: 'key'; key: KeypadKey; digits?: string } | { type: 'rating'; level: 1 | 2 | 3 | 4 | 5 };

export const CODE_TO_KEY = new Map(Object.entries(KEY_CODES).map(([k, v]) => [v, k as KeypadKey]));
export { KEY_CODES, type KeypadKey };
