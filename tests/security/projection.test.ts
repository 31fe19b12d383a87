import { describe, expect, it } from 'vitest';
import { projectQueueMessage, projectSnapshot, publicEvent } from '../../agent/security/projection.js';
import type { QueueSnapshot, Ticket } from '../../agent/queue/types.js';

const ticket: Ticket = {
  id: '2026-11-28/A001',
  number: 'A001',
  service: 'id-card',
  channel: 'appointment',
  state: 'called',
  day: '2026-11-28',
  issuedAt: 1,
  calledAt: 2,
  counter: '3',
  owner: '3',
  recalls: 0,
  idMasked: '**************1234',
  appointmentCode: 'YY-1',
  staffId: 'A1003',
  issuedBy: 'kiosk',
};
const counter = { id: '3', open: true, paused: true, pauseReason: '午休', staffId: 'A1003', currentTicketId: ticket.id, servedToday: 4 };

describe('projections per audience', () => {
  it('public: numbers, counters, states only; staff and manager see the work', () => {
    const msg = {
      seq: 7,
      event: {
        seq: 7,
        at: 2,
        type: 'ticket.called',
        ticketId: ticket.id,
        counter: '3',
        data: { number: 'A001', staffId: 'A1003' },
      } as never,
      ticket,
      counter,
    };
    const pub = JSON.stringify(projectQueueMessage(msg, 'public'));
    for (const secret of ['A1003', '午休', 'YY-1', '1234', 'staffId', 'pauseReason', 'owner', 'issuedBy'])
      expect(pub).not.toContain(secret);
    expect(pub).toContain('A001');
    expect(JSON.stringify(projectQueueMessage(msg, 'staff'))).toContain('A1003');
    expect(projectQueueMessage(msg, 'manager')).toBe(msg);
  });

  it('drops events a citizen may not see at all, and ratings and cases for staff', () => {
    const e = (type: string) => ({ seq: 1, event: { seq: 1, at: 1, type, data: { level: 1, caseId: 'R-1', code: 'YY-1' } } as never });
    for (const type of [
      'rating.recorded',
      'rating.notRated',
      'case.callback',
      'case.closed',
      'report.unresolved',
      'appointments.imported',
      'appointment.checkedIn',
      'notice.recorded',
      'ticket.acceptedWithMissing',
      'campaign.opened',
      'campaign.updated',
      'campaign.closed',
      'acceptedWithMissing.completed',
      'hall.notices',
      'some.future.event',
    ]) {
      expect(projectQueueMessage(e(type), 'public'), type).toBeUndefined();
    }
    for (const type of ['rating.recorded', 'case.closed', 'report.unresolved', 'campaign.opened', 'campaign.updated', 'campaign.closed'])
      expect(projectQueueMessage(e(type), 'staff'), type).toBeUndefined();
    expect(projectQueueMessage(e('appointment.checkedIn'), 'staff')).toBeDefined();
    for (const type of ['notice.recorded', 'ticket.acceptedWithMissing', 'acceptedWithMissing.completed'])
      expect(projectQueueMessage(e(type), 'staff'), type).toBeDefined();
    expect(publicEvent({ seq: 1, at: 1, type: 'counter.paused', counter: '3', data: { reason: '午休' } })?.data).toEqual({});
  });

  it('the public snapshot keeps waits and calls, without staff or pause reasons', () => {
    const snap: QueueSnapshot = {
      seq: 9,
      day: '2026-11-28',
      services: [
        {
          id: 'id-card',
          waiting: 2,
          waitingByChannel: { normal: 2, senior: 0, green: 0, appointment: 0 },
          longestWaitMs: 5,
          avgHandlingMs: 6,
        },
      ],
      counters: [{ ...counter, current: ticket, lastCall: { number: 'A001', at: 2 } }],
      recentCalls: [{ ticketId: ticket.id, number: 'A001', counter: '3', at: 2, recall: false, seq: 7 }],
    };
    const pub = projectSnapshot(snap, 'public');
    expect(pub.services).toEqual(snap.services);
    expect(pub.counters[0]).toMatchObject({ id: '3', open: true, paused: true, current: { number: 'A001', state: 'called' } });
    expect(JSON.stringify(pub)).not.toMatch(/A1003|午休|YY-1|1234/);
    expect(projectSnapshot(snap, 'manager')).toBe(snap);
  });
});
