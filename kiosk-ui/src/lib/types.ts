// Wire types of docs/api.md. Domain types come from the agent's own definitions (type-only import,
// erased at build time) so the screens and the engine cannot drift apart silently.
import type {
  CaseView,
  Channel,
  CounterState,
  LocalizedText,
  Material,
  QueueEvent,
  ServiceDef,
  Ticket,
  TicketState,
} from '../../../agent/queue/types.ts';

export type { CaseView, Channel, CounterState, LocalizedText, Material, QueueEvent, ServiceDef, Ticket, TicketState };

export interface HallInfo {
  name: string | LocalizedText;
  phones: { consult: string; complaint: string; complaintLevels?: { province: string; city: string; county: string; station: string } };
  notices: LocalizedText[];
  timezone: string;
  counters: {
    id: string;
    name: LocalizedText;
    senior: boolean;
    green: boolean;
    services: string[];
    backupCounter?: string;
    location?: LocalizedText;
  }[];
  voice: { repeat: number; chime: boolean; leadIn?: string; replayMaxAgeSeconds?: number };
  idleSeconds: number;
  ratingTimeoutSeconds?: number;
  /** the 差评 reasons of this hall (config rating.reasons), in its order */
  ratingReasons?: { code: string; zh: string; en: string }[];
  /** minutes of wait after which the board raises an alert (config board.waitAlertMinutes) */
  waitAlertMinutes: number;
}

export interface ServiceQueue {
  id: string;
  waiting: number;
  waitingByChannel?: Partial<Record<Channel, number>>;
  longestWaitMs?: number;
  avgHandlingMs?: number;
}

export interface CounterLive extends CounterState {
  current?: Ticket;
  lastCall?: CallInfo;
}

export interface CallInfo {
  ticketId?: string;
  number: string;
  counter: string;
  at: number;
  recall?: boolean;
  seq?: number;
}

export interface QueueBody {
  seq: number;
  day: string;
  services: ServiceQueue[];
  counters: CounterLive[];
  recentCalls: CallInfo[];
}

export interface DeviceInfo {
  id: string;
  kind: string;
  protocol?: string;
  transport?: string;
  counter?: string;
  status: string;
  detail?: string;
  since?: number;
}

export interface Snapshot {
  seq: number;
  queue: QueueBody;
  devices?: DeviceInfo[];
}

export interface QueueMsg {
  seq: number;
  event: QueueEvent;
  ticket?: Ticket;
  counter?: CounterState;
}

export interface PrintMsg {
  ticketId?: string;
  jobId: string;
  ok: boolean;
  reason?: string;
}

export interface IssuedTicket extends Ticket {
  waitingAhead: number;
  estimateMinutes: number;
}

export interface IssueResponse {
  ticket: IssuedTicket;
  statusUrl: string;
  print: { deviceId?: string; status: 'queued' | 'printerOffline' | 'noPrinter' | string };
}

export interface StaffInfo {
  id: string;
  name: string;
  photoUrl?: string;
}

export interface DeviceMsg {
  deviceId: string;
  kind: string;
  status: string;
  detail?: string;
}
