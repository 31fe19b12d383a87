// QueueEngine: the public face of the 户政 hall queue. Synchronous by design — one action runs
// to completion inside one SQLite transaction before the next starts, which is what guarantees
// that two counters pressing 呼叫 at the same instant never get the same ticket.
import * as cases from './cases.js';
import * as actions from './counter-actions.js';
import { EngineCore, type EngineOptions, type Tx, publicCounter, publicTicket } from './core.js';
import { badRequest } from './errors.js';
import * as feedback from './feedback.js';
import { type IssueRequest, checkInInTx, importAppointmentsInTx, issueInTx, positionOf } from './issuing.js';
import * as reports from './reports.js';
import * as campaign from './campaign.js';
import type { CampaignCaseView, CampaignKind, EscalationLevel } from './campaign-types.js';
import type { CalendarStatus } from './calendar.js';
import type { DayCloseTrigger } from '../../common/vocabulary.js';
import { type ClosedDayRecord, type DayCloseHook, type DayCloseSummary, lastClosedDay } from './day-close.js';
import * as followups from './followups.js';
import { issueReturn } from './returns.js';
import { type PeriodReport, buildPeriodReport, cycleOf, monthOfDay } from './period-report.js';
import { dayOf, isValidDay } from './time.js';
import type { StoredCounter, StoredTicket } from './store.js';
import type {
  AcceptedWithMissing,
  AppointmentInput,
  CaseView,
  CounterState,
  HallStats,
  IssueResult,
  NoticeRecord,
  QueueEvent,
  QueueSnapshot,
  Rating,
  Ticket,
  UnresolvedReport,
} from './types.js';

export { QueueError } from './errors.js';
export type { EngineOptions } from './core.js';
export type { IssueRequest } from './issuing.js';
export type { CaseFilter } from './cases.js';
export type { ClosedDayRecord, DayCloseHook, DayCloseSummary } from './day-close.js';

export class QueueEngine {
  /** @internal exposed for tests and the bench; not part of the HTTP contract */
  readonly core: EngineCore;

  constructor(opts: EngineOptions) {
    this.core = new EngineCore(opts);
  }

  // ---- the hall's day (agent/queue/day-close.ts)

  /**
   * Closes the business day now: at closing time + grace (same day), or, when the day is already
   * over, the stale day (after midnight or a night off). Undefined when there was nothing to close.
   */
  closeDay(trigger: DayCloseTrigger): DayCloseSummary | undefined {
    const now = this.core.clock.now();
    const stale = this.core.ensureDay(now);
    return this.core.closeDay(now, trigger) ?? stale;
  }

  /** Closes the stored business day if the clock has left it; a no-op otherwise. */
  ensureDay(trigger?: DayCloseTrigger): DayCloseSummary | undefined {
    return this.core.ensureDay(this.core.clock.now(), trigger);
  }

  /** Something outside the engine that ends with the day; runs inside the close's transaction. */
  onDayClose(hook: DayCloseHook): () => void {
    this.core.dayCloseHooks.push(hook);
    return () => {
      const i = this.core.dayCloseHooks.indexOf(hook);
      if (i >= 0) this.core.dayCloseHooks.splice(i, 1);
    };
  }

  /**
   * When `day` closes by the calendar: its last range's end + grace. Undefined for a day without
   * hours and for an always-open (demo) hall, which close at midnight only.
   */
  dayClosesAt(day: string): number | undefined {
    const cal = this.core.hallCalendar();
    if (cal.data.alwaysOpen) return undefined;
    const ends = cal.plan(day).ranges.map((r) => r.to);
    return ends.length === 0 ? undefined : Math.max(...ends) + cal.data.graceMinutes * 60_000;
  }

  /** The last business day closed, when and by what. */
  lastClosedDay(): ClosedDayRecord | undefined {
    return lastClosedDay(this.core);
  }

  private t(fn: (c: EngineCore, tx: Tx) => StoredTicket): Ticket {
    return publicTicket(this.core.run((tx) => fn(this.core, tx)));
  }

  private c(fn: (c: EngineCore, tx: Tx) => StoredCounter): CounterState {
    return publicCounter(
      this.core.run((tx) => fn(this.core, tx)),
      this.core.day,
    );
  }

