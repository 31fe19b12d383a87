// LED displays that expose text as Modbus RTU holding registers (CRC-16/Modbus, low byte first).
// The register map is per display model (docs/protocols/modbus-display.md); the default map:
//   0x0000 command: write 1 = clear     0x0001 brightness 0..100
//   0x0100 + 0x10·i  line i: 16 registers = 32 GB18030 bytes, high byte first, NUL-padded
// show → one 0x10 (write multiple registers) request covering every used line, so a shorter new text
// also blanks the rest of the previous one (one request per line when the lines are not contiguous).
// Exception replies (function | 0x80, one code byte) are failures: 06 busy → retry; 01/02/03 → the
// request is wrong for this model → degraded with the code and its meaning.
import iconv from 'iconv-lite';
import { RxBuffer, concat, crc16modbus, scanFrames } from '../bytes.js';
import type { DisplayAck, DisplayCommand, DisplayProtocol, DisplayRequest } from './display.js';

export type TextEncoding = 'gb18030' | 'gbk' | 'utf16be';

export interface ModbusRegisterMap {
  /** first register of line 0 */
  textRegister: number;
  /** registers from the start of one line to the next */
  lineStride: number;
  /** registers per line (2 bytes each: characters per line = 2 × this for single-byte text) */
  lineRegisters: number;
  /** lines the model has */
  lines: number;
  brightnessRegister?: number;
  /** the register a "clear" command is written to, and the value */
  commandRegister?: number;
  clearValue?: number;
  encoding: TextEncoding;
}

/** The map of the reference display (and of every display configured before maps existed). */
export const DEFAULT_MODBUS_MAP: ModbusRegisterMap = {
  textRegister: 0x0100,
  lineStride: 0x10,
  lineRegisters: 16,
  lines: 4,
  brightnessRegister: 0x0001,
  commandRegister: 0x0000,
  clearValue: 1,
  encoding: 'gb18030',
};

/** Modbus application protocol v1.1b3 §7 exception codes. */
export const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge (still processing)',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target failed to respond',
};

/** Largest register count of one 0x10 request (the PDU limit). */
const MAX_REGS = 123;

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

export function encodeText(text: string, enc: TextEncoding): Uint8Array {
  return new Uint8Array(iconv.encode(text, enc === 'utf16be' ? 'utf16-be' : enc));
}

export function decodeText(bytes: Uint8Array, enc: TextEncoding): string {
  if (enc === 'utf16be') {
    let end = bytes.length;
    for (let i = 0; i + 1 < bytes.length; i += 2)
      if (bytes[i] === 0 && bytes[i + 1] === 0) {
        end = i;
        break;
      }
    return iconv.decode(Buffer.from(bytes.subarray(0, end)), 'utf16-be');
  }
  const end = bytes.indexOf(0);
  return iconv.decode(Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)), enc);
}

/** One line's register bytes: whole characters only, NUL-padded. */
function lineBytes(text: string, map: ModbusRegisterMap): Uint8Array {
  const size = map.lineRegisters * 2;
  let t = text;
  let enc = encodeText(t, map.encoding);
  while (enc.length > size) {
    t = [...t].slice(0, -1).join(''); // never split a character
    enc = encodeText(t, map.encoding);
  }
  const out = new Uint8Array(size);
  out.set(enc);
  return out;
}

