// LED displays that expose text as Modbus RTU holding registers (CRC-16/Modbus, low byte first).
// Register map (docs/protocols/modbus-display.md):
//   0x0000 command: write 1 = clear     0x0001 brightness 0..100
//   0x0100 + 0x10·i  line i: 16 registers = 32 GB18030 bytes, high byte first, NUL-padded
// show → one 0x10 (write multiple registers) request covering all configured lines, so a shorter
// new text also blanks the rest of the previous one.
import { RxBuffer, concat, crc16modbus, gb, scanFrames, ungb } from '../bytes.js';
import type { DisplayCommand, DisplayProtocol, DisplayRequest } from './display.js';

export const REG = { command: 0x0000, brightness: 0x0001, text: 0x0100, lineStride: 0x10 } as const;
const LINE_REGS = 16;

function withCrc(body: ArrayLike<number>): Uint8Array {
  const crc = crc16modbus(body);
  return concat([body, [crc & 0xff, crc >> 8]]);
}

export function encodeWriteSingle(addr: number, reg: number, value: number): Uint8Array {
  return withCrc([addr, 0x06, reg >> 8, reg & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

export function encodeWriteMultiple(addr: number, start: number, regBytes: Uint8Array): Uint8Array {
  const qty = regBytes.length >> 1;
  return withCrc(concat([[addr, 0x10, start >> 8, start & 0xff, qty >> 8, qty & 0xff, regBytes.length], regBytes]));
}

export function encodeModbusDisplay(addr: number, cmd: DisplayCommand, lineCount = 2): Uint8Array[] {
  switch (cmd.type) {
    case 'clear':
      return [encodeWriteSingle(addr, REG.command, 1)];
    case 'brightness':
      return [encodeWriteSingle(addr, REG.brightness, Math.round(Math.min(100, Math.max(0, cmd.level ?? 100))))];
    case 'show': {
      const n = Math.min(7, Math.max(lineCount, cmd.lines?.length ?? 0)); // 7·16 = 112 ≤ 123 registers
      const bytes = new Uint8Array(n * LINE_REGS * 2);
      for (let i = 0; i < n; i++) {
        let enc = gb(cmd.lines?.[i] ?? '');
        // never split a GB18030 character: trim whole characters until it fits
        let text = cmd.lines?.[i] ?? '';
        while (enc.length > LINE_REGS * 2) {
          text = text.slice(0, -1);
          enc = gb(text);
        }
        bytes.set(enc, i * LINE_REGS * 2);
      }
      return [encodeWriteMultiple(addr, REG.text, bytes)];
    }
  }
}

export type ModbusFrame = { addr: number; func: number; raw: Uint8Array };

/**
 * Streaming RTU decoder. Real RTU frames are delimited by 3.5 character times of silence, which a
 * byte stream (pty, TCP gateway) does not keep, so frames are found by length-from-function-code
 * plus CRC; on a CRC mismatch one byte is dropped and the scan resumes.
 * side 'host' decodes responses, side 'device' decodes requests.
 */
export function createModbusDecoder(side: 'host' | 'device', onFrame: (f: ModbusFrame) => void) {
  const rx = new RxBuffer(4096);
  const parse = (at: number): number => {
    const avail = rx.length - at;
    if (rx.at(at) === 0 || rx.at(at) > 247) return -1; // 0 is broadcast: displays never answer it
    if (avail < 2) return 0;
    const func = rx.at(at + 1);
    let len: number;
    if (side === 'host') {
      if (func === 0x06 || func === 0x10) len = 8;
      else if (func === 0x86 || func === 0x90) len = 5;
      else return -1;
    } else if (func === 0x06) len = 8;
    else if (func === 0x10) {
      if (avail < 7) return 0;
      len = 9 + rx.at(at + 6);
    } else return -1;
    if (avail < len) return 0;
    const crc = crc16modbus(rx.slice(at, at + len - 2));
    return rx.at(at + len - 2) === (crc & 0xff) && rx.at(at + len - 1) === crc >> 8 ? len : -1;
  };
  return (chunk: ArrayLike<number>): void => {
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => onFrame({ addr: raw[0] ?? 0, func: raw[1] ?? 0, raw }));
  };
}

/** Device side: what a request asks the display to do (undefined for registers we do not map). */
export function interpretModbusRequest(f: ModbusFrame): DisplayRequest | undefined {
  const r = f.raw;
  const start = ((r[2] ?? 0) << 8) | (r[3] ?? 0);
  if (f.func === 0x06) {
    const value = ((r[4] ?? 0) << 8) | (r[5] ?? 0);
    if (start === REG.command && value === 1) return { addr: f.addr, type: 'clear' };
    if (start === REG.brightness) return { addr: f.addr, type: 'brightness', level: value };
    return undefined;
  }
  if (f.func === 0x10 && start === REG.text) {
    const data = r.subarray(7, r.length - 2);
    const lines: string[] = [];
    for (let o = 0; o + LINE_REGS * 2 <= data.length; o += LINE_REGS * 2) {
      const seg = data.subarray(o, o + LINE_REGS * 2);
      const end = seg.indexOf(0);
      lines.push(ungb(end < 0 ? seg : seg.subarray(0, end)));
    }
    return { addr: f.addr, type: 'show', lines };
  }
  return undefined;
}

/** The normal response a display sends: 0x06 echoes the request, 0x10 echoes addr/func/start/qty. */
export function encodeModbusResponse(f: ModbusFrame): Uint8Array {
  if (f.func === 0x06) return f.raw.slice();
  return withCrc(f.raw.subarray(0, 6));
}

export function createModbusDisplayProtocol(lineCount = 2): DisplayProtocol {
  return {
    name: 'modbus-display',
    encode: (addr, cmd) => encodeModbusDisplay(addr, cmd, lineCount),
    createAckDecoder: (onAck) => createModbusDecoder('host', (f) => onAck({ addr: f.addr, ok: f.func < 0x80 })),
  };
}
