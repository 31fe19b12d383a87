// Supervision figures from the hub's tables. The monthly cycle ends on the 25th (考核周期): the
// report for 2026-11 covers 2026-10-26 … 2026-11-25, by each hall's own business day.
import type pg from 'pg';
import { addInto, type DayFigures, emptyDay, onTimeRateOf, shown } from '../common/figures.js';
import { type CaseFigures, caseFigures, emptyFigures, sumFigures } from './case-figures.js';
import { figuresOfRow, SUM_FIGURES } from './hall-days.js';

export const HUB_TZ = 'Asia/Shanghai';

export function todayIn(tz = HUB_TZ, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function cycleOf(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error('month must be YYYY-MM');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const prev = new Date(Date.UTC(y, mo - 2, 26));
  const from = `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}-26`;
  return { from, to: `${m[1]}-${m[2]}-25` };
}

/** the cycle a day belongs to: the 26th and later count toward next month */
export function cycleMonthOf(day: string): string {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, mo - 1 + (d > 25 ? 1 : 0), 1));
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface HallMonthRow {
  hallId: string;
  hallName: string;
  city: string;
  lastSeenAt: Date | null;
  late: boolean;
  /** 办件量: services finished (common/figures.ts `served`) */
  tickets: number;
  issued: number;
  noShow: number;
  /** of tickets: being served when the day closed (counted as served, no handling time) */
  servedAtClose: number;
  avgWaitMin: number | null;
  /** 90 % of the cycle's waits were at most this (the wait histogram's bucket edge) */
  p90WaitMin: number | null;
  avgHandlingMin: number | null;
  levels: [number, number, number, number, number];
  notRated: number;
  rated: number;
  /** 好评率: 非常满意 + 满意 + 基本满意 over all ratings given */
  goodRate: number | null;
  /** 差评: levels 1–2 */
  bad: number;
  /** 整改 opened in the cycle that are closed or past their due day */
  rectDue: number;
  rectOnTime: number;
  onTimeRate: number | null;
  unresolvedOpened: number;
  unresolvedClosed: number;
  notices: number;
  acceptedWithMissing: number;
  /** 上门服务, 信访, 自查, 回访 and 容缺 follow-ups of the cycle */
  cases: CaseFigures;
  /** hall days with a daily summary in the cycle, and how many of them were revised after their close */
  days: number;
  revisedDays: number;
  /** the additive day sums behind the figures above (a city's or the province's total adds these) */
  sums: DayFigures;
}

const n = (v: unknown) => Number(v ?? 0);
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

/** the figures a hall row (or a total) shows, from its day sums: the same derivation as the hall's reports */
function fromSums(sums: DayFigures) {
  const s = shown(sums);
  return {
    tickets: s.served,
    issued: s.issued,
    noShow: s.noShow,
    servedAtClose: s.servedAtClose,
    avgWaitMin: minutes(s.waitMeanMs),
    p90WaitMin: minutes(s.waitP90Ms),
    avgHandlingMin: minutes(s.handlingMeanMs),
    levels: s.levels,
    notRated: s.notRated,
    rated: s.rated,
    goodRate: s.goodRate,
    bad: s.bad,
    notices: sums.notices,
  };
}

