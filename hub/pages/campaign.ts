// Campaign cases (上门服务, 信访, 自查, 回访) and 容缺 on the supervision pages: the cycle's figures
// per hall and city, and the lists of open and overdue cases. Supervisors only, like every page
// in supervision.ts: the `who` check comes from there.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import Type from 'typebox';
import { CAMPAIGN_KINDS } from '../case-figures.js';
import type { Supervisor } from '../registry.js';
import { type CaseRow, countPerHallAndCity, type HallMonthRow, openCases, todayIn } from '../reports.js';
import { esc, page, scrollTable } from './html.js';

export const KIND_ZH: Record<string, string> = {
  rectification: '整改',
  unresolved: '办不成事',
  homeVisit: '上门服务',
  petition: '信访',
  selfCheck: '自查',
  revisit: '抽样回访',
  acceptedWithMissing: '容缺',
};
export const ESCALATION_ZH: Record<string, string> = { hall: '大厅', county: '县(区)局', city: '市局', province: '省厅' };

/** per hall (or `city:<name>` for a city row): campaign cases and 容缺 overdue today */
export type OverdueCounts = Map<string, { campaign: number; accepted: number }>;

export function overdueCounts(campaign: CaseRow[], accepted: CaseRow[]): OverdueCounts {
  return countPerHallAndCity({ campaign: campaign.filter((x) => x.overdue), accepted: accepted.filter((x) => x.overdue) });
}

/** the cycle's figures; rows as in hallTable (a city row has hallId '') */
export function campaignTable(rows: (HallMonthRow & { halls?: number })[], withCity: boolean, overdue?: OverdueCounts): string {
  const head = `<tr>${withCity ? '<th class="l" rowspan="2">城市</th>' : ''}<th class="l" rowspan="2">大厅</th>
<th style="text-align:center" colspan="2">上门服务</th><th style="text-align:center" colspan="3">信访</th><th style="text-align:center" colspan="2">自查</th><th style="text-align:center" colspan="2">抽样回访</th>
<th style="text-align:center" colspan="3">回访结果</th><th style="text-align:center" colspan="3">容缺受理</th>${overdue ? '<th rowspan="2">当前逾期<br>专项案件</th><th rowspan="2">当前逾期<br>容缺</th>' : ''}</tr>
<tr><th>新增</th><th>办结</th><th>新增</th><th>办结</th><th>逐级上报</th><th>新增</th><th>办结</th><th>新增</th><th>办结</th>
<th>满意</th><th>不满意</th><th>未联系上</th><th>受理</th><th>补齐</th><th>逾期未补齐</th></tr>`;
  const body = rows
    .map((r) => {
      const isCity = r.hallId === '';
      const f = r.cases;
      const name = isCity ? `${esc(r.city)} 合计` : `<a href="/halls/${encodeURIComponent(r.hallId)}">${esc(r.hallName)}</a>`;
      const o = overdue?.get(isCity ? `city:${r.city}` : r.hallId) ?? { campaign: 0, accepted: 0 };
      const cells = [
        f.homeVisitOpened,
        f.homeVisitClosed,
        f.petitionOpened,
        f.petitionClosed,
        f.petitionEscalated,
        f.selfCheckOpened,
        f.selfCheckClosed,
        f.revisitOpened,
        f.revisitClosed,
        f.callbackSatisfied,
        f.callbackUnsatisfied,
        f.callbackNotReached,
        r.acceptedWithMissing,
        f.acceptedCompleted,
      ];
      return `<tr${isCity ? ' class="city"' : ''}>${withCity ? `<td class="l">${isCity ? '' : esc(r.city)}</td>` : ''}<td class="l">${name}</td>
${cells.map((v) => `<td>${v}</td>`).join('')}<td${f.acceptedOverdue ? ' class="late"' : ''}>${f.acceptedOverdue}</td>${
        overdue
          ? `<td${o.campaign ? ' class="late"' : ''}>${o.campaign}</td><td${o.accepted ? ' class="late"' : ''}>${o.accepted}</td>`
          : ''
      }</tr>`;
    })
    .join('');
  return scrollTable('专项工作与容缺', `<table><thead>${head}</thead><tbody>${body}</tbody></table>`);
}

