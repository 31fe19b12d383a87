// 一次性告知 return path: the notice slip carries a return code; the citizen who comes back with the
// missing materials gets a ticket that goes to the owner counter (首接负责制) ahead of the normal
// queue, as the slip promises ("无需重新排队").
import { createHmac } from 'node:crypto';
import type { EngineCore, Tx } from './core.js';
import { badRequest, conflict, notFound } from './errors.js';
import { requireOpen } from './hours.js';
import { issueInTx } from './issuing.js';
import { nextDay } from './calendar.js';
import type { IssueResult, NoticeRecord } from './types.js';

// No 0/O/1/I: the code is read off paper and typed on a kiosk.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** An 8-character code derived from the notice id with the hall secret: not guessable from the id. */
export function returnCodeFor(secret: string, noticeId: string, attempt = 0): string {
  const mac = createHmac('sha256', secret).update(`notice-return:${noticeId}:${attempt}`).digest();
  let out = '';
  for (let i = 0; i < 8; i++) out += ALPHABET[mac[i]! % ALPHABET.length];
  return out;
}

export function assignReturnCode(core: EngineCore, notice: NoticeRecord): void {
  for (let attempt = 0; ; attempt++) {
    const code = returnCodeFor(core.secret, notice.id, attempt);
    if (!core.store.noticeByReturnCode(code)) {
      notice.returnCode = code;
      return;
    }
  }
}

export function normaliseCode(raw: string): string {
  return (typeof raw === 'string' ? raw : '').replace(/[\s-]/g, '').toUpperCase();
}

export function issueReturn(core: EngineCore, tx: Tx, rawCode: string, issuedBy: 'kiosk' | 'guide' | 'counter' = 'kiosk'): IssueResult {
  const code = normaliseCode(rawCode);
  if (!/^[A-Z0-9]{8}$/.test(code)) throw badRequest('RETURN_CODE_INVALID', '回执码为8位字母数字', 'A return code has 8 letters and digits');
  const notice = core.store.noticeByReturnCode(code);
  if (!notice) throw notFound('RETURN_CODE_UNKNOWN', '没有该回执码，请核对告知单', 'Unknown return code');
  if (notice.returnedTicketId) throw conflict('RETURN_CODE_USED', '该回执码已使用', 'This return code was already used');
  const lastDay = nextDay(notice.day, core.campaign.returnCodeDays);
  if (tx.day > lastDay) {
    throw conflict('RETURN_CODE_EXPIRED', `回执码已过期（有效至${lastDay}），请重新取号`, `Return code expired on ${lastDay}`);
  }
  requireOpen(core, tx, { service: notice.service, issuedBy, appointment: false });
  const counter = notice.ownerCounter ?? notice.counter;
  const returnOf: { noticeId: string; counter: string; staffId?: string } = { noticeId: notice.id, counter };
  const staffId = notice.ownerStaff ?? notice.staffId;
  if (staffId !== undefined) returnOf.staffId = staffId;
  const result = issueInTx(core, tx, { service: notice.service, channel: 'normal', issuedBy, returnOf });
  const used: NoticeRecord = { ...notice, returnedTicketId: result.ticket.id, returnedAt: tx.now };
  tx.write(() => core.store.updateNotice(used));
  return result;
}
