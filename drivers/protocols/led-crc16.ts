// Second LED vendor framing: "text + CRC16" controllers (the common STX … CRC ETX style of
// network/serial LED text controllers). Byte by byte in docs/protocols/led-crc16.md.
//   02 addr cmd lenHi lenLo payload… crcHi crcLo 03
//   crc = CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) over addr … payload
// cmd 'T' (0x54) text: lines in GB18030 separated by LF (0x0A) · 'C' (0x43) clear · 'B' (0x42)
// brightness: one byte 0..100. Reply: same framing, cmd 'A' (0x41) ack or 'N' (0x4E) nak, payload =
// the command answered (+ for a nak one reason byte: 1 bad frame, 2 busy, 3 text too long).
// This file and one registry entry are all a vendor needs (drivers/registry.ts).
import { RxBuffer, concat, gb, scanFrames, ungb } from '../bytes.js';
import type { DisplayCommand, DisplayProtocol, DisplayRequest } from './display.js';

export const CRC_CMD = { text: 0x54, clear: 0x43, brightness: 0x42, ack: 0x41, nak: 0x4e } as const;

/** CRC-16/CCITT-FALSE; check value of "123456789" is 0x29B1. */
export function crc16ccitt(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= (bytes[i] ?? 0) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function encodeCrcFrame(addr: number, cmd: number, payload: ArrayLike<number>): Uint8Array {
  const n = payload.length;
  const body = concat([[addr & 0xff, cmd & 0xff, (n >> 8) & 0xff, n & 0xff], payload]);
  const crc = crc16ccitt(body);
  return concat([[0x02], body, [crc >> 8, crc & 0xff, 0x03]]);
}

function encode(addr: number, cmd: DisplayCommand): Uint8Array[] {
  switch (cmd.type) {
    case 'show': {
      const text = (cmd.lines ?? []).map((l) => l.replace(/[\r\n]+/g, ' ')).join('\n');
      return [encodeCrcFrame(addr, CRC_CMD.text, gb(text).slice(0, 1024))];
    }
    case 'clear':
      return [encodeCrcFrame(addr, CRC_CMD.clear, [])];
    case 'brightness':
      return [encodeCrcFrame(addr, CRC_CMD.brightness, [Math.round(Math.min(100, Math.max(0, cmd.level ?? 100)))])];
  }
}

/** Streaming decoder for either direction; drops one byte and rescans on any mismatch. */
export function createCrcDecoder(onFrame: (f: { addr: number; cmd: number; payload: Uint8Array }) => void) {
  const rx = new RxBuffer(8192);
  const parse = (at: number): number => {
    const avail = rx.length - at;
    if (rx.at(at) !== 0x02) return -1;
    if (avail < 5) return 0;
    const n = (rx.at(at + 3) << 8) | rx.at(at + 4);
    if (n > 2048) return -1;
    const total = 1 + 4 + n + 3;
    if (avail < total) return 0;
    if (rx.at(at + total - 1) !== 0x03) return -1;
    const crc = crc16ccitt(rx.slice(at + 1, at + 5 + n));
    return rx.at(at + 5 + n) === crc >> 8 && rx.at(at + 6 + n) === (crc & 0xff) ? total : -1;
  };
  return (chunk: ArrayLike<number>): void => {
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => onFrame({ addr: raw[1] ?? 0, cmd: raw[2] ?? 0, payload: raw.slice(5, raw.length - 3) }));
  };
}

function interpret(addr: number, cmd: number, payload: Uint8Array): DisplayRequest | undefined {
  if (cmd === CRC_CMD.text) return { addr, type: 'show', lines: ungb(payload).split('\n') };
  if (cmd === CRC_CMD.clear && payload.length === 0) return { addr, type: 'clear' };
  if (cmd === CRC_CMD.brightness && payload.length === 1) return { addr, type: 'brightness', level: payload[0] ?? 0 };
  return undefined;
}

const NAK_REASON: Record<number, string> = { 1: 'bad frame', 2: 'busy', 3: 'text too long' };

export const ledCrc16: DisplayProtocol = {
  name: 'led-crc16',
  encode,
  createAckDecoder: (onAck) =>
    createCrcDecoder((f) => {
      if (f.cmd === CRC_CMD.ack) onAck({ addr: f.addr, ok: true });
      else if (f.cmd === CRC_CMD.nak) {
        const why = f.payload[1] ?? 1;
        onAck({ addr: f.addr, ok: false, busy: why === 2, fatal: why === 3, detail: `display nak: ${NAK_REASON[why] ?? `code ${why}`}` });
      }
    }),
  createDeviceDecoder: (onRequest) =>
    createCrcDecoder((f) => {
      if (f.cmd === CRC_CMD.ack || f.cmd === CRC_CMD.nak) return;
      onRequest(interpret(f.addr, f.cmd, f.payload), (ok) =>
        ok ? encodeCrcFrame(f.addr, CRC_CMD.ack, [f.cmd]) : encodeCrcFrame(f.addr, CRC_CMD.nak, [f.cmd, 1]),
      );
    }),
};
