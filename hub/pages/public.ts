// 分流 / 就近办: every hall's current wait per service, public (no login) — numbers only, no people.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import Type from 'typebox';
import { divertSuggestions, LIVE_STATE, liveWaitNow, type Suggestion } from '../live.js';
import { esc, page } from './html.js';

const query = Type.Object(
  { city: Type.Optional(Type.String({ maxLength: 40 })), service: Type.Optional(Type.String({ maxLength: 40 })) },
  { additionalProperties: false },
);

export function publicRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  opts: { silentMinutes?: number; divertMinutes?: number; now?: () => number } = {},
): void {
  const now = opts.now ?? Date.now;
  const liveWait = (q: { city?: string; service?: string }, at: number) =>
    liveWaitNow(pool, { ...q, silentMinutes: opts.silentMinutes, now: at });
  app.get('/api/v1/live-wait', { schema: { querystring: query } }, async (request, reply) => {
    const q = request.query as { city?: string; service?: string };
    reply.header('cache-control', 'public, max-age=5');
    // suggestions are looked for among every hall of the city, not only the rows asked for
    const at = now();
    const all = await liveWait({ service: q.service }, at);
    const tips = await divertSuggestions(pool, all, { minutes: opts.divertMinutes, now: at });
    return {
      halls: all.filter((r) => !q.city || r.city === q.city).map((r) => (tips.has(r) ? { ...r, suggestions: tips.get(r) } : r)),
    };
  });

  app.get('/live', { schema: { querystring: query } }, async (request, reply) => {
    const q = request.query as { city?: string; service?: string };
    // one read: the choices (every city, every service) come from the same rows as the list
    const at = now();
    const all = await liveWait({}, at);
    const rows = all.filter((r) => (!q.city || r.city === q.city) && (!q.service || r.service === q.service));
    const tips = await divertSuggestions(pool, all, { minutes: opts.divertMinutes, now: at });
    const divert = (r: (typeof rows)[number], list: Suggestion[]) =>
      `<tr class="divert"><td colspan="7" class="l" data-label="分流建议">等候较长，可到附近大厅：${list
        .map(
          (s) =>
            `<a href="/book/h/${encodeURIComponent(s.hallId)}?service=${encodeURIComponent(r.service)}">${esc(s.hallName)}</a>${
              s.estimateMinutes !== null ? ` 约${s.estimateMinutes}分钟` : ''
            }${s.freeSlot ? ` · 今天 ${esc(s.freeSlot)} 可预约` : ''}`,
        )
        .join('；')}</td></tr>`;
    const services = [...new Map(all.map((r) => [r.service, r.serviceName])).entries()];
    const cities = [...new Set(all.map((r) => r.city))];
    const option = (value: string, label: string, chosen?: string) =>
      `<option value="${esc(value)}"${chosen === value ? ' selected' : ''}>${esc(label)}</option>`;
    // A table on a desk screen, one card per hall and service on a phone (CSS below, no script):
    // each cell carries its column's name for the card.
    const body = `
<p class="big">选择等候时间短的大厅办理，就近办、少排队；也可<a href="/book">网上预约</a>。数据随各大厅叫号实时更新；已闭厅或暂停服务的大厅不显示排队人数。</p>
<form method="get" action="/live" class="live-filter" role="search">
  <label>城市 <select name="city"><option value="">全部城市</option>${cities.map((c) => option(c, c, q.city)).join('')}</select></label>
  <label>业务 <select name="service"><option value="">全部业务</option>${services.map(([id, name]) => option(id, name, q.service)).join('')}</select></label>
  <button type="submit">查看</button>
</form>
<p class="count">共 ${rows.length} 条${q.city || q.service ? `（${esc([q.city, services.find(([id]) => id === q.service)?.[1]].filter(Boolean).join(' · '))}）` : ''}</p>
<table class="live"><thead><tr><th class="l">城市</th><th class="l">大厅</th><th class="l">业务</th><th>等候人数</th><th>预计等候</th><th>开放窗口</th><th class="l">更新时间</th></tr></thead><tbody>
${rows
  .map(
    (
      r,
    ) => `<tr${r.state === 'open' ? '' : ' class="closed"'}><td class="l" data-label="城市">${esc(r.city)}</td><td class="l hall" data-label="大厅">${esc(r.hallName)}</td><td class="l" data-label="业务">${esc(r.serviceName)}</td>
${
  r.state === 'open'
    ? `<td data-label="等候人数">${r.waiting}</td><td data-label="预计等候">${r.estimateMinutes === null ? '暂无窗口办理' : `约${r.estimateMinutes}分钟`}</td><td data-label="开放窗口">${r.openCounters}</td>`
    : `<td colspan="3" class="l stale" data-label="状态">${LIVE_STATE[r.state].zh}</td>`
}
<td class="l" data-label="更新时间">${esc(new Date(r.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }))}</td></tr>${tips.has(r) ? divert(r, tips.get(r)!) : ''}`,
  )
  .join('')}
</tbody></table>`;
    reply.type('text/html; charset=utf-8');
    return page('户政大厅实时等候', body);
  });
}
