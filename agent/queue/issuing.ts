// 取号 and 预约签到: numbering, channels, the per-身份证 limit and the wait estimate.
import { appointmentTxt } from './messages.js';
import { type EngineCore, type Tx, publicTicket } from './core.js';
import { QueueError, badRequest, conflict, notFound } from './errors.js';
import { countAhead, estimateMinutes } from './estimate.js';
import { hashIdNumber, isValidIdNumber, maskIdNumber } from './idnumber.js';
import { capExceeded, formatNumber, ticketId } from './numbering.js';
import { validateAppointment } from './appointments.js';
import { requireOpen } from './hours.js';
import type { StoredTicket } from './store.js';
import { CHANNELS } from './types.js';
import type { AppointmentInput, Channel, IssueResult, IssuedBy, QueueEventData } from './types.js';

export interface IssueRequest {
  service: string;
  channel?: Channel;
  idNumber?: string;
  issuedBy?: IssuedBy;
  /** the kiosk that asked: its printer prints the ticket (agent/devices/printers.ts) */
  kiosk?: string;
}

interface InternalIssue extends IssueRequest {
  appointment?: { code: string; slotStart: number; slotEnd: number; schoolBatch?: boolean };
  /** a notice slip's return: the ticket goes to the owner counter ahead of the queue */
  returnOf?: { noticeId: string; counter: string; staffId?: string };
}

export function issueInTx(core: EngineCore, tx: Tx, req: InternalIssue): IssueResult {
  const service = core.service(req.service);
  const channel = req.channel ?? 'normal';
  if (!CHANNELS.includes(channel)) throw badRequest('CHANNEL_UNKNOWN', '通道类型不正确', `Unknown channel ${String(channel)}`);
  if (channel === 'appointment' && !req.appointment) {
    throw badRequest('APPOINTMENT_CHECKIN_REQUIRED', '预约号请使用预约码签到取号', 'Appointment tickets are issued by check-in');
  }
  const issuedBy = req.issuedBy ?? 'kiosk';
  if (channel === 'green' && issuedBy !== 'guide' && issuedBy !== 'counter') {
    throw badRequest(
      'GREEN_NOT_ALLOWED',
      '绿色通道号须由引导员或窗口工作人员发放',
      'Green-channel tickets are issued by guide staff or a counter only',
    );
  }

  // Check-in checks once for the whole batch; a return code has its own check.
  if (!req.appointment && !req.returnOf) requireOpen(core, tx, { service: service.id, issuedBy, appointment: false });

  let idHash: string | undefined;
  let idMasked: string | undefined;
  if (req.idNumber !== undefined && req.idNumber.trim() !== '') {
    if (!isValidIdNumber(req.idNumber)) throw badRequest('ID_INVALID', '身份证号码格式不正确，请核对', 'Invalid ID card number');
    idHash = hashIdNumber(core.secret, req.idNumber);
    idMasked = maskIdNumber(req.idNumber);
    const limit = core.rules.idDailyLimitPerService;
    let used = 0;
    for (const t of todaysTickets(core, tx)) {
      if (t.idHash === idHash && t.service === service.id && t.transferredFrom === undefined) used++;
    }
    if (used >= limit) {
      throw new QueueError(
        'ID_DAILY_LIMIT',
        429,
        `同一身份证当日办理「${service.name.zh}」最多取号${limit}次`,
        `Daily limit of ${limit} tickets per ID for ${service.id} reached`,
      );
    }
  }

  const seq = core.store.nextNumber(tx.day, service.id);
  const capErr = capExceeded(service, seq, core.rules.numberWidth);
  if (capErr) throw capErr;
  const number = formatNumber(service.prefix, seq, core.rules.numberWidth);
  const rank = tx.nextSeq();
  const ticket: StoredTicket = {
    id: ticketId(tx.day, number),
    number,
    service: service.id,
    channel,
    state: 'waiting',
    day: tx.day,
    issuedAt: tx.now,
    queuedAt: tx.now,
    rank,
    recalls: 0,
    issuedBy,
  };
  if (idHash) ticket.idHash = idHash;
  if (idMasked) ticket.idMasked = idMasked;
  if (req.appointment) {
    ticket.appointmentCode = req.appointment.code;
    ticket.slotStart = req.appointment.slotStart;
    ticket.slotEnd = req.appointment.slotEnd;
    if (req.appointment.schoolBatch) ticket.schoolBatch = true;
  }
  if (req.returnOf) {
    ticket.returnOf = req.returnOf.noticeId;
    ticket.targetCounter = req.returnOf.counter;
    ticket.owner = req.returnOf.counter;
    if (req.returnOf.staffId !== undefined) ticket.ownerStaff = req.returnOf.staffId;
  }
  tx.putTicket(ticket);
  const position = positionOf(core, tx, ticket);
  const data: QueueEventData['ticket.issued'] = { number, service: service.id, channel, issuedBy, ...position };
  if (idMasked) data.idMasked = idMasked;
  if (req.appointment) data.appointmentCode = req.appointment.code;
  if (ticket.schoolBatch) data.schoolBatch = true;
  if (req.returnOf) data.returnOf = req.returnOf.noticeId;
  if (req.kiosk) data.kiosk = req.kiosk;
  tx.emit('ticket.issued', data, ticket.id);
  return { ticket: publicTicket(ticket), ...position };
}

