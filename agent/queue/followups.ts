// 容缺 follow-ups (the missing materials are due back), the 未评价 sweep and run-time hall notices.
import type { EngineCore, Tx } from './core.js';
import { badRequest, conflict, notFound } from './errors.js';
import { recordNotRated } from './feedback.js';
import { dayOf } from './time.js';
import type { AcceptedWithMissing, LocalizedText } from './types.js';

export interface FollowUpView extends AcceptedWithMissing {
  number?: string;
  /** follow-up date before today and the materials not in */
  overdue: boolean;
  /** follow-up date today or within the next 3 days */
  dueSoon: boolean;
}

export function listFollowUps(core: EngineCore): FollowUpView[] {
  const today = dayOf(core.clock.now(), core.rules.timezone);
  const soon = new Date(`${today}T00:00:00Z`);
  soon.setUTCDate(soon.getUTCDate() + 3);
  const soonDay = soon.toISOString().slice(0, 10);
  return core.store.openAcceptedWithMissing().map((a) => {
    const v: FollowUpView = { ...a, overdue: a.followUpDate < today, dueSoon: a.followUpDate >= today && a.followUpDate <= soonDay };
    const t = core.tickets.get(a.ticketId);
    if (t) v.number = t.number;
    return v;
  });
}

export function completeFollowUp(core: EngineCore, tx: Tx, id: string, by: string): AcceptedWithMissing {
  const who = typeof by === 'string' ? by.trim().slice(0, 40) : '';
  if (!who) throw badRequest('BY_REQUIRED', '请填写经办人', 'by is required');
  const a = typeof id === 'string' ? core.store.getAcceptedWithMissing(id) : undefined;
  if (!a) throw notFound('FOLLOW_UP_UNKNOWN', `没有该容缺记录：${id}`, `Unknown 容缺 record ${id}`);
  if (a.completedAt !== undefined) throw conflict('FOLLOW_UP_DONE', '该容缺材料已补齐', 'Already completed');
  const done = { ...a, completedAt: tx.now, completedBy: who } satisfies AcceptedWithMissing;
  tx.write(() => {
    core.store.updateAcceptedWithMissing(done);
    core.store.enqueueOutbox({
      kind: 'caseUpdate',
      idempotencyKey: `rongque:${a.id}:done`,
      createdAt: tx.now,
      payload: { caseKind: 'acceptedWithMissing', record: done },
    });
  });
  tx.emit('acceptedWithMissing.completed', { id: a.id }, a.ticketId, a.counter);
  return done;
}

/**
 * Records 未评价 for every finished ticket of today that got no rating within `timeoutMs`, with or
 * without a rating pad page open. Returns how many were recorded. Runs on a timer in the agent.
 */
export function sweepNotRated(core: EngineCore, timeoutMs: number, beforeDay?: string): number {
  const now = core.clock.now();
  let n = 0;
  for (const t of [...core.tickets.values()]) {
    if (t.state !== 'done' || t.finishedAt === undefined || t.counter === undefined) continue;
    if (beforeDay !== undefined && t.day >= beforeDay) continue;
    if (now - t.finishedAt < timeoutMs || core.store.getRating(t.id)) continue;
    const counter = t.counter;
    core.run((tx) => recordNotRated(core, tx, counter, t.id));
    n++;
  }
  return n;
}

export function hallNotices(core: EngineCore, fallback: LocalizedText[]): LocalizedText[] {
  const v = core.store.getSetting('notices');
  return Array.isArray(v) ? (v as LocalizedText[]) : fallback;
}

export function setHallNotices(core: EngineCore, tx: Tx, list: LocalizedText[]): LocalizedText[] {
  if (!Array.isArray(list) || list.length > 20) throw badRequest('NOTICES_INVALID', '公告最多20条', 'At most 20 notices');
  const clean = list.map((n, i) => {
    const zh = typeof n?.zh === 'string' ? n.zh.trim() : '';
    const en = typeof n?.en === 'string' ? n.en.trim() : '';
    if (!zh || zh.length > 500 || en.length > 500) {
      throw badRequest('NOTICE_INVALID', `第${i + 1}条公告须有中文内容（不超过500字）`, `Notice ${i + 1} needs zh text (≤ 500 characters)`);
    }
    return { zh, en };
  });
  tx.write(() => core.store.putSetting('notices', clean, tx.now));
  tx.emit('hall.notices', { count: clean.length });
  return clean;
}
