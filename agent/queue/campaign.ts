// 上门服务, 信访, 自查 and sampled 回访: opened, assigned to a known staff member, worked, closed.
// Same closed-loop rules as cases.ts: each step is the row + one `campaign.*` event (ids and flags
// only: events reach public screens) + one `caseUpdate` outbox row carrying the texts.
import { createHmac } from 'node:crypto';
import {
  CAMPAIGN_KINDS,
  type CampaignCase,
  type CampaignCaseView,
  type CampaignKind,
  ESCALATION_LEVELS,
  type EscalationLevel,
  PETITION_SOURCES,
  type PetitionSource,
} from './campaign-types.js';
import type { EngineCore, Tx } from './core.js';
import { badRequest, conflict, notFound } from './errors.js';
import { dayOf, isValidDay, parseHallTime } from './time.js';
import type { CaseHistoryEntry, QueueEventData, Rating } from './types.js';

type CampaignEventType = 'campaign.opened' | 'campaign.updated' | 'campaign.closed';
/** the payload of a campaign event beyond the case id and kind every one carries */
type CampaignEventExtra<K extends CampaignEventType> = Omit<QueueEventData[K], 'caseId' | 'kind'>;

export interface OpenCampaignCase {
  kind: CampaignKind;
  title: string;
  by: string;
  service?: string;
  assignedTo?: string;
  /** 自查 deadline; 上门服务 defaults to the visit day; 信访 = 15 working days */
  dueDay?: string;
  address?: string;
  scheduledAt?: string;
  source?: PetitionSource;
  escalation?: EscalationLevel;
  measure?: string;
  contactPhone?: string;
  consent?: boolean;
}

const PHONE = /^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$/;

function text(value: unknown, max: number, code: string, zh: string, en: string): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) throw badRequest(`${code}_REQUIRED`, `请填写${zh}`, `${en} is required`);
  if (v.length > max) throw badRequest(`${code}_TOO_LONG`, `${zh}不能超过${max}字`, `${en} over ${max} characters`);
  return v;
}

/** 13812345678 → 138****5678; 0551-65110110 → 0551****0110 */
export function maskPhone(p: string): string {
  const digits = p.replace(/\D/g, '');
  if (digits.length < 7) return '****';
  return `${digits.slice(0, digits.length - 8 > 0 ? digits.length - 8 : 3)}****${digits.slice(-4)}`;
}

/**
 * A free-text contact (办不成事: "张先生 13812345678") as a screen may show it: every phone-like digit
 * run masked as maskPhone does; text without one keeps its first character only (a name).
 */
export function maskContact(text: string): string {
  const t = text.trim();
  if (/\d{7,}/.test(t.replace(/[\s-]/g, ''))) return t.replace(/\d[\d\s-]{5,}\d/g, (run) => maskPhone(run));
  if (t.includes('*')) return t; // masked already (the kiosk's own masking)
  return t ? `${[...t][0]}**` : '';
}

/** A 回访 phone, accepted only with the citizen's consent. */
export function checkedPhone(phone: unknown, consent: unknown): string {
  const p = typeof phone === 'string' ? phone.replace(/\s/g, '') : '';
  if (!PHONE.test(p)) throw badRequest('PHONE_INVALID', '联系电话格式不正确', 'Invalid phone number');
  if (consent !== true) {
    throw badRequest('CONSENT_REQUIRED', '须经群众同意方可留存回访电话', "A callback phone is kept only with the citizen's consent");
  }
  return p;
}

function view(core: EngineCore, c: CampaignCase, me?: string): CampaignCaseView {
  const tz = core.rules.timezone;
  const { contactPhone, ...rest } = c;
  const v: CampaignCaseView = {
    ...rest,
    history: [...c.history],
    overdue: c.state === 'open' && c.dueDay < dayOf(core.clock.now(), tz),
    closedLate: c.closedAt !== undefined && dayOf(c.closedAt, tz) > c.dueDay,
  };
  if (contactPhone) v.contactMasked = maskPhone(contactPhone);
  if (me !== undefined && c.assignedTo !== me) v.asBackup = true;
  return v;
}