export function campaignCaseTable(rows: CaseRow[], title: string, today: string): string {
  if (rows.length === 0) return `<h2>${esc(title)}</h2><p>无</p>`;
  return `<h2>${esc(title)}（${rows.length}）</h2>${scrollTable(
    title,
    `<table><thead><tr><th class="l">大厅</th><th class="l">类别</th><th class="l">编号</th>
<th class="l">开立</th><th class="l">期限</th><th class="l">状态</th><th class="l">上报层级</th><th class="l">窗口</th><th class="l">工号</th>
<th class="l">业务</th></tr></thead><tbody>${rows
      .map((c) => {
        const late = c.dueDay < today;
        return `<tr><td class="l">${esc(c.hallName)}</td><td class="l">${esc(KIND_ZH[c.kind] ?? c.kind)}</td><td class="l">${esc(c.caseId)}</td>
<td class="l">${esc(c.openedDay)}</td><td class="l${late ? ' late' : ''}">${esc(c.dueDay)}</td><td class="l${late ? ' late' : ''}">${late ? '逾期' : '办理中'}</td>
<td class="l">${esc(c.escalation ? (ESCALATION_ZH[c.escalation] ?? c.escalation) : '')}</td><td class="l">${esc(c.counter ?? '')}</td>
<td class="l">${esc(c.staffId ?? '')}</td><td class="l">${esc(c.service ?? '')}</td></tr>`;
      })
      .join('')}</tbody></table>`,
  )}`;
}

export interface CaseLists {
  today: string;
  /** every open 上门服务 / 信访 / 自查 / 回访 case, earliest due first; `overdue` marks those past due */
  openCampaign: CaseRow[];
  /** 容缺 past the follow-up date with the materials still missing */
  overdueAccepted: CaseRow[];
}

export async function caseLists(pool: pg.Pool, opts: { city: string | null; hallId?: string; today?: string }): Promise<CaseLists> {
  const today = opts.today ?? todayIn();
  const scope = { city: opts.city, today, ...(opts.hallId ? { hallId: opts.hallId } : {}) };
  const [openCampaign, overdueAccepted] = await Promise.all([
    openCases(pool, { ...scope, kind: CAMPAIGN_KINDS }),
    openCases(pool, { ...scope, kind: 'acceptedWithMissing', overdueOnly: true }),
  ]);
  return { today, openCampaign, overdueAccepted };
}

/** the overview shows only what is overdue; a hall's page and /cases also the open cases not yet due */
export function caseListsHtml(l: CaseLists, overdueOnly = false): string {
  return `${campaignCaseTable(
    l.openCampaign.filter((c) => c.overdue),
    '逾期专项案件（上门服务、信访、自查、回访）',
    l.today,
  )}${
    overdueOnly
      ? ''
      : campaignCaseTable(
          l.openCampaign.filter((c) => !c.overdue),
          '办理中的专项案件（未到期）',
          l.today,
        )
  }${campaignCaseTable(l.overdueAccepted, '容缺逾期未补齐', l.today)}`;
}

type Who = (request: FastifyRequest, reply: FastifyReply) => Promise<Supervisor | null>;

/** GET /cases: open and overdue campaign cases and overdue 容缺 of the supervisor's halls (one hall with ?hall=) */
export function campaignRoutes(app: FastifyInstance, pool: pg.Pool, who: Who, nav: string, today: () => string = () => todayIn()): void {
  app.get(
    '/cases',
    {
      schema: {
        querystring: Type.Object(
          {
            hall: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const s = await who(request, reply);
      if (!s) return reply;
      const q = request.query as { hall?: string; format?: string };
      const lists = await caseLists(pool, { city: s.city, today: today(), ...(q.hall ? { hallId: q.hall } : {}) });
      if (q.format === 'json') return lists;
      reply.type('text/html; charset=utf-8');
      return page(
        '专项案件与容缺',
        `<p>${esc(s.city ?? '全省')}${q.hall ? ` · ${esc(q.hall)}` : ''} · 截至 ${esc(lists.today)}</p>${caseListsHtml(lists)}`,
        nav,
      );
    },
  );
}
