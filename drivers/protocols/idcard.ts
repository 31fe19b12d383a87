// ID-card (身份证) readers at the kiosk. Two ways the number arrives:
//  - idcard-serial: ASCII "<18 chars>" terminated by CR and/or LF
//  - idcard-hid: a USB keyboard typing the 18 characters then Enter (boot keyboard reports)
// Validation is GB 11643-1999 (common/gb11643.ts). The number is personal data: callers must never log it.
import { idCheckChar, isValidIdNumber } from '../../common/gb11643.js';
import { concat } from '../bytes.js';

// The check itself lives in common/gb11643.ts (the queue engine uses it too); re-exported here for the
// readers' callers.
export { idCheckChar, isValidIdNumber };

export type IdReadEvent = { type: 'id'; idNumber: string } | { type: 'invalid'; reason: string };

/** Tokeniser shared by both readers: runs of id characters ended by CR/LF/Enter. */
function createTokeniser(onEvent: (e: IdReadEvent) => void) {
  let cur = '';
  return (ch: string): void => {
    if (ch === '\r' || ch === '\n') {
      if (cur.length === 18) {
        const id = cur.toUpperCase();
        onEvent(isValidIdNumber(id) ? { type: 'id', idNumber: id } : { type: 'invalid', reason: 'check digit or date' });
      } else if (cur.length > 0) {
        onEvent({ type: 'invalid', reason: `length ${cur.length}` });
      }
      cur = '';
      return;
    }
    if (/[0-9Xx]/.test(ch)) {
      // bounded: garbage without terminators never grows the buffer
      cur = cur.length < 32 ? cur + ch : cur;
    } else {
      cur = '';
    }
  };
}

export function createIdSerialDecoder(onEvent: (e: IdReadEvent) => void) {
  const tok = createTokeniser(onEvent);
  return (chunk: ArrayLike<number>): void => {
    for (let i = 0; i < chunk.length; i++) tok(String.fromCharCode(chunk[i] ?? 0));
  };
}

export function encodeIdSerial(idNumber: string): Uint8Array {
  return concat([new TextEncoder().encode(idNumber), [0x0d, 0x0a]]);
}

// HID boot keyboard usage ids
const USAGE_TO_CHAR = new Map<number, string>([
  [0x27, '0'],
  [0x62, '0'],
  [0x1b, 'X'],
  [0x28, '\n'],
  [0x58, '\n'],
]);
for (let i = 0; i < 9; i++) {
  USAGE_TO_CHAR.set(0x1e + i, String(i + 1));
  USAGE_TO_CHAR.set(0x59 + i, String(i + 1));
}
const CHAR_TO_USAGE = new Map<string, number>([
  ['0', 0x27],
  ['X', 0x1b],
  ['\n', 0x28],
]);
for (let i = 0; i < 9; i++) CHAR_TO_USAGE.set(String(i + 1), 0x1e + i);

/** Decoder over 8-byte boot keyboard reports [modifiers, 0, key1..key6]; a key counts when it goes down. */
export function createIdHidDecoder(onEvent: (e: IdReadEvent) => void) {
  const tok = createTokeniser(onEvent);
  let down = new Set<number>();
  return (report: ArrayLike<number>): void => {
    const now = new Set<number>();
    for (let i = 2; i < Math.min(8, report.length); i++) {
      const u = report[i] ?? 0;
      if (u > 3) now.add(u); // 0 none, 1-3 are error/rollover codes
    }
    for (const u of now) if (!down.has(u)) tok(USAGE_TO_CHAR.get(u) ?? ' ');
    down = now;
  };
}

/** The reports a keyboard-wedge reader sends: press + release per character, then Enter. */
export function encodeIdHid(idNumber: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const ch of `${idNumber.toUpperCase()}\n`) {
    const u = CHAR_TO_USAGE.get(ch) ?? 0x2c;
    out.push(Uint8Array.of(ch === 'X' ? 0x02 : 0, 0, u, 0, 0, 0, 0, 0), new Uint8Array(8));
  }
  return out;
}