  issue(req: IssueRequest): IssueResult {
    return this.core.run((tx) => issueInTx(this.core, tx, req));
  }

  importAppointments(list: AppointmentInput[]): { imported: number; skipped: { code: string; reason: string }[] } {
    if (!Array.isArray(list)) throw badRequest('APPOINTMENTS_NOT_LIST', '预约数据格式不正确', 'Appointments must be a list');
    return this.core.run((tx) => importAppointmentsInTx(this.core, tx, list));
  }

  checkInAppointment(code: string): { tickets: IssueResult[]; early: boolean; late: boolean } {
    return this.core.run((tx) => checkInInTx(this.core, tx, code));
  }

  callNext(counter: string): Ticket | null {
    const t = this.core.run((tx) => actions.callNext(this.core, tx, counter));
    return t ? publicTicket(t) : null;
  }

  callNumber(counter: string, number: string): Ticket {
    return this.t((c, tx) => actions.callNumber(c, tx, counter, number));
  }

  recall(counter: string): Ticket {
    return this.t((c, tx) => actions.recall(c, tx, counter));
  }

  start(counter: string): Ticket {
    return this.t((c, tx) => actions.start(c, tx, counter));
  }

  finish(counter: string, opts: { caseNumber?: string } = {}): Ticket {
    return this.t((c, tx) => actions.finish(c, tx, counter, opts));
  }

  /** 过号 */
  skip(counter: string): Ticket {
    return this.t((c, tx) => actions.skip(c, tx, counter));
  }

  /** A no-show returns: placed behind the next N waiting (rules.rejoinBehind), at most once. */
  rejoin(number: string): Ticket {
    return this.t((c, tx) => actions.rejoin(c, tx, number));
  }

  /** Returns the new waiting entry (same number, same owner). */
  transfer(counter: string, to: { service?: string; counter?: string }): Ticket {
    return this.t((c, tx) => actions.transfer(c, tx, counter, to));
  }

  pause(counter: string, reason: string): CounterState {
    return this.c((c, tx) => actions.pause(c, tx, counter, reason));
  }

  resume(counter: string): CounterState {
    return this.c((c, tx) => actions.resume(c, tx, counter));
  }

  /** A counter off the day's duty (周末轮岗, holiday) needs `confirm`: 409 COUNTER_NOT_ON_DUTY without it. */
  open(counter: string, staffId?: string, confirm?: actions.OffDutyConfirmation): CounterState {
    return this.c((c, tx) => actions.open(c, tx, counter, staffId, confirm));
  }

  /** Whether the calendar has the counter on duty today (undefined) or why not. */
  offDuty(counter: string): { zh: string; en: string } | undefined {
    this.core.counterDef(counter);
    return this.core.offDuty(counter, dayOf(this.core.clock.now(), this.core.rules.timezone));
  }

  /** Closes every counter held by a staff member whose account was disabled; returns their ids. */
  closeCountersOf(staffId: string): string[] {
    return this.core.run((tx) => actions.closeCountersOf(this.core, tx, staffId));
  }

  close(counter: string): CounterState {
    return this.c((c, tx) => actions.close(c, tx, counter));
  }

  cancel(ticketId: string): Ticket {
    return this.t((c, tx) => actions.cancel(c, tx, ticketId));
  }

  rate(r: feedback.RateRequest): Rating {
    return this.core.run((tx) => feedback.rate(this.core, tx, r));
  }

  /** Rating timeout: recorded as 未评价, never counted as satisfied. */
  recordNotRated(counter: string, ticketId?: string): void {
    this.core.run((tx) => feedback.recordNotRated(this.core, tx, counter, ticketId));
  }

  recordNotice(n: { counter: string; service: string; missingMaterialIds: string[]; ticketId?: string; staffId?: string }): NoticeRecord {
    return this.core.run((tx) => feedback.recordNotice(this.core, tx, n));
  }

  acceptWithMissing(a: { counter: string; ticketId: string; missingMaterialIds: string[]; followUpDate: string }): AcceptedWithMissing {
    return this.core.run((tx) => feedback.acceptWithMissing(this.core, tx, a));
  }

  reportUnresolved(r: { service?: string; description: string; contact?: string }): UnresolvedReport {
    return this.core.run((tx) => feedback.reportUnresolved(this.core, tx, r));
  }

