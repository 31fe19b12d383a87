// 好差评, 一次性告知, 容缺办理, 办不成事: each a state row + an event (+ an outbox row for upward sync).
import type { EngineCore, Tx } from './core.js';
import { badRequest, conflict, notFound } from './errors.js';
import { openRevisitSample } from './campaign.js';
import { assignReturnCode } from './returns.js';
import type { StoredTicket } from './store.js';
import { isValidDay } from './time.js';
import { reasonName } from '../../common/rating-reasons.js';
import type {
  AcceptedWithMissing,
  NoticeRecord,
  Rating,
  RatingLevel,
  RatingReason,
  RatingSource,
  Rectification,
  UnresolvedReport,
} from './types.js';

export interface RateRequest {
  counter: string;
  ticketId?: string;
  level: RatingLevel;
  reasons?: RatingReason[];
  comment?: string;
  source: RatingSource;
  /**
   * A rating pad's binding: only the counter's last finished ticket, and only this long after it was
   * finished (the pad's timeout plus the sweep's margin). Without it the caller names the service itself.
   */
  windowMs?: number;
}

function ratedTicket(core: EngineCore, tx: Tx, counterId: string, ticketId?: string): StoredTicket {
  core.counterDef(counterId);
  const id = ticketId ?? tx.counter(counterId).lastFinishedTicketId;
  if (!id) throw conflict('NOTHING_TO_RATE', '本窗口暂无可评价的办件', `Counter ${counterId} has no finished ticket to rate`);
  // A service finished before midnight may be rated after it (the rating belongs to the service's
  // day, docs/figures.md); the day's rollover has dropped it from the cache, the store still has it.
  const t = tx.ticket(id) ?? earlierDayTicket(core, id) ?? core.ticketOrThrow(id, tx);
  if (t.state !== 'done') throw conflict('TICKET_NOT_FINISHED', `${t.number}号尚未办结，暂不能评价`, `${t.number} is not finished`);
  if (t.counter !== counterId) {
    throw conflict('WRONG_COUNTER', `${t.number}号不是在${counterId}号窗口办结的`, `${t.number} was not finished at counter ${counterId}`);
  }
  return t;
}

function earlierDayTicket(core: EngineCore, id: string): StoredTicket | undefined {
  const day = /^(\d{4}-\d{2}-\d{2})-/.exec(id)?.[1];
  return day === undefined ? undefined : core.store.loadTickets(day).find((t) => t.id === id);
}

export function rate(core: EngineCore, tx: Tx, r: RateRequest): Rating {
  if (!Number.isInteger(r.level) || r.level < 1 || r.level > 5) {
    throw badRequest('RATING_LEVEL_INVALID', '评价等级须为1至5', 'Rating level must be 1..5');
  }
  const reasons = [...new Set(r.reasons ?? [])];
  for (const why of reasons) {
    if (!core.ratingReasons.some((d) => d.code === why))
      throw badRequest(
        'RATING_REASON_INVALID',
        '评价原因不正确',
        `Unknown rating reason ${String(why)} (this hall: ${core.ratingReasons.map((d) => d.code).join(', ')})`,
      );
  }
  if (r.comment !== undefined && r.comment.length > 500)
    throw badRequest('COMMENT_TOO_LONG', '评价内容不能超过500字', 'Comment over 500 characters');
  const t = ratedTicket(core, tx, r.counter, r.ticketId);
  if (r.windowMs !== undefined) {
    // a forged late 1-star would open a 整改 case against the officer: a pad rates the service that just ended
    if (t.id !== tx.counter(r.counter).lastFinishedTicketId)
      throw conflict(
        'NOT_LAST_SERVICE',
        `${t.number}号不是本窗口刚办结的业务，不能评价`,
        `${t.number} is not counter ${r.counter}'s last service`,
      );
    if (t.finishedAt === undefined || tx.now - t.finishedAt > r.windowMs)
      throw conflict('RATING_CLOSED', '评价时间已过', `The time to rate ${t.number} has passed`);
  }
  // once per service: a 未评价 (the pad timed out) is as final as a rating
  const existing = core.store.getRating(t.id);
  if (existing)
    throw conflict(
      'ALREADY_RATED',
      existing.level === null ? '该办件已记为未评价，不能再评价' : '该办件已评价，每次办件只能评价一次',
      existing.level === null ? `${t.number} was recorded as not rated` : `${t.number} already rated`,
    );
  const seq = tx.nextSeq();
  // a given rating has a level (null is 未评价, recordNotRated): the outbox's rating payload says so
  const rating: Rating & { level: RatingLevel } = {
    id: `R-${t.id}`,
    ticketId: t.id,
    number: t.number,
    counter: r.counter,
    service: t.service,
    day: t.day,
    at: tx.now,
    level: r.level,
    reasons,
    source: r.source,
  };
  if (t.staffId !== undefined) rating.staffId = t.staffId;
  if (r.comment) rating.comment = r.comment;
  let rect: Rectification | undefined;
  if (r.level <= 2) {
    rect = {
      id: `Z-${seq}`,
      ticketId: t.id,
      counter: r.counter,
      level: r.level,
      reasons,
      openedAt: tx.now,
      dueDay: core.workingDaysAfter(tx.day, core.rules.rectificationWorkingDays),
      state: 'open',
    };
    if (t.staffId !== undefined) rect.staffId = t.staffId;
    rating.rectificationId = rect.id;
  }
  tx.write(() => {
    core.store.putRating(rating);
    if (rect) core.store.putRectification(rect);
    core.store.enqueueOutbox({
      kind: 'rating',
      idempotencyKey: `rating:${t.id}`,
      createdAt: tx.now,
      // the names as the hall's list has them today: a code a province later renames keeps what the citizen read
      payload: {
        rating,
        rectification: rect ?? null,
        caseNumber: t.caseNumber ?? null,
        reasonNames: reasons.map((c) => reasonName(c, core.ratingReasons)),
      },
    });
  });
  tx.emit(
    'rating.recorded',
    { ticketId: t.id, number: t.number, level: r.level, reasons, source: r.source, rectificationId: rect?.id ?? null },
    t.id,
    r.counter,
  );
  openRevisitSample(core, tx, rating);
  return rating;
}

