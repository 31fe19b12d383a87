// Campaign (上门服务, 信访, 自查, 回访) and 容缺 figures of a cycle, from the cases table.
// Each figure counts what happened in the cycle by the hall's business day: a case opened on
// 11-20 and closed on 11-27 is "opened" in the 11 cycle and "closed" in the 12 cycle, so summing
// cycles never counts a case twice in one column.
import type pg from 'pg';

export const CAMPAIGN_KINDS = ['homeVisit', 'petition', 'selfCheck', 'revisit'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

export interface CaseFigures {
  homeVisitOpened: number;
  homeVisitClosed: number;
  petitionOpened: number;
  petitionClosed: number;
  /** 逐级上报: petitions that went above the hall (county, city, province) in the cycle */
  petitionEscalated: number;
  selfCheckOpened: number;
  selfCheckClosed: number;
  revisitOpened: number;
  revisitClosed: number;
  /** 回访 of any campaign case, by its latest callback in the cycle */
  callbackSatisfied: number;
  callbackUnsatisfied: number;
  callbackNotReached: number;
  /** 容缺: materials brought (followUpDone) in the cycle */
  acceptedCompleted: number;
  /** 容缺 whose follow-up date fell in the cycle and passed, materials still missing */
  acceptedOverdue: number;
}

export function emptyFigures(): CaseFigures {
  return Object.fromEntries(CASE_FIGURE_KEYS.map((k) => [k, 0])) as unknown as CaseFigures;
}

const IN = (col: string) => `${col} BETWEEN $1::date AND $2::date`;
const CAMPAIGN = `kind IN ('homeVisit', 'petition', 'selfCheck', 'revisit')`;
const SELECT: Record<keyof CaseFigures, string> = {
  homeVisitOpened: `kind = 'homeVisit' AND ${IN('opened_day')}`,
  homeVisitClosed: `kind = 'homeVisit' AND state = 'closed' AND ${IN('closed_day')}`,
  petitionOpened: `kind = 'petition' AND ${IN('opened_day')}`,
  petitionClosed: `kind = 'petition' AND state = 'closed' AND ${IN('closed_day')}`,
  petitionEscalated: `kind = 'petition' AND ${IN('escalated_day')}`,
  selfCheckOpened: `kind = 'selfCheck' AND ${IN('opened_day')}`,
  selfCheckClosed: `kind = 'selfCheck' AND state = 'closed' AND ${IN('closed_day')}`,
  revisitOpened: `kind = 'revisit' AND ${IN('opened_day')}`,
  revisitClosed: `kind = 'revisit' AND state = 'closed' AND ${IN('closed_day')}`,
  callbackSatisfied: `${CAMPAIGN} AND ${IN('callback_day')} AND satisfied IS TRUE`,
  callbackUnsatisfied: `${CAMPAIGN} AND ${IN('callback_day')} AND satisfied IS FALSE`,
  callbackNotReached: `${CAMPAIGN} AND ${IN('callback_day')} AND satisfied IS NULL`,
  acceptedCompleted: `kind = 'acceptedWithMissing' AND state = 'closed' AND ${IN('closed_day')}`,
  acceptedOverdue: `kind = 'acceptedWithMissing' AND state = 'open' AND ${IN('due_day')} AND due_day < $3::date`,
};
/** the figures in report order (CSV and XLSX columns follow it) */
export const CASE_FIGURE_KEYS = Object.keys(SELECT) as (keyof CaseFigures)[];
const column = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const FIGURES_SQL = `
  SELECT hall_id, ${CASE_FIGURE_KEYS.map((k) => `count(*) FILTER (WHERE ${SELECT[k]}) AS ${column(k)}`).join(',\n    ')}
  FROM cases
  WHERE kind IN ('homeVisit', 'petition', 'selfCheck', 'revisit', 'acceptedWithMissing')
    AND ($4::text IS NULL OR hall_id IN (SELECT id FROM halls WHERE city = $4)) AND ($5::text IS NULL OR hall_id = $5)
    AND (${['opened_day', 'closed_day', 'escalated_day', 'callback_day', 'due_day'].map(IN).join(' OR ')})
  GROUP BY hall_id`;

/** hall id → figures of the cycle from … to (inclusive); halls without any case are absent */
export async function caseFigures(
  pool: pg.Pool,
  from: string,
  to: string,
  today: string,
  city: string | null = null,
  hallId: string | null = null,
): Promise<Map<string, CaseFigures>> {
  const r = await pool.query(FIGURES_SQL, [from, to, today, city, hallId]);
  const out = new Map<string, CaseFigures>();
  for (const x of r.rows) {
    out.set(x.hall_id, Object.fromEntries(CASE_FIGURE_KEYS.map((k) => [k, Number(x[column(k)] ?? 0)])) as unknown as CaseFigures);
  }
  return out;
}

export function sumFigures(list: CaseFigures[]): CaseFigures {
  const out = emptyFigures();
  for (const f of list) for (const k of CASE_FIGURE_KEYS) out[k] += f[k];
  return out;
}
