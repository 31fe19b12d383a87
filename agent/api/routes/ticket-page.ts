// The page a citizen's phone opens from the ticket QR code (390 px wide phones first).
// Server-rendered so it shows the state at once on any phone; a small script then follows the
// ticket's event stream (ticket-live.ts; a 10 s re-read of GET /api/v1/tickets/:id/status where
// there is none, and when the phone wakes up) and updates the page in place — no meta refresh,
// which reloads the page under a screen reader's feet.
// A transferred ticket is followed to its new waiting entry (same number, new service).
import Type from 'typebox';
import type { HallConfig } from '../../config/load.js';
import type { HallContext } from '../../context.js';
import { END_REASON } from '../../../common/vocabulary.js';
import { hm } from '../../queue/hours.js';
import type { Ticket } from '../../queue/types.js';
import { ticketIdFromPublic } from '../../security/ticket-ids.js';
import { ApiError } from '../errors.js';
import { RATE_JS } from './ticket-rate-js.js';
import { ticketLiveRoutes } from './ticket-live.js';
import type { TypedApp } from '../server.js';

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

const POLL_SECONDS = 10;
/** a transfer chain longer than this is a bug, not a citizen's day */
const MAX_HOPS = 20;

export interface TicketStatus {
  id: string;
  number: string;
  service: string;
  serviceName: string;
  state: Ticket['state'];
  stateText: string;
  counter: string | null;
  /** true when the ticket was transferred on the way here */
  transferred: boolean;
  waitingAhead: number | null;
  estimateMinutes: number | null;
  /** the numbers now called at the counters that serve this ticket */
  nowCalling: { counter: string; number: string }[];
  /** a ticket the hall's day ended: what to do now, with the hall's next opening */
  note: string | null;
  updatedAt: number;
}

/** An ended ticket (its day closed before it was served) says so, and when the hall opens again. */
function endedNote(ctx: HallContext, t: Ticket): { stateText: string; note: string } | undefined {
  const reason = t.state === 'cancelled' ? t.cancelReason : undefined;
  if (reason === undefined || reason === 'cancelled') return undefined;
  const status = ctx.engine.calendarStatus();
  const next = status.calendarOpen
    ? '大厅现正开放，请重新取号'
    : status.nextOpening !== undefined
      ? `下次开放：${hm(status.nextOpening, ctx.config.hall.timezone)}，届时请重新取号`
      : '请留意大厅公告，开放后重新取号';
  return { stateText: END_REASON[reason].zh, note: `此号已失效。${next}` };
}

/** the ticket as the citizen sees it: after transfers, its latest entry */
export function ticketStatus(ctx: HallContext, id: string): TicketStatus | undefined {
  const { engine } = ctx;
  let t = engine.getTicket(id);
  if (!t) return undefined;
  let hops = 0;
  while (t.state === 'transferred' && t.transferredTo && hops++ < MAX_HOPS) {
    const next = engine.getTicket(t.transferredTo);
    if (!next) break;
    t = next;
  }
  const service = ctx.config.services.find((s) => s.id === t.service);
  const pos = t.state === 'waiting' ? engine.position(t.id) : undefined;
  const snap = engine.snapshot();
  const serving = ctx.config.counters.filter((c) =>
    t.targetCounter ? c.id === t.targetCounter : t.counter && t.state !== 'waiting' ? c.id === t.counter : c.services.includes(t.service),
  );
  const nowCalling: TicketStatus['nowCalling'] = [];
  for (const c of serving) {
    const live = snap.counters.find((x) => x.id === c.id);
    if (live?.current && (live.current.state === 'called' || live.current.state === 'serving')) {
      nowCalling.push({ counter: c.id, number: live.current.number });
    }
  }
  return {
    id: t.id,
    number: t.number,
    service: t.service,
    serviceName: service?.name.zh ?? t.service,
    state: t.state,
    stateText: STATE_TEXT[t.state],
    counter: t.counter ?? t.targetCounter ?? null,
    transferred: t.id !== id,
    waitingAhead: pos?.waitingAhead ?? null,
    estimateMinutes: pos?.estimateMinutes ?? null,
    nowCalling,
    note: null,
    updatedAt: Date.now(),
    ...endedNote(ctx, t),
  };
}

const hhmmss = (ms: number, tz: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);

