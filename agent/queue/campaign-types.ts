// Campaign cases beyond 整改 / 办不成事: 上门服务, 信访, 自查 and sampled 回访.
import type { CaseCallback, CaseHistoryEntry, RatingLevel } from './types.js';

/** homeVisit 上门服务 · petition 信访/投诉 · selfCheck 自查 (五要件) · revisit 满意评价抽样回访 */
export { CAMPAIGN_KINDS, type CampaignKind } from '../../common/vocabulary.js';
import type { CampaignKind } from '../../common/vocabulary.js';

export type PetitionSource = '12345' | 'letter' | 'kiosk' | 'visit' | 'other';
export const PETITION_SOURCES: readonly PetitionSource[] = ['12345', 'letter', 'kiosk', 'visit', 'other'];
/** 逐级上报: hall → 县 (county bureau) → 市 → 省 */
export type EscalationLevel = 'hall' | 'county' | 'city' | 'province';
export const ESCALATION_LEVELS: readonly EscalationLevel[] = ['hall', 'county', 'city', 'province'];

export interface CampaignCase {
  id: string;
  kind: CampaignKind;
  state: 'open' | 'closed';
  /** hall-local day it was opened */
  day: string;
  openedAt: number;
  /** hall-local YYYY-MM-DD: 信访 15 working days, 上门服务 the visit day, 自查 the deadline */
  dueDay: string;
  /** what: 上门服务 matter, 信访 demand, 自查 problem, 回访 subject */
  title: string;
  service?: string;
  /** staff id: who goes (上门服务), who handles (信访), owner (自查), who calls back (回访) */
  assignedTo?: string;
  openedBy: string;
  /** 上门服务: where and when (hall-local "YYYY-MM-DD HH:mm") */
  address?: string;
  scheduledAt?: string;
  /** 信访 */
  source?: PetitionSource;
  escalation?: EscalationLevel;
  /** 一事一议 record: the discussion of this one matter, appended to */
  discussion?: { at: number; by: string; text: string }[];
  /** 自查: the measure (整改措施) planned */
  measure?: string;
  /** 回访 sample: the rating it follows */
  ticketId?: string;
  counter?: string;
  staffId?: string;
  ratingLevel?: RatingLevel;
  /** 回访 phone given with the citizen's consent; deleted when the case closes */
  contactPhone?: string;
  callback?: CaseCallback;
  closedAt?: number;
  closedBy?: string;
  /** 上门服务 result, 信访 reply, 自查 result */
  result?: string;
  history: CaseHistoryEntry[];
}

/** What screens get: the phone masked, overdue computed. */
export interface CampaignCaseView extends Omit<CampaignCase, 'contactPhone'> {
  contactMasked?: string;
  overdue: boolean;
  closedLate: boolean;
  /** for "my cases": held as AB岗 backup of the assignee */
  asBackup?: boolean;
}
