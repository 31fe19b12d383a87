// Every counter action (呼叫, 叫指定号, 重呼, 开始, 办结, 过号, 回队, 转移, 暂停/恢复, 开/关窗, 取消).
import type { EngineCore, Tx } from './core.js';
import { badRequest, conflict } from './errors.js';
import { updateEwma } from './estimate.js';
import { ticketId } from './numbering.js';
import { effectiveServices, isEligible, pickNext, targetCountersFor } from './ordering.js';
import type { StoredCounter, StoredTicket } from './store.js';
import type { CallReason } from './events.js';

function requireAvailable(c: StoredCounter): void {
  if (!c.open) throw conflict('COUNTER_CLOSED', `${c.id}号窗口未开启`, `Counter ${c.id} is closed`);
  if (c.paused) throw conflict('COUNTER_PAUSED', `${c.id}号窗口暂停服务中`, `Counter ${c.id} is paused`);
}

function requireIdle(c: StoredCounter, tx: Tx): void {
  const cur = c.currentTicketId ? tx.ticket(c.currentTicketId) : undefined;
  if (cur && (cur.state === 'called' || cur.state === 'serving')) {
    throw conflict('COUNTER_BUSY', `请先办结或过号当前的${cur.number}号`, `Counter ${c.id} still holds ${cur.number}`);
  }
}

function eligibility(core: EngineCore, tx: Tx, counterId: string) {
  const views = core.counterViews(tx);
  const services = effectiveServices(counterId, views);
  const targets = targetCountersFor(counterId, views);
  return { views, services, targets };
}

function callTicket(tx: Tx, c: StoredCounter, t: StoredTicket, mixPos: number, reason: CallReason): StoredTicket {
  // the wait ends at the first call: a 过号 who rejoins waited again by their own doing
  const called: StoredTicket = {
    ...t,
    state: 'called',
    calledAt: tx.now,
    firstCalledAt: t.firstCalledAt ?? tx.now,
    counter: c.id,
    recalls: 0,
  };
  if (c.staffId !== undefined) called.staffId = c.staffId;
  tx.putTicket(called);
  tx.putCounter({ ...c, currentTicketId: t.id, mixPos, lastCall: { number: t.number, at: tx.now } });
  tx.emit('ticket.called', { number: t.number, service: t.service, channel: t.channel, reason }, t.id, c.id);
  return called;
}

export function callNext(core: EngineCore, tx: Tx, counterId: string): StoredTicket | null {
  const def = core.counterDef(counterId);
  const c = tx.counter(counterId);
  requireAvailable(c);
  requireIdle(c, tx);
  const { views, services, targets } = eligibility(core, tx, counterId);
  const candidates: StoredTicket[] = [];
  for (const id of core.waiting) {
    const t = tx.ticket(id);
    if (t && isEligible(t, counterId, services, targets, views)) candidates.push(t);
  }
  const pick = pickNext(candidates, { now: tx.now, rules: core.rules, counter: def, services, mixPos: c.mixPos });
  if (!pick) return null;
  return callTicket(tx, c, pick.ticket, pick.mixPos, pick.reason);
}

export function callNumber(core: EngineCore, tx: Tx, counterId: string, number: string): StoredTicket {
  core.counterDef(counterId);
  const c = tx.counter(counterId);
  requireAvailable(c);
  requireIdle(c, tx);
  const t = core.ticketByNumber(number, tx);
  if (t.state !== 'waiting') {
    throw conflict('TICKET_NOT_WAITING', `${t.number}号不在等候中`, `Ticket ${t.number} is ${t.state}, not waiting`);
  }
  const { views, services, targets } = eligibility(core, tx, counterId);
  if (!isEligible(t, counterId, services, targets, views)) {
    throw conflict('NOT_THIS_COUNTER', `${t.number}号不在本窗口办理范围内`, `Counter ${counterId} does not serve ${t.number}`);
  }
  // Calling out of order is a deliberate staff decision; the interleave cycle is left as it was.
  return callTicket(tx, c, t, c.mixPos, 'byNumber');
}

