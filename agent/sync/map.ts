// Outbox row → versioned contract record (contracts/records.ts). The outbox keeps the hall's own
// shapes (written by the queue engine); this is the one place that decides what leaves the hall:
// staff numbers yes, names never, ID data never, phone numbers masked, free texts scrubbed.
import { CAMPAIGN_KINDS, type CampaignKind, type CaseKind, isIn, OUTBOX_KIND, type OutboxKind } from '../../common/vocabulary.js';
import { CONTRACTS, type RecordData, type RecordKind, type SyncRecord } from '../../contracts/records.js';
import type { CaseEntryFact, CaseFact, OutboxPayloads, RatingFact } from '../queue/outbox-payloads.js';
import { dayOf } from '../queue/time.js';
import { scrubText } from '../../common/text-hygiene.js';
import { reasonName } from '../../common/rating-reasons.js';

export interface OutboxRow {
  id: number;
  kind: string;
  idempotency_key: string;
  payload: string;
  created_at: number;
}

export class UnmappableRecord extends Error {}

/** 13812345678 → 138****5678; 0551-65110110 → 0551-****0110 */
export function maskPhone(p: string): string {
  const digits = p.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

const ID_NUMBER = /(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)/g;
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)/g;

/** Masks 身份证 and phone numbers a citizen or staff member may have typed into a free text. */
export function scrub(text: string): string {
  return text
    .replace(ID_NUMBER, (_m, a, b, c, d) => (a ? `${a.slice(0, 4)}**********${b.slice(-4)}` : `${c.slice(0, 4)}*******${d.slice(-4)}`))
    .replace(MOBILE, '$1****$2')
    .replace(LANDLINE, '$1-****$2');
}

/** Only the phone number of a contact ("张先生 13812345678") goes up, masked; the name stays. */
export function contactMasked(contact: unknown): string | null {
  if (typeof contact !== 'string') return null;
  const m = /(?:\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})/.exec(contact);
  return m ? maskPhone(m[1]!) : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.round(v)) : null);
const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);
const RATING_CHANNEL: Record<string, RecordData['rating']['channel']> = { pad: 'pad', keypad: 'keypad', web: 'qr', kiosk: 'kiosk' };

type D<K extends RecordKind> = RecordData[K];

function mapRating(p: OutboxPayloads['rating']): D<'rating'> {
  const r = p.rating ?? ({} as RatingFact);
  const rect = p.rectification;
  const reasons = list(r.reasons);
  return {
    ticketId: r.ticketId,
    number: r.number,
    day: r.day,
    at: r.at,
    service: r.service,
    counter: r.counter,
    staffId: str(r.staffId),
    level: r.level,
    reasons,
    reasonNames: reasons.map((c, i) => (typeof p.reasonNames?.[i] === 'string' ? p.reasonNames[i]! : reasonName(c)).slice(0, 20)),
    channel: RATING_CHANNEL[r.source ?? 'pad'] ?? 'pad',
    caseNumber: str(p.caseNumber),
    comment: typeof r.comment === 'string' ? scrub(r.comment).slice(0, 500) : null,
    rectification: rect ? { id: rect.id, dueDay: rect.dueDay } : null,
  };
}

function mapNotRated(p: OutboxPayloads['notRated']): D<'notRated'> {
  const r = p.rating ?? ({} as RatingFact);
  return {
    ticketId: r.ticketId,
    number: r.number,
    day: r.day,
    at: r.at,
    service: r.service,
    counter: r.counter,
    staffId: str(r.staffId),
    caseNumber: str(p.caseNumber),
  };
}

