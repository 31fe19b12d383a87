// The hall's shared vocabulary: every closed set of values that leaves the queue engine (events, stored
// rows, the upward sync, screens) is one `const` table here, with its zh-CN and English labels. Types are
// derived from the tables, so adding a value is one entry (plus whatever decision it needs, e.g. a
// channel's place in the calling order) and every `switch` over it fails to compile until handled.
//
// One table per block, each block self-contained: several areas add tables here (record kinds come from
// the sync side), and separate blocks merge without conflicts.

export interface Label {
  readonly zh: string;
  readonly en: string;
}

/** Keys of a table in declaration order (Object.keys keeps string-key insertion order). */
function keysOf<T extends Record<string, Label>>(table: T): readonly (keyof T & string)[] {
  return Object.freeze(Object.keys(table)) as readonly (keyof T & string)[];
}

/** The label of a value in a table, or the raw value when it is unknown (old rows, a newer peer). */
export function labelOf<T extends Record<string, Label>>(table: T, value: string, lang: 'zh' | 'en' = 'zh'): string {
  const entry = (table as Record<string, Label | undefined>)[value];
  return entry ? entry[lang] : value;
}

/** A type guard for values read from outside (HTTP bodies, stored JSON). */
export function isIn<T extends Record<string, Label>>(table: T, value: unknown): value is keyof T & string {
  return typeof value === 'string' && Object.hasOwn(table, value);
}

// ---- 通道 channel

/** The order here is the kiosk's and the reports' order, not the calling order (agent/queue/ordering.ts). */
export const CHANNEL = {
  normal: { zh: '普通', en: 'Normal' },
  senior: { zh: '爱心通道', en: 'Senior / priority' },
  green: { zh: '绿色通道', en: 'Green channel' },
  appointment: { zh: '网上预约', en: 'Appointment' },
} as const satisfies Record<string, Label>;
export type Channel = keyof typeof CHANNEL;
export const CHANNELS = keysOf(CHANNEL);

// ---- 号票状态 ticket state

export const TICKET_STATE = {
  waiting: { zh: '等候中', en: 'Waiting' },
  called: { zh: '已呼叫', en: 'Called' },
  serving: { zh: '办理中', en: 'Serving' },
  done: { zh: '已办结', en: 'Done' },
  noShow: { zh: '过号', en: 'No-show' },
  transferred: { zh: '已转移', en: 'Transferred' },
  cancelled: { zh: '已结束', en: 'Ended' },
} as const satisfies Record<string, Label>;
export type TicketState = keyof typeof TICKET_STATE;
export const TICKET_STATES = keysOf(TICKET_STATE);

// ---- 结束原因 end reason: why a ticket left without being served (Ticket.cancelReason)

export const END_REASON = {
  /** staff cancelled it */
  cancelled: { zh: '已取消', en: 'Cancelled' },
  /** still waiting (or 过号, not back) when the hall's day closed: never callable again */
  dayEnd: { zh: '当日未办理，已闭厅', en: 'Not served before the hall closed' },
  /** called but never started when the day closed */
  dayEndCalled: { zh: '呼叫未到，已闭厅', en: 'Called, not started before the hall closed' },
  /** being served when the day closed: staff never pressed 办结 */
  dayEndServing: { zh: '办理未办结，已闭厅', en: 'Service not finished before the hall closed' },
} as const satisfies Record<string, Label>;
export type EndReason = keyof typeof END_REASON;
export const END_REASONS = keysOf(END_REASON);

// ---- 事项 case kind: 整改 / 办不成事 (the rating loop) and the campaign cases

export const CASE_KIND = {
  rectification: { zh: '整改', en: 'Rectification', group: 'rating' },
  unresolved: { zh: '办不成事', en: 'Unresolved matter', group: 'rating' },
  homeVisit: { zh: '上门服务', en: 'Home visit', group: 'campaign' },
  petition: { zh: '信访', en: 'Petition', group: 'campaign' },
  selfCheck: { zh: '自查', en: 'Self-check', group: 'campaign' },
  revisit: { zh: '回访', en: 'Callback sample', group: 'campaign' },
} as const satisfies Record<string, Label & { group: 'rating' | 'campaign' }>;
export type AnyCaseKind = keyof typeof CASE_KIND;
export const CASE_KINDS = keysOf(CASE_KIND);
type CaseKindOf<G> = { [K in AnyCaseKind]: (typeof CASE_KIND)[K]['group'] extends G ? K : never }[AnyCaseKind];
/** 整改 and 办不成事: opened by a rating or a citizen's report */
export type CaseKind = CaseKindOf<'rating'>;
/** 上门服务, 信访, 自查, 回访 samples */
export type CampaignKind = CaseKindOf<'campaign'>;
export const CAMPAIGN_KINDS = CASE_KINDS.filter((k) => CASE_KIND[k].group === 'campaign') as readonly CampaignKind[];

// ---- 终端 terminal kind: a browser screen registered to the hall

