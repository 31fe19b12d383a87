// Outbox row → versioned contract record (contracts/records.ts). The outbox keeps the hall's own
// shapes (written by the queue engine); this is the one place that decides what leaves the hall:
// staff numbers yes, names never, ID data never, phone numbers masked, free texts scrubbed.
import { CONTRACTS, type RecordData, type RecordKind, type SyncRecord } from '../../contracts/records.js';
import { dayOf } from '../queue/time.js';
import { scrubText } from '../../common/text-hygiene.js';

export interface OutboxRow {
  id: number;
  kind: string;
  idempotency_key: string;
  payload: string;
  created_at: number;
}

export class UnmappableRecord extends Error {}

type Any = Record<string, any>;

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
const RATING_CHANNEL: Record<string, RecordData['rating']['channel']> = { pad: 'pad', keypad: 'keypad', web: 'qr', kiosk: 'kiosk' };

function mapRating(p: Any): RecordData['rating'] {
  const r = p.rating ?? {};
  const rect = p.rectification;
  return {
    ticketId: r.ticketId,
    number: r.number,
    day: r.day,
    at: r.at,
    service: r.service,
    counter: r.counter,
    staffId: str(r.staffId),
    level: r.level,
    reasons: Array.isArray(r.reasons) ? r.reasons : [],
    channel: RATING_CHANNEL[r.source ?? 'pad'] ?? 'pad',
    caseNumber: str(p.caseNumber),
    comment: typeof r.comment === 'string' ? scrub(r.comment).slice(0, 500) : null,
    rectification: rect ? { id: rect.id, dueDay: rect.dueDay } : null,
  };
}

function mapNotRated(p: Any): RecordData['notRated'] {
  const r = p.rating ?? {};
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

function mapService(p: Any): RecordData['serviceRecord'] {
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
    transfers: Array.isArray(p.transfers) ? p.transfers : [],
    acceptedWithMissing: (Array.isArray(p.acceptedWithMissing) ? p.acceptedWithMissing : []).map((a: Any) => ({
      id: a.id,
      missingMaterialIds: a.missingMaterialIds,
      followUpDate: a.followUpDate,
    })),
  };
}

function mapNotice(p: Any): RecordData['notice'] {
  return {
    id: p.id,
    day: p.day,
    at: p.at,
    counter: p.counter,
    service: p.service,
    ticketId: str(p.ticketId),
    staffId: str(p.staffId),
    missingMaterialIds: (p.missingMaterials ?? []).map((m: Any) => m.id),
  };
}

function mapAccepted(p: Any): RecordData['acceptedWithMissing'] {
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

function mapUnresolved(p: Any): RecordData['unresolvedReport'] {
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

function mapCase(p: Any, tz: string): RecordData['caseChange'] {
  const c = p.case ?? {};
  const e = p.entry ?? {};
  const rect = p.caseKind === 'rectification';
  const out: RecordData['caseChange'] = {
    caseKind: p.caseKind,
    caseId: p.caseId,
    action: p.action,
    at: e.at,
    day: dayOf(e.at, tz),
    state: c.state,
    dueDay: c.dueDay ?? c.day,
    openedAt: rect ? c.openedAt : c.at,
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

const CAMPAIGN_KINDS = new Set(['homeVisit', 'petition', 'selfCheck', 'revisit']);

function mapCampaign(p: Any, tz: string): RecordData['campaignCase'] {
  const c = p.case ?? {};
  const e = p.entry ?? {};
  const out: RecordData['campaignCase'] = {
    caseKind: p.caseKind,
    caseId: p.caseId,
    action: p.action,
    at: e.at,
    day: dayOf(e.at, tz),
    state: c.state,
    dueDay: c.dueDay,
    openedAt: c.openedAt,
    closedAt: num(c.closedAt),
    service: str(c.service),
    counter: str(c.counter),
    staffId: str(c.staffId),
    ticketId: str(c.ticketId),
    source: str(c.source) as RecordData['campaignCase']['source'],
    escalation: str(c.escalation) as RecordData['campaignCase']['escalation'],
    // An assignment's text is the assignee's name: it stays in the hall.
    text: p.action !== 'assigned' && typeof e.text === 'string' ? scrub(e.text).slice(0, 2000) : null,
  };
  if (e.satisfied !== undefined) out.satisfied = e.satisfied;
  return out;
}

function mapFollowUpDone(p: Any, tz: string): RecordData['followUpDone'] {
  const r = p.record ?? {};
  return { id: r.id, day: dayOf(r.completedAt, tz), at: r.completedAt, counter: r.counter, ticketId: r.ticketId };
}

/** One outbox kind carries several case families; each goes up under its own contract. */
function caseEntry(p: Any): { kind: RecordKind; map: (p: Any, tz: string) => any } {
  if (CAMPAIGN_KINDS.has(p?.caseKind)) return { kind: 'campaignCase', map: mapCampaign };
  if (p?.caseKind === 'acceptedWithMissing') return { kind: 'followUpDone', map: mapFollowUpDone };
  return { kind: 'caseChange', map: mapCase };
}

const OUTBOX_KINDS: Record<string, { kind: RecordKind; map: (p: Any, tz: string) => any }> = {
  rating: { kind: 'rating', map: mapRating },
  notRated: { kind: 'notRated', map: mapNotRated },
  serviceRecord: { kind: 'serviceRecord', map: mapService },
  notice: { kind: 'notice', map: mapNotice },
  acceptedWithMissing: { kind: 'acceptedWithMissing', map: mapAccepted },
  unresolvedReport: { kind: 'unresolvedReport', map: mapUnresolved },
  caseUpdate: { kind: 'caseChange', map: mapCase },
  dailySummary: { kind: 'dailySummary', map: (p) => p },
};

/** Maps one outbox row; throws UnmappableRecord for a row no contract can carry (it is parked). */
export function toRecord(row: OutboxRow, timezone: string): SyncRecord {
  const entry = OUTBOX_KINDS[row.kind];
  if (!entry) throw new UnmappableRecord(`no contract for outbox kind "${row.kind}"`);
  let payload: Any;
  try {
    // rows stored before the API refused NUL / lone surrogates: scrubbed, never parked by the hub
    payload = scrubText(JSON.parse(row.payload));
  } catch {
    throw new UnmappableRecord('payload is not JSON');
  }
  const { kind, map } = row.kind === 'caseUpdate' ? caseEntry(payload) : entry;
  const data = map(payload, timezone);
  const at = typeof data.at === 'number' ? data.at : typeof data.finishedAt === 'number' ? data.finishedAt : row.created_at;
  const day = typeof data.day === 'string' ? data.day : dayOf(at, timezone);
  // a summary written by the agent before its upgrade keeps the version it was written in
  const v = kind === 'dailySummary' && !('revision' in data) ? 1 : CONTRACTS[kind].v;
  return { key: row.idempotency_key, kind, v, at, day, data };
}