export function recall(core: EngineCore, tx: Tx, counterId: string): StoredTicket {
  const t = core.currentTicket(counterId, tx);
  if (t.state !== 'called') throw conflict('ALREADY_SERVING', `${t.number}号已在办理中，无需重呼`, `${t.number} is already being served`);
  if (t.recalls >= core.rules.maxRecalls) {
    throw conflict('RECALL_LIMIT', `${t.number}号已重呼${t.recalls}次，请过号`, `${t.number} recalled ${t.recalls} times; skip it`);
  }
  const next = tx.putTicket({ ...t, recalls: t.recalls + 1 });
  const c = tx.counter(counterId);
  tx.putCounter({ ...c, lastCall: { number: t.number, at: tx.now } });
  tx.emit('ticket.recalled', { number: t.number, recalls: next.recalls }, t.id, counterId);
  return next;
}

export function start(core: EngineCore, tx: Tx, counterId: string): StoredTicket {
  const t = core.currentTicket(counterId, tx);
  if (t.state === 'serving') throw conflict('ALREADY_SERVING', `${t.number}号已在办理中`, `${t.number} is already being served`);
  // 首接负责制: the first counter that serves the citizen stays the owner through transfers.
  const next: StoredTicket = { ...t, state: 'serving', startedAt: tx.now, owner: t.owner ?? counterId };
  // 首接 by person too: the staff member who first served the citizen owns the matter.
  const staff = tx.counter(counterId).staffId;
  if (next.ownerStaff === undefined && staff !== undefined) next.ownerStaff = staff;
  tx.putTicket(next);
  tx.emit('ticket.started', { number: t.number }, t.id, counterId);
  return next;
}

export function finish(core: EngineCore, tx: Tx, counterId: string, opts: { caseNumber?: string } = {}): StoredTicket {
  const t = core.currentTicket(counterId, tx);
  const raw: unknown = opts.caseNumber;
  const caseNumber = typeof raw === 'string' ? raw.trim() || undefined : undefined;
  if ((raw != null && typeof raw !== 'string') || (caseNumber !== undefined && !/^[A-Za-z0-9-]{1,40}$/.test(caseNumber))) {
    throw badRequest('CASE_NUMBER_INVALID', '办件编号须为1–40位字母、数字或“-”', 'caseNumber: 1–40 letters, digits or "-"');
  }
  // Finishing straight from "called" (keypad without a start key) counts handling from the call.
  const startedAt = t.startedAt ?? t.calledAt ?? tx.now;
  const finished: StoredTicket = { ...t, state: 'done', startedAt, finishedAt: tx.now, owner: t.owner ?? counterId, caseNumber };
  const staff = tx.counter(counterId).staffId;
  if (finished.ownerStaff === undefined && staff !== undefined) finished.ownerStaff = staff;
  const done = tx.putTicket(finished);
  // The transfer chain of this number (oldest first), for the supervisor's 首接负责制 view.
  const transfers: { fromTicketId: string; fromService: string; fromCounter: string | null; toService: string }[] = [];
  for (let cur = t; cur.transferredFrom !== undefined; ) {
    const prev = tx.ticket(cur.transferredFrom);
    if (!prev) break;
    transfers.unshift({ fromTicketId: prev.id, fromService: prev.service, fromCounter: prev.counter ?? null, toService: cur.service });
    cur = prev;
  }
  const c = tx.counter(counterId);
  const served = c.servedDay === tx.day ? c.servedToday + 1 : 1;
  tx.putCounter({ ...c, currentTicketId: undefined, lastFinishedTicketId: t.id, servedToday: served, servedDay: tx.day });
  const handlingMs = tx.now - startedAt;
  tx.stats.set(t.service, updateEwma(core.stat(t.service, tx), handlingMs, core.rules.ewmaAlpha));
  tx.emit('ticket.finished', { number: t.number, service: t.service, handlingMs }, t.id, counterId);
  tx.write(() => {
    const accepted = core.store.acceptedWithMissingFor(t.id);
    core.store.enqueueOutbox({
      kind: 'serviceRecord',
      idempotencyKey: `service:${t.id}`,
      createdAt: tx.now,
      payload: {
        ticketId: t.id,
        number: t.number,
        day: t.day,
        service: t.service,
        channel: t.channel,
        counter: counterId,
        owner: done.owner,
        ownerStaff: done.ownerStaff ?? null,
        staffId: t.staffId ?? null,
        issuedAt: t.issuedAt,
        calledAt: t.calledAt ?? null,
        startedAt,
        finishedAt: tx.now,
        handlingMs,
        transferredFrom: t.transferredFrom ?? null,
        transfers,
        caseNumber: caseNumber ?? null,
        acceptedWithMissing: accepted,
      },
    });
  });
  return done;
}

