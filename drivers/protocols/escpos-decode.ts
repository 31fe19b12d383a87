// Printer-side ESC/POS decoder: turns the byte stream a printer receives into printed lines, QR
// payloads, cuts and status requests. Used by the virtual printer and by tests as the oracle for
// the encoder. Unknown escape sequences are skipped (2 bytes) so the stream resynchronises.
import { RxBuffer, ungb } from '../bytes.js';
import type { Align } from './escpos.js';

export type PrinterEvent =
  | { type: 'line'; text: string; size: string; align: Align; bold: boolean }
  | { type: 'qr'; data: string; align: Align }
  | { type: 'cut'; partial: boolean }
  | { type: 'init' }
  | { type: 'feed'; lines: number }
  | { type: 'status'; n: number };

const ALIGNS: Align[] = ['left', 'center', 'right'];

export function createEscPosPrinterDecoder(onEvent: (e: PrinterEvent) => void) {
  const rx = new RxBuffer(64 * 1024);
  let line: number[] = [];
  let align: Align = 'left';
  let size = 0;
  let bold = false;
  let chinese = false;
  let qrStore = '';

  const flush = () => {
    // Chinese mode off → bytes ≥0x80 would be code-page glyphs; decoding them as GB18030 is still
    // the most useful reading for a test oracle.
    onEvent({ type: 'line', text: ungb(line), size: `${(size >> 4) + 1}x${(size & 7) + 1}`, align, bold });
    line = [];
  };

  /** returns bytes consumed, 0 = need more input */
  const step = (): number => {
    const b0 = rx.at(0);
    const need = (n: number) => (rx.length >= n ? n : 0);
    if (b0 === 0x0a) {
      flush();
      return 1;
    }
    if (b0 === 0x0d) return 1;
    if (b0 === 0x10) {
      if (rx.length < 3) return 0;
      if (rx.at(1) === 0x04) {
        onEvent({ type: 'status', n: rx.at(2) });
        return 3;
      }
      return 1;
    }
    if (b0 === 0x1b) {
      if (rx.length < 2) return 0;
      const b1 = rx.at(1);
      if (b1 === 0x40) {
        line = [];
        align = 'left';
        size = 0;
        bold = false;
        onEvent({ type: 'init' });
        return 2;
      }
      if (b1 === 0x61 || b1 === 0x45 || b1 === 0x64 || b1 === 0x21 || b1 === 0x33 || b1 === 0x4d) {
        if (!need(3)) return 0;
        const n = rx.at(2);
        if (b1 === 0x61) align = ALIGNS[n % 48] ?? 'left';
        if (b1 === 0x45) bold = (n & 1) === 1;
        if (b1 === 0x64) {
          if (line.length) flush();
          onEvent({ type: 'feed', lines: n });
        }
        return 3;
      }
      return 2;
    }
    if (b0 === 0x1c) {
      if (rx.length < 2) return 0;
      const b1 = rx.at(1);
      if (b1 === 0x26) chinese = true;
      if (b1 === 0x2e) chinese = false;
      if (b1 === 0x21) return need(3);
      return 2;
    }
    if (b0 === 0x1d) {
      if (rx.length < 2) return 0;
      const b1 = rx.at(1);
      if (b1 === 0x21) {
        if (!need(3)) return 0;
        size = rx.at(2) & 0x77;
        return 3;
      }
      if (b1 === 0x56) {
        if (!need(3)) return 0;
        const m = rx.at(2);
        // GS V 65/66 n (feed to the cutter, then cut) carries one more byte: wait for it before acting
        const len = m >= 0x41 ? 4 : 3;
        if (!need(len)) return 0;
        if (line.length) flush();
        const partial = m === 1 || m === 0x31 || m === 0x42;
        onEvent({ type: 'cut', partial });
        return len;
      }
      if (b1 === 0x28 && rx.length < 3) return 0;
      if (b1 === 0x28 && rx.at(2) === 0x6b) {
        if (rx.length < 5) return 0;
        const len = rx.at(3) | (rx.at(4) << 8);
        if (rx.length < 5 + len) return 0;
        const body = rx.slice(5, 5 + len);
        if (body[0] === 0x31 && body[1] === 0x50) qrStore = new TextDecoder().decode(body.subarray(3));
        if (body[0] === 0x31 && body[1] === 0x51) onEvent({ type: 'qr', data: qrStore, align });
        return 5 + len;
      }
      if (b1 === 0x42 || b1 === 0x48 || b1 === 0x68 || b1 === 0x77) return need(3);
      return 2;
    }
    line.push(b0);
    // a runaway line without LF (garbage) must not grow forever
    if (line.length > 4096) flush();
    return 1;
  };

  return {
    push(chunk: ArrayLike<number>): void {
      rx.push(chunk);
      while (rx.length > 0) {
        const n = step();
        if (n === 0) break;
        rx.drop(n);
      }
    },
    get chineseMode() {
      return chinese;
    },
  };
}
