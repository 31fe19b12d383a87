// RS-485 caller (呼叫器) and rating (评价器) keypads sharing one bus: this project's own framing.
// Frame: FF 68 L L 68 addr func data… CS 16, L = len(addr+func+data), CS = sum(addr+func+data) & 0xFF.
// Pads never talk unasked: the host polls each address in turn (func 0x20, data = the sequence number
// of the last event it took from that pad = the ack), and the pad answers idle (0x30) or with its
// oldest unacknowledged event (0x31 key, 0x32 rating, first data byte its sequence number 1..255).
// See docs/protocols/rs485-keypad.md.
import { RxBuffer, concat, scanFrames, sum8 } from '../bytes.js';
import type { HostPadFraming, PadSideFraming } from './pad-framing.js';

export interface KeypadFrame {
  addr: number;
  func: number;
  data: Uint8Array;
}

export const FUNC = {
  /** keypad → host: data[0] key code, data[1..] optional ASCII digits (e.g. transfer target) */
  key: 0x01,
  /** keypad → host: data[0] rating level 1..5 */
  rating: 0x02,
  /** host → pad: poll; data[0] = sequence number of the last event taken from this pad (0: none yet) */
  poll: 0x20,
  /** pad → host: nothing to report */
  idle: 0x30,
  /** pad → host: data[0] seq, data[1] key code, data[2..] optional ASCII digits */
  keyEvent: 0x31,
  /** pad → host: data[0] seq, data[1] level 1..5 */
  ratingEvent: 0x32,
  /** host → keypad: data = ASCII text for the keypad's own display (≤ 8 chars); the pad echoes it */
  display: 0x81,
} as const;

export type KeypadKey = 'call' | 'recall' | 'skip' | 'transfer' | 'pause' | 'resume' | 'start' | 'finish' | 'confirm' | 'digit';

export const KEY_CODES: Record<KeypadKey, number> = {
  call: 0x01,
  recall: 0x02,
  skip: 0x03,
  transfer: 0x04,
  pause: 0x05,
  finish: 0x06,
  confirm: 0x07,
  resume: 0x08,
  start: 0x09,
  digit: 0x10, // 0x10..0x19 = digit 0..9
};

export type KeypadEvent =
  | { type: 'key'; addr: number; key: KeypadKey; digits?: string }
  | { type: 'rating'; addr: number; level: 1 | 2 | 3 | 4 | 5 }
  | { type: 'display'; addr: number; text: string }
  | { type: 'unknown'; addr: number; func: number; data: Uint8Array };

export function encodeFrame(f: KeypadFrame): Uint8Array {
  const body = concat([[f.addr & 0xff, f.func & 0xff], f.data]);
  if (body.length > 255) throw new RangeError('keypad frame body longer than 255 bytes');
  return concat([[0xff, 0x68, body.length, body.length, 0x68], body, [sum8(body), 0x16]]);
}

export function encodeKey(addr: number, key: KeypadKey, digits = ''): Uint8Array {
  let code = KEY_CODES[key];
  let extra = digits;
  if (key === 'digit') {
    // a single digit key carries the digit in the code itself
    code = 0x10 + (Number.parseInt(digits.slice(0, 1), 10) || 0);
    extra = '';
  }
  return encodeFrame({ addr, func: FUNC.key, data: concat([[code], asciiOnly(extra)]) });
}

export function encodeRating(addr: number, level: number): Uint8Array {
  return encodeFrame({ addr, func: FUNC.rating, data: Uint8Array.of(level) });
}

/** Writes up to 8 ASCII characters (e.g. "A023") to the keypad's own display. */
export function encodeDisplay(addr: number, text: string): Uint8Array {
  return encodeFrame({ addr, func: FUNC.display, data: asciiOnly(text).slice(0, 8) });
}

function asciiOnly(s: string): Uint8Array {
  return Uint8Array.from([...s].map((c) => c.charCodeAt(0)).filter((c) => c >= 0x20 && c < 0x7f));
}

export function encodePoll(addr: number, ack: number): Uint8Array {
  return encodeFrame({ addr, func: FUNC.poll, data: Uint8Array.of(ack & 0xff) });
}

export function encodeIdle(addr: number): Uint8Array {
  return encodeFrame({ addr, func: FUNC.idle, data: new Uint8Array(0) });
}

/** A pad's answer to a poll carrying one event (key or rating) with its sequence number. */
export function encodeEventReply(
  addr: number,
  seq: number,
  ev: { type: 'key'; key: KeypadKey; digits?: string } | { type: 'rating'; level: number },
): Uint8Array {
  if (ev.type === 'rating') return encodeFrame({ addr, func: FUNC.ratingEvent, data: Uint8Array.of(seq, ev.level) });
  const legacy = encodeKey(addr, ev.key, ev.digits);
  // same key code and digits as a key frame, behind the sequence number
  return encodeFrame({ addr, func: FUNC.keyEvent, data: concat([[seq], legacy.subarray(7, legacy.length - 2)]) });
}

export type PollReply =
  | { type: 'idle'; addr: number }
  | { type: 'event'; addr: number; seq: number; event: Extract<KeypadEvent, { type: 'key' | 'rating' }> }
  | { type: 'display'; addr: number; text: string };

