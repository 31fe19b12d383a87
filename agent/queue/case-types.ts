// Ratings (好差评), their cases (整改, 办不成事, 回访) and the notices and 容缺 records staff give:
// the closed-loop half of the domain. Split from types.ts, which re-exports it.
import type { LocalizedText } from './types.js';

/** 好差评 reason code for levels 1–2, from the hall's list (common/rating-reasons.ts; default 态度, 效率, 业务不熟, 流程繁琐, 其他) */
export type RatingReason = string;
export type RatingLevel = 1 | 2 | 3 | 4 | 5;
export type RatingSource = 'pad' | 'keypad' | 'web';

export interface Rating {
  id: string;
  ticketId: string;
  number: string;
  counter: string;
  staffId?: string;
  service: string;
  day: string;
  at: number;
  /** null = 未评价 (rating timed out); never counted as satisfied */
  level: RatingLevel | null;
  reasons: RatingReason[];
  comment?: string;
  source?: RatingSource;
  rectificationId?: string;
}

/** 整改 case opened by a bad rating (level 1–2) */
export interface Rectification {
  id: string;
  ticketId: string;
  counter: string;
  staffId?: string;
  level: RatingLevel;
  reasons: RatingReason[];
  openedAt: number;
  /** hall-local YYYY-MM-DD, 15 working days (Mon–Fri) after opening */
  dueDay: string;
  state: 'open' | 'closed';
  /** 回访: the latest call-back of the citizen by the manager (every attempt is in `history`) */
  callback?: CaseCallback;
  closedAt?: number;
  closedBy?: string;
  /** 整改措施 taken, required to close */
  measures?: string;
  /** actions after opening, oldest first */
  history?: CaseHistoryEntry[];
  /** 回访 phone given with the citizen's consent; deleted when the case closes */
  contactPhone?: string;
}

/** 回访 result; satisfied null = the citizen was not reached or would not say */
export interface CaseCallback {
  at: number;
  by: string;
  note: string;
  satisfied: boolean | null;
}

export type { CaseKind } from '../../common/vocabulary.js';
import type { CaseKind } from '../../common/vocabulary.js';

export interface CaseHistoryEntry {
  at: number;
  action: 'opened' | 'callback' | 'assigned' | 'closed';
  by?: string;
  /** callback note, assignee, 整改措施 or resolution */
  text?: string;
  satisfied?: boolean | null;
}

/** One row of the manager's 整改 / 办不成事 list (closed-loop tracking). */
export interface CaseView {
  id: string;
  kind: CaseKind;
  state: 'open' | 'closed';
  openedAt: number;
  /** hall-local YYYY-MM-DD by which it must be closed */
  dueDay: string;
  /** open and the due day is before today (hall time) */
  overdue: boolean;
  /** closed after its due day */
  closedLate: boolean;
  ticketId?: string;
  number?: string;
  service?: string;
  counter?: string;
  staffId?: string;
  rating?: { id: string; level: RatingLevel; reasons: RatingReason[]; comment?: string };
  description?: string;
  contact?: string;
  assignedTo?: string;
  /** 回访 phone, masked (the clear number never reaches a screen) */
  contactMasked?: string;
  callback?: CaseCallback;
  closedAt?: number;
  closedBy?: string;
  /** 整改措施 (rectification) or resolution (办不成事) */
  closingText?: string;
  history: CaseHistoryEntry[];
}

/** 一次性告知 slip */
export interface NoticeRecord {
  id: string;
  day: string;
  at: number;
  counter: string;
  service: string;
  ticketId?: string;
  staffId?: string;
  missingMaterials: { id: string; name: LocalizedText; source?: LocalizedText; required: boolean }[];
  /** printed on the slip: the returning citizen's ticket goes to the owner counter, ahead of the queue */
  returnCode?: string;
  /** the owner counter and staff member (首接) the return ticket goes to */
  ownerCounter?: string;
  ownerStaff?: string;
  returnedTicketId?: string;
  returnedAt?: number;
}

/** 容缺办理 */
export interface AcceptedWithMissing {
  id: string;
  day: string;
  at: number;
  counter: string;
  ticketId: string;
  missingMaterialIds: string[];
  followUpDate: string;
  service?: string;
  staffId?: string;
  /** the missing materials arrived */
  completedAt?: number;
  completedBy?: string;
}

/** 办不成事 report */
export interface UnresolvedReport {
  id: string;
  day: string;
  at: number;
  service?: string;
  description: string;
  contact?: string;
  state: 'open' | 'closed';
  /** hall-local YYYY-MM-DD; absent on reports written before case tracking (derived from `day`) */
  dueDay?: string;
  assignedTo?: string;
  callback?: CaseCallback;
  closedAt?: number;
  closedBy?: string;
  resolution?: string;
  history?: CaseHistoryEntry[];
  /** 回访 phone given with the citizen's consent; deleted when the case closes */
  contactPhone?: string;
}
