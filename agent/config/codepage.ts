// Configured text a ticket printer cannot print. Cheap ESC/POS printers carry a GBK font only: a rare
// name character (CJK extension B such as 𠮷) in a hall, service or material name comes out as
// garbage on every ticket and notice slip. The text is known at load, so the loader warns once —
// a warning, not an error: the hall still runs, and a GB18030 printer may be on order.
import { type CodePage, textOutsideCodePage } from '../../drivers/protocols/escpos.js';
import type { RawHallConfig } from './schema.js';

/** every configured text that goes on paper, with its key path */
function printedTexts(raw: RawHallConfig): [path: string, text: string][] {
  const out: [string, string][] = [['hall.name', raw.hall.name]];
  (raw.hall.notices ?? []).forEach((n, i) => {
    out.push([`hall.notices[${i}].zh`, n.zh], [`hall.notices[${i}].en`, n.en]);
  });
  raw.services.forEach((s, i) => {
    out.push([`services[${i}].name.zh`, s.name.zh], [`services[${i}].name.en`, s.name.en]);
    s.materials.forEach((m, j) => {
      out.push([`services[${i}].materials[${j}].name.zh`, m.name.zh], [`services[${i}].materials[${j}].name.en`, m.name.en]);
    });
  });
  return out;
}

/**
 * One warning per printer code page and text that does not fit it, naming the file, the key path and
 * the characters. Printers without `codePage` are taken as GBK: that is what the encoder's GB18030
 * bytes look like to them for every character GBK has, and the rest is what goes wrong.
 */
export function codePageWarnings(raw: RawHallConfig, file: string): string[] {
  const pages = new Map<CodePage, string[]>();
  (raw.devices ?? []).forEach((d, i) => {
    if (d.kind !== 'ticketPrinter') return;
    const cp: CodePage = d.options?.codePage === 'gb18030' ? 'gb18030' : 'gbk';
    pages.set(cp, [...(pages.get(cp) ?? []), `devices[${i}] "${d.id}"`]);
  });
  const printers = pages.get('gbk');
  if (!printers) return [];
  const warnings: string[] = [];
  for (const [path, text] of printedTexts(raw)) {
    const bad = textOutsideCodePage(text, 'gbk');
    if (bad.length === 0) continue;
    warnings.push(
      `${file}: ${path}: the characters ${bad.map((c) => `"${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} are outside the GBK code page of ${printers.join(', ')} and will print as garbage; use other characters, or set options.codePage: gb18030 on a printer with a GB18030 font`,
    );
  }
  return warnings;
}