function commit<K extends CampaignEventType>(
  core: EngineCore,
  tx: Tx,
  c: CampaignCase,
  type: K,
  entry: CaseHistoryEntry,
  ...extra: keyof CampaignEventExtra<K> extends never ? [] : [CampaignEventExtra<K>]
) {
  if (entry.action !== 'opened') c.history = [...c.history, entry];
  const seq = tx.nextSeq();
  // The phone never travels upward: the supervisor gets the case, the hall keeps the number.
  const { contactPhone: _p, ...upward } = c;
  tx.write(() => {
    core.store.putCampaignCase(c);
    core.store.enqueueOutbox({
      kind: 'caseUpdate',
      idempotencyKey: `case:${c.id}:${seq}`,
      createdAt: tx.now,
      payload: { caseKind: c.kind, caseId: c.id, action: entry.action, entry, case: upward },
    });
  });
  const payload = { caseId: c.id, kind: c.kind, ...extra[0] } as QueueEventData[K];
  tx.emit(type, payload, c.ticketId, c.counter);
  return view(core, c);
}

const PREFIX: Record<CampaignKind, string> = { homeVisit: 'H', petition: 'P', selfCheck: 'S', revisit: 'V' };

export function openCampaignCase(core: EngineCore, tx: Tx, req: OpenCampaignCase): CampaignCaseView {
  if (!CAMPAIGN_KINDS.includes(req?.kind))
    throw badRequest('CASE_KIND_INVALID', '案件类型不正确', `Unknown case kind ${String(req?.kind)}`);
  if (req.kind === 'revisit') throw badRequest('CASE_KIND_INVALID', '回访抽样由系统生成', 'Revisit samples are opened by the system');
  const title = text(req.title, 500, 'TITLE', req.kind === 'selfCheck' ? '存在问题' : '事项', 'Title');
  const by = text(req.by, 40, 'BY', '登记人', 'by');
  if (req.service !== undefined) core.service(req.service);
  const c: CampaignCase = {
    id: `${PREFIX[req.kind]}-${tx.nextSeq()}`,
    kind: req.kind,
    state: 'open',
    day: tx.day,
    openedAt: tx.now,
    dueDay: '',
    title,
    openedBy: by,
    history: [],
  };
  if (req.service !== undefined) c.service = req.service;
  if (req.assignedTo !== undefined) c.assignedTo = core.knownStaff(req.assignedTo).id;
  if (req.dueDay !== undefined && (!isValidDay(req.dueDay) || req.dueDay < tx.day)) {
    throw badRequest('DUE_DAY_INVALID', '期限须为今天或以后（YYYY-MM-DD）', 'dueDay must be YYYY-MM-DD, today or later');
  }
  if (req.kind === 'homeVisit') {
    c.address = text(req.address, 200, 'ADDRESS', '上门地址', 'Address');
    const when = text(req.scheduledAt, 20, 'SCHEDULED_AT', '上门时间', 'scheduledAt');
    const at = parseHallTime(when, core.rules.timezone);
    if (at === undefined) throw badRequest('SCHEDULED_AT_INVALID', '上门时间格式为 YYYY-MM-DD HH:mm', 'scheduledAt is "YYYY-MM-DD HH:mm"');
    c.scheduledAt = when;
    c.dueDay = req.dueDay ?? dayOf(at, core.rules.timezone);
  } else if (req.kind === 'petition') {
    if (!PETITION_SOURCES.includes(req.source as PetitionSource)) {
      throw badRequest('SOURCE_INVALID', '来源须为 12345、来信、取号机、来访或其他', 'source must be 12345, letter, kiosk, visit or other');
    }
    c.source = req.source as PetitionSource;
    c.escalation = req.escalation ?? 'hall';
    if (!ESCALATION_LEVELS.includes(c.escalation)) throw badRequest('ESCALATION_INVALID', '上报层级不正确', 'Unknown escalation level');
    c.discussion = [];
    c.dueDay = req.dueDay ?? core.workingDaysAfter(tx.day, core.campaign.petitionWorkingDays);
  } else {
    c.measure = text(req.measure, 1000, 'MEASURE', '整改措施', 'Measure');
    if (req.assignedTo === undefined) throw badRequest('ASSIGNEE_REQUIRED', '自查须指定责任人', 'A self-check names its owner');
    if (req.dueDay === undefined) throw badRequest('DUE_DAY_REQUIRED', '自查须填写整改期限', 'A self-check has a deadline');
    c.dueDay = req.dueDay;
  }
  if (req.contactPhone !== undefined) c.contactPhone = checkedPhone(req.contactPhone, req.consent);
  return commit(core, tx, c, 'campaign.opened', { at: tx.now, action: 'opened', by });
}

