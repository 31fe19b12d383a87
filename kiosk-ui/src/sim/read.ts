// GET /api/v1/sim is device-specific; this reads it leniently into what the page draws.
// Accepted: { devices: [...] } | [...] | { [id]: {...} }; printer pages as PrinterEvent lists
// (drivers/protocols/escpos-decode.ts) or plain text lines.
export type PrintItem =
  | { type: 'line'; text: string; size: string; align: string; bold: boolean }
  | { type: 'qr'; data: string; align: string }
  | { type: 'cut' };

export interface SimDevice {
  id: string;
  kind: string;
  counter?: string;
  status?: string;
  pages: PrintItem[][];
  lines: string[];
  digits?: string;
  paper?: string;
  coverOpen?: boolean;
  lastRating?: number;
  protocol?: string;
  /** the controls its protocol's registry entry offers (drivers/registry): paper, cover, press, rate, idcard … */
  actions?: string[];
  raw: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function item(e: unknown): PrintItem | undefined {
  if (typeof e === 'string') return { type: 'line', text: e, size: '1x1', align: 'left', bold: false };
  const o = obj(e);
  if (o.type === 'line' || (o.type === undefined && typeof o.text === 'string'))
    return {
      type: 'line',
      text: String(o.text ?? ''),
      size: String(o.size ?? '1x1'),
      align: String(o.align ?? 'left'),
      bold: Boolean(o.bold),
    };
  if (o.type === 'qr') return { type: 'qr', data: String(o.data ?? ''), align: String(o.align ?? 'center') };
  if (o.type === 'cut') return { type: 'cut' };
  return undefined;
}

/** a page is a PrinterEvent list, or drivers/sim/printer.ts's { lines, qr: string[], cut } */
function page(p: unknown): PrintItem[] {
  const o = obj(p);
  const list = Array.isArray(p) ? p : (o.events ?? o.items ?? o.lines);
  const items = Array.isArray(list) ? (list.map(item).filter(Boolean) as PrintItem[]) : [];
  if (Array.isArray(o.qr)) for (const q of o.qr) items.push({ type: 'qr', data: String(q), align: 'center' });
  if (o.cut === true) items.push({ type: 'cut' });
  return items;
}

/** a flat event stream is split into tickets at each cut */
function pagesOf(d: Obj): PrintItem[][] {
  const pages = d.pages ?? d.printed ?? d.tickets ?? d.jobs;
  if (Array.isArray(pages)) return pages.map(page).filter((p) => p.length);
  const events = d.events ?? d.output;
  if (!Array.isArray(events)) return [];
  const out: PrintItem[][] = [[]];
  for (const e of events) {
    const it = item(e);
    if (!it) continue;
    out[out.length - 1]!.push(it);
    if (it.type === 'cut') out.push([]);
  }
  return out.filter((p) => p.length);
}

function linesOf(d: Obj): string[] {
  const l = d.lines ?? d.text ?? d.screen ?? d.display;
  if (typeof l === 'string') return [l];
  if (Array.isArray(l)) return l.map((x) => (typeof x === 'string' ? x : String(obj(x).text ?? '')));
  return [];
}

export function readSim(raw: unknown): SimDevice[] {
  const r = raw && typeof raw === 'object' ? (raw as Obj) : {};
  let list: unknown[] = Array.isArray(raw) ? raw : Array.isArray(r.devices) ? r.devices : [];
  if (!list.length && !Array.isArray(raw)) list = Object.entries(r).map(([id, v]) => ({ id, ...obj(v) }));
  return list.map((x) => {
    const d = obj(x);
    const st = obj(d.state);
    const all = { ...st, ...d };
    return {
      id: String(all.id ?? all.deviceId ?? ''),
      kind: String(all.kind ?? ''),
      counter: all.counter != null ? String(all.counter) : undefined,
      status: typeof all.status === 'string' ? all.status : undefined,
      pages: pagesOf(all),
      lines: linesOf(all),
      digits: typeof all.digits === 'string' ? all.digits : undefined,
      paper: typeof all.paper === 'string' ? all.paper : undefined,
      coverOpen: typeof all.coverOpen === 'boolean' ? all.coverOpen : typeof all.cover === 'boolean' ? (all.cover as boolean) : undefined,
      lastRating: typeof all.lastRating === 'number' ? all.lastRating : undefined,
      protocol: typeof all.protocol === 'string' ? all.protocol : undefined,
      actions: Array.isArray(d.actions) ? d.actions.map(String) : undefined,
      raw: d,
    };
  });
}
