// Registry entry of ESC/POS ticket printers. The host turns the agent's PrintBlock layout into
// ESC/POS here, with this printer's paper width.
import { EscPosPrinter, type StatusPolling } from '../devices/printer.js';
import { toEscPos } from '../host/print-layout.js';
import { type CodePage, encodeEscPos } from '../protocols/escpos.js';
import { VirtualPrinter } from '../sim/printer.js';
import { knownKeys, oneOfOpt, strOpt } from './options.js';
import type { ProtocolEntry } from './types.js';

const STATUS_POLLING: readonly StatusPolling[] = ['auto', 'full', 'basic', 'none'];
export const CODE_PAGES: readonly CodePage[] = ['gbk', 'gb18030'];

export const escposEntry: ProtocolEntry = {
  name: 'escpos',
  kinds: ['ticketPrinter'],
  transports: ['serial', 'tcp', 'sim'],
  sharesPort: false,
  checkOptions(o, path, issues) {
    knownKeys(o, ['paperWidth', 'kiosk', 'statusPolling', 'codePage', 'feedInCut'], path, issues);
    // true (default): the feed before the cut travels in GS V 66 n; false: models that ignore n get ESC d
    if (o.feedInCut !== undefined && typeof o.feedInCut !== 'boolean')
      issues.push({ path: `${path}.feedInCut`, expected: 'true or false', got: o.feedInCut });
    oneOfOpt(o, 'paperWidth', [58, 80] as const, path, issues);
    strOpt(o, 'kiosk', 40, path, issues);
    // auto (default): finds which of DLE EOT 1–4 the printer answers; full: 1–4; basic: 1–2 only; none: write-only
    oneOfOpt(o, 'statusPolling', STATUS_POLLING, path, issues);
    // the printer's Chinese font: gbk (most cheap printers) or gb18030; text outside it is warned about at load
    oneOfOpt(o, 'codePage', CODE_PAGES, path, issues);
  },
  bind(ctx) {
    const sp = ctx.cfg.options?.statusPolling;
    const statusPolling = STATUS_POLLING.find((x) => x === sp);
    const p = new EscPosPrinter(ctx.link, statusPolling ? { ...ctx.tuning.printer, statusPolling } : ctx.tuning.printer);
    const paperWidth = ctx.cfg.options?.paperWidth;
    const feedInCut = ctx.cfg.options?.feedInCut !== false;
    return {
      cell: p.cell,
      driver: p,
      start: () => p.start(),
      stop: () => p.stop(),
      async execute(cmd) {
        if (cmd.type !== 'print') return { ok: false, reason: `a printer does not take "${cmd.type}"` };
        try {
          await p.print(cmd.jobId, encodeEscPos(toEscPos(cmd.blocks, paperWidth, { feedInCut })), cmd.deadlineMs ?? 20_000);
          return { ok: true };
        } catch (err) {
          return { ok: false, reason: err instanceof Error ? err.message : String(err) };
        }
      },
    };
  },
  createSim: (cfg) => new VirtualPrinter(cfg.id),
  simActions: [
    { type: 'paper', label: '纸 paper' },
    { type: 'cover', label: '上盖 cover' },
    { type: 'cutter', label: '切刀 cutter' },
  ],
};