export function recordNotRated(core: EngineCore, tx: Tx, counterId: string, ticketId?: string): void {
  const t = ratedTicket(core, tx, counterId, ticketId);
  if (core.store.getRating(t.id)) throw conflict('ALREADY_RATED', '该办件已评价', `${t.number} already has a rating record`);
  const rating: Rating = {
    id: `R-${t.id}`,
    ticketId: t.id,
    number: t.number,
    counter: counterId,
    service: t.service,
    day: t.day,
    at: tx.now,
    level: null,
    reasons: [],
  };
  if (t.staffId !== undefined) rating.staffId = t.staffId;
  tx.write(() => {
    core.store.putRating(rating);
    core.store.enqueueOutbox({
      kind: 'notRated',
      idempotencyKey: `notRated:${t.id}`,
      createdAt: tx.now,
      payload: { rating, caseNumber: t.caseNumber ?? null },
    });
  });
  tx.emit('rating.notRated', { number: t.number }, t.id, counterId);
}

export function recordNotice(
  core: EngineCore,
  tx: Tx,
  n: { counter: string; service: string; missingMaterialIds: string[]; ticketId?: string; staffId?: string },
): NoticeRecord {
  core.counterDef(n.counter);
  const service = core.service(n.service);
  if (!Array.isArray(n.missingMaterialIds) || n.missingMaterialIds.length === 0) {
    throw badRequest('NOTICE_EMPTY', '一次性告知须列出所缺材料', 'A notice lists at least one missing material');
  }
  const materials = [...new Set(n.missingMaterialIds)].map((id) => {
    const m = service.materials.find((x) => x.id === id);
    if (!m) throw badRequest('MATERIAL_UNKNOWN', `「${service.name.zh}」没有该材料：${id}`, `Unknown material ${id} for ${service.id}`);
    const out: NoticeRecord['missingMaterials'][number] = { id: m.id, name: m.name, required: m.required };
    if (m.source) out.source = m.source;
    return out;
  });
  const ticket = n.ticketId !== undefined ? core.ticketOrThrow(n.ticketId, tx) : undefined;
  const notice: NoticeRecord = {
    id: `N-${tx.nextSeq()}`,
    day: tx.day,
    at: tx.now,
    counter: n.counter,
    service: service.id,
    missingMaterials: materials,
  };
  if (n.ticketId !== undefined) notice.ticketId = n.ticketId;
  const staffId = n.staffId ?? tx.counter(n.counter).staffId;
  if (staffId !== undefined) notice.staffId = staffId;
  // 首接负责制: the return goes to the counter and person who first served this citizen.
  notice.ownerCounter = ticket?.owner ?? n.counter;
  const ownerStaff = ticket?.ownerStaff ?? staffId;
  if (ownerStaff !== undefined) notice.ownerStaff = ownerStaff;
  assignReturnCode(core, notice);
  tx.write(() => {
    core.store.putNotice(notice);
    core.store.enqueueOutbox({ kind: 'notice', idempotencyKey: `notice:${notice.id}`, createdAt: tx.now, payload: notice });
  });
  tx.emit('notice.recorded', { noticeId: notice.id, service: service.id, materials: materials.map((m) => m.id) }, n.ticketId, n.counter);
  return notice;
}

