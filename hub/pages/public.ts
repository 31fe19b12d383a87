// 分流 / 就近办: every hall's current wait per service, public (no login) — numbers only, no people.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import Type from 'typebox';
import { LIVE_STATE, liveWaitNow } from '../live.js';
import { esc, page } from './html.js';

const query = Type.Object(
  { city: Type.Optional(Type.String({ maxLength: 40 })), service: Type.Optional(Type.String({ maxLength: 40 })) },
  { additionalProperties: false },
);

export function publicRoutes(app: FastifyInstance, pool: pg.Pool, opts: { silentMinutes?: number } = {}): void {
  const liveWait = (q: { city?: string; service?: string }) => liveWaitNow(pool, { ...q, silentMinutes: opts.silentMinutes });
  app.get('/api/v1/live-wait', { schema: { querystring: query } }, async (request, reply) => {
    const q = request.query as { city?: string; service?: string };
    reply.header('cache-control', 'public, max-age=5');
    return { halls: await liveWait(q) };
  });

  app.get('/live', { schema: { querystring: query } }, async (request, reply) => {
    const q = request.query as { city?: string; service?: string };
    const rows = await liveWait(q);
    const services = [...new Map(rows.map((r) => [r.service, r.serviceName])).entries()];
    const body = `
<p class="big">选择等候时间短的大厅办理，就近办、少排队。数据随各大厅叫号实时更新；已闭厅或暂停服务的大厅不显示排队人数。</p>
<form method="get" action="/live">
  <label>业务 <select name="service"><option value="">全部</option>${services
    .map(([id, name]) => `<option value="${esc(id)}"${q.service === id ? ' selected' : ''}>${esc(name)}</option>`)
    .join('')}</select></label>
  <button type="submit">查看</button>
</form>
<table><thead><tr><th class="l">城市</th><th class="l">大厅</th><th class="l">业务</th><th>等候人数</th><th>预计等候</th><th>开放窗口</th><th class="l">更新时间</th></tr></thead><tbody>
${rows
  .map(
    (
      r,
    ) => `<tr${r.state === 'open' ? '' : ' class="closed"'}><td class="l">${esc(r.city)}</td><td class="l">${esc(r.hallName)}</td><td class="l">${esc(r.serviceName)}</td>
${
  r.state === 'open'
    ? `<td>${r.waiting}</td><td>${r.estimateMinutes === null ? '暂无窗口办理' : `约${r.estimateMinutes}分钟`}</td><td>${r.openCounters}</td>`
    : `<td colspan="3" class="l stale">${LIVE_STATE[r.state].zh}</td>`
}
<td class="l">${esc(new Date(r.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }))}</td></tr>`,
  )
  .join('')}
</tbody></table>`;
    reply.type('text/html; charset=utf-8');
    return page('户政大厅实时等候', body);
  });
}