function openOne(core: EngineCore, id: string): CampaignCase {
  const c = typeof id === 'string' ? core.store.getCampaignCase(id.trim()) : undefined;
  if (!c) throw notFound('CASE_UNKNOWN', `没有该案件：${id}`, `Unknown case ${id}`);
  if (c.state !== 'open') throw conflict('CASE_CLOSED', `${c.id}已办结，不能再更改`, `Case ${c.id} is already closed`);
  return c;
}

export function getCampaignCase(core: EngineCore, id: string, me?: string): CampaignCaseView | undefined {
  const c = core.store.getCampaignCase(id);
  return c ? view(core, c, me) : undefined;
}

export function listCampaignCases(core: EngineCore, f: { state?: 'open' | 'closed' | 'all'; kind?: CampaignKind; assignee?: string } = {}) {
  const state = f.state ?? 'open';
  let list = core.store.listCampaignCases(state === 'all' ? undefined : state);
  if (f.kind) list = list.filter((c) => c.kind === f.kind);
  if (f.assignee !== undefined) {
    // AB岗 by person: a staff member also sees the cases of colleagues they back up.
    const me = f.assignee;
    const backedUp = new Set([...core.staff.values()].filter((s) => s.backupStaff === me).map((s) => s.id));
    list = list.filter((c) => c.assignedTo === me || (c.assignedTo !== undefined && backedUp.has(c.assignedTo)));
    return list
      .map((c) => view(core, c, me))
      .sort((a, b) => (a.dueDay < b.dueDay ? -1 : a.dueDay > b.dueDay ? 1 : a.openedAt - b.openedAt));
  }
  return list.map((c) => view(core, c)).sort((a, b) => (a.dueDay < b.dueDay ? -1 : a.dueDay > b.dueDay ? 1 : a.openedAt - b.openedAt));
}

/** Only the assignee (or their AB岗 backup) and the manager work a case; `actorStaff` undefined = manager. */
function mayWork(core: EngineCore, c: CampaignCase, actorStaff: string | undefined): void {
  if (actorStaff === undefined || c.assignedTo === actorStaff) return;
  const owner = c.assignedTo ? core.staff.get(c.assignedTo) : undefined;
  if (owner?.backupStaff === actorStaff) return;
  throw conflict('NOT_YOUR_CASE', `${c.id}不是您承办的案件`, `Case ${c.id} is not assigned to you`);
}

export function assignCampaignCase(core: EngineCore, tx: Tx, id: string, a: { to: string; by: string }) {
  const by = text(a?.by, 40, 'BY', '交办人', 'by');
  const c = openOne(core, id);
  c.assignedTo = core.knownStaff(text(a?.to, 40, 'ASSIGNEE', '承办人', 'Assignee')).id;
  return commit(core, tx, c, 'campaign.updated', { at: tx.now, action: 'assigned', by, text: c.assignedTo }, { action: 'assigned' });
}

/** 信访 一事一议: a note of the discussion of this one matter; optionally 逐级上报 to the next level. */
export function discussPetition(
  core: EngineCore,
  tx: Tx,
  id: string,
  d: { by: string; text: string; escalateTo?: EscalationLevel; actorStaff?: string },
) {
  const by = text(d?.by, 40, 'BY', '记录人', 'by');
  const note = text(d?.text, 2000, 'TEXT', '一事一议记录', 'Discussion note');
  const c = openOne(core, id);
  // whose case first: a colleague's case tells a staff member nothing, not even its kind
  mayWork(core, c, d.actorStaff);
  if (c.kind !== 'petition') throw conflict('NOT_A_PETITION', '只有信访案件有一事一议记录', 'Only petitions have a discussion record');
  if (d.escalateTo !== undefined) {
    const from = ESCALATION_LEVELS.indexOf(c.escalation ?? 'hall');
    const to = ESCALATION_LEVELS.indexOf(d.escalateTo);
    if (to <= from) throw conflict('ESCALATION_NOT_UP', '逐级上报只能报往上一级', 'Escalation goes up one or more levels only');
    c.escalation = d.escalateTo;
  }
  c.discussion = [...(c.discussion ?? []), { at: tx.now, by, text: note }];
  return commit(
    core,
    tx,
    c,
    'campaign.updated',
    { at: tx.now, action: 'callback', by, text: note },
    { action: d.escalateTo ? 'escalated' : 'discussed', escalation: c.escalation },
  );
}

