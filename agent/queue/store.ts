import type {
  AcceptedWithMissing,
  Appointment,
  CounterState,
  NoticeRecord,
  QueueEvent,
  Rating,
  Rectification,
  Ticket,
  UnresolvedReport,
} from './types.js';
import type { OutboxKind } from '../../common/vocabulary.js';
import type { OutboxPayloads } from './outbox-payloads.js';
import type { CampaignCase } from './campaign-types.js';
import type { PeriodRows } from './period-report.js';

/** A ticket as persisted: the engine's ordering fields are always set, plus the 身份证 HMAC. */
export interface StoredTicket extends Ticket {
  rank: number;
  queuedAt: number;
  /** HMAC-SHA256(hall secret, 身份证 number); never the number itself */
  idHash?: string;
}

export interface StoredCounter extends CounterState {
  /** position in the senior:normal interleave cycle, persisted so a restart calls the same next ticket */
  mixPos: number;
  /** business day servedToday belongs to */
  servedDay?: string;
  lastCall?: { number: string; at: number };
}

export interface ServiceStat {
  service: string;
  ewmaMs: number;
  samples: number;
}

/** the kinds the engine writes (the daily summary is written by agent/sync/daily.ts) */
export type EngineOutboxKind = Exclude<OutboxKind, 'dailySummary'>;

/** an outbox row as the engine writes it: the payload typed by its kind (agent/queue/outbox-payloads.ts) */
export type OutboxInput = {
  [K in EngineOutboxKind]: { kind: K; idempotencyKey: string; payload: OutboxPayloads[K]; createdAt: number };
}[EngineOutboxKind];

/**
 * Persistence seam of the queue engine. Every method is synchronous; the engine wraps each action
 * in `transaction` so that state rows, the event row and outbox rows commit together or not at all.
 * Implementations must be single-writer per hall (the engine keeps a cache of the current state).
 */
export interface QueueStore {
  transaction<T>(fn: () => T): T;

  /** highest committed event seq, 0 when empty */
  lastSeq(): number;
  /** seq is assigned by the engine (gap-free, monotonic) */
  appendEvent(e: QueueEvent): void;
  eventsAfter(seq: number, limit: number): QueueEvent[];
  eventsOfTickets(ticketIds: string[]): QueueEvent[];
  /** newest first */
  recentEvents(types: string[], limit: number): QueueEvent[];

  /** increments and returns the daily sequence of a service; must run inside the issuing transaction */
  nextNumber(day: string, service: string): number;

  putTicket(t: StoredTicket): void;
  /** tickets of one business day, in any state */
  loadTickets(day: string): StoredTicket[];
  /** one ticket of any day */
  getTicket(id: string): StoredTicket | undefined;
  /** tickets of any day still in waiting, called, serving or noShow */
  loadOpenTickets(): StoredTicket[];

  putCounter(c: StoredCounter): void;
  loadCounters(): StoredCounter[];

  putServiceStat(s: ServiceStat): void;
  loadServiceStats(): ServiceStat[];

  putAppointment(a: Appointment): void;
  getAppointment(code: string): Appointment | undefined;

  putRating(r: Rating): void;
  getRating(ticketId: string): Rating | undefined;
  ratingsOfDay(day: string): Rating[];
  putRectification(r: Rectification): void;
  getRectification(id: string): Rectification | undefined;
  /** oldest first; all states when `state` is undefined */
  listRectifications(state?: 'open' | 'closed'): Rectification[];

  putNotice(n: NoticeRecord): void;
  /** rewrites a notice row (its return code was used) */
  updateNotice(n: NoticeRecord): void;
  noticeByReturnCode(code: string): NoticeRecord | undefined;
  /** 容缺 follow-ups not completed yet, by follow-up date */
  openAcceptedWithMissing(): AcceptedWithMissing[];
  getAcceptedWithMissing(id: string): AcceptedWithMissing | undefined;
  updateAcceptedWithMissing(a: AcceptedWithMissing): void;
  putAcceptedWithMissing(a: AcceptedWithMissing): void;
  acceptedWithMissingFor(ticketId: string): AcceptedWithMissing[];
  putUnresolved(u: UnresolvedReport): void;
  openUnresolved(): UnresolvedReport[];
  getUnresolved(id: string): UnresolvedReport | undefined;
  /** oldest first; all states when `state` is undefined */
  listUnresolved(state?: 'open' | 'closed'): UnresolvedReport[];

  putCampaignCase(c: CampaignCase): void;
  getCampaignCase(id: string): CampaignCase | undefined;
  /** oldest first; all states when `state` is undefined */
  listCampaignCases(state?: 'open' | 'closed'): CampaignCase[];

  /** every row a period report counts (days from..to inclusive; rectifications by opening time) */
  periodRows(from: string, to: string): PeriodRows;

  /** hall settings editable at run time (notices); undefined = use the config file */
  getSetting(key: string): unknown;
  putSetting(key: string, value: unknown, at: number): void;

  /** upward-sync seam: written in the same transaction as the fact; the sender is a later issue */
  enqueueOutbox(o: OutboxInput): void;
}
