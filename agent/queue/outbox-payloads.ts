// What the queue engine writes in the hall's outbox, per outbox kind: one type for both sides. The
// engine's writes (OutboxInput in store.ts) are checked against it, so a wrong or misspelt field fails
// the typecheck; agent/sync/map.ts reads the same shapes back into the versioned contracts.
import type { CampaignKind } from '../../common/vocabulary.js';
import type { RecordData, RecordKind } from '../../contracts/records.js';

type D<K extends RecordKind> = RecordData[K];

// What the engine writes in the outbox, per outbox kind, as read back from JSON. Rows written by older
// agents lack newer fields (optional here); the hub checks every record against its contract anyway.
export interface RatingFact {
  ticketId: string;
  number: string;
  day: string;
  at: number;
  service: string;
  counter: string;
  staffId?: string | null;
  level: D<'rating'>['level'];
  reasons?: D<'rating'>['reasons'];
  /** the hall's rating source: pad, keypad, web (the QR page), kiosk */
  source?: string;
  comment?: string | null;
}
export interface CaseFact {
  state: 'open' | 'closed';
  day?: string;
  dueDay?: string;
  at?: number;
  openedAt?: number;
  closedAt?: number | null;
  counter?: string | null;
  staffId?: string | null;
  ticketId?: string | null;
  service?: string | null;
  source?: string | null;
  escalation?: string | null;
}
export interface CaseEntryFact {
  at: number;
  text?: string | null;
  satisfied?: boolean | null;
}
export interface OutboxPayloads {
  rating: {
    rating?: RatingFact;
    rectification?: { id: string; dueDay: string } | null;
    caseNumber?: string | null;
    /** the Chinese names of rating.reasons as the hall listed them when rated; absent in rows of older agents */
    reasonNames?: string[];
  };
  notRated: { rating?: Omit<RatingFact, 'level'>; caseNumber?: string | null };
  serviceRecord: Omit<
    D<'serviceRecord'>,
    'owner' | 'staffId' | 'calledAt' | 'waitMs' | 'handlingMs' | 'caseNumber' | 'transfers' | 'acceptedWithMissing'
  > & {
    owner?: string;
    staffId?: string | null;
    calledAt?: number | null;
    handlingMs?: number;
    caseNumber?: string | null;
    transfers?: D<'serviceRecord'>['transfers'];
    /** kept in the hall's row, not sent up: the staff member who owns the matter (首接负责制), the previous leg */
    ownerStaff?: string | null;
    transferredFrom?: string | null;
    acceptedWithMissing?: D<'serviceRecord'>['acceptedWithMissing'];
  };
  notice: Omit<D<'notice'>, 'missingMaterialIds' | 'ticketId' | 'staffId'> & {
    ticketId?: string | null;
    staffId?: string | null;
    missingMaterials?: { id: string }[];
  };
  acceptedWithMissing: D<'acceptedWithMissing'>;
  unresolvedReport: {
    id: string;
    day: string;
    at: number;
    service?: string | null;
    description?: string;
    contact?: string | null;
    dueDay?: string;
  };
  caseUpdate:
    | { caseKind: D<'caseChange'>['caseKind']; caseId: string; action: D<'caseChange'>['action']; entry?: CaseEntryFact; case?: CaseFact }
    | { caseKind: CampaignKind; caseId: string; action: D<'campaignCase'>['action']; entry?: CaseEntryFact; case?: CaseFact }
    | { caseKind: 'acceptedWithMissing'; record?: { id: string; completedAt: number; counter: string; ticketId: string } };
  /** a row written before the agent's upgrade has the v1 shape and goes up as v1 (toRecord) */
  dailySummary: D<'dailySummary'>;
}