  /** 整改 and 办不成事 cases, most urgent first; open ones only unless `state` says otherwise. */
  listCases(filter?: cases.CaseFilter): CaseView[] {
    return cases.listCases(this.core, filter);
  }

  getCase(id: string): CaseView | undefined {
    return cases.getCase(this.core, id);
  }

  /** 回访 of a 整改 (or 办不成事) case; satisfied null = citizen not reached or no opinion. */
  recordCallback(id: string, cb: { by: string; note: string; satisfied: boolean | null }): CaseView {
    return this.core.run((tx) => cases.recordCallback(this.core, tx, id, cb));
  }

  /** Refused (409 CALLBACK_REQUIRED) until a 回访 has been recorded. */
  closeRectification(id: string, r: { by: string; measures: string }): CaseView {
    return this.core.run((tx) => cases.closeRectification(this.core, tx, id, r));
  }

  closeUnresolved(id: string, r: { by: string; resolution: string }): CaseView {
    return this.core.run((tx) => cases.closeUnresolved(this.core, tx, id, r));
  }

  assignUnresolved(id: string, a: { to: string; by: string }): CaseView {
    return this.core.run((tx) => cases.assignUnresolved(this.core, tx, id, a));
  }

  /** whether a citizen has rated this ticket (a "not rated" record does not count) */
  isRated(ticketId: string): boolean {
    const r = this.core.store.getRating(ticketId);
    return !!r && r.level !== null;
  }

  /** Any ticket, also one of a closed day (the ticket page of yesterday's number says it ended). */
  getTicket(id: string): Ticket | undefined {
    this.core.ensureDay();
    const t = this.core.tickets.get(id) ?? this.core.store.getTicket(id);
    return t ? publicTicket(t) : undefined;
  }

  /** Every waiting ticket, longest-waiting first (the counter console's waiting list). */
  waitingTickets(): Ticket[] {
    this.core.ensureDay();
    const out: Ticket[] = [];
    for (const id of this.core.waiting) {
      const t = this.core.tickets.get(id);
      if (t) out.push(publicTicket(t));
    }
    return out.sort((a, b) => (a.queuedAt ?? a.issuedAt) - (b.queuedAt ?? b.issuedAt));
  }

  /** Live position of a waiting ticket; undefined once it is no longer waiting. */
  position(ticketId: string): { waitingAhead: number; estimateMinutes: number } | undefined {
    const t = this.core.tickets.get(ticketId);
    if (t?.state !== 'waiting') return undefined;
    return positionOf(this.core, this.core.readView(), t);
  }

  ticketHistory(id: string): QueueEvent[] {
    return reports.ticketHistory(this.core, id);
  }

  snapshot(): QueueSnapshot {
    this.core.ensureDay();
    return reports.snapshot(this.core, this.core.clock.now());
  }

  /** One counter of the snapshot, without building the rest of it. */
  counterSnapshot(counter: string): QueueSnapshot['counters'][number] | undefined {
    return reports.counterSnapshot(this.core, counter);
  }

  /** The engine's clock (injected): times shown beside its tickets are measured on it. */
  now(): number {
    return this.core.clock.now();
  }

  /** The hall-local business day the engine is in (YYYY-MM-DD). */
  today(): string {
    return this.core.day;
  }

  eventsAfter(seq: number, limit: number): QueueEvent[] {
    return this.core.store.eventsAfter(seq, Math.max(0, Math.min(limit, 1000)));
  }

  stats(): HallStats {
    return reports.stats(this.core);
  }

  // ---- campaign operations (issue 12)

  /** Open or closed now, next opening, duty counters (周末轮岗), ID-card pickup window. */
  calendarStatus(): CalendarStatus {
    return this.core.hallCalendar().status(this.core.clock.now());
  }

  /** A citizen back with a notice slip's return code: a ticket for the owner counter, ahead of the queue. */
  issueReturn(code: string, issuedBy: 'kiosk' | 'guide' | 'counter' = 'kiosk'): IssueResult {
    return this.core.run((tx) => issueReturn(this.core, tx, code, issuedBy));
  }

  openCampaignCase(req: campaign.OpenCampaignCase): CampaignCaseView {
    return this.core.run((tx) => campaign.openCampaignCase(this.core, tx, req));
  }

