// The vendor-neutral print layout of the host contract (PrintBlock) and today's ESC/POS layouts
// (agent/devices/layouts.ts) side by side: the primary turns a ticket into blocks, the satellite's
// host turns blocks back into ESC/POS for its own printer.
import type { PrintBlock } from '../../drivers/host/contract.js';
import type { EscPosCommand } from '../../drivers/protocols/escpos.js';

const size = (n: number | undefined): 1 | 2 | 3 | 4 => Math.min(4, Math.max(1, Math.round(n ?? 1))) as 1 | 2 | 3 | 4;

export function escposToBlocks(cmds: readonly EscPosCommand[]): PrintBlock[] {
  const out: PrintBlock[] = [];
  for (const c of cmds) {
    switch (c.op) {
      case 'init':
        break; // every job starts with init on the host side
      case 'text': {
        const b: PrintBlock = { op: 'text', text: c.text };
        // the contract has one size for both directions; the layout wrapped the line for its width,
        // so width decides: a double-height-only line prints at normal height rather than overflow
        const s = size(c.width);
        if (s > 1) b.size = s;
        if (c.bold) b.bold = true;
        if (c.align) b.align = c.align;
        out.push(b);
        break;
      }
      case 'feed':
        out.push({ op: 'feed', lines: c.lines });
        break;
      case 'qr': {
        const b: PrintBlock = { op: 'qr', data: c.data };
        if (c.moduleSize !== undefined) b.moduleSize = c.moduleSize;
        if (c.align) b.align = c.align;
        out.push(b);
        break;
      }
      case 'cut':
        out.push({ op: 'cut' });
        break;
    }
  }
  return out;
}

/** `columns`: the printer's line width in characters (32 on 58 mm paper, 48 on 80 mm) */
export function blocksToEscpos(blocks: readonly PrintBlock[], columns = 32): EscPosCommand[] {
  const out: EscPosCommand[] = [{ op: 'init' }];
  for (const b of blocks) {
    switch (b.op) {
      case 'text': {
        const c: EscPosCommand = { op: 'text', text: b.text };
        if (b.size && b.size > 1) {
          c.width = b.size;
          c.height = b.size;
        }
        if (b.bold) c.bold = true;
        if (b.align) c.align = b.align;
        out.push(c);
        break;
      }
      case 'feed':
        out.push({ op: 'feed', lines: b.lines });
        break;
      case 'qr': {
        const c: EscPosCommand = { op: 'qr', data: b.data };
        if (b.moduleSize !== undefined) c.moduleSize = b.moduleSize;
        if (b.align) c.align = b.align;
        out.push(c);
        break;
      }
      case 'rule':
        out.push({ op: 'text', text: '-'.repeat(columns) });
        break;
      case 'cut':
        // feed to the cutter, then a partial cut: the slip stays easy to tear off
        out.push({ op: 'cut', partial: true });
        break;
    }
  }
  return out;
}
