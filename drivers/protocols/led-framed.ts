// Framed LED text protocol (the documented one our reference vendor boards speak):
//   AA 55 addr cmd lenLo lenHi payload… CS 0D      CS = sum(addr … payload) & 0xFF
// cmd 0x10 show: payload = count, then per line: byteLen, GB18030 bytes
// cmd 0x11 clear: no payload · cmd 0x12 brightness: payload = level 0..15
// reply: same framing, cmd | 0x80, payload = [0x00 ok | error code]. See docs/protocols/led-framed.md.
import { RxBuffer, concat, gb, scanFrames, sum8, ungb } from '../bytes.js';
import type { DisplayCommand, DisplayProtocol, DisplayRequest } from './display.js';

export const LED_CMD = { show: 0x10, clear: 0x11, brightness: 0x12 } as const;

export interface LedFrame {
  addr: number;
  cmd: number;
  payload: Uint8Array;
}

export function encodeLedFrame(f: LedFrame): Uint8Array {
  const len = f.payload.length;
  const body = concat([[f.addr & 0xff, f.cmd & 0xff, len & 0xff, (len >> 8) & 0xff], f.payload]);
  // the checksum covers addr … payload (the length bytes included)
  return concat([[0xaa, 0x55], body, [sum8(body), 0x0d]]);
}

export function encodeLed(addr: number, cmd: DisplayCommand): Uint8Array {
  switch (cmd.type) {
    case 'show': {
      const lines = (cmd.lines ?? []).slice(0, 16).map((l) => gb(l).slice(0, 255));
      const parts: ArrayLike<number>[] = [[lines.length]];
      for (const l of lines) parts.push([l.length], l);
      return encodeLedFrame({ addr, cmd: LED_CMD.show, payload: concat(parts) });
    }
    case 'clear':
      return encodeLedFrame({ addr, cmd: LED_CMD.clear, payload: new Uint8Array(0) });
    case 'brightness': {
      const level = Math.round((Math.min(100, Math.max(0, cmd.level ?? 100)) * 15) / 100);
      return encodeLedFrame({ addr, cmd: LED_CMD.brightness, payload: Uint8Array.of(level) });
    }
  }
}

/** Streaming decoder for either direction; drops one byte and rescans on any mismatch. */
export function createLedDecoder(onFrame: (f: LedFrame, raw: Uint8Array) => void) {
  const rx = new RxBuffer(16 * 1024);
  const parse = (at: number): number => {
    const avail = rx.length - at;
    if (rx.at(at) !== 0xaa) return -1;
    if (avail < 2) return 0;
    if (rx.at(at + 1) !== 0x55) return -1;
    if (avail < 6) return 0;
    const len = rx.at(at + 4) | (rx.at(at + 5) << 8);
    if (len > 4096) return -1;
    const total = 2 + 4 + len + 2;
    if (avail < total) return 0;
    let cs = 0;
    for (let i = 2; i < total - 2; i++) cs = (cs + rx.at(at + i)) & 0xff;
    return rx.at(at + total - 2) === cs && rx.at(at + total - 1) === 0x0d ? total : -1;
  };
  return (chunk: ArrayLike<number>): void => {
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => {
      onFrame({ addr: raw[2] ?? 0, cmd: raw[3] ?? 0, payload: raw.slice(6, raw.length - 2) }, raw);
    });
  };
}

/** Display side: what a frame asks for; undefined for a malformed payload (ignored, never thrown). */
export function interpretLedRequest(f: LedFrame): DisplayRequest | undefined {
  if (f.cmd === LED_CMD.clear) return { addr: f.addr, type: 'clear' };
  if (f.cmd === LED_CMD.brightness && f.payload.length === 1)
    return { addr: f.addr, type: 'brightness', level: Math.round(((f.payload[0] ?? 0) * 100) / 15) };
  if (f.cmd === LED_CMD.show && f.payload.length >= 1) {
    const count = f.payload[0] ?? 0;
    const lines: string[] = [];
    let o = 1;
    for (let i = 0; i < count; i++) {
      const n = f.payload[o];
      if (n === undefined || o + 1 + n > f.payload.length) return undefined;
      lines.push(ungb(f.payload.subarray(o + 1, o + 1 + n)));
      o += 1 + n;
    }
    return { addr: f.addr, type: 'show', lines };
  }
  return undefined;
}

export function encodeLedAck(addr: number, cmd: number, ok = true): Uint8Array {
  return encodeLedFrame({ addr, cmd: cmd | 0x80, payload: Uint8Array.of(ok ? 0 : 1) });
}

export const ledFramed: DisplayProtocol = {
  name: 'led-framed',
  encode: (addr, cmd) => [encodeLed(addr, cmd)],
  createAckDecoder: (onAck) =>
    createLedDecoder((f) => {
      if (!(f.cmd & 0x80)) return;
      const code = f.payload[0] ?? 0xff;
      onAck(code === 0 ? { addr: f.addr, ok: true } : { addr: f.addr, ok: false, detail: `display refused the frame (code ${code})` });
    }),
  createDeviceDecoder: (onRequest) =>
    createLedDecoder((f) => {
      if (f.cmd & 0x80) return; // another display's answer on the same line
      onRequest(interpretLedRequest(f), (ok) => encodeLedAck(f.addr, f.cmd, ok));
    }),
};