/** Host side: what a pad's frame answers; undefined for frames that are not replies (or malformed). */
export function interpretReply(f: KeypadFrame): PollReply | undefined {
  if (f.func === FUNC.idle && f.data.length === 0) return { type: 'idle', addr: f.addr };
  if ((f.func === FUNC.keyEvent || f.func === FUNC.ratingEvent) && f.data.length >= 2) {
    const seq = f.data[0] ?? 0;
    if (seq === 0) return undefined;
    const inner = interpretFrame({ addr: f.addr, func: f.func === FUNC.keyEvent ? FUNC.key : FUNC.rating, data: f.data.subarray(1) });
    if (inner.type === 'key' || inner.type === 'rating') return { type: 'event', addr: f.addr, seq, event: inner };
    return undefined;
  }
  if (f.func === FUNC.display) return { type: 'display', addr: f.addr, text: String.fromCharCode(...f.data) };
  return undefined;
}

const CODE_TO_KEY = new Map(Object.entries(KEY_CODES).map(([k, v]) => [v, k as KeypadKey]));

export function interpretFrame(f: KeypadFrame): KeypadEvent {
  const ascii = () => String.fromCharCode(...f.data.subarray(1));
  if (f.func === FUNC.key && f.data.length >= 1) {
    const code = f.data[0] ?? 0;
    if (code >= 0x10 && code <= 0x19) return { type: 'key', addr: f.addr, key: 'digit', digits: String(code - 0x10) };
    const key = CODE_TO_KEY.get(code);
    if (key) return f.data.length > 1 ? { type: 'key', addr: f.addr, key, digits: ascii() } : { type: 'key', addr: f.addr, key };
  }
  if (f.func === FUNC.rating && f.data.length === 1) {
    const level = f.data[0] ?? 0;
    if (level >= 1 && level <= 5) return { type: 'rating', addr: f.addr, level: level as 1 | 2 | 3 | 4 | 5 };
  }
  if (f.func === FUNC.display) return { type: 'display', addr: f.addr, text: String.fromCharCode(...f.data) };
  return { type: 'unknown', addr: f.addr, func: f.func, data: f.data };
}

/**
 * Streaming frame decoder. On a bad length pair, bad 68, bad checksum or bad end byte it drops one
 * byte and scans for the next FF 68, so garbage or a torn frame costs at most that frame. Never throws.
 * `raw` is the exact frame bytes, which the host echoes as the ack.
 */
export function createKeypadDecoder(onFrame: (f: KeypadFrame, raw: Uint8Array) => void) {
  const rx = new RxBuffer(4096);
  const parse = (at: number): number => {
    const avail = rx.length - at;
    if (rx.at(at) !== 0xff) return -1;
    if (avail < 2) return 0;
    if (rx.at(at + 1) !== 0x68) return -1;
    if (avail < 5) return 0;
    const L = rx.at(at + 2);
    if (L !== rx.at(at + 3) || rx.at(at + 4) !== 0x68 || L < 2) return -1;
    const total = 5 + L + 2;
    if (avail < total) return 0;
    let cs = 0;
    for (let i = 5; i < 5 + L; i++) cs = (cs + rx.at(at + i)) & 0xff;
    return rx.at(at + 5 + L) === cs && rx.at(at + 6 + L) === 0x16 ? total : -1;
  };
  return (chunk: ArrayLike<number>): void => {
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => {
      const L = raw[2] ?? 0;
      onFrame({ addr: raw[5] ?? 0, func: raw[6] ?? 0, data: raw.slice(7, 5 + L) }, raw);
    });
  };
}

function replyReader(addr: number, accept: (r: PollReply) => boolean): (chunk: Uint8Array) => PollReply | undefined {
  let got: PollReply | undefined;
  const decode = createKeypadDecoder((f) => {
    if (f.addr !== addr || got) return;
    const r = interpretReply(f);
    if (r && accept(r)) got = r;
  });
  return (chunk) => {
    decode(chunk);
    return got;
  };
}

/** this framing as the keypad device uses it (drivers/protocols/pad-framing.ts) */
export const fullHostFraming: HostPadFraming = {
  poll: encodePoll,
  text: encodeDisplay,
  pollReader: (addr) => replyReader(addr, (r) => r.type === 'idle' || r.type === 'event'),
  // the keypad echoes the display frame
  textAckReader: (addr) => replyReader(addr, (r) => r.type === 'display'),
};

/** this framing as the pad simulator uses it: frames found by scanning for FF 68 (no silence needed) */
export const fullPadFraming: PadSideFraming = {
  reader(onFrame) {
    const decode = createKeypadDecoder((f, raw) => {
      if (f.func === FUNC.poll) onFrame({ type: 'poll', addr: f.addr, ack: f.data[0] ?? 0, raw });
      else if (f.func === FUNC.display) onFrame({ type: 'text', addr: f.addr, text: String.fromCharCode(...f.data), raw });
    });
    return (chunk) => decode(chunk);
  },
  idle: encodeIdle,
  event: encodeEventReply,
  textAck: (_addr, frame) => frame,
};
