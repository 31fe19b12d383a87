// 整改 (opened by a level 1–2 rating) and 办不成事 (unresolved report) tracked until closed: list,
// 回访 callback, assignment, closing. Each change is the case row + one `case.*` event + one
// `caseUpdate` outbox row, all in the action's transaction, so the supervisor sees every step.
// The free texts (callback notes, 整改措施, resolutions) stay in the row and the outbox: events go
// to every screen, including the public hall display.
import type { EngineCore, Tx } from './core.js';
import { QueueError, badRequest, conflict, notFound } from './errors.js';
import { checkedPhone, maskPhone } from './campaign.js';
import { dayOf } from './time.js';
import type { CaseHistoryEntry, CaseKind, CaseView, QueueEventData, Rectification, UnresolvedReport } from './types.js';

type CaseEventType = 'case.callback' | 'case.assigned' | 'case.closed' | 'case.contact';
/** the payload of a case event beyond what every case event carries */
type CaseEventExtra<K extends CaseEventType> = Omit<QueueEventData[K], 'caseId' | 'kind' | 'by'>;

export interface CaseFilter {
  /** default 'open': the manager's work list */
  state?: 'open' | 'closed' | 'all';
  kind?: CaseKind;
}

type Found = { kind: 'rectification'; rec: Rectification } | { kind: 'unresolved'; rec: UnresolvedReport };

const NOTE_MAX = 1000;
const TEXT_MAX = 2000;
const NAME_MAX = 40;

function requireText(value: unknown, max: number, code: string, zh: string, en: string): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) throw badRequest(`${code}_REQUIRED`, `请填写${zh}`, `${en} is required`);
  if (v.length > max) throw badRequest(`${code}_TOO_LONG`, `${zh}不能超过${max}字`, `${en} over ${max} characters`);
  return v;
}

function findCase(core: EngineCore, id: string): Found {
  const key = typeof id === 'string' ? id.trim() : '';
  const rec = key ? core.store.getRectification(key) : undefined;
  if (rec) return { kind: 'rectification', rec };
  const rep = key ? core.store.getUnresolved(key) : undefined;
  if (rep) return { kind: 'unresolved', rec: rep };
  throw notFound('CASE_UNKNOWN', `没有该整改或办不成事记录：${key}`, `Unknown case ${key}`);
}

function openCase(core: EngineCore, id: string): Found;
function openCase<K extends CaseKind>(core: EngineCore, id: string, kind: K): Extract<Found, { kind: K }>;
function openCase(core: EngineCore, id: string, kind?: CaseKind): Found {
  const c = findCase(core, id);
  if (kind && c.kind !== kind) {
    throw notFound(
      'CASE_UNKNOWN',
      kind === 'rectification' ? `没有该整改记录：${id}` : `没有该办不成事记录：${id}`,
      `No ${kind} case ${id}`,
    );
  }
  if (c.rec.state !== 'open') throw conflict('CASE_CLOSED', `${c.rec.id}已办结，不能再更改`, `Case ${c.rec.id} is already closed`);
  return c;
}

function unresolvedDue(core: EngineCore, u: UnresolvedReport): string {
  // Reports written before case tracking carry no due day: same rule, from the day they were made.
  return u.dueDay ?? core.workingDaysAfter(u.day, core.rules.rectificationWorkingDays);
}

export function caseView(core: EngineCore, c: Found, today: string): CaseView {
  const tz = core.rules.timezone;
  const dueDay = c.kind === 'rectification' ? c.rec.dueDay : unresolvedDue(core, c.rec);
  const openedAt = c.kind === 'rectification' ? c.rec.openedAt : c.rec.at;
  const v: CaseView = {
    id: c.rec.id,
    kind: c.kind,
    state: c.rec.state,
    openedAt,
    dueDay,
    overdue: c.rec.state === 'open' && dueDay < today,
    closedLate: c.rec.closedAt !== undefined && dayOf(c.rec.closedAt, tz) > dueDay,
    history: [{ at: openedAt, action: 'opened' }, ...(c.rec.history ?? [])],
  };
  if (c.rec.callback) v.callback = { ...c.rec.callback };
  if (c.rec.contactPhone) v.contactMasked = maskPhone(c.rec.contactPhone);
  if (c.rec.closedAt !== undefined) v.closedAt = c.rec.closedAt;
  if (c.rec.closedBy !== undefined) v.closedBy = c.rec.closedBy;
  if (c.kind === 'rectification') {
    const r = c.rec;
    v.ticketId = r.ticketId;
    v.counter = r.counter;
    if (r.staffId !== undefined) v.staffId = r.staffId;
    const rating = core.store.getRating(r.ticketId);
    v.rating = { id: rating?.id ?? `R-${r.ticketId}`, level: r.level, reasons: [...r.reasons] };
    if (rating?.comment) v.rating.comment = rating.comment;
    if (rating) {
      v.number = rating.number;
      v.service = rating.service;
    }
    if (r.measures !== undefined) v.closingText = r.measures;
  } else {
    const u = c.rec;
    v.description = u.description;
    if (u.service !== undefined) v.service = u.service;
    if (u.contact !== undefined) v.contact = u.contact;
    if (u.assignedTo !== undefined) v.assignedTo = u.assignedTo;
    if (u.resolution !== undefined) v.closingText = u.resolution;
  }
  return v;
}

