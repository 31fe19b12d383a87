// Decoders of the short keypad framing (frame.ts; docs/protocols/rs485-keypad-short.md).
// Host side: the answer to one poll or one text frame, resynchronising after garbage like every
// decoder here. Pad side (simulator, tests): host frames delimited by silence, read from their first byte.
import { RxBuffer, scanFrames } from '../../bytes.js';
import type { HostFrame } from '../pad-framing.js';
import type { PollReply } from '../rs485-keypad.js';
import { CODE_TO_KEY, RATING_CODE, SHORT, cs, idleByte } from './frame.js';

/** longest event body: addr seq code + 8 digits */
const MAX_EVENT_L = 11;

/** what an event frame (7E L addr seq code data… CS, already checked) carries; undefined if it is not an event */
export function interpretShortEvent(raw: Uint8Array): PollReply | undefined {
  const addr = raw[2] ?? 0;
  const seq = raw[3] ?? 0;
  const code = raw[4] ?? 0;
  if (seq === 0) return undefined;
  if (code > RATING_CODE && code <= RATING_CODE + 5)
    return { type: 'event', addr, seq, event: { type: 'rating', addr, level: (code - RATING_CODE) as 1 | 2 | 3 | 4 | 5 } };
  if (code >= 0x10 && code <= 0x19)
    return { type: 'event', addr, seq, event: { type: 'key', addr, key: 'digit', digits: String(code - 0x10) } };
  const key = CODE_TO_KEY.get(code);
  if (!key) return undefined;
  const digits = String.fromCharCode(...raw.subarray(5, raw.length - 1));
  return { type: 'event', addr, seq, event: digits ? { type: 'key', addr, key, digits } : { type: 'key', addr, key } };
}

/**
 * Host side, one poll in flight to `addr`: feed it every chunk received, it returns the reply once
 * complete — `idle` (the byte ~addr) or an event. Bytes that are neither are skipped one at a time.
 */
export function createShortPollReader(addr: number): (chunk: Uint8Array) => PollReply | undefined {
  const rx = new RxBuffer(256);
  const idle = idleByte(addr);
  let got: PollReply | undefined;
  const parse = (at: number): number => {
    const b = rx.at(at);
    if (b === idle) return 1;
    if (b !== SHORT.event) return -1;
    if (rx.length - at < 2) return 0;
    const L = rx.at(at + 1);
    if (L < 3 || L > MAX_EVENT_L) return -1;
    const total = 2 + L + 1;
    if (rx.length - at < total) return 0;
    const frame = rx.slice(at, at + total);
    return frame[total - 1] === cs(frame, total - 1) && frame[2] === addr ? total : -1;
  };
  return (chunk) => {
    if (got) return got;
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => {
      if (got) return;
      got = raw.length === 1 ? { type: 'idle', addr } : interpretShortEvent(raw);
    });
    return got;
  };
}

/** Host side, a text frame in flight: true once the keypad acknowledged exactly that frame (~addr CS). */
export function createShortTextAckReader(addr: number, frame: Uint8Array): (chunk: Uint8Array) => true | undefined {
  const rx = new RxBuffer(64);
  const idle = idleByte(addr);
  const frameCs = frame[frame.length - 1];
  let got = false;
  const parse = (at: number): number => {
    if (rx.at(at) !== idle) return -1;
    if (rx.length - at < 2) return 0;
    return rx.at(at + 1) === frameCs ? 2 : -1;
  };
  return (chunk) => {
    if (!got) {
      rx.push(chunk);
      scanFrames(rx, parse, () => (got = true));
    }
    return got || undefined;
  };
}

/**
 * Pad side: host frames delimited by silence. Bytes that arrive more than `silenceMs` after the
 * previous ones start a new frame; a frame is read from its first byte only and must be exact
 * (right start byte, length and CS), else it is ignored whole — so bytes inside another device's
 * frame (an LED text on the same bus) or another pad's answer are never taken for a poll.
 */
export function createShortHostFrameReader(onFrame: (f: HostFrame) => void, silenceMs: number) {
  let buf: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let done = false;
  return (chunk: ArrayLike<number>, at: number): void => {
    if (at - last > silenceMs) {
      buf = [];
      done = false;
    }
    last = at;
    if (done) return;
    for (let i = 0; i < chunk.length; i++) buf.push(chunk[i] ?? 0);
    const start = buf[0];
    let total: number;
    if (start === SHORT.poll) total = 4;
    else if (start === SHORT.text) {
      if (buf.length < 2) return;
      const L = buf[1] ?? 0;
      if (L < 1 || L > 9) {
        done = true;
        return;
      }
      total = L + 3;
    } else {
      done = true;
      return;
    }
    if (buf.length < total) return;
    done = true;
    // trailing bytes before the next silence are not ours: a frame is exactly its length
    if (buf.length > total) return;
    const frame = Uint8Array.from(buf);
    if (frame[total - 1] !== cs(frame, total - 1)) return;
    if (start === SHORT.poll) onFrame({ type: 'poll', addr: frame[1] ?? 0, ack: frame[2] ?? 0, raw: frame });
    else onFrame({ type: 'text', addr: frame[2] ?? 0, text: String.fromCharCode(...frame.subarray(3, total - 1)), raw: frame });
  };
}
