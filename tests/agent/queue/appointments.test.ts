import { describe, expect, it } from 'vitest';
import { parseAppointmentsCsv } from '../../../agent/queue/appointments.js';
import type { QueueError } from '../../../agent/queue/engine.js';
import { code, makeEngine, T0 } from './fixtures.js';

const MIN = 60_000;

describe('import', () => {
  it('imports valid records, skips invalid and duplicate ones with reasons', () => {
    const { engine, commits } = makeEngine();
    const r = engine.importAppointments([
      { code: 'P1', service: 'idcard', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30', nameMasked: '张*' },
      { code: 'P1', service: 'idcard', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30' },
      { code: 'P2', service: 'nope', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30' },
      { code: 'P3', service: 'idcard', slotStart: 'tomorrow', slotEnd: '2025-03-03 09:30' },
      { code: 'P4', service: 'idcard', slotStart: '2025-03-03 10:00', slotEnd: '2025-03-03 09:30' },
      { code: 'P5', service: 'idcard', slotStart: '2025-03-03T09:00:00+08:00', slotEnd: T0 + 30 * MIN, batchSize: 0 },
      { code: '', service: 'idcard', slotStart: T0, slotEnd: T0 },
    ]);
    expect(r.imported).toBe(1);
    expect(r.skipped.map((s) => s.code)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', '']);
    expect(r.skipped[0]?.reason).toBe('duplicate code');
    expect(commits.at(-1)?.event).toMatchObject({ type: 'appointments.imported', data: { count: 1 } });
    expect(engine.importAppointments([{ code: 'P1', service: 'idcard', slotStart: T0, slotEnd: T0 }]).skipped[0]?.reason).toBe(
      'duplicate code',
    );
  });

  it('zone-less times are hall-local', () => {
    const { engine, clock } = makeEngine();
    engine.importAppointments([{ code: 'P1', service: 'idcard', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30' }]);
    clock.t = T0 - 1;
    expect(engine.checkInAppointment('P1').early).toBe(true);
  });

  it('parses CSV with quotes, BOM, CRLF and Chinese headers', () => {
    const csv =
      '\uFEFF预约码,业务,开始时间,结束时间,姓名,人数\r\nP1,idcard,2025-03-03 09:00,2025-03-03 09:30,"张*, 三",\r\n"S""1",idcard,2025-03-03 10:00,2025-03-03 11:00,某小学,40\r\n';
    const rows = parseAppointmentsCsv(csv);
    expect(rows).toEqual([
      { code: 'P1', service: 'idcard', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30', nameMasked: '张*, 三' },
      { code: 'S"1', service: 'idcard', slotStart: '2025-03-03 10:00', slotEnd: '2025-03-03 11:00', nameMasked: '某小学', batchSize: 40 },
    ]);
    const english = parseAppointmentsCsv('code,service,slotStart,slotEnd\nP9,move,2025-03-03 09:00,2025-03-03 09:30');
    expect(english[0]?.code).toBe('P9');
    expect(() => parseAppointmentsCsv('code,service\nP1,idcard')).toThrow(/slotStart/);
    expect(parseAppointmentsCsv('')).toEqual([]);
  });

  it('a non-numeric CSV batch size is reported, not silently dropped', () => {
    const { engine } = makeEngine();
    const rows = parseAppointmentsCsv('code,service,slotStart,slotEnd,batchSize\nP1,idcard,2025-03-03 09:00,2025-03-03 09:30,many');
    expect(engine.importAppointments(rows).skipped[0]?.reason).toMatch(/batchSize/);
  });
});

describe('check-in', () => {
  function booked(offsetStart: number, offsetEnd: number, batchSize?: number) {
    const h = makeEngine();
    h.engine.importAppointments([
      { code: 'P1', service: 'idcard', slotStart: T0 + offsetStart, slotEnd: T0 + offsetEnd, ...(batchSize ? { batchSize } : {}) },
    ]);
    return h;
  }

  it('on time → appointment ticket, neither early nor late', () => {
    const { engine } = booked(-10 * MIN, 20 * MIN);
    const r = engine.checkInAppointment(' P1 ');
    expect(r).toMatchObject({ early: false, late: false });
    expect(r.tickets[0]?.ticket).toMatchObject({ channel: 'appointment', appointmentCode: 'P1', number: 'A001' });
  });

  it('early → appointment ticket that waits for its slot', () => {
    const { engine } = booked(30 * MIN, 60 * MIN);
    const r = engine.checkInAppointment('P1');
    expect(r).toMatchObject({ early: true, late: false });
    expect(r.tickets[0]?.ticket.slotStart).toBe(T0 + 30 * MIN);
  });

  it('within the grace period after the slot → still an appointment', () => {
    const { engine } = booked(-60 * MIN, -10 * MIN);
    expect(engine.checkInAppointment('P1')).toMatchObject({ late: false });
  });

  it('later than slot end + grace → joins as normal', () => {
    const { engine } = booked(-60 * MIN, -16 * MIN);
    const r = engine.checkInAppointment('P1');
    expect(r.late).toBe(true);
    expect(r.tickets[0]?.ticket.channel).toBe('normal');
  });

  it('unknown, used and not-today codes are refused', () => {
    const { engine, clock } = booked(0, 30 * MIN);
    expect(code(() => engine.checkInAppointment('NOPE'))).toBe('404 APPOINTMENT_UNKNOWN');
    engine.checkInAppointment('P1');
    expect(code(() => engine.checkInAppointment('P1'))).toBe('409 APPOINTMENT_USED');
    engine.importAppointments([{ code: 'P2', service: 'idcard', slotStart: T0 + 86_400_000, slotEnd: T0 + 86_400_000 + 30 * MIN }]);
    const e = (() => {
      try {
        engine.checkInAppointment('P2');
      } catch (err) {
        return err as QueueError;
      }
    })();
    expect(e?.code).toBe('APPOINTMENT_NOT_TODAY');
    expect(e?.message).toContain('2025-03-04');
    clock.t += 86_400_000;
    expect(engine.checkInAppointment('P2').tickets).toHaveLength(1);
  });

  it('school batch: one code issues N tickets in one transaction', () => {
    const { engine, commits } = booked(0, 60 * MIN, 5);
    const r = engine.checkInAppointment('P1');
    expect(r.tickets.map((t) => t.ticket.number)).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
    expect(r.tickets.map((t) => t.waitingAhead)).toEqual([0, 1, 2, 3, 4]);
    expect(commits.at(-1)?.event).toMatchObject({ type: 'appointment.checkedIn', data: { count: 5 } });
  });

  it('a batch that would exceed the daily cap issues nothing', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'birth' });
    engine.importAppointments([{ code: 'S', service: 'birth', slotStart: T0, slotEnd: T0 + 60 * MIN, batchSize: 3 }]);
    expect(code(() => engine.checkInAppointment('S'))).toBe('409 DAILY_CAP_REACHED');
    expect(engine.snapshot().services.find((s) => s.id === 'birth')?.waiting).toBe(1);
    // the code stays usable and the numbers were not burnt
    expect(engine.issue({ service: 'birth' }).ticket.number).toBe('C002');
  });
});

describe('预约码 alphabet', () => {
  it('refuses at import a code the kiosk keypad cannot type, saying which characters', () => {
    const { engine } = makeEngine();
    const slot = { service: 'idcard', slotStart: '2025-03-03 09:00', slotEnd: '2025-03-03 09:30' };
    const r = engine.importAppointments([
      { code: 'YY2026B2', ...slot },
      { code: 'yy2026b3', ...slot },
      { code: 'YY-2026-B4', ...slot },
      { code: 'AB_12', ...slot },
      { code: '预约12', ...slot },
      { code: 'A'.repeat(21), ...slot },
    ]);
    expect(r.imported).toBe(2);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('不能含「y」「b」'),
      expect.stringContaining('不能含「_」'),
      expect.stringContaining('不能含「预」「约」'),
      '预约码最长 20 位',
    ]);
  });
});
