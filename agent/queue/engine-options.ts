// What a hall's queue engine is built from: its store, services, counters, rules, clock, calendar,
// staff and campaign settings (the composition root and the tests fill these in).
import type { HallCalendar } from './calendar.js';
import type { QueueRules } from './rules.js';
import type { QueueStore } from './store.js';
import type { Clock, CounterDef, CounterState, QueueEvent, ServiceDef, Ticket } from './types.js';
import type { RatingReasonDef } from '../../common/rating-reasons.js';

export interface EngineOptions {
  store: QueueStore;
  services: ServiceDef[];
  counters: CounterDef[];
  rules: QueueRules;
  clock: Clock;
  secret: string;
  onCommit?: (c: { event: QueueEvent; ticket?: Ticket; counter?: CounterState }) => void;
  /** opening hours, holidays, working days; without one the hall is always open and due dates count Mon–Fri */
  calendar?: HallCalendar;
  /** known staff: cases are assigned only to them; backupStaff = AB岗 by person.
   *  A function is read on every use: staff are administered at run time (the accounts table). */
  staff?: StaffRef[] | (() => StaffRef[]);
  campaign?: Partial<CampaignRules>;
  /** the reasons a 差评 may give (config rating.reasons); default DESIGN's five */
  ratingReasons?: readonly RatingReasonDef[];
}

export interface StaffRef {
  id: string;
  name: string;
  backupStaff?: string;
  /** a disabled account keeps its name in reports but gets no new cases */
  disabled?: boolean;
}

export interface CampaignRules {
  /** share (0..1) of satisfied ratings (levels 4–5) sampled for a 回访 */
  callbackSampleRate: number;
  /** days a notice slip's return code stays valid */
  returnCodeDays: number;
  /** working days to close a 信访 case */
  petitionWorkingDays: number;
  /** the monthly report's campaign cycle ends on this day of the month (26th of the previous month → 25th) */
  reportCycleEndDay: number;
}

export const DEFAULT_CAMPAIGN: CampaignRules = {
  callbackSampleRate: 0,
  returnCodeDays: 30,
  petitionWorkingDays: 15,
  reportCycleEndDay: 25,
};
