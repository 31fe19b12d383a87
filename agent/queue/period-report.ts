// Monthly (campaign cycle) and daily reports: pure figures over the rows of a period. The store
// reads the rows (agent/store); this file only counts, so a test can recompute every figure.
import type { CampaignCase } from './campaign-types.js';
import type { StoredTicket } from './store.js';
import {
  addCampaignOpened,
  addRating,
  addTicket,
  type DayFigures,
  emptyDay,
  followUpOverdue,
  onTimeRateOf,
  rectOutcome,
  shown,
} from '../../common/figures.js';
import { ticketFact } from './figures-facts.js';
import { dayOf } from './time.js';
import type { AcceptedWithMissing, NoticeRecord, Rating, RatingLevel, Rectification, UnresolvedReport } from './types.js';

export interface PeriodRows {
  tickets: StoredTicket[];
  ratings: Rating[];
  rectifications: Rectification[];
  notices: NoticeRecord[];
  accepted: AcceptedWithMissing[];
  unresolved: UnresolvedReport[];
  campaign: CampaignCase[];
}

export interface Figures {
  /** first entries issued (service and totals only; null for counters and staff) */
  issued: number | null;
  served: number;
  /** of served: being served when the day closed (办结于闭厅; no handling time, no rating) */
  servedAtClose: number;
  /** 过号 and never served */
  noShows: number;
  waitMeanMs: number | null;
  waitP90Ms: number | null;
  handlingMeanMs: number | null;
  /** issued (service, totals) or served (counter, staff) tickets by channel */
  channels: { normal: number; green: number; senior: number; appointment: number; schoolBatch: number };
  ratings: { byLevel: Record<RatingLevel, number>; rated: number; notRated: number; bad: number; goodRate: number | null };
  rectifications: { opened: number; closedOnTime: number; closedLate: number; openOverdue: number; onTimeRate: number | null };
  notices: number;
  rongque: { cases: number; completed: number; overdue: number };
  unresolved: { open: number; closed: number };
  homeVisits: number;
  petitions: number;
  /** 自查 and 回访 cases opened */
  selfChecks: number;
  revisits: number;
}

export interface ReportRow extends Figures {
  key: string;
  name: string;
}

export interface PeriodReport {
  kind: 'monthly' | 'daily';
  /** "2026-11" or "2026-11-27" */
  period: string;
  from: string;
  to: string;
  generatedAt: number;
  totals: Figures;
  /** the additive sums behind `totals` (common/figures.ts): what the daily summary sends upward */
  sums: DayFigures;
  byService: ReportRow[];
  byCounter: ReportRow[];
  byStaff: ReportRow[];
}