  listCampaignCases(f?: { state?: 'open' | 'closed' | 'all'; kind?: CampaignKind; assignee?: string }): CampaignCaseView[] {
    return campaign.listCampaignCases(this.core, f);
  }

  getCampaignCase(id: string): CampaignCaseView | undefined {
    return campaign.getCampaignCase(this.core, id);
  }

  assignCampaignCase(id: string, a: { to: string; by: string }): CampaignCaseView {
    return this.core.run((tx) => campaign.assignCampaignCase(this.core, tx, id, a));
  }

  discussPetition(id: string, d: { by: string; text: string; escalateTo?: EscalationLevel; actorStaff?: string }): CampaignCaseView {
    return this.core.run((tx) => campaign.discussPetition(this.core, tx, id, d));
  }

  campaignCallback(id: string, cb: { by: string; note: string; satisfied: boolean | null; actorStaff?: string }): CampaignCaseView {
    return this.core.run((tx) => campaign.campaignCallback(this.core, tx, id, cb));
  }

  setCampaignContact(id: string, p: { phone: string; consent: boolean; by: string; actorStaff?: string }): CampaignCaseView {
    return this.core.run((tx) => campaign.setCampaignContact(this.core, tx, id, p));
  }

  closeCampaignCase(id: string, r: { by: string; result: string; actorStaff?: string }): CampaignCaseView {
    return this.core.run((tx) => campaign.closeCampaignCase(this.core, tx, id, r));
  }

  /** 回访 phone on a 整改 or 办不成事 case (with consent); deleted when the case closes. */
  setCaseContact(id: string, p: { phone: string; consent: boolean; by: string }): CaseView {
    return this.core.run((tx) => cases.setCaseContact(this.core, tx, id, p));
  }

  casesOfStaff(staffId: string): CaseView[] {
    return cases.casesOfStaff(this.core, staffId);
  }

  /** 容缺 follow-ups not completed, earliest follow-up date first. */
  followUps(): followups.FollowUpView[] {
    return followups.listFollowUps(this.core);
  }

  completeFollowUp(id: string, by: string): AcceptedWithMissing {
    return this.core.run((tx) => followups.completeFollowUp(this.core, tx, id, by));
  }

  /** 未评价 for finished services with no rating after `timeoutMs`; returns how many were recorded. */
  sweepNotRated(timeoutMs: number): number {
    return followups.sweepNotRated(this.core, timeoutMs);
  }

  /** Monthly report of a campaign cycle ("2026-11") or daily report ("2026-11-27"). */
  periodReport(kind: 'monthly' | 'daily', period: string): PeriodReport {
    const core = this.core;
    const valid = kind === 'monthly' ? /^\d{4}-(0[1-9]|1[0-2])$/.test(period) : isValidDay(period);
    if (!valid) throw badRequest('PERIOD_INVALID', kind === 'monthly' ? '月份格式为 YYYY-MM' : '日期格式为 YYYY-MM-DD', 'Invalid period');
    const { from, to } = kind === 'monthly' ? cycleOf(period, core.campaign.reportCycleEndDay) : { from: period, to: period };
    const now = core.clock.now();
    const names = {
      service: new Map([...core.services.values()].map((s) => [s.id, s.name.zh])),
      counter: new Map([...core.counterDefs.values()].map((c) => [c.id, c.name.zh])),
      staff: new Map([...core.staff.values()].map((s) => [s.id, s.name])),
    };
    return buildPeriodReport(core.store.periodRows(from, to), {
      kind,
      period,
      from,
      to,
      today: dayOf(now, core.rules.timezone),
      now,
      timezone: core.rules.timezone,
      names,
    });
  }

  /** The campaign month a day belongs to (its report is due after the cycle's last day). */
  reportMonthOf(day: string): string {
    return monthOfDay(day, this.core.campaign.reportCycleEndDay);
  }

  /** 信息公开 notices: edited ones from the database, else the config file's. */
  hallNotices(fallback: { zh: string; en: string }[]): { zh: string; en: string }[] {
    return followups.hallNotices(this.core, fallback);
  }

  setHallNotices(list: { zh: string; en: string }[]): { zh: string; en: string }[] {
    return this.core.run((tx) => followups.setHallNotices(this.core, tx, list));
  }
}