export async function monthlyReport(
  pool: pg.Pool,
  month: string,
  opts: { city?: string | null; hallId?: string; today?: string; lateMinutes?: number; now?: number } = {},
): Promise<{ month: string; from: string; to: string; rows: HallMonthRow[] }> {
  const { from, to } = cycleOf(month);
  const today = opts.today ?? todayIn();
  const lateMs = (opts.lateMinutes ?? 120) * 60_000;
  // Each part reads only the halls asked for: one hall, a city's halls, or the province.
  const halls = `($4::text IS NULL OR hall_id IN (SELECT id FROM halls WHERE city = $4)) AND ($5::text IS NULL OR hall_id = $5)`;
  // the case figures run beside the day sums, on another pooled connection
  const caseFiguresP = caseFigures(pool, from, to, today, opts.city ?? null, opts.hallId ?? null);
  caseFiguresP.catch(() => {}); // awaited below; if the first query throws, this one's error is not unhandled
  const r = await pool.query(
    `WITH hd AS (
       SELECT hall_id, count(*) AS days, count(*) FILTER (WHERE revision > 1) AS revised_days, ${SUM_FIGURES}
       FROM hall_days WHERE day BETWEEN $1::date AND $2::date AND ${halls}
       GROUP BY hall_id
     ), cs AS (
       -- 整改 outcomes as common/figures.ts rectOutcome: due = closed or past due; on time = closed by the due day
       SELECT hall_id,
         count(*) FILTER (WHERE kind = 'rectification' AND (state = 'closed' OR due_day < $3::date)) AS rect_due,
         count(*) FILTER (WHERE kind = 'rectification' AND state = 'closed' AND closed_day <= due_day) AS rect_on_time,
         count(*) FILTER (WHERE kind = 'unresolved') AS unresolved_opened,
         count(*) FILTER (WHERE kind = 'unresolved' AND state = 'closed') AS unresolved_closed,
         count(*) FILTER (WHERE kind = 'acceptedWithMissing') AS accepted
       FROM cases WHERE opened_day BETWEEN $1::date AND $2::date AND kind IN ('rectification', 'unresolved', 'acceptedWithMissing')
         AND ${halls}
       GROUP BY hall_id
     )
     SELECT h.id, h.name, h.city, h.last_seen_at, hd.*, cs.*
     FROM halls h LEFT JOIN hd ON hd.hall_id = h.id LEFT JOIN cs ON cs.hall_id = h.id
     WHERE ($4::text IS NULL OR h.city = $4) AND ($5::text IS NULL OR h.id = $5)
     ORDER BY h.city, h.id`,
    [from, to, today, opts.city ?? null, opts.hallId ?? null],
  );
  const figures = await caseFiguresP;
  const now = opts.now ?? Date.now();
  const rows = r.rows.map((x): HallMonthRow => {
    const sums = figuresOfRow(x);
    const rectDue = n(x.rect_due);
    const rectOnTime = n(x.rect_on_time);
    return {
      hallId: x.id,
      hallName: x.name,
      city: x.city,
      lastSeenAt: x.last_seen_at,
      late: !x.last_seen_at || now - new Date(x.last_seen_at).getTime() > lateMs,
      ...fromSums(sums),
      rectDue,
      rectOnTime,
      onTimeRate: onTimeRateOf(rectOnTime, 0, rectDue - rectOnTime),
      unresolvedOpened: n(x.unresolved_opened),
      unresolvedClosed: n(x.unresolved_closed),
      // 容缺 accepted: each acceptance is a case the hall sends as it happens, so a hall whose day is
      // not summarised yet still shows it (the day's summary counts the same acceptances)
      acceptedWithMissing: n(x.accepted),
      cases: figures.get(x.id) ?? emptyFigures(),
      days: n(x.days),
      revisedDays: n(x.revised_days),
      sums,
    };
  });
  return { month, from, to, rows };
}

/** per-city totals of hall rows: the halls' day sums added, then shown as for one hall */
export function cityTotals(rows: HallMonthRow[]): (HallMonthRow & { halls: number })[] {
  const by = new Map<string, HallMonthRow[]>();
  for (const r of rows) by.set(r.city, [...(by.get(r.city) ?? []), r]);
  return [...by.entries()].map(([city, rs]) => {
    const sum = (f: (r: HallMonthRow) => number) => rs.reduce((a, r) => a + f(r), 0);
    const sums = emptyDay();
    for (const r of rs) addInto(sums, r.sums);
    const rectDue = sum((r) => r.rectDue);
    const rectOnTime = sum((r) => r.rectOnTime);
    return {
      hallId: '',
      hallName: '',
      city,
      halls: rs.length,
      lastSeenAt: null,
      late: rs.some((r) => r.late),
      ...fromSums(sums),
      rectDue,
      rectOnTime,
      onTimeRate: onTimeRateOf(rectOnTime, 0, rectDue - rectOnTime),
      unresolvedOpened: sum((r) => r.unresolvedOpened),
      unresolvedClosed: sum((r) => r.unresolvedClosed),
      acceptedWithMissing: sum((r) => r.acceptedWithMissing),
      cases: sumFigures(rs.map((r) => r.cases)),
      days: sum((r) => r.days),
      revisedDays: sum((r) => r.revisedDays),
      sums,
    };
  });
}

export type CaseKind = 'rectification' | 'unresolved' | 'homeVisit' | 'petition' | 'selfCheck' | 'revisit' | 'acceptedWithMissing';

export interface CaseRow {
  hallId: string;
  hallName: string;
  city: string;
  caseId: string;
  kind: CaseKind;
  openedDay: string;
  dueDay: string;
  state: string;
  counter: string | null;
  staffId: string | null;
  service: string | null;
  level: number | null;
  ticketId: string | null;
  /** 信访: the level it is reported at (hall, county, city, province) */
  escalation: string | null;
  /** due day before today and still open */
  overdue: boolean;
}