function mapService(p: OutboxPayloads['serviceRecord']): D<'serviceRecord'> {
  const calledAt = num(p.calledAt);
  return {
    ticketId: p.ticketId,
    number: p.number,
    day: p.day,
    service: p.service,
    channel: p.channel,
    counter: p.counter,
    owner: p.owner ?? p.counter,
    staffId: str(p.staffId),
    issuedAt: p.issuedAt,
    calledAt,
    startedAt: p.startedAt,
    finishedAt: p.finishedAt,
    waitMs: calledAt !== null ? Math.max(0, calledAt - p.issuedAt) : null,
    handlingMs: num(p.handlingMs) ?? 0,
    caseNumber: str(p.caseNumber),
    // Rows written before transfers were listed carry only the previous entry's id.
    transfers: list(p.transfers),
    acceptedWithMissing: list(p.acceptedWithMissing).map((a) => ({
      id: a.id,
      missingMaterialIds: a.missingMaterialIds,
      followUpDate: a.followUpDate,
    })),
  };
}

function mapNotice(p: OutboxPayloads['notice']): D<'notice'> {
  return {
    id: p.id,
    day: p.day,
    at: p.at,
    counter: p.counter,
    service: p.service,
    ticketId: str(p.ticketId),
    staffId: str(p.staffId),
    missingMaterialIds: list(p.missingMaterials).map((m) => m.id),
  };
}

function mapAccepted(p: OutboxPayloads['acceptedWithMissing']): D<'acceptedWithMissing'> {
  return {
    id: p.id,
    day: p.day,
    at: p.at,
    counter: p.counter,
    ticketId: p.ticketId,
    missingMaterialIds: p.missingMaterialIds,
    followUpDate: p.followUpDate,
  };
}

function mapUnresolved(p: OutboxPayloads['unresolvedReport']): D<'unresolvedReport'> {
  return {
    id: p.id,
    day: p.day,
    at: p.at,
    service: str(p.service),
    description: scrub(String(p.description ?? '')).slice(0, 1000),
    contactMasked: contactMasked(p.contact),
    dueDay: p.dueDay ?? p.day,
  };
}

type CasePayload = Exclude<OutboxPayloads['caseUpdate'], { caseKind: 'acceptedWithMissing' }>;

function mapCase(p: Extract<CasePayload, { caseKind: CaseKind }>, tz: string): D<'caseChange'> {
  const c = p.case ?? ({} as CaseFact);
  const e = p.entry ?? ({} as CaseEntryFact);
  const rect = p.caseKind === 'rectification';
  const out: D<'caseChange'> = {
    caseKind: p.caseKind,
    caseId: p.caseId,
    action: p.action,
    at: e.at,
    day: dayOf(e.at, tz),
    state: c.state,
    dueDay: (c.dueDay ?? c.day) as string,
    openedAt: (rect ? c.openedAt : c.at) as number,
    closedAt: num(c.closedAt),
    counter: rect ? str(c.counter) : null,
    staffId: rect ? str(c.staffId) : null,
    ticketId: rect ? str(c.ticketId) : null,
    // An assignment's text is the assignee's name: it stays in the hall.
    text: p.action !== 'assigned' && typeof e.text === 'string' ? scrub(e.text).slice(0, 2000) : null,
  };
  if (e.satisfied !== undefined) out.satisfied = e.satisfied;
  return out;
}

function mapCampaign(p: Extract<CasePayload, { caseKind: CampaignKind }>, tz: string): D<'campaignCase'> {
  const c = p.case ?? ({} as CaseFact);
  const e = p.entry ?? ({} as CaseEntryFact);
  const out: D<'campaignCase'> = {
    caseKind: p.caseKind,
    caseId: p.caseId,
    action: p.action,
    at: e.at,
    day: dayOf(e.at, tz),
    state: c.state,
    dueDay: c.dueDay as string,
    openedAt: c.openedAt as number,
    closedAt: num(c.closedAt),
    service: str(c.service),
    counter: str(c.counter),
    staffId: str(c.staffId),
    ticketId: str(c.ticketId),
    // not checked here: a value outside the contract is refused by the hub and the row parked with the reason
    source: str(c.source) as D<'campaignCase'>['source'],
    escalation: str(c.escalation) as D<'campaignCase'>['escalation'],
    // An assignment's text is the assignee's name: it stays in the hall.
    text: p.action !== 'assigned' && typeof e.text === 'string' ? scrub(e.text).slice(0, 2000) : null,
  };
  if (e.satisfied !== undefined) out.satisfied = e.satisfied;
  return out;
}