export function skip(core: EngineCore, tx: Tx, counterId: string): StoredTicket {
  const t = core.currentTicket(counterId, tx);
  if (t.state === 'serving')
    throw conflict('CANNOT_SKIP_SERVING', `${t.number}号已在办理中，不能过号`, `${t.number} is being served; cannot skip`);
  const next = tx.putTicket({ ...t, state: 'noShow', skippedAt: tx.now });
  const c = tx.counter(counterId);
  tx.putCounter({ ...c, currentTicketId: undefined });
  tx.emit('ticket.skipped', { number: t.number, recalls: t.recalls }, t.id, counterId);
  return next;
}

export function rejoin(core: EngineCore, tx: Tx, number: string): StoredTicket {
  const t = core.ticketByNumber(number, tx);
  if (t.state !== 'noShow') throw conflict('NOT_NO_SHOW', `${t.number}号不是过号状态`, `${t.number} is ${t.state}, not a no-show`);
  if (t.rejoined) throw conflict('REJOIN_USED', `${t.number}号已回队过一次，请重新取号`, `${t.number} already rejoined once`);
  // Behind the next N waiting tickets of its service (by queue position), or at the back.
  const line = [...core.waiting]
    .map((id) => tx.ticket(id)!)
    .filter((w) => w.state === 'waiting' && w.service === t.service)
    .sort((a, b) => a.rank - b.rank);
  const n = core.rules.rejoinBehind;
  const before = line[n - 1];
  const after = line[n];
  const rank = before ? (after ? (before.rank + after.rank) / 2 : before.rank + 0.5) : tx.nextSeq();
  const next = tx.putTicket({ ...t, state: 'waiting', rank, queuedAt: tx.now, rejoined: true, counter: undefined });
  tx.emit('ticket.rejoined', { number: t.number, behind: Math.min(n, line.length) }, t.id);
  return next;
}