/** People ahead and estimated minutes for a waiting ticket (an estimate, see estimate.ts). */
export function positionOf(core: EngineCore, tx: Tx, ticket: StoredTicket): { waitingAhead: number; estimateMinutes: number } {
  const ahead = countAhead(ticket, waitingTickets(core, tx), tx.now);
  const serving = [...core.counterDefs.values()].filter((c) => {
    const st = tx.counter(c.id);
    return st.open && !st.paused && c.services.includes(ticket.service);
  }).length;
  return { waitingAhead: ahead, estimateMinutes: estimateMinutes(ahead, core.stat(ticket.service, tx).ewmaMs, serving) };
}

function* todaysTickets(core: EngineCore, tx: Tx): Iterable<StoredTicket> {
  for (const t of core.tickets.values()) if (t.day === tx.day && !tx.tickets.has(t.id)) yield t;
  for (const t of tx.tickets.values()) if (t.day === tx.day) yield t;
}

function* waitingTickets(core: EngineCore, tx: Tx): Iterable<StoredTicket> {
  for (const id of core.waiting) {
    const t = tx.ticket(id);
    if (t && t.state === 'waiting' && !tx.tickets.has(id)) yield t;
  }
  for (const t of tx.tickets.values()) if (t.state === 'waiting') yield t;
}

export function importAppointmentsInTx(
  core: EngineCore,
  tx: Tx,
  list: AppointmentInput[],
): { imported: number; skipped: { code: string; reason: string }[] } {
  const skipped: { code: string; reason: string }[] = [];
  const seen = new Set<string>();
  const codes: string[] = [];
  for (const input of list) {
    const v = validateAppointment(input, core.services, core.rules.timezone);
    if (!v.ok) {
      skipped.push({ code: v.code, reason: v.reason });
      continue;
    }
    const a = v.appointment;
    const cal = core.calendar;
    // Appointments respect the calendar: a slot when the hall is closed cannot be kept.
    if (cal && !cal.data.alwaysOpen && !cal.openDuring(a.slotStart, a.slotEnd)) {
      skipped.push({ code: a.code, reason: 'hall closed at that time' });
      continue;
    }
    if (seen.has(a.code) || core.store.getAppointment(a.code)) {
      skipped.push({ code: a.code, reason: 'duplicate code' });
      continue;
    }
    seen.add(a.code);
    codes.push(a.code);
    tx.write(() => core.store.putAppointment(a));
  }
  if (codes.length > 0) tx.emit('appointments.imported', { count: codes.length, codes });
  return { imported: codes.length, skipped };
}

export function checkInInTx(core: EngineCore, tx: Tx, rawCode: string): { tickets: IssueResult[]; early: boolean; late: boolean } {
  const code = rawCode.trim();
  const appt = core.store.getAppointment(code);
  if (!appt) throw notFound('APPOINTMENT_UNKNOWN', appointmentTxt.unknown, `Unknown appointment code ${code}`);
  if (appt.state === 'checkedIn') throw conflict('APPOINTMENT_USED', appointmentTxt.used, `Appointment ${code} already checked in`);
  if (appt.state === 'cancelled')
    throw conflict('APPOINTMENT_CANCELLED', '该预约已取消，请重新预约或直接取号', `Appointment ${code} was cancelled`);
  if (appt.day !== tx.day) {
    throw conflict('APPOINTMENT_NOT_TODAY', appointmentTxt.notToday(appt.day), `Appointment ${code} is for ${appt.day}`);
  }
  if (core.calendar) {
    const s = core.calendar.status(tx.now);
    if (!s.alwaysOpen && !s.calendarOpen) {
      throw new QueueError('HALL_CLOSED', 409, '现在不是办公时间，请在预约时段内签到', 'The hall is closed; check in during your slot');
    }
  }
  const early = tx.now < appt.slotStart;
  const late = tx.now > appt.slotEnd + core.rules.appointmentGraceMs;
  const tickets: IssueResult[] = [];
  for (let i = 0; i < appt.batchSize; i++) {
    tickets.push(
      issueInTx(core, tx, {
        service: appt.service,
        // Later than the grace period: the slot is lost, the citizen queues as normal.
        channel: late ? 'normal' : 'appointment',
        issuedBy: 'kiosk',
        appointment: { code, slotStart: appt.slotStart, slotEnd: appt.slotEnd, schoolBatch: appt.batchSize > 1 },
      }),
    );
  }
  const ticketIds = tickets.map((r) => r.ticket.id);
  tx.write(() => core.store.putAppointment({ ...appt, state: 'checkedIn', checkedInAt: tx.now, ticketIds }));
  tx.emit('appointment.checkedIn', { code, early, late, count: ticketIds.length, numbers: tickets.map((r) => r.ticket.number) });
  return { tickets, early, late };
}