/** `used`: the lines the hall shows on this display (≤ map.lines, checked by the config). */
export function encodeModbusDisplay(addr: number, cmd: DisplayCommand, map = DEFAULT_MODBUS_MAP, used = 2): Uint8Array[] {
  switch (cmd.type) {
    case 'clear':
      if (map.commandRegister === undefined) return encodeModbusDisplay(addr, { type: 'show', lines: [] }, map, used);
      return [encodeWriteSingle(addr, map.commandRegister, map.clearValue ?? 1)];
    case 'brightness':
      if (map.brightnessRegister === undefined) return [];
      return [encodeWriteSingle(addr, map.brightnessRegister, Math.round(Math.min(100, Math.max(0, cmd.level ?? 100))))];
    case 'show': {
      const n = Math.min(map.lines, Math.max(1, used));
      const lines = Array.from({ length: n }, (_, i) => lineBytes(cmd.lines?.[i] ?? '', map));
      const contiguous = map.lineStride === map.lineRegisters && n * map.lineRegisters <= MAX_REGS;
      if (contiguous) return [encodeWriteMultiple(addr, map.textRegister, concat(lines))];
      return lines.map((b, i) => encodeWriteMultiple(addr, map.textRegister + i * map.lineStride, b));
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
      else if (func & 0x80) len = 5;
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

/** Host side: a response frame as a display answer. */
export function ackOf(f: ModbusFrame): DisplayAck {
  if (f.func < 0x80) return { addr: f.addr, ok: true, raw: f.raw };
  const code = f.raw[2] ?? 0;
  const detail = `Modbus exception ${code.toString(16).padStart(2, '0')}: ${MODBUS_EXCEPTIONS[code] ?? 'unknown code'}`;
  return { addr: f.addr, ok: false, busy: code === 5 || code === 6, fatal: code >= 1 && code <= 3, detail, raw: f.raw };
}

/**
 * A response answers a request only when unit and function match (an exception carries the function
 * with bit 7 set) and, for 06 and 16, it echoes the request's register and value / start and quantity.
 */
export function modbusAnswers(request: ArrayLike<number>, ack: DisplayAck): boolean {
  const r = ack.raw;
  if (!r || r[0] !== request[0]) return false;
  const func = request[1] ?? 0;
  if ((r[1] ?? 0) & 0x80) return ((r[1] ?? 0) & 0x7f) === func;
  if (r[1] !== func) return false;
  if (func === 0x06 || func === 0x10) for (let i = 2; i < 6; i++) if (r[i] !== request[i]) return false;
  return true;
}

/** how long a display's late answer is waited out after a timeout (Bus lateMs): 1.5 s late was seen */
export const MODBUS_LATE_MS = 2000;

/** Device side: what a request asks the display to do (undefined for registers we do not map). */
export function interpretModbusRequest(f: ModbusFrame, map = DEFAULT_MODBUS_MAP): DisplayRequest | undefined {
  const r = f.raw;
  const start = ((r[2] ?? 0) << 8) | (r[3] ?? 0);
  if (f.func === 0x06) {
    const value = ((r[4] ?? 0) << 8) | (r[5] ?? 0);
    if (start === map.commandRegister && value === (map.clearValue ?? 1)) return { addr: f.addr, type: 'clear' };
    if (start === map.brightnessRegister) return { addr: f.addr, type: 'brightness', level: value };
    return undefined;
  }
  if (f.func === 0x10 && start >= map.textRegister && (start - map.textRegister) % map.lineStride === 0) {
    const data = r.subarray(7, r.length - 2);
    const size = map.lineRegisters * 2;
    const lines: string[] = [];
    for (let o = 0; o + size <= data.length; o += size) lines.push(decodeText(data.subarray(o, o + size), map.encoding));
    const from = (start - map.textRegister) / map.lineStride;
    return from === 0 ? { addr: f.addr, type: 'show', lines } : { addr: f.addr, type: 'show', lines, from };
  }
  return undefined;
}

/** The normal response a display sends: 0x06 echoes the request, 0x10 echoes addr/func/start/qty. */
export function encodeModbusResponse(f: ModbusFrame): Uint8Array {
  if (f.func === 0x06) return f.raw.slice();
  return withCrc(f.raw.subarray(0, 6));
}

export function encodeModbusException(addr: number, func: number, code: number): Uint8Array {
  return withCrc([addr, func | 0x80, code]);
}

export function createModbusDisplayProtocol(map: ModbusRegisterMap = DEFAULT_MODBUS_MAP, usedLines = 2): DisplayProtocol {
  return {
    name: 'modbus-display',
    encode: (addr, cmd) => encodeModbusDisplay(addr, cmd, map, usedLines),
    createAckDecoder: (onAck) => createModbusDecoder('host', (f) => onAck(ackOf(f))),
    answers: modbusAnswers,
    lateMs: MODBUS_LATE_MS,
    createDeviceDecoder: (onRequest) =>
      createModbusDecoder('device', (f) => {
        const req = interpretModbusRequest(f, map);
        onRequest(req, (ok) => (ok ? encodeModbusResponse(f) : encodeModbusException(f.addr, f.func, 2)));
      }),
  };
}