export function listCases(core: EngineCore, filter: CaseFilter = {}): CaseView[] {
  const state = filter.state ?? 'open';
  if (state !== 'open' && state !== 'closed' && state !== 'all') {
    throw badRequest('CASE_STATE_INVALID', '状态须为 open、closed 或 all', 'state must be open, closed or all');
  }
  if (filter.kind !== undefined && filter.kind !== 'rectification' && filter.kind !== 'unresolved') {
    throw badRequest('CASE_KIND_INVALID', '类型须为 rectification 或 unresolved', 'kind must be rectification or unresolved');
  }
  const wanted = state === 'all' ? undefined : state;
  const found: Found[] = [];
  if (filter.kind !== 'unresolved') for (const rec of core.store.listRectifications(wanted)) found.push({ kind: 'rectification', rec });
  if (filter.kind !== 'rectification') for (const rec of core.store.listUnresolved(wanted)) found.push({ kind: 'unresolved', rec });
  const today = dayOf(core.clock.now(), core.rules.timezone);
  // Most urgent first: earliest due day, then oldest.
  return found
    .map((c) => caseView(core, c, today))
    .sort((a, b) => (a.dueDay < b.dueDay ? -1 : a.dueDay > b.dueDay ? 1 : a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1)));
}

export function getCase(core: EngineCore, id: string): CaseView | undefined {
  try {
    return caseView(core, findCase(core, id), dayOf(core.clock.now(), core.rules.timezone));
  } catch (err) {
    if (err instanceof QueueError && err.status === 404) return undefined;
    throw err;
  }
}

/** Open / overdue counts for the manager board's stats (cases of any day). */
export function caseCounts(core: EngineCore): { open: number; overdue: number } {
  const open = listCases(core, { state: 'open' });
  return { open: open.length, overdue: open.filter((c) => c.overdue).length };
}

function commit<K extends CaseEventType>(
  core: EngineCore,
  tx: Tx,
  c: Found,
  type: K,
  entry: CaseHistoryEntry,
  data: CaseEventExtra<K>,
): CaseView {
  // The row was parsed from the store for this action alone: changing it in place is safe.
  c.rec.history = [...(c.rec.history ?? []), entry];
  // The 回访 phone is kept only while the case is open, and never travels upward.
  if (c.rec.state === 'closed') delete c.rec.contactPhone;
  const { contactPhone: _p, ...upward } = c.rec;
  const seq = tx.nextSeq();
  tx.write(() => {
    if (c.kind === 'rectification') core.store.putRectification(c.rec);
    else core.store.putUnresolved(c.rec);
    core.store.enqueueOutbox({
      kind: 'caseUpdate',
      // One row per step: the supervisor's platform tracks the case, not only its last state.
      idempotencyKey: `case:${c.rec.id}:${seq}`,
      createdAt: tx.now,
      payload: { caseKind: c.kind, caseId: c.rec.id, action: entry.action, entry, case: upward },
    });
  });
  const ticketId = c.kind === 'rectification' ? c.rec.ticketId : undefined;
  const counter = c.kind === 'rectification' ? c.rec.counter : undefined;
  const payload = { caseId: c.rec.id, kind: c.kind, by: entry.by, ...data } as QueueEventData[K];
  tx.emit(type, payload, ticketId, counter);
  return caseView(core, c, tx.day);
}

