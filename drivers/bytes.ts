// Small byte helpers shared by the protocol files.
import iconv from 'iconv-lite';

export function concat(parts: ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** GB18030 is a superset of GBK/GB2312, which is what Chinese printers and LED boards expect. */
export function gb(text: string): Uint8Array {
  return new Uint8Array(iconv.encode(text, 'gb18030'));
}

export function ungb(bytes: ArrayLike<number>): string {
  return iconv.decode(Buffer.from(Uint8Array.from(bytes)), 'gb18030');
}

export function sum8(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s = (s + (bytes[i] ?? 0)) & 0xff;
  return s;
}

/** CRC-16/Modbus (poly 0xA001 reflected, init 0xFFFF); no package needed for 15 lines. */
export function crc16modbus(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i] ?? 0;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * A growable receive buffer for the streaming decoders: append chunks, consume from the front.
 * Bounded so that a device spewing garbage cannot grow memory without limit.
 */
export class RxBuffer {
  private buf = new Uint8Array(256);
  private start = 0;
  private end = 0;
  constructor(private readonly max = 8192) {}

  get length(): number {
    return this.end - this.start;
  }
  at(i: number): number {
    return this.buf[this.start + i] ?? 0;
  }
  slice(from: number, to: number): Uint8Array {
    return this.buf.slice(this.start + from, this.start + to);
  }
  drop(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start === this.end) this.start = this.end = 0;
  }
  push(chunk: ArrayLike<number>): void {
    if (chunk.length > this.max) chunk = Array.prototype.slice.call(chunk, chunk.length - this.max);
    if (this.length + chunk.length > this.max) this.drop(this.length + chunk.length - this.max);
    if (this.end + chunk.length > this.buf.length) {
      const live = this.buf.slice(this.start, this.end);
      const size = Math.max(this.buf.length, (live.length + chunk.length) * 2);
      this.buf = new Uint8Array(size);
      this.buf.set(live, 0);
      this.start = 0;
      this.end = live.length;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/**
 * Frame scanner shared by the binary decoders. `parse(at)` looks at the buffer from offset `at` and
 * returns the length of a complete valid frame there, 0 if it could be a frame but is incomplete,
 * or -1 if it is not a frame. While the head is incomplete, a complete valid frame further on wins:
 * a torn frame (unplug mid-write) or a fake header in garbage must not hold back the next real
 * frame until more bytes happen to arrive — that would delay a key press indefinitely.
 */
export function scanFrames(rx: RxBuffer, parse: (at: number) => number, onFrame: (raw: Uint8Array) => void): void {
  outer: while (rx.length > 0) {
    const r = parse(0);
    if (r > 0) {
      const raw = rx.slice(0, r);
      rx.drop(r);
      onFrame(raw);
      continue;
    }
    if (r < 0) {
      rx.drop(1);
      continue;
    }
    for (let i = 1; i < rx.length; i++) {
      if (parse(i) > 0) {
        rx.drop(i);
        continue outer;
      }
    }
    return;
  }
}
