// Supervision pages (zh-CN), supervisors only: overview per city and hall, a hall's open cases,
// the monthly report with CSV/XLSX export. A supervisor bound to a city sees only that city.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import Type from 'typebox';
import { toCsv, toXlsx } from '../export.js';
import { clearLogin, reserveLogin, safeNext } from '../login-lock.js';
import { login, logout, type Supervisor, SESSION_HOURS, sessionUser } from '../registry.js';
import {
  type CaseRow,
  cityTotals,
  countPerHallAndCity,
  cycleMonthOf,
  type HallMonthRow,
  monthlyReport,
  openCases,
  rejectionCounts,
  todayIn,
} from '../reports.js';
import { campaignRoutes, campaignTable, caseLists, caseListsHtml, overdueCounts } from './campaign.js';
import { esc, num, page, pct, scrollTable } from './html.js';

const COOKIE = 'hub_session';

/** sign-ins per address: a burst, then one every `everyMs` */
class AddressBucket {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst: number,
    private readonly everyMs: number,
  ) {}
  take(key: string): boolean {
    if (this.buckets.size > 10_000) this.buckets.clear();
    const t = Date.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) / this.everyMs);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function cookieOf(request: FastifyRequest): string | undefined {
  const raw = request.headers.cookie ?? '';
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const NAV = `<a href="/">总览</a><a href="/reports/monthly">月度考核</a><a href="/cases">专项案件</a><a href="/live">实时等候</a>
<form class="inline" method="post" action="/logout"><button type="submit">退出</button></form>`;

function hallTable(
  rows: (HallMonthRow & { halls?: number })[],
  withCity: boolean,
  extra?: Map<string, { overdue: number; open: number }>,
): string {
  const head = `<tr>${withCity ? '<th class="l">城市</th>' : ''}<th class="l">大厅</th><th>办件量</th><th>平均等候(分)</th><th>90%等候(分)</th>
<th>非常满意</th><th>满意</th><th>基本满意</th><th>不满意</th><th>非常不满意</th><th>未评价</th><th>好评率</th><th>差评</th>
<th>整改按期率</th>${extra ? '<th>逾期整改</th><th>办不成事未结</th>' : ''}<th>办不成事 新增/办结</th><th class="l">同步</th></tr>`;
  const body = rows
    .map((r) => {
      const isCity = r.hallId === '';
      const x = extra?.get(isCity ? `city:${r.city}` : r.hallId);
      const name = isCity
        ? `${esc(r.city)} 合计（${r.halls}个大厅）`
        : `<a href="/halls/${encodeURIComponent(r.hallId)}">${esc(r.hallName)}</a>`;
      const sync = isCity
        ? r.late
          ? '<span class="late">有大厅同步延迟</span>'
          : '正常'
        : r.late
          ? '<span class="late">同步延迟</span>'
          : '正常';
      return `<tr${isCity ? ' class="city"' : ''}>${withCity ? `<td class="l">${isCity ? '' : esc(r.city)}</td>` : ''}<td class="l">${name}</td>
<td>${r.tickets}</td><td>${num(r.avgWaitMin)}</td><td>${num(r.p90WaitMin)}</td>${[4, 3, 2, 1, 0].map((i) => `<td>${r.levels[i]}</td>`).join('')}<td>${r.notRated}</td>
<td>${pct(r.goodRate)}</td><td>${r.bad}</td><td>${pct(r.onTimeRate)}</td>${x ? `<td${x.overdue ? ' class="late"' : ''}>${x.overdue}</td><td>${x.open}</td>` : extra ? '<td></td><td></td>' : ''}
<td>${r.unresolvedOpened} / ${r.unresolvedClosed}</td><td class="l">${sync}</td></tr>`;
    })
    .join('');
  return scrollTable('各大厅考核指标', `<table><thead>${head}</thead><tbody>${body}</tbody></table>`);
}

function caseTable(rows: CaseRow[], title: string): string {
  if (rows.length === 0) return `<h2>${esc(title)}</h2><p>无</p>`;
  return `<h2>${esc(title)}（${rows.length}）</h2>${scrollTable(
    title,
    `<table><thead><tr><th class="l">大厅</th><th class="l">编号</th><th class="l">开立</th>
<th class="l">期限</th><th class="l">窗口</th><th class="l">工号</th><th class="l">业务</th></tr></thead><tbody>${rows
      .map(
        (c) => `<tr><td class="l">${esc(c.hallName)}</td><td class="l">${esc(c.caseId)}</td><td class="l">${esc(c.openedDay)}</td>
<td class="l late">${esc(c.dueDay)}</td><td class="l">${esc(c.counter ?? '')}</td><td class="l">${esc(c.staffId ?? '')}</td><td class="l">${esc(c.service ?? '')}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  )}`;
}

export function supervisionRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  opts: { lateMinutes: number; secureCookie: boolean; now?: () => number },
): void {
  const now = opts.now ?? Date.now;
  const hubToday = () => todayIn(undefined, new Date(now()));
  const perAddress = new AddressBucket(20, 6000);

  const who = async (request: FastifyRequest, reply: FastifyReply): Promise<Supervisor | null> => {
    const s = await sessionUser(pool, cookieOf(request));
    if (!s) {
      // Pages go to the login form; data (export) answers 401.
      if (request.url.includes('format=')) reply.status(401).send({ error: { code: 'login_required', message: '请先登录' } });
      else reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
      return null;
    }
    return s;
  };

  app.get('/login', async (request, reply) => {
    const q = request.query as { next?: string; error?: string };
    reply.type('text/html; charset=utf-8');
    const next = safeNext(q.next);
    return page(
      '户政服务监管平台 · 登录',
      `${q.error ? '<p class="error" role="alert">用户名或密码错误</p>' : ''}
<form method="post" action="/login"><input type="hidden" name="next" value="${esc(next)}">
<p><label>用户名 <input name="username" autocomplete="username" required></label></p>
<p><label>密码 <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">登录</button></p></form>`,
    );
  });

  app.post('/login', async (request, reply) => {
    const tooMany = (retryAfterS: number) =>
      reply
        .status(429)
        .header('retry-after', String(retryAfterS))
        .type('text/html; charset=utf-8')
        .send(page('登录', `<p class="error">错误次数过多，请${Math.ceil(retryAfterS / 60)}分钟后再试</p>`));
    // per address: a bucket taken before anything is hashed, so parallel requests cannot outrun it
    if (!perAddress.take(request.ip)) return tooMany(10);
    const b = (request.body ?? {}) as Record<string, unknown>;
    const username = typeof b.username === 'string' ? b.username.slice(0, 60) : '';
    const password = typeof b.password === 'string' ? b.password.slice(0, 200) : '';
    const next = safeNext(b.next);
    if (!username || !password) return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
    const reserved = await reserveLogin(pool, username);
    if (reserved.locked) return tooMany(reserved.retryAfterS);
    const token = await login(pool, username, password);
    if (!token) return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
    await clearLogin(pool, username);
    reply.header(
      'set-cookie',
      `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_HOURS * 3600}${opts.secureCookie ? '; Secure' : ''}`,
    );
    return reply.redirect(next);
  });

  app.post('/logout', async (request, reply) => {
    await logout(pool, cookieOf(request));
    reply.header('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.redirect('/login');
  });

  app.get('/', async (request, reply) => {
    const s = await who(request, reply);
    if (!s) return reply;
    const today = hubToday();
    const month = cycleMonthOf(today);
    const [report, overdue, openU, lists] = await Promise.all([
      monthlyReport(pool, month, { city: s.city, today, lateMinutes: opts.lateMinutes, now: now() }),
      openCases(pool, { city: s.city, kind: 'rectification', overdueOnly: true, today }),
      openCases(pool, { city: s.city, kind: 'unresolved', today }),
      caseLists(pool, { city: s.city, today }),
    ]);
    const extra = countPerHallAndCity({ overdue, open: openU });
    const rows: (HallMonthRow & { halls?: number })[] = [];
    const totals = cityTotals(report.rows);
    for (const t of totals) rows.push(t, ...report.rows.filter((r) => r.city === t.city));
    const late = report.rows.filter((r) => r.late);
    const rej = await rejectionCounts(pool, s.city);
    reply.type('text/html; charset=utf-8');
    return page(
      '户政服务监管平台',
      `<p>${esc(s.city ?? '全省')} · 本考核周期 ${report.from} 至 ${report.to}（每月25日截止）</p>
${late.length ? `<p class="late" role="alert">同步延迟的大厅（超过${opts.lateMinutes}分钟未上报）：${late.map((r) => esc(r.hallName)).join('、')}</p>` : ''}
${hallTable(rows, true, extra)}
${caseTable(overdue, '逾期未整改')}
${caseTable(openU, '办不成事（未办结）')}
<h2>专项工作与容缺（本考核周期）</h2>
${campaignTable(rows, true, overdueCounts(lists.openCampaign, lists.overdueAccepted))}
${caseListsHtml(lists, true)}
${
  rej.length
    ? `<h2>拒收记录</h2>${scrollTable(
        '拒收记录',
        `<table><thead><tr><th class="l">大厅</th><th class="l">原因</th><th>次数</th></tr></thead><tbody>${rej
          .map((r) => `<tr><td class="l">${esc(r.hallId || '（未知）')}</td><td class="l">${esc(r.reason)}</td><td>${r.count}</td></tr>`)
          .join('')}</tbody></table>`,
      )}`
    : ''
}`,
      NAV,
    );
  });

  app.get('/halls/:id', { schema: { params: Type.Object({ id: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const s = await who(request, reply);
    if (!s) return reply;
    const { id } = request.params as { id: string };
    const today = hubToday();
    const report = await monthlyReport(pool, cycleMonthOf(today), {
      city: s.city,
      hallId: id,
      today,
      lateMinutes: opts.lateMinutes,
      now: now(),
    });
    const row = report.rows.find((r) => r.hallId === id);
    if (!row)
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(page('未找到', '<p>没有该大厅，或不在您的管辖范围内。</p>', NAV));
    const rect = await openCases(pool, { hallId: id, kind: 'rectification', today });
    const unresolved = await openCases(pool, { hallId: id, kind: 'unresolved', today });
    const lists = await caseLists(pool, { city: s.city, hallId: id, today });
    reply.type('text/html; charset=utf-8');
    return page(
      row.hallName,
      `<p>${esc(row.city)} · ${esc(row.hallId)} · 最近上报：${row.lastSeenAt ? esc(new Date(row.lastSeenAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })) : '从未'}
${row.late ? '<span class="late">（同步延迟）</span>' : ''}</p>
<p>本周期日汇总 ${row.days} 天${row.revisedDays ? `，其中 ${row.revisedDays} 天在日结后有修订（迟到的评价计入办件当日）` : ''}</p>${hallTable([row], false)}
${caseTable(
  rect.filter((c) => c.dueDay < today),
  '逾期未整改',
)}${caseTable(
  rect.filter((c) => c.dueDay >= today),
  '整改中（未到期）',
)}
${caseTable(unresolved, '办不成事（未办结）')}
<h2>专项工作与容缺（本考核周期）</h2>
${campaignTable([row], false, overdueCounts(lists.openCampaign, lists.overdueAccepted))}
${caseListsHtml(lists)}`,
      NAV,
    );
  });

  app.get(
    '/reports/monthly',
    {
      schema: {
        querystring: Type.Object(
          {
            month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('json')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const s = await who(request, reply);
      if (!s) return reply;
      const q = request.query as { month?: string; format?: string };
      const today = hubToday();
      const month = q.month ?? cycleMonthOf(today);
      const report = await monthlyReport(pool, month, { city: s.city, today, lateMinutes: opts.lateMinutes, now: now() });
      const file = `hallq-monthly-${month}`;
      if (q.format === 'json') return report;
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}.csv"`)
          .send(toCsv(report.rows));
      if (q.format === 'xlsx')
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${file}.xlsx"`)
          .send(await toXlsx(report.rows, `月度考核 ${report.from} 至 ${report.to}`));
      const rows: (HallMonthRow & { halls?: number })[] = [];
      for (const t of cityTotals(report.rows)) rows.push(t, ...report.rows.filter((r) => r.city === t.city));
      reply.type('text/html; charset=utf-8');
      return page(
        `月度考核 ${month}`,
        `<form method="get" action="/reports/monthly"><label>考核月份 <input name="month" value="${esc(month)}" pattern="\\d{4}-\\d{2}"></label>
<button type="submit">查看</button></form>
<p>周期 ${report.from} 至 ${report.to}（上月26日至本月25日） · 导出：<a href="?month=${esc(month)}&format=csv">CSV</a> · <a href="?month=${esc(month)}&format=xlsx">Excel</a></p>
${hallTable(rows, true)}
<h2>专项工作与容缺</h2>
${campaignTable(rows, true)}`,
        NAV,
      );
    },
  );

  campaignRoutes(app, pool, who, NAV, hubToday);
}
