// The facts that leave the queue engine: one variant per event type, discriminated by `type` (the name
// devices, screens, voice and the stored event table already key on). A consumer narrows with
// `if (e.type === 'ticket.issued') e.data.waitingAhead` instead of reading an untyped bag.
import type { CampaignKind, CaseKind, Channel, DayCloseTrigger, EndReason, TicketState } from '../../common/vocabulary.js';
import type { RatingLevel, RatingReason, RatingSource } from './case-types.js';
import type { EscalationLevel } from './campaign-types.js';

/** Why a counter closed: staff pressed 关闭, the day closed, or its staff member was disabled. */
export type CounterCloseReason = 'staff' | 'dayEnd' | 'staffDisabled';
/** What the calling order picked the ticket as (agent/queue/ordering.ts), or `byNumber` for 叫指定号. */
export type CallReason = 'green' | 'starved' | 'appointment' | 'senior' | 'normal' | 'return' | 'schoolBatch' | 'byNumber';

interface CaseEventBase {
  caseId: string;
  kind: CaseKind;
  by?: string;
}
interface CampaignEventBase {
  caseId: string;
  kind: CampaignKind;
}

/** Payload of each event type. */
export interface QueueEventData {
  'ticket.issued': {
    number: string;
    service: string;
    channel: Channel;
    issuedBy: 'kiosk' | 'guide' | 'counter';
    idMasked?: string;
    appointmentCode?: string;
    schoolBatch?: true;
    returnOf?: string;
    /** the kiosk whose printer prints it */
    kiosk?: string;
    /** false: no paper ticket (a school batch's extra tickets) */
    print?: boolean;
    waitingAhead: number;
    estimateMinutes: number;
  };
  'ticket.called': { number: string; service: string; channel: Channel; reason: CallReason };
  'ticket.recalled': { number: string; recalls: number };
  'ticket.started': { number: string };
  'ticket.finished': { number: string; service: string; handlingMs: number };
  'ticket.skipped': { number: string; recalls: number };
  'ticket.rejoined': { number: string; behind: number };
  'ticket.transferred': { number: string; toService: string; toCounter: string | null; newTicketId: string };
  'ticket.cancelled': { number: string; from: TicketState };
  'ticket.acceptedWithMissing': { id: string; materials: string[]; followUpDate: string };
  /** back in the waiting line at its old place: its counter closed under it (staff disabled) */
  'ticket.returned': { number: string; from: 'called' | 'serving'; reason: CounterCloseReason };
  'ticket.requeued': { number: string; service: string; fromTicketId: string; targetCounter: string | null };
  /** ended by a day close: `from` is the state it was in, `reason` the end reason it got */
  'ticket.expired': { number: string; service: string; from: TicketState; reason: EndReason; day: string };
  'appointment.checkedIn': { code: string; early: boolean; late: boolean; count: number; numbers: string[] };
  'appointments.imported': { count: number; codes: string[] };
  'counter.opened': { staffId: string | null; offDuty?: { confirmedBy: string; reason: string } };
  'counter.closed': { reason?: CounterCloseReason; staffId?: string | null };
  'counter.paused': { reason: string | undefined };
  'counter.resumed': { pausedMs: number };
  'rating.recorded': {
    ticketId: string;
    number: string;
    level: RatingLevel;
    reasons: RatingReason[];
    source: RatingSource | undefined;
    rectificationId: string | null;
  };
  'rating.notRated': { number: string };
  'notice.recorded': { noticeId: string; service: string; materials: string[] };
  'report.unresolved': { reportId: string; service: string | null };
  'case.callback': CaseEventBase & { satisfied: boolean | null };
  'case.assigned': CaseEventBase & { to: string };
  'case.closed': CaseEventBase & { overdue: boolean };
  'case.contact': CaseEventBase & { given: boolean };
  'campaign.opened': CampaignEventBase;
  'campaign.updated': CampaignEventBase & {
    action: 'assigned' | 'discussed' | 'escalated' | 'callback' | 'contact';
    escalation?: EscalationLevel;
  };
  'campaign.closed': CampaignEventBase & { overdue: boolean };
  'acceptedWithMissing.completed': { id: string };
  'hall.notices': { count: number };
  /** the hall's business day `day` was closed (one transaction; see agent/queue/day-close.ts) */
  'hall.dayClosed': DayCloseSummary;
}

/** What closing a business day did: the `hall.dayClosed` payload, and what EngineCore.closeDay returns. */
export interface DayCloseSummary {
  day: string;
  trigger: DayCloseTrigger;
  /** tickets ended, by the state they were in */
  ended: { waiting: number; noShow: number; called: number; serving: number };
  countersClosed: string[];
  notRated: number;
  /** staff sessions signed out (sockets told) */
  sessionsEnded: number;
}

export type QueueEventType = keyof QueueEventData;

export type QueueEventOf<K extends QueueEventType> = {
  seq: number;
  at: number;
  type: K;
  ticketId?: string;
  counter?: string;
  data: QueueEventData[K];
};

export type QueueEvent = { [K in QueueEventType]: QueueEventOf<K> }[QueueEventType];

/** Every event type, in the order they were introduced (devices, screens and the voice key on these names). */
export const QUEUE_EVENT_TYPES = [
  'ticket.issued',
  'ticket.called',
  'ticket.recalled',
  'ticket.started',
  'ticket.finished',
  'ticket.skipped',
  'ticket.rejoined',
  'ticket.transferred',
  'ticket.cancelled',
  'ticket.acceptedWithMissing',
  'ticket.requeued',
  'ticket.expired',
  'appointment.checkedIn',
  'appointments.imported',
  'counter.opened',
  'counter.closed',
  'counter.paused',
  'counter.resumed',
  'rating.recorded',
  'rating.notRated',
  'notice.recorded',
  'report.unresolved',
  'case.callback',
  'case.assigned',
  'case.closed',
  'case.contact',
  'campaign.opened',
  'campaign.updated',
  'campaign.closed',
  'acceptedWithMissing.completed',
  'hall.notices',
  'hall.dayClosed',
  'ticket.returned',
] as const satisfies readonly QueueEventType[];

// Compile-time check that the list names every type exactly: a missing one makes this `never`.
type Missing = Exclude<QueueEventType, (typeof QUEUE_EVENT_TYPES)[number]>;
const _complete: [Missing] extends [never] ? true : never = true;
void _complete;
