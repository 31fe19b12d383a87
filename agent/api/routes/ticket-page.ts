import type { HallConfig } from '../../config/load.js';
import type { ServiceDef, Ticket } from '../../queue/types.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STATE_TEXT: Record<Ticket['state'], string> = {
  waiting: '等候中',
  called: '已叫号，请到窗口',
  serving: '正在办理',
  done: '已办结',
  noShow: '已过号，请到导办台',
  transferred: '已转办',
  cancelled: '已取消',
};

/**
 * The page a citizen's phone opens from the ticket QR code. Server-rendered so it works on any
 * phone without loading the kiosk app; refreshes itself every 20 s.
 */
export function ticketStatusPage(
  config: HallConfig,
  ticket: Ticket | undefined,
  service: ServiceDef | undefined,
  position: { waitingAhead: number; estimateMinutes: number } | undefined,
): string {
  const body = !ticket
    ? '<p class="big">没有找到这张号票</p>'
    : `<p class="num">${escapeHtml(ticket.number)}</p>
<p>${escapeHtml(service?.name.zh ?? ticket.service)}</p>
<p class="big">${escapeHtml(STATE_TEXT[ticket.state])}${ticket.counter && ticket.state !== 'waiting' ? ` · ${escapeHtml(ticket.counter)}号窗口` : ''}</p>
${ticket.state === 'waiting' && position ? `<p>前面还有 <b>${position.waitingAhead}</b> 人，预计等候约 <b>${position.estimateMinutes}</b> 分钟</p>` : ''}`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="20">
<title>号票状态 · ${escapeHtml(config.hall.name)}</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#fff;color:#111;margin:0;padding:24px;font-size:22px;line-height:1.5;text-align:center}
.num{font-size:72px;font-weight:800;margin:8px 0;color:#b00000}.big{font-size:30px;font-weight:700}footer{margin-top:32px;font-size:18px;color:#333}</style></head>
<body><h1 style="font-size:24px">${escapeHtml(config.hall.name)}</h1>${body}
<footer>咨询电话 ${escapeHtml(config.hall.phones.consult)} · 投诉电话 ${escapeHtml(config.hall.phones.complaint)}</footer></body></html>`;
}
