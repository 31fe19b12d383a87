// The calendar / reports / cases sections of the hall config: the demo's 2026 data loads, and a
// mistake names the file, the key path and the fix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/config/load.js';
import { problems } from './problems.js';
import { counterIdleLines } from '../../../agent/led-policy.js';
import { DEMO_CONFIG } from '../../helpers/agent.js';

const demo = readFileSync(DEMO_CONFIG, 'utf8');

describe('calendar, reports and cases config', () => {
  it('the demo hall carries the 2026 official holidays and make-up workdays, and is always open', () => {
    const c = parseConfig(demo, 'demo.yaml', {});
    expect(c.calendar?.alwaysOpen).toBe(true);
    const y = c.calendar!.holidays.find((h) => h.year === 2026)!;
    expect(y.off.map((o) => `${o.name} ${o.from}..${o.to}`)).toEqual([
      '元旦 2026-01-01..2026-01-03',
      '春节 2026-02-15..2026-02-23',
      '清明节 2026-04-04..2026-04-06',
      '劳动节 2026-05-01..2026-05-05',
      '端午节 2026-06-19..2026-06-21',
      '中秋节 2026-09-25..2026-09-27',
      '国庆节 2026-10-01..2026-10-07',
    ]);
    expect(y.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(c.reports.cycleEndDay).toBe(25);
    expect(c.cases.backupStaff.A1001).toBe('A1002');
    expect(c.hall.phones.complaintLevels).toBeDefined();
  });

  it('names a bad time, a range that runs backwards, an unknown duty counter and a day outside its year', () => {
    const bad = demo
      .replace('mon: [{ from: "08:30", to: "12:00" }', 'mon: [{ from: "8:30", to: "12:00" }')
      .replace('tue: [{ from: "08:30", to: "12:00" }', 'tue: [{ from: "12:30", to: "12:00" }')
      .replace('counters: ["1", "5"] }', 'counters: ["1", "55"] }')
      .replace('workdays: ["2026-01-04"', 'workdays: ["2027-01-04"');
    expect(problems(bad)).toEqual(['calendar.hours.mon[0].from: expected a time "HH:mm" such as "08:30", got "8:30"']);
    const cross = demo
      .replace('tue: [{ from: "08:30", to: "12:00" }', 'tue: [{ from: "12:30", to: "12:00" }')
      .replace('counters: ["1", "5"] }', 'counters: ["1", "55"] }')
      .replace('workdays: ["2026-01-04"', 'workdays: ["2027-01-04"');
    expect(problems(cross)).toEqual([
      'calendar.hours.tue[0].to: expected a time after "from" (12:30), got "12:00"',
      'calendar.weekendDuty[0].counters[1]: expected a counter id from counters[] (1, 2, 3, 4, 5, 6, 7, 8), got "55"',
      'calendar.holidays[0].workdays[0]: expected a real day of 2026, got "2027-01-04"',
    ]);
  });

  it('names an unknown AB岗 staff id and a bad report cycle', () => {
    expect(problems(demo.replace('A1007: A1008,', 'A1007: A9999,'))).toEqual([
      'cases.backupStaff.A1007: expected another staff id from staff[], got "A9999"',
    ]);
    expect(problems(demo.replace('reports: { cycleEndDay: 25 }', 'reports: { cycleEndDay: 40 }'))).toEqual([
      'reports.cycleEndDay: expected a whole number from 1 to 31, got 40',
    ]);
  });
});

describe('counter LED idle policy', () => {
  it('shows 欢迎光临 only at an open, unpaused counter; 暂停服务 otherwise', () => {
    expect(counterIdleLines('3', { open: true, paused: false })).toEqual(['3号窗口', '欢迎光临']);
    expect(counterIdleLines('3', { open: true, paused: true })).toEqual(['3号窗口', '暂停服务']);
    expect(counterIdleLines('3', { open: false, paused: false })).toEqual(['3号窗口', '暂停服务']);
    expect(counterIdleLines('3', undefined)).toEqual(['3号窗口', '暂停服务']);
  });
});