/** the changing part of the page; the same markup is built by the script below from the JSON */
function statusHtml(s: TicketStatus, tz: string): string {
  const where = s.counter && s.state !== 'waiting' ? ` · ${escapeHtml(s.counter)}号窗口` : '';
  const calling = s.nowCalling.length
    ? s.nowCalling.map((c) => `<li><b>${escapeHtml(c.number)}</b> 号 → ${escapeHtml(c.counter)}号窗口</li>`).join('')
    : '<li>暂无</li>';
  return `<p class="num">${escapeHtml(s.number)}</p>
<p>${escapeHtml(s.serviceName)}${s.transferred ? '（已转办至此业务）' : ''}</p>
<p class="big" data-state="${s.state}">${escapeHtml(s.stateText)}${where}</p>
${s.note !== null ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}
${s.waitingAhead !== null ? `<p>前面还有 <b>${s.waitingAhead}</b> 人，预计等候约 <b>${s.estimateMinutes ?? 0}</b> 分钟</p>` : ''}
<h2>正在叫号</h2><ul class="calling">${calling}</ul>
<p class="upd">更新于 <time>${hhmmss(s.updatedAt, tz)}</time></p>`;
}

export function ticketStatusPage(config: HallConfig, status: TicketStatus | undefined): string {
  const tz = config.hall.timezone;
  const body = status
    ? `<main><div id="status" data-id="${escapeHtml(status.id)}" data-tz="${escapeHtml(tz)}" aria-live="polite">${statusHtml(status, tz)}</div>
<p class="off" id="offline" hidden>网络中断，显示的是上次的状态</p>
<button type="button" id="sound" class="sound" hidden>开启声音提醒</button>
<section id="rate" hidden aria-labelledby="rate-title"></section></main>
<script src="/t/-/status.js" defer></script><script src="/t/-/rate.js" defer></script>`
    : '<main><p class="big">没有找到这张号票</p></main>';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>号票状态 · ${escapeHtml(config.hall.name)}</title>
<style>body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;background:#fff;color:#111;margin:0;padding:20px;font-size:22px;line-height:1.5;text-align:center;overflow-wrap:anywhere}
h1{font-size:24px;margin:0 0 8px}h2{font-size:22px;margin:16px 0 4px}.num{font-size:72px;font-weight:800;margin:8px 0;color:#b00000}.big{font-size:30px;font-weight:700}
.calling{list-style:none;margin:0;padding:0}.calling b{color:#b00000}.upd{color:#333;font-size:18px}.note{font-weight:700;border:3px solid #b00000;border-radius:8px;padding:8px}.off{background:#fff3cd;color:#111;border-radius:8px;padding:8px}.sound,#rate button{font:inherit;min-height:48px;padding:6px 14px;margin:4px;border-radius:10px;border:2px solid #0b3d91;background:#fff;color:#0b3d91}#rate{margin-top:16px;border-top:2px solid #ccc}#rate .lv{display:flex;flex-direction:column;align-items:stretch}#rate .why label{display:inline-block;margin:4px 8px}#rate button.send{background:#0b3d91;color:#fff}footer{margin-top:24px;font-size:18px;color:#333}</style></head>
<body><header><h1>${escapeHtml(config.hall.name)}</h1></header>${body}
<footer>咨询电话 ${escapeHtml(config.hall.phones.consult)} · 投诉电话 ${escapeHtml(config.hall.phones.complaint)}</footer></body></html>`;
}

/** the page's script: served as a file, so a strict Content-Security-Policy (script-src 'self') allows it */
const STATUS_JS = `(() => {
  const main = document.getElementById('status');
  if (!main) return;
  const id = main.dataset.id, tz = main.dataset.tz, off = document.getElementById('offline');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const time = (ms) => new Intl.DateTimeFormat('zh-CN', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);
  let lastState = null;
  function render(s) {
    const where = s.counter && s.state !== 'waiting' ? ' · ' + esc(s.counter) + '号窗口' : '';
    const calling = s.nowCalling.length ? s.nowCalling.map((c) => '<li><b>' + esc(c.number) + '</b> 号 → ' + esc(c.counter) + '号窗口</li>').join('') : '<li>暂无</li>';
    main.innerHTML = '<p class="num">' + esc(s.number) + '</p><p>' + esc(s.serviceName) + (s.transferred ? '（已转办至此业务）' : '') + '</p>' +
      '<p class="big" data-state="' + esc(s.state) + '">' + esc(s.stateText) + where + '</p>' +
      (s.note !== null ? '<p class="note">' + esc(s.note) + '</p>' : '') +
      (s.waitingAhead !== null ? '<p>前面还有 <b>' + s.waitingAhead + '</b> 人，预计等候约 <b>' + (s.estimateMinutes || 0) + '</b> 分钟</p>' : '') +
      '<h2>正在叫号</h2><ul class="calling">' + calling + '</ul><p class="upd">更新于 <time>' + time(s.updatedAt) + '</time></p>';
    if (s.state === 'called' && lastState !== null && lastState !== 'called') alertCalled();
    lastState = s.state;
    // rate.js may load after the first status under a slow network: it reads the last one itself
    window.hallqLastStatus = s;
    if (window.hallqTicket) window.hallqTicket.rate(s);
  }
  // 叫号提醒: vibration and a tone where the phone allows (a tone needs one tap first: 开启声音提醒)
  let audio = null;
  const sound = document.getElementById('sound');
  if (sound) {
    sound.hidden = !(window.AudioContext || window.webkitAudioContext);
    sound.addEventListener('click', () => {
      try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); sound.textContent = '声音提醒已开启'; sound.disabled = true; } catch {}
    });
  }
  function alertCalled() {
    document.documentElement.dataset.called = String(Date.now());
    try { if (navigator.vibrate) navigator.vibrate([400, 200, 400]); } catch {}
    try {
      if (audio && audio.state === 'running') {
        for (const [i, f] of [[0, 880], [0.35, 660]]) {
          const o = audio.createOscillator(), g = audio.createGain();
          o.frequency.value = f; g.gain.value = 0.3; o.connect(g); g.connect(audio.destination);
          o.start(audio.currentTime + i); o.stop(audio.currentTime + i + 0.3);
        }
      }
    } catch {}
  }
  let timer;
  async function poll() {
    clearTimeout(timer);
    try {
      const r = await fetch('/api/v1/tickets/' + encodeURIComponent(id) + '/status', { cache: 'no-store' });
      if (r.ok) { render(await r.json()); off.hidden = true; }
    } catch { off.hidden = false; }
    timer = setTimeout(poll, ${POLL_SECONDS * 1000});
  }
  // live: the ticket's own event stream, pushed on every queue change; the 10 s re-read is the fallback
  if (window.EventSource) {
    const es = new EventSource('/api/v1/tickets/' + encodeURIComponent(id) + '/events');
    es.addEventListener('open', () => { main.dataset.live = 'stream'; });
    es.addEventListener('status', (e) => { off.hidden = true; clearTimeout(timer); render(JSON.parse(e.data)); });
    es.addEventListener('error', () => { off.hidden = es.readyState !== EventSource.CLOSED ? off.hidden : false; if (es.readyState === EventSource.CLOSED) timer = setTimeout(poll, ${POLL_SECONDS * 1000}); });
  } else timer = setTimeout(poll, ${POLL_SECONDS * 1000});
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
})();
`;

export function ticketPageRoutes(app: TypedApp, ctx: HallContext): void {
  const params = Type.Object({ id: Type.String({ maxLength: 200 }) });
  // Only the tagged public id (agent/security/ticket-ids.ts) opens a ticket: nobody reaches one by
  // counting dates and numbers, and the page and its JSON never carry the internal id.
  const statusOf = (publicId: string): TicketStatus | undefined => {
    const internal = ticketIdFromPublic(ctx.config.hall.secret, publicId);
    const status = internal ? ticketStatus(ctx, internal) : undefined;
    return status && { ...status, id: publicId };
  };
  app.get('/t/-/status.js', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return STATUS_JS;
  });
  app.get('/t/-/rate.js', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return RATE_JS;
  });
  ticketLiveRoutes(app, ctx);
  app.get('/t/:id', { config: { access: 'public' }, schema: { hide: true, params } }, async (request, reply) => {
    const status = statusOf(request.params.id);
    reply.type('text/html; charset=utf-8');
    if (!status) reply.status(404);
    return ticketStatusPage(ctx.config, status);
  });
  app.get(
    '/api/v1/tickets/:id/status',
    {
      config: { access: 'public' },
      schema: {
        tags: ['tickets'],
        summary:
          'What the ticket QR page shows (by the public id printed in the QR code): the latest entry after transfers, people ahead, numbers now called',
        params,
      },
    },
    async (request, reply) => {
      const status = statusOf(request.params.id);
      if (!status) throw new ApiError(404, 'ticket_not_found', '没有找到这张号票', 'No such ticket');
      reply.header('cache-control', 'no-store');
      return status;
    },
  );
}
