// Domain types of a 户政 service hall. Glossary (Chinese → code name):
//   业务 service · 窗口 counter · 号票 ticket · 通道 channel · 首接负责制 owner · 一次性告知 notice
//   容缺办理 acceptedWithMissing · 好差评 rating · 整改 rectification · 办不成事 unresolvedReport
//   AB岗 backupCounter · 过号 noShow · 转移 transferred · 暂停 paused · 老年人专窗 senior counter · 绿色通道 green
import type { Rating, RatingLevel, Rectification, UnresolvedReport } from './case-types.js';

export * from './case-types.js';

import type { Channel, EndReason, TicketState } from '../../common/vocabulary.js';

/** normal · senior (老年人/残疾人/孕妇, 爱心通道) · green (绿色通道) · appointment (网上预约): common/vocabulary.ts */
export { CHANNELS, type Channel, type EndReason, type TicketState } from '../../common/vocabulary.js';
export * from './events.js';

export interface LocalizedText {
  zh: string;
  en: string;
}

export interface Material {
  id: string;
  name: LocalizedText;
  /** where a citizen gets it (for the one-time notice slip) */
  source?: LocalizedText;
  /** secondary materials may be missing under 容缺办理 */
  required: boolean;
  /** 容缺-eligible: may be brought later; default = not required. A hall may accept a required one late. */
  acceptLate?: boolean;
}

export interface ServiceDef {
  id: string;
  prefix: string;
  name: LocalizedText;
  description: LocalizedText;
  materials: Material[];
  conditions: LocalizedText[];
  process: LocalizedText[];
  fee: LocalizedText;
  /** expected handling time, seeds the wait estimate before live data exists */
  expectedMinutes: number;
  /** tickets per day; undefined = unlimited */
  dailyCap?: number;
}

export interface CounterDef {
  /** counter number as the hall calls it: "3" → 3号窗口 */
  id: string;
  name: LocalizedText;
  /** services handled, in preference order */
  services: string[];
  /** 老年人专窗: senior tickets strictly first here */
  senior: boolean;
  /** 绿色通道 counter */
  green: boolean;
  /** AB岗: the counter that serves this one's queue while it is paused or closed */
  backupCounter?: string;
  /** where it stands in the hall (左侧, 正前方): the display's hint, no part of the calling order */
  location?: LocalizedText;
  /** reserved for 学生批量 school batches: batch tickets come first here, last at public counters */
  schoolBatch?: boolean;
}

export interface Ticket {
  id: string;
  number: string;
  service: string;
  channel: Channel;
  state: TicketState;
  /** hall-local business day, YYYY-MM-DD */
  day: string;
  issuedAt: number;
  calledAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** counter currently holding the ticket */
  counter?: string;
  /** 首接负责制: first counter that served it, kept through transfers */
  owner?: string;
  recalls: number;
  /** masked 身份证 number for display; the clear number is never stored */
  idMasked?: string;
  appointmentCode?: string;
}

export interface CounterState {
  id: string;
  open: boolean;
  paused: boolean;
  pauseReason?: string;
  staffId?: string;
  currentTicketId?: string;
  servedToday: number;
}

/** Injected time source; the engine never reads the system clock itself. */
export interface Clock {
  now(): number;
}

// ---- Added by the queue engine (issue 3). Optional on Ticket/CounterState so that code which
// builds these objects by hand (fixtures, screens) keeps compiling.

export type IssuedBy = 'kiosk' | 'guide' | 'counter';

export interface TicketQueueFields {
  /** who issued it; green tickets only come from guide staff or a counter */
  issuedBy?: IssuedBy;
  /** when it (re)entered the waiting line: issue or rejoin (a transfer keeps it); the starvation age counts from here */
  queuedAt?: number;
  /** FIFO position key inside a channel; rejoin and transfer move it, never the issue time */
  rank?: number;
  /** transferred to a specific counter: only that counter (or its AB岗 backup) may call it */
  targetCounter?: string;
  /** appointment slot; an early arrival waits until slotStart */
  slotStart?: number;
  slotEnd?: number;
  /** 过号 return already used (at most once) */
  rejoined?: boolean;
  /** transfer chain: the same number continues in a new entry */
  transferredFrom?: string;
  transferredTo?: string;
  skippedAt?: number;
  /** the first call of this entry (calledAt is the latest); the wait figure ends here */
  firstCalledAt?: number;
  cancelledAt?: number;
  /** why it ended unserved (state cancelled): common/vocabulary.ts END_REASON */
  cancelReason?: EndReason;
  /** staff member at the counter when it was called (per-staff statistics) */
  staffId?: string;
  /** 办件编号 staff entered at finish; travels upward with the service record and the rating */
  caseNumber?: string;
  /** 首接负责制 by person: the staff member who first served it */
  ownerStaff?: string;
  /** 学生批量: issued from an appointment with batchSize > 1 */
  schoolBatch?: boolean;
  /** a citizen returning with the materials a notice slip listed: the notice id */
  returnOf?: string;
}

// Ticket is an interface; merge the queue fields in.
export interface Ticket extends TicketQueueFields {}

export interface CounterState {
  /** ticket the rating pad rates by default */
  lastFinishedTicketId?: string;
  openedAt?: number;
  pausedAt?: number;
}

export interface IssueResult {
  ticket: Ticket;
  /** people who will be called before this ticket under the current order */
  waitingAhead: number;
  estimateMinutes: number;
}

/** 网上预约 record as imported; school batches (学生批量办证) carry batchSize > 1 */
export interface AppointmentInput {
  code: string;
  service: string;
  /** ISO 8601 with offset, epoch ms, or "YYYY-MM-DD HH:mm" in hall-local time */
  slotStart: string | number;
  slotEnd: string | number;
  /** already masked by the booking platform, e.g. 张*三 */
  nameMasked?: string;
  batchSize?: number;
}

/** cancelled and noShow: bookings made in the hall (agent/forecast/bookings.ts) */
export type AppointmentState = 'booked' | 'checkedIn' | 'cancelled' | 'noShow';

export interface Appointment {
  code: string;
  service: string;
  day: string;
  slotStart: number;
  slotEnd: number;
  nameMasked?: string;
  batchSize: number;
  state: AppointmentState;
  checkedInAt?: number;
  ticketIds: string[];
}

export interface ServiceSnapshot {
  id: string;
  waiting: number;
  waitingByChannel: Record<Channel, number>;
  longestWaitMs: number;
  avgHandlingMs: number;
}

export interface RecentCall {
  ticketId: string;
  number: string;
  counter: string;
  at: number;
  recall: boolean;
  /** event seq: the display's highlight and its announcement key on it */
  seq: number;
}

export interface QueueSnapshot {
  seq: number;
  day: string;
  services: ServiceSnapshot[];
  counters: (CounterState & { current?: Ticket; lastCall?: { number: string; at: number } })[];
  recentCalls: RecentCall[];
}

export interface HandlingStat {
  served: number;
  avgHandlingMs: number;
}

export interface HallStats {
  day: string;
  ratings: { byLevel: Record<RatingLevel, number>; total: number; notRated: number };
  badRatings: (Rating & { rectification?: Rectification })[];
  byStaff: Record<string, HandlingStat>;
  byCounter: Record<string, HandlingStat>;
  openUnresolved: UnresolvedReport[];
  /** 整改 + 办不成事 still open (any day), and those of them past their due day */
  cases: { open: number; overdue: number };
}