function mapFollowUpDone(p: Extract<OutboxPayloads['caseUpdate'], { caseKind: 'acceptedWithMissing' }>, tz: string): D<'followUpDone'> {
  const r = p.record ?? ({} as NonNullable<typeof p.record>);
  return { id: r.id, day: dayOf(r.completedAt, tz), at: r.completedAt, counter: r.counter, ticketId: r.ticketId };
}

/** the record kind and data of one outbox payload; its time and day are taken from the data */
type Mapped = { [K in RecordKind]: { kind: K; data: D<K> } }[RecordKind];

/** One typed mapper per outbox kind (common/vocabulary.ts OUTBOX_KIND): a new outbox kind does not compile without one. */
const MAPPERS: { [K in OutboxKind]: (p: OutboxPayloads[K], tz: string) => Mapped } = {
  rating: (p) => ({ kind: 'rating', data: mapRating(p) }),
  notRated: (p) => ({ kind: 'notRated', data: mapNotRated(p) }),
  serviceRecord: (p) => ({ kind: 'serviceRecord', data: mapService(p) }),
  notice: (p) => ({ kind: 'notice', data: mapNotice(p) }),
  acceptedWithMissing: (p) => ({ kind: 'acceptedWithMissing', data: mapAccepted(p) }),
  unresolvedReport: (p) => ({ kind: 'unresolvedReport', data: mapUnresolved(p) }),
  // One outbox kind carries several case families; each goes up under its own contract.
  caseUpdate: (p, tz) => {
    if (p.caseKind === 'acceptedWithMissing') return { kind: 'followUpDone', data: mapFollowUpDone(p, tz) };
    if (isCampaign(p)) return { kind: 'campaignCase', data: mapCampaign(p, tz) };
    return { kind: 'caseChange', data: mapCase(p as Extract<CasePayload, { caseKind: CaseKind }>, tz) };
  },
  dailySummary: (p) => ({ kind: 'dailySummary', data: p }),
};

function isCampaign(p: CasePayload): p is Extract<CasePayload, { caseKind: CampaignKind }> {
  return (CAMPAIGN_KINDS as readonly string[]).includes(p.caseKind);
}

/** Maps one outbox row; throws UnmappableRecord for a row no contract can carry (it is parked). */
export function toRecord(row: OutboxRow, timezone: string): SyncRecord {
  if (!isIn(OUTBOX_KIND, row.kind)) throw new UnmappableRecord(`no contract for outbox kind "${row.kind}"`);
  let payload: unknown;
  try {
    // rows stored before the API refused NUL / lone surrogates: scrubbed, never parked by the hub
    payload = scrubText(JSON.parse(row.payload));
  } catch {
    throw new UnmappableRecord('payload is not JSON');
  }
  if (!payload || typeof payload !== 'object') throw new UnmappableRecord('payload is not an object');
  const map = MAPPERS[row.kind] as (p: unknown, tz: string) => Mapped;
  const { kind, data } = map(payload, timezone);
  const times = data as { at?: unknown; finishedAt?: unknown; day?: unknown };
  const at = typeof times.at === 'number' ? times.at : typeof times.finishedAt === 'number' ? times.finishedAt : row.created_at;
  const day = typeof times.day === 'string' ? times.day : dayOf(at, timezone);
  // a summary written by the agent before its upgrade keeps the version it was written in
  const v = kind === 'dailySummary' && !('revision' in data) ? 1 : CONTRACTS[kind].v;
  return { key: row.idempotency_key, kind, v, at, day, data } as SyncRecord;
}
