// The hall calendar with the demo hall's data (2026 official holidays) but alwaysOpen off: kiosk
// open/closed across a weekend, a public holiday and a 调休 make-up workday, and due dates.
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../agent/config/load.js';
import { HallCalendar } from '../../../agent/queue/calendar.js';
import { DEMO_CONFIG } from '../../helpers/agent.js';
import { FakeClock, code, counter, makeEngine, service } from './fixtures.js';

const demo = loadConfigFile(DEMO_CONFIG);
const data = { ...demo.calendar!, alwaysOpen: false };
const cal = new HallCalendar(data, 'Asia/Shanghai');
const at = (s: string) => Date.parse(`${s}+08:00`);

const SERVICES = [service('idcard', 'A'), service('move', 'B')];
const COUNTERS = [
  counter('1', ['idcard']),
  counter('2', ['move']),
  counter('5', ['move']),
  counter('6', ['move']),
  counter('7', ['idcard', 'move'], { senior: true }),
];

function hall(t: string) {
  const clock = new FakeClock(at(t));
  return { ...makeEngine({ services: SERVICES, counters: COUNTERS, clock, calendar: cal }), clock };
}

describe('hall calendar (demo data, 2026)', () => {
  it('the 2026 holidays and make-up workdays of the State Council notice are working days or not', () => {
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // 国庆节
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休上班
    expect(cal.isWorkingDay('2026-09-20')).toBe(true); // Sunday, 调休上班
    expect(cal.isWorkingDay('2026-02-16')).toBe(false); // 春节 Monday
    expect(cal.isWorkingDay('2026-11-28')).toBe(false); // an ordinary Saturday
    expect(cal.isWorkingDay('2026-11-30')).toBe(true);
  });

  it('15 working days skip the National Day week and count the make-up Saturday', () => {
    expect(cal.addWorkingDays('2026-09-28', 15)).toBe('2026-10-23');
  });

  it('a weekday: open in hours, closed at noon except at the flexible counters, grace after closing', () => {
    const mon = cal.status(at('2026-11-30T09:00:00'));
    expect(mon).toMatchObject({ open: true, calendarOpen: true, kind: 'workday', flexible: false });
    const noon = cal.status(at('2026-11-30T12:30:00'));
    expect(noon).toMatchObject({ calendarOpen: true, flexible: true, counters: ['1', '7'] });
    expect(cal.status(at('2026-11-30T17:35:00'))).toMatchObject({ calendarOpen: true, grace: true });
    const night = cal.status(at('2026-11-30T20:00:00'));
    expect(night).toMatchObject({ open: false, calendarOpen: false, idPickupOpen: true });
    expect(night.nextOpening).toBe(at('2026-12-01T08:30:00'));
  });

  it('weekend: duty counters by ISO week on Saturday morning, closed on Sunday until Monday', () => {
    // 2026-11-28 is in ISO week 48 (even): counters 2 and 6.
    expect(cal.status(at('2026-11-28T10:00:00'))).toMatchObject({ calendarOpen: true, kind: 'weekend', counters: ['2', '6'] });
    expect(cal.status(at('2026-11-21T10:00:00'))).toMatchObject({ calendarOpen: true, counters: ['1', '5'] });
    const sun = cal.status(at('2026-11-29T10:00:00'));
    expect(sun).toMatchObject({ open: false, kind: 'weekend' });
    expect(sun.nextOpening).toBe(at('2026-11-30T08:30:00'));
  });

  it('the kiosk is refused on a holiday with the next opening, a guide may still issue; the make-up Saturday is open', () => {
    const h = hall('2026-10-01T10:00:00');
    const refused = code(() => h.engine.issue({ service: 'idcard' }));
    expect(refused).toBe('409 HALL_CLOSED');
    try {
      h.engine.issue({ service: 'idcard' });
    } catch (e) {
      expect((e as Error).message).toMatch(/国庆节放假.*10月5日 09:00/);
    }
    expect(h.engine.calendarStatus()).toMatchObject({ open: false, holidayName: '国庆节', nextOpening: at('2026-10-05T09:00:00') });
    expect(h.engine.issue({ service: 'idcard', issuedBy: 'guide' }).ticket.number).toBe('A001');
    h.clock.t = at('2026-10-10T09:00:00'); // Saturday, 调休上班
    expect(h.engine.calendarStatus()).toMatchObject({ open: true, kind: 'makeUpWorkday' });
    expect(h.engine.issue({ service: 'move' }).ticket.number).toBe('B001');
  });

  it('an appointment-only holiday takes appointment check-ins only; appointments on closed days are refused at import', () => {
    const h = hall('2026-10-05T09:30:00');
    expect(code(() => h.engine.issue({ service: 'idcard' }))).toBe('409 APPOINTMENT_ONLY');
    const imported = h.engine.importAppointments([
      { code: 'OK1', service: 'idcard', slotStart: '2026-10-05 10:00', slotEnd: '2026-10-05 10:30' },
      { code: 'NO1', service: 'idcard', slotStart: '2026-10-03 10:00', slotEnd: '2026-10-03 10:30' },
      { code: 'NO2', service: 'idcard', slotStart: '2026-10-06 19:00', slotEnd: '2026-10-06 19:30' },
    ]);
    expect(imported.imported).toBe(1);
    expect(imported.skipped.map((s) => s.code)).toEqual(['NO1', 'NO2']);
    expect(h.engine.checkInAppointment('OK1').tickets[0]!.ticket.channel).toBe('appointment');
  });

  it('weekend duty: a service no duty counter handles is refused at the kiosk', () => {
    const h = hall('2026-11-28T10:00:00'); // counters 2 and 6 (move only)
    expect(code(() => h.engine.issue({ service: 'idcard' }))).toBe('409 SERVICE_NOT_ON_DUTY');
    expect(h.engine.issue({ service: 'move' }).ticket.number).toBe('B001');
  });

  it('a bad rating opened before the holiday is due after it (calendar), not on the Mon–Fri count', () => {
    const h = hall('2026-09-28T09:00:00');
    h.engine.open('1', 'A1');
    h.engine.issue({ service: 'idcard' });
    h.engine.callNext('1');
    h.engine.finish('1');
    const r = h.engine.rate({ counter: '1', level: 1, reasons: ['attitude'], source: 'pad' });
    expect(h.engine.getCase(r.rectificationId!)?.dueDay).toBe('2026-10-23');
    const plain = makeEngine({ services: SERVICES, counters: COUNTERS, clock: new FakeClock(at('2026-09-28T09:00:00')) });
    plain.engine.open('1');
    plain.engine.issue({ service: 'idcard' });
    plain.engine.callNext('1');
    plain.engine.finish('1');
    const r2 = plain.engine.rate({ counter: '1', level: 2, reasons: ['attitude'], source: 'pad' });
    expect(plain.engine.getCase(r2.rectificationId!)?.dueDay).toBe('2026-10-19');
  });

  it('alwaysOpen (the demo hall) never refuses for the time of day but still reports what the calendar says', () => {
    const open = new HallCalendar({ ...data, alwaysOpen: true }, 'Asia/Shanghai');
    const clock = new FakeClock(at('2026-10-01T03:00:00'));
    const { engine } = makeEngine({ services: SERVICES, counters: COUNTERS, clock, calendar: open });
    expect(engine.issue({ service: 'idcard' }).ticket.number).toBe('A001');
    expect(engine.calendarStatus()).toMatchObject({ open: true, calendarOpen: false, alwaysOpen: true, holidayName: '国庆节' });
  });
});