/** The campaign cycle of a month: the day after `cycleEndDay` of the previous month to `cycleEndDay`. */
export function cycleOf(month: string, cycleEndDay: number): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = (yy: number, mm: number) => new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  if (cycleEndDay >= 28 && cycleEndDay >= last(y, m)) return { from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${pad(last(y, m))}` };
  const py = m === 1 ? y - 1 : y;
  const pm = m === 1 ? 12 : m - 1;
  const start = Math.min(cycleEndDay, last(py, pm)) + 1;
  const from = start > last(py, pm) ? `${y}-${pad(m)}-01` : `${py}-${pad(pm)}-${pad(start)}`;
  return { from, to: `${y}-${pad(m)}-${pad(Math.min(cycleEndDay, last(y, m)))}` };
}

/** The month whose cycle contains a day. */
export function monthOfDay(day: string, cycleEndDay: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (d <= cycleEndDay) return day.slice(0, 7);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** exact 90th percentile of a list (kept for callers outside the reports; reports use figures.p90Of) */
export function p90(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(0.9 * s.length) - 1]!;
}

/** One group's sums: the hall-day figures of common/figures.ts plus the case outcomes as of today. */
class Acc {
  readonly day: DayFigures = emptyDay();
  /** counters and staff count channels of what they served, services and totals of what was issued */
  constructor(readonly channels: 'issued' | 'served') {}
  rect = { opened: 0, closedOnTime: 0, closedLate: 0, openOverdue: 0 };
  rongque = { cases: 0, completed: 0, overdue: 0 };
  unresolved = { open: 0, closed: 0 };

  figures(withIssued: boolean): Figures {
    const d = this.day;
    const s = shown(d);
    return {
      issued: withIssued ? d.issued : null,
      served: s.served,
      servedAtClose: s.servedAtClose,
      noShows: s.noShow,
      waitMeanMs: s.waitMeanMs,
      waitP90Ms: s.waitP90Ms,
      handlingMeanMs: s.handlingMeanMs,
      channels: { normal: d.chNormal, green: d.chGreen, senior: d.chSenior, appointment: d.chAppointment, schoolBatch: d.chSchoolBatch },
      ratings: {
        byLevel: { 1: d.l1, 2: d.l2, 3: d.l3, 4: d.l4, 5: d.l5 },
        rated: s.rated,
        notRated: s.notRated,
        bad: s.bad,
        goodRate: s.goodRate,
      },
      rectifications: { ...this.rect, onTimeRate: onTimeRateOf(this.rect.closedOnTime, this.rect.closedLate, this.rect.openOverdue) },
      notices: d.notices,
      rongque: { ...this.rongque },
      unresolved: { ...this.unresolved },
      homeVisits: d.homeVisitOpened,
      petitions: d.petitionOpened,
      selfChecks: d.selfCheckOpened,
      revisits: d.revisitOpened,
    };
  }
}

export function buildPeriodReport(
  rows: PeriodRows,
  o: {
    kind: 'monthly' | 'daily';
    period: string;
    from: string;
    to: string;
    today: string;
    now: number;
    timezone: string;
    names: { service: Map<string, string>; counter: Map<string, string>; staff: Map<string, string> };
  },
): PeriodReport {
  const total = new Acc('issued');
  const groups = { service: new Map<string, Acc>(), counter: new Map<string, Acc>(), staff: new Map<string, Acc>() };
  const at = (g: keyof typeof groups, key: string | undefined): Acc | undefined => {
    if (key === undefined) return undefined;
    let a = groups[g].get(key);
    if (!a) {
      a = new Acc(g === 'service' ? 'issued' : 'served');
      groups[g].set(key, a);
    }
    return a;
  };
  const each = (keys: { service?: string; counter?: string; staff?: string }, fn: (a: Acc) => void) => {
    fn(total);
    for (const g of ['service', 'counter', 'staff'] as const) {
      const a = at(g, keys[g]);
      if (a) fn(a);
    }
  };
  const inPeriod = (day: string) => day >= o.from && day <= o.to;
  const dayOfMs = (ms: number) => dayOf(ms, o.timezone);

  for (const t of rows.tickets) {
    if (!inPeriod(t.day)) continue;
    const fact = ticketFact(t, o.timezone);
    // A ticket's figures go to its service; the counter and staff member who last held it get them too
    // (its wait included: the counter that called it ended that wait).
    each({ service: t.service, counter: t.counter, staff: t.staffId }, (a) => addTicket(a.day, fact, a.channels));
  }
  for (const r of rows.ratings) {
    if (!inPeriod(r.day)) continue;
    each({ service: r.service, counter: r.counter, staff: r.staffId }, (a) => addRating(a.day, r.level));
  }
  const ratingService = new Map(rows.ratings.map((r) => [r.ticketId, r.service]));
  for (const z of rows.rectifications) {
    if (!inPeriod(dayOfMs(z.openedAt))) continue;
    const outcome = rectOutcome(z.dueDay, z.closedAt === undefined ? undefined : dayOfMs(z.closedAt), o.today);
    each({ service: ratingService.get(z.ticketId), counter: z.counter, staff: z.staffId }, (a) => {
      a.rect.opened++;
      a.day.rectOpened++;
      if (outcome === 'onTime') a.rect.closedOnTime++;
      else if (outcome === 'late') a.rect.closedLate++;
      else if (outcome === 'openOverdue') a.rect.openOverdue++;
    });
  }
  for (const n of rows.notices)
    if (inPeriod(n.day)) each({ service: n.service, counter: n.counter, staff: n.staffId }, (a) => a.day.notices++);
  for (const c of rows.accepted) {
    if (!inPeriod(c.day)) continue;
    each({ service: c.service, counter: c.counter, staff: c.staffId }, (a) => {
      a.day.acceptedWithMissing++;
      a.rongque.cases++;
      if (c.completedAt !== undefined) a.rongque.completed++;
      else if (followUpOverdue(c.followUpDate, false, o.today)) a.rongque.overdue++;
    });
  }
  for (const u of rows.unresolved) {
    if (!inPeriod(u.day)) continue;
    each({ service: u.service, staff: u.assignedTo }, (a) => {
      a.day.unresolvedOpened++;
      a.unresolved[u.state]++;
    });
  }
  for (const c of rows.campaign) {
    if (!inPeriod(c.day)) continue;
    each({ service: c.service, staff: c.assignedTo }, (a) => addCampaignOpened(a.day, c.kind));
  }
  const rowsOf = (g: keyof typeof groups) =>
    [...groups[g].entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, a]) => ({ key, name: o.names[g].get(key) ?? key, ...a.figures(g === 'service') }));
  return {
    kind: o.kind,
    period: o.period,
    from: o.from,
    to: o.to,
    generatedAt: o.now,
    totals: total.figures(true),
    sums: total.day,
    byService: rowsOf('service'),
    byCounter: rowsOf('counter'),
    byStaff: rowsOf('staff'),
  };
}