export function acceptWithMissing(
  core: EngineCore,
  tx: Tx,
  a: { counter: string; ticketId: string; missingMaterialIds: string[]; followUpDate: string },
): AcceptedWithMissing {
  core.counterDef(a.counter);
  const t = core.ticketOrThrow(a.ticketId, tx);
  if ((t.state !== 'called' && t.state !== 'serving') || t.counter !== a.counter) {
    throw conflict('NOT_SERVING_HERE', `${t.number}号不在本窗口办理中`, `${t.number} is not being served at counter ${a.counter}`);
  }
  const service = core.service(t.service);
  if (!Array.isArray(a.missingMaterialIds) || a.missingMaterialIds.length === 0) {
    throw badRequest('MATERIAL_LIST_EMPTY', '请选择所缺材料', 'List the missing materials');
  }
  for (const id of a.missingMaterialIds) {
    const m = service.materials.find((x) => x.id === id);
    if (!m) throw badRequest('MATERIAL_UNKNOWN', `「${service.name.zh}」没有该材料：${id}`, `Unknown material ${id}`);
    // 容缺-eligible per material: by default the secondary ones; a hall may accept a required one late.
    if (!(m.acceptLate ?? !m.required)) {
      throw conflict('MATERIAL_REQUIRED', `「${m.name.zh}」不在容缺受理范围内`, `Material ${id} may not be brought later`);
    }
  }
  if (!isValidDay(a.followUpDate) || a.followUpDate < tx.day) {
    throw badRequest(
      'FOLLOW_UP_DATE_INVALID',
      '补齐材料日期须为今天或以后（YYYY-MM-DD）',
      'followUpDate must be YYYY-MM-DD, today or later',
    );
  }
  const rec: AcceptedWithMissing = {
    id: `C-${tx.nextSeq()}`,
    day: tx.day,
    at: tx.now,
    counter: a.counter,
    ticketId: t.id,
    missingMaterialIds: [...new Set(a.missingMaterialIds)],
    followUpDate: a.followUpDate,
    service: t.service,
  };
  if (t.staffId !== undefined) rec.staffId = t.staffId;
  // Travels upward on its own now and again inside the service record written at 办结.
  tx.write(() => {
    core.store.putAcceptedWithMissing(rec);
    core.store.enqueueOutbox({ kind: 'acceptedWithMissing', idempotencyKey: `accepted:${rec.id}`, createdAt: tx.now, payload: rec });
  });
  tx.emit('ticket.acceptedWithMissing', { id: rec.id, materials: rec.missingMaterialIds, followUpDate: rec.followUpDate }, t.id, a.counter);
  return rec;
}

export function reportUnresolved(
  core: EngineCore,
  tx: Tx,
  r: { service?: string; description: string; contact?: string },
): UnresolvedReport {
  const description = (r.description ?? '').trim();
  if (!description) throw badRequest('DESCRIPTION_REQUIRED', '请描述未办成的事项', 'Describe what could not be done');
  if (description.length > 1000) throw badRequest('DESCRIPTION_TOO_LONG', '描述不能超过1000字', 'Description over 1000 characters');
  if (r.service !== undefined && !core.services.has(r.service))
    throw notFound('SERVICE_UNKNOWN', `没有该业务：${r.service}`, `Unknown service ${r.service}`);
  // Same closing deadline as a 整改: both are the hall's closed-loop commitments to a citizen.
  const report: UnresolvedReport = {
    id: `U-${tx.nextSeq()}`,
    day: tx.day,
    at: tx.now,
    description,
    state: 'open',
    dueDay: core.workingDaysAfter(tx.day, core.rules.rectificationWorkingDays),
  };
  if (r.service !== undefined) report.service = r.service;
  if (r.contact?.trim()) report.contact = r.contact.trim().slice(0, 100);
  tx.write(() => {
    core.store.putUnresolved(report);
    core.store.enqueueOutbox({ kind: 'unresolvedReport', idempotencyKey: `unresolved:${report.id}`, createdAt: tx.now, payload: report });
  });
  // The contact stays in the report row; the event stream goes to screens.
  tx.emit('report.unresolved', { reportId: report.id, service: report.service ?? null });
  return report;
}