/** 回访 of a 信访, 上门服务 or sampled case; satisfied null = not reached (kept as not reached). */
export function campaignCallback(
  core: EngineCore,
  tx: Tx,
  id: string,
  cb: { by: string; note: string; satisfied: boolean | null; actorStaff?: string },
) {
  const by = text(cb?.by, 40, 'BY', '回访人', 'by');
  const note = text(cb?.note, 1000, 'NOTE', '回访情况', 'Callback note');
  if (cb.satisfied !== null && typeof cb.satisfied !== 'boolean') {
    throw badRequest('SATISFIED_INVALID', '请选择群众是否满意（满意/不满意/未联系上）', 'satisfied must be true, false or null');
  }
  const c = openOne(core, id);
  mayWork(core, c, cb.actorStaff);
  c.callback = { at: tx.now, by, note, satisfied: cb.satisfied };
  return commit(
    core,
    tx,
    c,
    'campaign.updated',
    { at: tx.now, action: 'callback', by, text: note, satisfied: cb.satisfied },
    { action: 'callback' },
  );
}

export function setCampaignContact(
  core: EngineCore,
  tx: Tx,
  id: string,
  p: { phone: string; consent: boolean; by: string; actorStaff?: string },
) {
  const by = text(p?.by, 40, 'BY', '登记人', 'by');
  const c = openOne(core, id);
  mayWork(core, c, p.actorStaff);
  c.contactPhone = checkedPhone(p.phone, p.consent);
  return commit(core, tx, c, 'campaign.updated', { at: tx.now, action: 'callback', by, text: '留存回访电话' }, { action: 'contact' });
}

/**
 * Closes with the result. 信访 and 回访 samples close only after a 回访 that reached the citizen
 * was recorded or — not reached — a 回访 attempt; the phone is deleted on closing.
 */
export function closeCampaignCase(core: EngineCore, tx: Tx, id: string, r: { by: string; result: string; actorStaff?: string }) {
  const by = text(r?.by, 40, 'BY', '办结人', 'by');
  const result = text(r?.result, 2000, 'RESULT', '办理结果', 'Result');
  const c = openOne(core, id);
  mayWork(core, c, r.actorStaff);
  if ((c.kind === 'petition' || c.kind === 'revisit') && !c.callback) {
    throw conflict('CALLBACK_REQUIRED', `${c.id}尚未回访，请先回访群众再办结`, `Record the callback (回访) of ${c.id} before closing it`);
  }
  const overdue = c.dueDay < tx.day;
  c.state = 'closed';
  c.closedAt = tx.now;
  c.closedBy = by;
  c.result = result;
  delete c.contactPhone;
  return commit(core, tx, c, 'campaign.closed', { at: tx.now, action: 'closed', by, text: result }, { overdue });
}

/** Whether a satisfied rating is sampled for 回访: deterministic per ticket, `rate` share of them. */
export function sampledForCallback(secret: string, ticketId: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const mac = createHmac('sha256', secret).update(`revisit:${ticketId}`).digest();
  return mac.readUInt32BE(0) / 0x1_0000_0000 < rate;
}

/** Called inside rate(): a satisfied citizen sampled for 回访 gets a case for the manager. */
export function openRevisitSample(core: EngineCore, tx: Tx, rating: Rating): void {
  if (rating.level === null || rating.level < 4) return;
  if (!sampledForCallback(core.secret, rating.ticketId, core.campaign.callbackSampleRate)) return;
  const c: CampaignCase = {
    id: `V-${tx.nextSeq()}`,
    kind: 'revisit',
    state: 'open',
    day: tx.day,
    openedAt: tx.now,
    dueDay: core.workingDaysAfter(tx.day, 5),
    title: `满意评价抽样回访 ${rating.number}`,
    service: rating.service,
    openedBy: 'system',
    ticketId: rating.ticketId,
    counter: rating.counter,
    ratingLevel: rating.level,
    history: [],
  };
  if (rating.staffId !== undefined) c.staffId = rating.staffId;
  commit(core, tx, c, 'campaign.opened', { at: tx.now, action: 'opened', by: 'system' });
}