/** 回访: the manager called the citizen back. May be repeated (e.g. not reached the first time). */
export function recordCallback(
  core: EngineCore,
  tx: Tx,
  id: string,
  cb: { by: string; note: string; satisfied: boolean | null },
): CaseView {
  const by = requireText(cb?.by, NAME_MAX, 'BY', '回访人', 'by');
  const note = requireText(cb?.note, NOTE_MAX, 'NOTE', '回访情况', 'Callback note');
  if (cb.satisfied !== null && typeof cb.satisfied !== 'boolean') {
    throw badRequest('SATISFIED_INVALID', '请选择群众是否满意（满意/不满意/未表态）', 'satisfied must be true, false or null');
  }
  const c = openCase(core, id);
  c.rec.callback = { at: tx.now, by, note, satisfied: cb.satisfied };
  const entry: CaseHistoryEntry = { at: tx.now, action: 'callback', by, text: note, satisfied: cb.satisfied };
  return commit(core, tx, c, 'case.callback', entry, { satisfied: cb.satisfied });
}

/** Closes a 整改 case with the measures taken; only after a 回访 has been recorded. */
export function closeRectification(core: EngineCore, tx: Tx, id: string, r: { by: string; measures: string }): CaseView {
  const by = requireText(r?.by, NAME_MAX, 'BY', '办结人', 'by');
  const measures = requireText(r?.measures, TEXT_MAX, 'MEASURES', '整改措施', 'Measures');
  const c = openCase(core, id, 'rectification');
  if (!c.rec.callback) {
    throw conflict(
      'CALLBACK_REQUIRED',
      `${c.rec.id}尚未回访，请先回访群众再办结整改`,
      `Record the callback (回访) of ${c.rec.id} before closing it`,
    );
  }
  const overdue = c.rec.dueDay < tx.day;
  c.rec.state = 'closed';
  c.rec.closedAt = tx.now;
  c.rec.closedBy = by;
  c.rec.measures = measures;
  return commit(core, tx, c, 'case.closed', { at: tx.now, action: 'closed', by, text: measures }, { overdue });
}

/** Closes a 办不成事 report with how it was resolved (or why it cannot be). */
export function closeUnresolved(core: EngineCore, tx: Tx, id: string, r: { by: string; resolution: string }): CaseView {
  const by = requireText(r?.by, NAME_MAX, 'BY', '办结人', 'by');
  const resolution = requireText(r?.resolution, TEXT_MAX, 'RESOLUTION', '办理结果', 'Resolution');
  const c = openCase(core, id, 'unresolved');
  const overdue = unresolvedDue(core, c.rec) < tx.day;
  c.rec.state = 'closed';
  c.rec.closedAt = tx.now;
  c.rec.closedBy = by;
  c.rec.resolution = resolution;
  return commit(core, tx, c, 'case.closed', { at: tx.now, action: 'closed', by, text: resolution }, { overdue });
}

/** Hands a 办不成事 report to a staff member to follow up; the manager still closes it. */
export function assignUnresolved(core: EngineCore, tx: Tx, id: string, a: { to: string; by: string }): CaseView {
  const to = core.knownStaff(requireText(a?.to, NAME_MAX, 'ASSIGNEE', '承办人', 'Assignee')).id;
  const by = requireText(a?.by, NAME_MAX, 'BY', '交办人', 'by');
  const c = openCase(core, id, 'unresolved');
  c.rec.assignedTo = to;
  return commit(core, tx, c, 'case.assigned', { at: tx.now, action: 'assigned', by, text: to }, { to });
}

/** A 回访 phone given with the citizen's consent; shown masked, deleted when the case closes. */
export function setCaseContact(core: EngineCore, tx: Tx, id: string, p: { phone: string; consent: boolean; by: string }): CaseView {
  const by = requireText(p?.by, NAME_MAX, 'BY', '登记人', 'by');
  const phone = checkedPhone(p?.phone, p?.consent);
  const c = openCase(core, id);
  c.rec.contactPhone = phone;
  return commit(core, tx, c, 'case.contact', { at: tx.now, action: 'callback', by, text: '留存回访电话' }, { given: true });
}

/** 办不成事 cases assigned to a staff member (or to colleagues they back up, AB岗). */
export function casesOfStaff(core: EngineCore, staffId: string): CaseView[] {
  const backedUp = new Set([...core.staff.values()].filter((s) => s.backupStaff === staffId).map((s) => s.id));
  return listCases(core, { state: 'open' }).filter(
    (c) => c.assignedTo !== undefined && (c.assignedTo === staffId || backedUp.has(c.assignedTo)),
  );
}
