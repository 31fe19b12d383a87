// Ticket (号票) and one-time notice slip (一次性告知单) layouts as vendor-neutral print blocks. The
// device host wraps them to the printer's paper (58 mm = 32 columns, 80 mm = 48) and turns them into
// the printer's bytes — never an A4 page.
import type { PrintBlock } from '../../drivers/host/contract.js';
import type { Channel, ServiceDef, Ticket } from '../queue/types.js';

export interface HallInfo {
  name: string;
  phones: { consult: string; complaint: string };
  /** QR = ticketUrlBase + ticket.id */
  ticketUrlBase: string;
  /** the ticket's status URL when the hall gives tickets public ids (agent/security); else ticketUrlBase + id */
  ticketUrl?: (ticket: Ticket) => string;
  /** IANA zone for the printed time; default Asia/Shanghai */
  timezone?: string;
}

export const CHANNEL_MARK: Record<Channel, string | undefined> = {
  normal: undefined,
  senior: '老年人优先',
  green: '绿色通道',
  appointment: '网上预约',
};

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD HH:mm in the hall's zone: the agent PC's own clock zone may differ (servers often run UTC). */
export function localTime(ms: number, timeZone = 'Asia/Shanghai'): string {
  // one formatter per zone: building an Intl.DateTimeFormat per ticket was on the kiosk's print path (profile)
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function ticketLayout(o: {
  ticket: Ticket;
  service?: ServiceDef;
  hall: HallInfo;
  waitingAhead?: number;
  estimateMinutes?: number;
  /** 80 mm paper gets a larger number */
  paperWidth?: unknown;
}): PrintBlock[] {
  const blocks: PrintBlock[] = [
    { op: 'text', text: o.hall.name, align: 'center', bold: true },
    // double height at normal width: a long service name still fits a 58 mm line
    { op: 'text', text: o.service?.name.zh ?? o.ticket.service, align: 'center', height: 2 },
    { op: 'text', text: o.ticket.number, align: 'center', size: o.paperWidth === 80 ? 3 : 2, bold: true },
  ];
  const mark = CHANNEL_MARK[o.ticket.channel];
  if (mark) blocks.push({ op: 'text', text: `【${mark}】`, align: 'center', bold: true });
  blocks.push({ op: 'rule' });
  if (o.waitingAhead !== undefined) blocks.push({ op: 'text', text: `您前面还有 ${o.waitingAhead} 人等候` });
  if (o.estimateMinutes !== undefined) blocks.push({ op: 'text', text: `预计等候约 ${o.estimateMinutes} 分钟` });
  blocks.push(
    { op: 'text', text: `取号时间 ${localTime(o.ticket.issuedAt, o.hall.timezone)}` },
    { op: 'qr', data: o.hall.ticketUrl?.(o.ticket) ?? o.hall.ticketUrlBase + o.ticket.id, align: 'center' },
    { op: 'text', text: '微信扫码查看排队进度', align: 'center' },
    { op: 'rule' },
    { op: 'text', text: `咨询电话 ${o.hall.phones.consult}` },
    { op: 'text', text: `投诉电话 ${o.hall.phones.complaint}` },
    { op: 'text', text: '请留意叫号，过号请到服务台', align: 'center' },
    { op: 'feed', lines: 3 },
    { op: 'cut' },
  );
  return blocks;
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
}): PrintBlock[] {
  const text = (t: string, bold?: boolean): PrintBlock => (bold ? { op: 'text', text: t, bold } : { op: 'text', text: t });
  const blocks: PrintBlock[] = [
    { op: 'text', text: '一次性告知单', align: 'center', size: 2, bold: true },
    { op: 'text', text: o.hall.name, align: 'center' },
    { op: 'rule' },
    text(`办理事项：${o.service?.name.zh ?? o.serviceId}`, true),
    text('您还需补齐以下材料：'),
  ];
  o.missingMaterialIds.forEach((id, i) => {
    const m = o.service?.materials.find((x) => x.id === id);
    blocks.push(text(`${i + 1}. ${m?.name.zh ?? id}`));
    if (m?.source) blocks.push(text(`   获取：${m.source.zh}`));
  });
  blocks.push({ op: 'rule' }, text(`窗口：${o.counter}号窗口`));
  if (o.staffId) blocks.push(text(`工号：${o.staffId}`));
  if (o.ticketNumber) blocks.push(text(`号码：${o.ticketNumber}`));
  blocks.push(
    text(`日期：${localTime(o.now, o.hall.timezone).slice(0, 10)}`),
    text('材料补齐后可直接到窗口办理，无需重新排队'),
    ...(o.returnCode ? [text(`回执码：${o.returnCode.slice(0, 4)}-${o.returnCode.slice(4)}（取号机输入，直达原窗口）`, true)] : []),
    text(`咨询电话 ${o.hall.phones.consult}`),
    text(`投诉电话 ${o.hall.phones.complaint}`),
    { op: 'feed', lines: 3 },
    { op: 'cut' },
  );
  return blocks;
}
