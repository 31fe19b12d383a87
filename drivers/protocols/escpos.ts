// ESC/POS encoder (host → printer) and the printer's status replies (printer → host).
// Pure: no I/O. Frame bytes are documented in docs/protocols/escpos.md.
import iconv from 'iconv-lite';
import { concat, gb } from '../bytes.js';

export type Align = 'left' | 'center' | 'right';

export type EscPosCommand =
  /** ESC @ then FS & (Chinese mode): every job starts from a known state */
  | { op: 'init' }
  /** one printed line, LF-terminated; width/height multipliers 1..8 */
  | { op: 'text'; text: string; width?: number; height?: number; bold?: boolean; align?: Align }
  | { op: 'feed'; lines: number }
  /** QR code via GS ( k: model 2, module size 1..16, error correction level */
  | { op: 'qr'; data: string; moduleSize?: number; ec?: 'L' | 'M' | 'Q' | 'H'; align?: Align }
  /**
   * GS V 66 n (partial) / GS V 65 n (full): the printer feeds the paper to its own cutter position
   * plus n vertical motion units, then cuts — the last line never ends up under the blade, whatever
   * the head-to-cutter distance of the model. n defaults to 0.
   */
  | { op: 'cut'; partial?: boolean; feed?: number };

const ALIGN: Record<Align, number> = { left: 0, center: 1, right: 2 };
const EC: Record<'L' | 'M' | 'Q' | 'H', number> = { L: 48, M: 49, Q: 50, H: 51 };

const clampMul = (n: number | undefined) => Math.min(8, Math.max(1, Math.round(n ?? 1)));

/**
 * Encodes a job. Style bytes (align, size, bold) are emitted only when they change, tracked from
 * the defaults that `init` restores, so the bytes are short (wire time matters at 9600 baud).
 */
export function encodeEscPos(commands: readonly EscPosCommand[]): Uint8Array {
  const parts: ArrayLike<number>[] = [];
  let align = 0;
  let size = 0;
  let bold = false;
  const setAlign = (a: Align | undefined) => {
    const n = ALIGN[a ?? 'left'];
    if (n !== align) parts.push([0x1b, 0x61, n]);
    align = n;
  };
  for (const c of commands) {
    switch (c.op) {
      case 'init':
        parts.push([0x1b, 0x40, 0x1c, 0x26]);
        align = 0;
        size = 0;
        bold = false;
        break;
      case 'text': {
        setAlign(c.align);
        const w = clampMul(c.width);
        const h = clampMul(c.height);
        const n = ((w - 1) << 4) | (h - 1);
        if (n !== size) {
          // GS ! alone: it sizes alphanumeric and Chinese characters alike (1–8 ×). FS ! only knows
          // double width/height, so sending both gave Chinese 2× beside ASCII 3× or 4×; ESC @ clears FS !.
          parts.push([0x1d, 0x21, n]);
          size = n;
        }
        const b = c.bold ?? false;
        if (b !== bold) parts.push([0x1b, 0x45, b ? 1 : 0]);
        bold = b;
        // LF inside text would break the line accounting of the layout: treat as a space.
        parts.push(gb(c.text.replace(/[\r\n]+/g, ' ')), [0x0a]);
        break;
      }
      case 'feed':
        parts.push([0x1b, 0x64, Math.min(255, Math.max(0, Math.round(c.lines)))]);
        break;
      case 'qr': {
        setAlign(c.align ?? 'center');
        const data = new TextEncoder().encode(c.data);
        const len = data.length + 3;
        const module = Math.min(16, Math.max(1, Math.round(c.moduleSize ?? 6)));
        parts.push(
          [0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00], // model 2
          [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, module], // module size
          [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, EC[c.ec ?? 'M']], // error correction
          [0x1d, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30], // store …
          data,
          [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30], // print
          [0x0a],
        );
        break;
      }
      case 'cut':
        parts.push([0x1d, 0x56, c.partial ? 0x42 : 0x41, Math.min(255, Math.max(0, Math.round(c.feed ?? 0)))]);
        break;
    }
  }
  return concat(parts);
}

/** DLE EOT n: real-time status request. n=1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export function encodeStatusPoll(n: 1 | 2 | 3 | 4): Uint8Array {
  return Uint8Array.of(0x10, 0x04, n);
}

/** A status reply byte always has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0 (0x12 = all fine). */
export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/**
 * Streaming decoder of status replies: anything that is not a status byte (ASB blocks, line
 * noise, echoes) is dropped; never throws.
 */
export function createStatusDecoder(onStatus: (b: number) => void): (chunk: ArrayLike<number>) => void {
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      if (isStatusByte(b)) onStatus(b);
    }
  };
}

export type PrinterCondition = 'online' | 'offline' | 'paperOut' | 'paperNearEnd' | 'coverOpen' | 'cutterError';

export interface PrinterStatusBytes {
  1?: number;
  2?: number;
  3?: number;
  4?: number;
}

/**
 * Maps the replies to one condition, worst first: a cover open also reports "offline" in DLE EOT 1,
 * so the specific cause wins over the generic one.
 */
export function interpretStatus(s: PrinterStatusBytes): PrinterCondition {
  const off = s[2] ?? 0x12;
  const err = s[3] ?? 0x12;
  const paper = s[4] ?? 0x12;
  if (off & 0x04) return 'coverOpen';
  if (paper & 0x60 || off & 0x20) return 'paperOut';
  if (err & 0x08) return 'cutterError';
  if ((s[1] ?? 0x12) & 0x08 || off & 0x40 || err & 0x60) return 'offline';
  if (paper & 0x0c) return 'paperNearEnd';
  return 'online';
}

/** The reply bytes a printer in a given condition sends (used by the virtual printer and tests). */
export function statusBytesFor(c: {
  paper: 'ok' | 'nearEnd' | 'out';
  coverOpen: boolean;
  cutterError?: boolean;
}): Required<PrinterStatusBytes> {
  const offline = c.coverOpen || c.paper === 'out' || !!c.cutterError;
  return {
    1: 0x12 | (offline ? 0x08 : 0),
    2: 0x12 | (c.coverOpen ? 0x04 : 0) | (c.paper === 'out' ? 0x20 : 0) | (c.cutterError ? 0x40 : 0),
    3: 0x12 | (c.cutterError ? 0x08 : 0),
    4: 0x12 | (c.paper === 'nearEnd' ? 0x0c : 0) | (c.paper === 'out' ? 0x6c : 0),
  };
}

export type CodePage = 'gbk' | 'gb18030';

/**
 * The characters of `text` a printer with this code page cannot print, each once, in order of first
 * appearance. Cheap printers carry a GBK font only: rare name characters (CJK extension A/B such as
 * 䶮), emoji and the like come out as garbage there. GB18030 covers all of Unicode. For the config
 * loader's warning: hall, service and material names are known before anything is printed.
 */
export function textOutsideCodePage(text: string, codePage: CodePage): string[] {
  if (codePage === 'gb18030') return [];
  const out: string[] = [];
  for (const ch of new Set(Array.from(text))) {
    if (ch === '?') continue;
    // iconv-lite writes '?' for a character the code page lacks
    const bytes = iconv.encode(ch, 'gbk');
    if (bytes.length === 1 && bytes[0] === 0x3f) out.push(ch);
  }
  return out;
}
