// Encoders of the short keypad framing (frame.ts; docs/protocols/rs485-keypad-short.md).
// Host side: poll and text. Pad side (simulator, tests): idle, event and text acknowledgement.
import { KEY_CODES, RATING_CODE, SHORT, type ShortPadEvent, cs, idleByte } from './frame.js';

function withCs(bytes: number[]): Uint8Array {
  return Uint8Array.from([...bytes, cs(bytes)]);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0)).filter((c) => c >= 0x20 && c < 0x7f);

/** host → pad: the poll, carrying the sequence number of the last event taken from this pad (0: none) */
export function encodeShortPoll(addr: number, ack: number): Uint8Array {
  return withCs([SHORT.poll, addr & 0x7f, ack & 0xff]);
}

/** host → keypad: up to 8 ASCII characters for its own display */
export function encodeShortText(addr: number, text: string): Uint8Array {
  const t = ascii(text).slice(0, 8);
  return withCs([SHORT.text, 1 + t.length, addr & 0x7f, ...t]);
}

/** pad → host: nothing to report */
export function encodeShortIdle(addr: number): Uint8Array {
  return Uint8Array.of(idleByte(addr));
}

/** pad → host: the oldest unacknowledged event with its sequence number (1..255) */
export function encodeShortEvent(addr: number, seq: number, ev: ShortPadEvent | { type: 'rating'; level: number }): Uint8Array {
  let code: number;
  let data: number[] = [];
  if (ev.type === 'rating') code = RATING_CODE + ev.level;
  else if (ev.key === 'digit') code = 0x10 + (Number.parseInt(ev.digits?.slice(0, 1) ?? '', 10) || 0);
  else {
    code = KEY_CODES[ev.key];
    data = ascii(ev.digits ?? '');
  }
  const body = [addr & 0x7f, seq & 0xff, code, ...data];
  return withCs([SHORT.event, body.length, ...body]);
}

/** keypad → host: the text frame was taken (its own address inverted, then the text frame's CS) */
export function encodeShortTextAck(addr: number, textFrame: Uint8Array): Uint8Array {
  return Uint8Array.of(idleByte(addr), textFrame[textFrame.length - 1] ?? 0);
}
