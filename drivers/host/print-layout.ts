// Vendor-neutral print layout (PrintBlock, drivers/host/contract.ts) → ESC/POS commands, inside the
// host: the agent says what a ticket says, the host knows the paper width and the printer's language.
// Text is wrapped here by display columns (CJK and full-width characters take two).
import type { EscPosCommand } from '../protocols/escpos.js';
import type { PrintBlock } from './contract.js';

export function columns(s: string): number {
  let n = 0;
  for (const ch of s) n += (ch.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1;
  return n;
}

/** wraps by display columns; a long line never runs off a 58 mm ticket */
export function wrap(text: string, cols: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (columns(cur + ch) > cols) {
      out.push(cur);
      cur = ch;
    } else cur += ch;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

export function paperColumns(paperWidth: unknown): number {
  return paperWidth === 80 ? 48 : 32;
}

/** vertical motion units of one text line at the default line spacing (1/6 inch at 180 dpi) */
export const LINE_UNITS = 30;

/**
 * `feedInCut` (default true): a feed right before the cut travels in the cut command (GS V 66 n, n in
 * motion units) instead of a separate ESC d, which fed first and then the cutter position again. false
 * for the models that ignore n (the feed then goes as ESC d, as before).
 */
export function toEscPos(blocks: readonly PrintBlock[], paperWidth: unknown, o: { feedInCut?: boolean } = {}): EscPosCommand[] {
  const cols = paperColumns(paperWidth);
  const out: EscPosCommand[] = [{ op: 'init' }];
  const feedInCut = o.feedInCut ?? true;
  for (const [i, b] of blocks.entries()) {
    switch (b.op) {
      case 'text': {
        const scale = (n: number | undefined) => Math.min(4, Math.max(1, n ?? 1));
        const width = scale(b.size);
        const height = scale(b.height ?? b.size);
        // wrapped by the width alone: a taller line takes no more columns
        for (const line of wrap(b.text.replace(/[\r\n]+/g, ' '), Math.max(1, Math.floor(cols / width))))
          out.push({ op: 'text', text: line, width, height, bold: b.bold, align: b.align });
        break;
      }
      case 'rule':
        out.push({ op: 'text', text: '-'.repeat(cols) });
        break;
      case 'feed':
        if (feedInCut && blocks[i + 1]?.op === 'cut') break; // carried by the cut below
        out.push({ op: 'feed', lines: b.lines });
        break;
      case 'qr':
        out.push({ op: 'qr', data: b.data, moduleSize: b.moduleSize ?? (cols >= 48 ? 6 : 5), align: b.align ?? 'center' });
        break;
      case 'cut': {
        const before = blocks[i - 1];
        const lines = feedInCut && before?.op === 'feed' ? before.lines : 0;
        out.push(lines > 0 ? { op: 'cut', partial: true, feed: Math.min(255, lines * LINE_UNITS) } : { op: 'cut', partial: true });
        break;
      }
    }
  }
  return out;
}