export const TERMINAL_KIND = {
  kiosk: { zh: '取号机', en: 'Kiosk' },
  pad: { zh: '评价器', en: 'Rating pad' },
  display: { zh: '显示屏', en: 'Hall display' },
  counter: { zh: '窗口终端', en: 'Counter PC' },
} as const satisfies Record<string, Label>;
export type TerminalKind = keyof typeof TERMINAL_KIND;
export const TERMINAL_KINDS = keysOf(TERMINAL_KIND);

// ---- 闭厅时机 day-close trigger: what closed the hall's day

export const DAY_CLOSE_TRIGGER = {
  closingTime: { zh: '闭厅时间', en: 'Closing time' },
  midnight: { zh: '零点', en: 'Midnight' },
  startup: { zh: '开机补结', en: 'Next start-up' },
  manual: { zh: '手动闭厅', en: 'Closed by the manager' },
} as const satisfies Record<string, Label>;
export type DayCloseTrigger = keyof typeof DAY_CLOSE_TRIGGER;
export const DAY_CLOSE_TRIGGERS = keysOf(DAY_CLOSE_TRIGGER);

// ---- 上报记录 record kind: the facts a hall reports to the hub (contracts/records.ts has one contract each)

export const RECORD_KIND = {
  serviceRecord: { zh: '办件记录', en: 'Service record' },
  rating: { zh: '评价', en: 'Rating' },
  notRated: { zh: '未评价', en: 'Not rated' },
  notice: { zh: '一次性告知', en: 'Notice of missing materials' },
  acceptedWithMissing: { zh: '容缺受理', en: 'Accepted with missing materials' },
  followUpDone: { zh: '容缺补齐', en: 'Missing materials received' },
  unresolvedReport: { zh: '办不成事反映', en: 'Unresolved-matter report' },
  caseChange: { zh: '整改/办不成事进展', en: 'Case update' },
  campaignCase: { zh: '上门/信访/自查/回访', en: 'Campaign case' },
  dailySummary: { zh: '日汇总', en: 'Daily summary' },
  liveWait: { zh: '实时等候', en: 'Live wait' },
} as const satisfies Record<string, Label>;
export type RecordKind = keyof typeof RECORD_KIND;
export const RECORD_KINDS = keysOf(RECORD_KIND);

/**
 * 待上报 outbox kind: what the engine writes in the hall's outbox, and the record kind it goes up as.
 * One outbox kind, caseUpdate, carries several case families and goes up under the family's contract.
 */
export const OUTBOX_KIND = {
  serviceRecord: { zh: '办件记录', en: 'Service record', sentAs: ['serviceRecord'] },
  rating: { zh: '评价', en: 'Rating', sentAs: ['rating'] },
  notRated: { zh: '未评价', en: 'Not rated', sentAs: ['notRated'] },
  notice: { zh: '一次性告知', en: 'Notice of missing materials', sentAs: ['notice'] },
  acceptedWithMissing: { zh: '容缺受理', en: 'Accepted with missing materials', sentAs: ['acceptedWithMissing'] },
  unresolvedReport: { zh: '办不成事反映', en: 'Unresolved-matter report', sentAs: ['unresolvedReport'] },
  caseUpdate: { zh: '事项进展', en: 'Case update', sentAs: ['caseChange', 'campaignCase', 'followUpDone'] },
  dailySummary: { zh: '日汇总', en: 'Daily summary', sentAs: ['dailySummary'] },
} as const satisfies Record<string, Label & { sentAs: readonly RecordKind[] }>;
export type OutboxKind = keyof typeof OUTBOX_KIND;
export const OUTBOX_KINDS = keysOf(OUTBOX_KIND);

// ---- 操作记录 audit action: what the manager's audit log records (agent/security/store.ts)

export const AUDIT_ACTION = {
  seed: { zh: '初始化人员与口令', en: 'Staff and PINs seeded' },
  'session.takeover': { zh: '接管窗口登录', en: 'Counter sign-in taken over' },
  'staff.add': { zh: '新增人员', en: 'Staff member added' },
  'staff.update': { zh: '修改人员', en: 'Staff member changed' },
  'staff.resetPin': { zh: '重置口令', en: 'PIN reset' },
  'terminal.add': { zh: '登记终端', en: 'Screen registered' },
  'terminal.pairCode': { zh: '生成配对码', en: 'Pairing code issued' },
  'terminal.paired': { zh: '终端已配对', en: 'Screen paired' },
  'terminal.pairingUnlock': { zh: '解除配对锁定', en: 'Pairing lock released' },
  'terminal.revoke': { zh: '注销终端', en: 'Screen revoked' },
  'counter.openOffDuty': { zh: '非值班日开窗', en: 'Counter opened off duty' },
} as const satisfies Record<string, Label>;
export type AuditAction = keyof typeof AUDIT_ACTION;
export const AUDIT_ACTIONS = keysOf(AUDIT_ACTION);

// ---- 网上预约 a booking made on the hub's public pages (hub_bookings.state, booking_feed.kind)

export const ONLINE_BOOKING_STATE = {
  booked: { zh: '已预约', en: 'Booked' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const satisfies Record<string, Label>;
export type OnlineBookingState = keyof typeof ONLINE_BOOKING_STATE;
export const ONLINE_BOOKING_STATES = keysOf(ONLINE_BOOKING_STATE);