function generation(id: string): number {
  const m = /\.(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

export function transfer(core: EngineCore, tx: Tx, counterId: string, to: { service?: string; counter?: string }): StoredTicket {
  const t = core.currentTicket(counterId, tx);
  const service = core.service(to.service ?? t.service);
  if (to.counter !== undefined) {
    const target = core.counterDef(to.counter);
    if (!target.services.includes(service.id)) {
      throw conflict(
        'TARGET_CANNOT_SERVE',
        `${target.id}号窗口不办理「${service.name.zh}」`,
        `Counter ${target.id} does not handle ${service.id}`,
      );
    }
  }
  if (service.id === t.service && (to.counter === undefined || to.counter === counterId)) {
    throw badRequest('TRANSFER_NOTHING', '请选择要转移到的业务或窗口', 'Transfer needs another service or counter');
  }
  const owner = t.owner ?? counterId;
  const newId = ticketId(t.day, t.number, generation(t.id) + 1);
  tx.putTicket({ ...t, state: 'transferred', transferredTo: newId, owner });
  // Same number, same owner; it keeps its place (rank) so the citizen does not start over.
  const entry: StoredTicket = {
    id: newId,
    number: t.number,
    service: service.id,
    channel: t.channel,
    state: 'waiting',
    day: t.day,
    issuedAt: t.issuedAt,
    queuedAt: tx.now,
    rank: t.rank,
    recalls: 0,
    owner,
    transferredFrom: t.id,
  };
  const ownerStaff = t.ownerStaff ?? tx.counter(counterId).staffId;
  if (ownerStaff !== undefined) entry.ownerStaff = ownerStaff;
  for (const k of ['issuedBy', 'idHash', 'idMasked', 'appointmentCode', 'slotStart', 'slotEnd', 'rejoined', 'schoolBatch'] as const) {
    if (t[k] !== undefined) (entry as unknown as Record<string, unknown>)[k] = t[k];
  }
  if (to.counter !== undefined) entry.targetCounter = to.counter;
  tx.putTicket(entry);
  const c = tx.counter(counterId);
  tx.putCounter({ ...c, currentTicketId: undefined });
  tx.emit(
    'ticket.transferred',
    { number: t.number, toService: service.id, toCounter: to.counter ?? null, newTicketId: newId },
    t.id,
    counterId,
  );
  tx.emit('ticket.requeued', { number: t.number, service: service.id, fromTicketId: t.id, targetCounter: to.counter ?? null }, newId);
  return entry;
}

export function pause(core: EngineCore, tx: Tx, counterId: string, reason: string): StoredCounter {
  core.counterDef(counterId);
  const why = (reason ?? '').trim();
  if (!why) throw badRequest('PAUSE_REASON_REQUIRED', '暂停服务须填写原因', 'A pause needs a reason');
  const c = tx.counter(counterId);
  if (!c.open) throw conflict('COUNTER_CLOSED', `${counterId}号窗口未开启`, `Counter ${counterId} is closed`);
  if (c.paused) throw conflict('ALREADY_PAUSED', `${counterId}号窗口已暂停`, `Counter ${counterId} is already paused`);
  requireIdle(c, tx);
  const next = tx.putCounter({ ...c, paused: true, pauseReason: why.slice(0, 200), pausedAt: tx.now });
  tx.emit('counter.paused', { reason: next.pauseReason }, undefined, counterId);
  return next;
}

export function resume(core: EngineCore, tx: Tx, counterId: string): StoredCounter {
  core.counterDef(counterId);
  const c = tx.counter(counterId);
  if (!c.paused) throw conflict('NOT_PAUSED', `${counterId}号窗口没有暂停`, `Counter ${counterId} is not paused`);
  const next = tx.putCounter({ ...c, paused: false, pauseReason: undefined, pausedAt: undefined });
  tx.emit('counter.resumed', { pausedMs: tx.now - (c.pausedAt ?? tx.now) }, undefined, counterId);
  return next;
}

export function open(core: EngineCore, tx: Tx, counterId: string, staffId?: string): StoredCounter {
  core.counterDef(counterId);
  const c = tx.counter(counterId);
  if (c.open) throw conflict('ALREADY_OPEN', `${counterId}号窗口已开启`, `Counter ${counterId} is already open`);
  const next = tx.putCounter({ ...c, open: true, paused: false, pauseReason: undefined, staffId, openedAt: tx.now });
  tx.emit('counter.opened', { staffId: staffId ?? null }, undefined, counterId);
  return next;
}

export function close(core: EngineCore, tx: Tx, counterId: string): StoredCounter {
  core.counterDef(counterId);
  const c = tx.counter(counterId);
  if (!c.open) throw conflict('ALREADY_CLOSED', `${counterId}号窗口已关闭`, `Counter ${counterId} is already closed`);
  requireIdle(c, tx);
  const next = tx.putCounter({ ...c, open: false, paused: false, pauseReason: undefined, pausedAt: undefined, staffId: undefined });
  tx.emit('counter.closed', {}, undefined, counterId);
  return next;
}

export function cancel(core: EngineCore, tx: Tx, id: string): StoredTicket {
  const t = core.ticketOrThrow(id, tx);
  if (t.state === 'serving') throw conflict('CANNOT_CANCEL_SERVING', `${t.number}号正在办理中，不能取消`, `${t.number} is being served`);
  if (t.state !== 'waiting' && t.state !== 'called' && t.state !== 'noShow') {
    throw conflict('TICKET_CLOSED', `${t.number}号已结束，不能取消`, `${t.number} is ${t.state}`);
  }
  const next = tx.putTicket({ ...t, state: 'cancelled', cancelledAt: tx.now, cancelReason: 'cancelled' });
  let counter: string | undefined;
  if (t.state === 'called' && t.counter) {
    const c = tx.counter(t.counter);
    if (c.currentTicketId === t.id) {
      tx.putCounter({ ...c, currentTicketId: undefined });
      counter = c.id;
    }
  }
  tx.emit('ticket.cancelled', { number: t.number, from: t.state }, t.id, counter);
  return next;
}
