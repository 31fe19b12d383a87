// What a polled RS-485 pad protocol provides to the keypad device (host side) and to the pad
// simulator (pad side). Two framings share one model — poll with ack, idle or oldest event, texts
// acknowledged — and differ only in bytes: rs485-keypad (FF 68 … 16) and rs485-keypad-short.
import type { KeypadKey, PollReply } from './rs485-keypad.js';

export interface HostPadFraming {
  poll(addr: number, ack: number): Uint8Array;
  text(addr: number, text: string): Uint8Array;
  /** fed every chunk while a poll to addr is in flight; returns idle or an event once complete */
  pollReader(addr: number): (chunk: Uint8Array) => PollReply | undefined;
  /** fed every chunk while a text frame is in flight; defined once the keypad acknowledged it */
  textAckReader(addr: number, frame: Uint8Array): (chunk: Uint8Array) => unknown;
}

/** a host frame as a pad reads it; `raw` is its bytes (the wire model needs its length) */
export type HostFrame =
  | { type: 'poll'; addr: number; ack: number; raw: Uint8Array }
  | { type: 'text'; addr: number; text: string; raw: Uint8Array };

export type PadEvent = { type: 'key'; key: KeypadKey; digits?: string } | { type: 'rating'; level: number };

export interface PadSideFraming {
  /** reads host frames; `at` is the arrival time of the chunk (ms), `silenceMs` the pad's end-of-frame silence */
  reader(onFrame: (f: HostFrame) => void, silenceMs: number): (chunk: Uint8Array, at: number) => void;
  idle(addr: number): Uint8Array;
  event(addr: number, seq: number, ev: PadEvent): Uint8Array;
  textAck(addr: number, textFrame: Uint8Array): Uint8Array;
}
