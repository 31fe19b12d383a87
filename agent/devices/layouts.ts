// Ticket (号票) and one-time notice slip (一次性告知单) layouts as ESC/POS commands, sized for
// 58 mm (32 columns) or 80 mm (48 columns) thermal paper — never an A4 page.
import type { EscPosCommand } from '../../drivers/protocols/escpos.js';
import type { Channel, ServiceDef, Ticket } from '../queue/types.js';

export interface HallInfo {
  name: string;
  phones: { consult: string; complaint: string };
  /** QR = ticketUrlBase + ticket.id */
  ticketUrlBase: string;
  /** IANA zone for the printed time; default Asia/Shanghai */
  timezone?: string;
}

export const CHANNEL_MARK: Record<Channel, string | undefined> = {
  normal: undefined,
  senior: '老年人优先',
  green: '绿色通道',
  appointment: '网上预约',
};

/** display columns: CJK and full-width characters take two */
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

/** YYYY-MM-DD HH:mm in the hall's zone: the agent PC's own clock zone may differ (servers often run UTC). */
export function localTime(ms: number, timeZone = 'Asia/Shanghai'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function paperColumns(paperWidth: unknown): number {
  return paperWidth === 80 ? 48 : 32;
}

export function ticketLayout(o: {
  ticket: Ticket;
  service?: ServiceDef;
  hall: HallInfo;
  waitingAhead?: number;
  estimateMinutes?: number;
  paperWidth?: unknown;
}): EscPosCommand[] {
  const cols = paperColumns(o.paperWidth);
  const big = cols >= 48 ? 3 : 2;
  const text = (t: string, extra: Partial<Extract<EscPosCommand, { op: 'text' }>> = {}): EscPosCommand[] =>
    wrap(t, Math.floor(cols / (extra.width ?? 1))).map((line) => ({ op: 'text', text: line, ...extra }));
  const cmds: EscPosCommand[] = [
    { op: 'init' },
    ...text(o.hall.name, { align: 'center', bold: true }),
    ...text(o.service?.name.zh ?? o.ticket.service, { align: 'center', height: 2 }),
    { op: 'text', text: o.ticket.number, align: 'center', width: big, height: big, bold: true },
  ];
  const mark = CHANNEL_MARK[o.ticket.channel];
  if (mark) cmds.push(...text(`【${mark}】`, { align: 'center', bold: true }));
  cmds.push({ op: 'text', text: '-'.repeat(cols) });
  if (o.waitingAhead !== undefined) cmds.push(...text(`您前面还有 ${o.waitingAhead} 人等候`));
  if (o.estimateMinutes !== undefined) cmds.push(...text(`预计等候约 ${o.estimateMinutes} 分钟`));
  cmds.push(
    ...text(`取号时间 ${localTime(o.ticket.issuedAt, o.hall.timezone)}`),
    { op: 'qr', data: o.hall.ticketUrlBase + o.ticket.id, moduleSize: cols >= 48 ? 6 : 5, align: 'center' },
    ...text('微信扫码查看排队进度', { align: 'center' }),
    { op: 'text', text: '-'.repeat(cols) },
    ...text(`咨询电话 ${o.hall.phones.consult}`),
    ...text(`投诉电话 ${o.hall.phones.complaint}`),
    ...text('请留意叫号，过号请到服务台', { align: 'center' }),
    { op: 'feed', lines: 3 },
    { op: 'cut', partial: true },
  );
  return cmds;
}

export function noticeLayout(o: {
  service?: ServiceDef;
  serviceId: string;
  missingMaterialIds: string[];
  counter: string;
  staffId?: string;
  ticketNumber?: string;
  returnCode?: string;
  hall: HallInfo;
  now: number;
  paperWidth?: unknown;
}): EscPosCommand[] {
  const cols = paperColumns(o.paperWidth);
  const text = (t: string, extra: Partial<Extract<EscPosCommand, { op: 'text' }>> = {}): EscPosCommand[] =>
    wrap(t, Math.floor(cols / (extra.width ?? 1))).map((line) => ({ op: 'text', text: line, ...extra }));
  const cmds: EscPosCommand[] = [
    { op: 'init' },
    ...text('一次性告知单', { align: 'center', width: 2, height: 2, bold: true }),
    ...text(o.hall.name, { align: 'center' }),
    { op: 'text', text: '-'.repeat(cols) },
    ...text(`办理事项：${o.service?.name.zh ?? o.serviceId}`, { bold: true }),
    ...text('您还需补齐以下材料：'),
  ];
  o.missingMaterialIds.forEach((id, i) => {
    const m = o.service?.materials.find((x) => x.id === id);
    cmds.push(...text(`${i + 1}. ${m?.name.zh ?? id}`));
    if (m?.source) cmds.push(...text(`   获取：${m.source.zh}`));
  });
  cmds.push({ op: 'text', text: '-'.repeat(cols) }, ...text(`窗口：${o.counter}号窗口`));
  if (o.staffId) cmds.push(...text(`工号：${o.staffId}`));
  if (o.ticketNumber) cmds.push(...text(`号码：${o.ticketNumber}`));
  cmds.push(
    ...text(`日期：${localTime(o.now, o.hall.timezone).slice(0, 10)}`),
    ...text('材料补齐后可直接到窗口办理，无需重新排队'),
    ...(o.returnCode ? text(`回执码：${o.returnCode.slice(0, 4)}-${o.returnCode.slice(4)}（取号机输入，直达原窗口）`, { bold: true }) : []),
    ...text(`咨询电话 ${o.hall.phones.consult}`),
    ...text(`投诉电话 ${o.hall.phones.complaint}`),
    { op: 'feed', lines: 3 },
    { op: 'cut', partial: true },
  );
  return cmds;
}