/**
 * counts of case rows per hall and per city (key `city:<name>`), one count per group: e.g.
 * { overdue, open } for the overview's 整改 and 办不成事 columns. A hall or city without rows is absent.
 */
export function countPerHallAndCity<K extends string>(groups: Record<K, CaseRow[]>): Map<string, Record<K, number>> {
  const kinds = Object.keys(groups) as K[];
  const out = new Map<string, Record<K, number>>();
  for (const k of kinds)
    for (const c of groups[k])
      for (const key of [c.hallId, `city:${c.city}`]) {
        const e = out.get(key) ?? (Object.fromEntries(kinds.map((x) => [x, 0])) as Record<K, number>);
        e[k]++;
        out.set(key, e);
      }
  return out;
}

const day = (d: unknown) =>
  d instanceof Date ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : String(d);

/** open cases of one or more kinds, e.g. overdue 整改 (due before today), open 办不成事, overdue 容缺 */
export async function openCases(
  pool: pg.Pool,
  opts: { city?: string | null; hallId?: string; kind: CaseKind | readonly CaseKind[]; overdueOnly?: boolean; today?: string },
): Promise<CaseRow[]> {
  const today = opts.today ?? todayIn();
  const r = await pool.query(
    `SELECT c.*, h.name, h.city FROM cases c JOIN halls h ON h.id = c.hall_id
     WHERE c.state = 'open' AND c.kind = ANY($1::text[]) AND ($2::text IS NULL OR h.city = $2) AND ($3::text IS NULL OR c.hall_id = $3)
       AND (NOT $4 OR c.due_day < $5::date)
     ORDER BY c.due_day, c.hall_id, c.case_id LIMIT 500`,
    [
      typeof opts.kind === 'string' ? [opts.kind] : [...opts.kind],
      opts.city ?? null,
      opts.hallId ?? null,
      opts.overdueOnly ?? false,
      today,
    ],
  );
  return r.rows.map((x) => ({
    hallId: x.hall_id,
    hallName: x.name,
    city: x.city,
    caseId: x.case_id,
    kind: x.kind,
    openedDay: day(x.opened_day),
    dueDay: day(x.due_day),
    state: x.state,
    counter: x.counter,
    staffId: x.staff_id,
    service: x.service,
    level: x.level,
    ticketId: x.ticket_id,
    escalation: x.escalation,
    overdue: day(x.due_day) < today,
  }));
}

export interface LiveWaitRow {
  hallId: string;
  hallName: string;
  city: string;
  service: string;
  serviceName: string;
  waiting: number;
  estimateMinutes: number | null;
  openCounters: number;
  at: string;
  /** no update for 10 minutes: the hall may be closed or offline */
  stale: boolean;
}

export async function liveWait(pool: pg.Pool, opts: { city?: string; service?: string } = {}): Promise<LiveWaitRow[]> {
  const r = await pool.query(
    `SELECT h.id, h.name, h.city, w.service, w.name AS service_name, w.waiting, w.estimate_minutes, w.open_counters, w.at,
            w.at < now() - interval '10 minutes' AS stale
     FROM live_wait w JOIN halls h ON h.id = w.hall_id
     WHERE ($1::text IS NULL OR h.city = $1) AND ($2::text IS NULL OR w.service = $2)
     ORDER BY h.city, w.service, w.estimate_minutes NULLS LAST, h.id`,
    [opts.city ?? null, opts.service ?? null],
  );
  return r.rows.map((x) => ({
    hallId: x.id,
    hallName: x.name,
    city: x.city,
    service: x.service,
    serviceName: x.service_name,
    waiting: x.waiting,
    estimateMinutes: x.estimate_minutes,
    openCounters: x.open_counters,
    at: new Date(x.at).toISOString(),
    stale: x.stale,
  }));
}

/** refused batches per hall and reason; a city supervisor sees only that city's halls */
export async function rejectionCounts(pool: pg.Pool, city: string | null): Promise<{ hallId: string; reason: string; count: number }[]> {
  const r = await pool.query(
    `SELECT r.hall_id, r.reason, r.count FROM rejections r LEFT JOIN halls h ON h.id = r.hall_id
     WHERE $1::text IS NULL OR h.city = $1 ORDER BY r.count DESC LIMIT 200`,
    [city],
  );
  return r.rows.map((x) => ({ hallId: x.hall_id, reason: x.reason, count: Number(x.count) }));
}
