import { WAIT_EDGES_MIN } from '../../../common/figures.js';
// A generated month of hall activity: the monthly report's every figure must equal totals the test
// counted itself while driving the engine; the XLSX, read back with exceljs, must hold the same.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { COLUMNS, reportCsv, reportXlsx } from '../../../agent/api/routes/report-export.js';
import { cycleOf, type Figures } from '../../../agent/queue/period-report.js';
import type { Channel, RatingLevel } from '../../../agent/queue/types.js';
import { FakeClock, counter, makeEngine, service } from './fixtures.js';

const SERVICES = [service('idcard', 'A'), service('move', 'B'), service('birth', 'C')];
const COUNTERS = [
  counter('1', ['idcard', 'move']),
  counter('2', ['move', 'idcard']),
  counter('3', ['idcard'], { senior: true }),
  counter('4', ['birth', 'move']),
];
const STAFF = ['A1', 'A2', 'A3', 'A4', 'A5'].map((id) => ({ id, name: `警员${id}` }));
const MIN = 60_000;

/** deterministic PRNG (mulberry32) so a failure can be replayed */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Exp {
  issued: number;
  served: number;
  noShows: number;
  waits: number[];
  handling: number[];
  channels: Record<'normal' | 'green' | 'senior' | 'appointment' | 'schoolBatch', number>;
  levels: Record<RatingLevel, number>;
  notRated: number;
  rectOpened: number;
  rectOnTime: number;
  rectOpenOverdue: number;
  notices: number;
  rongque: number;
  rongqueDone: number;
  rongqueOverdue: number;
  unresolvedOpen: number;
  unresolvedClosed: number;
  homeVisits: number;
  petitions: number;
}
const blank = (): Exp => ({
  issued: 0,
  served: 0,
  noShows: 0,
  waits: [],
  handling: [],
  channels: { normal: 0, green: 0, senior: 0, appointment: 0, schoolBatch: 0 },
  levels: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
  notRated: 0,
  rectOpened: 0,
  rectOnTime: 0,
  rectOpenOverdue: 0,
  notices: 0,
  rongque: 0,
  rongqueDone: 0,
  rongqueOverdue: 0,
  unresolvedOpen: 0,
  unresolvedClosed: 0,
  homeVisits: 0,
  petitions: 0,
});

function dayPlus(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function simulateMonth(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const clock = new FakeClock(Date.parse('2026-10-25T08:30:00+08:00'));
  const { engine } = makeEngine({ services: SERVICES, counters: COUNTERS, clock, staff: STAFF });
  const { from, to } = cycleOf('2026-11', 25);
  const groups = {
    total: new Map<string, Exp>(),
    service: new Map<string, Exp>(),
    counter: new Map<string, Exp>(),
    staff: new Map<string, Exp>(),
  };
  const exp = (g: keyof typeof groups, key: string) => {
    let e = groups[g].get(key);
    if (!e) {
      e = blank();
      groups[g].set(key, e);
    }
    return e;
  };
  /** apply to the total and each named group, only for days inside the cycle */
  const count = (day: string, keys: { service?: string; counter?: string; staff?: string }, fn: (e: Exp) => void) => {
    if (day < from || day > to) return;
    fn(exp('total', 'all'));
    if (keys.service) fn(exp('service', keys.service));
    if (keys.counter) fn(exp('counter', keys.counter));
    if (keys.staff) fn(exp('staff', keys.staff));
  };
  const rects: { id: string; day: string; counter: string; staff: string; service: string }[] = [];
  const rongque: { id: string; day: string; counter: string; staff: string; service: string; followUp: string }[] = [];
  let appt = 0;
  const first = '2026-10-25';
  const last = '2026-11-26';
  for (let day = first; day <= last; day = dayPlus(day, 1)) {
    clock.t = Date.parse(`${day}T08:30:00+08:00`);
    const staffOf = new Map(COUNTERS.map((c, i) => [c.id, STAFF[(i + Number(day.slice(8))) % STAFF.length]!.id]));
    for (const c of COUNTERS) engine.open(c.id, staffOf.get(c.id));
    const n = 3 + Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const svc = pick(['idcard', 'move', 'birth']);
      const channel = pick<Exclude<Channel, 'appointment'>>(['normal', 'normal', 'senior', 'green']);
      engine.issue({ service: svc, channel, issuedBy: channel === 'green' ? 'counter' : 'kiosk' });
      count(day, { service: svc }, (e) => {
        e.issued++;
        e.channels[channel]++;
      });
      clock.advance(Math.floor(r() * 3 * MIN));
    }
    if (r() < 0.5) {
      const batch = r() < 0.4 ? 3 : 1;
      const code = `P${++appt}`;
      const svc = pick(['idcard', 'move']);
      engine.importAppointments([{ code, service: svc, slotStart: clock.t - 5 * MIN, slotEnd: clock.t + 60 * MIN, batchSize: batch }]);
      engine.checkInAppointment(code);
      count(day, { service: svc }, (e) => {
        e.issued += batch;
        e.channels[batch > 1 ? 'schoolBatch' : 'appointment'] += batch;
      });
    }
    for (let round = 0; round < 40; round++) {
      let any = false;
      for (const c of COUNTERS) {
        const t = engine.callNext(c.id);
        if (!t) continue;
        any = true;
        const staff = staffOf.get(c.id)!;
        const keys = { service: t.service, counter: c.id, staff };
        if (t.transferredFrom === undefined) count(day, keys, (e) => e.waits.push(t.calledAt! - t.issuedAt));
        if (r() < 0.12) {
          engine.skip(c.id);
          count(day, keys, (e) => e.noShows++);
          continue;
        }
        const started = engine.start(c.id);
        if (r() < 0.1) {
          engine.recordNotice({ counter: c.id, service: t.service, missingMaterialIds: ['photo'], ticketId: t.id, staffId: staff });
          count(day, keys, (e) => e.notices++);
        }
        if (r() < 0.1) {
          const followUp = dayPlus(day, 1 + Math.floor(r() * 10));
          const rec = engine.acceptWithMissing({ counter: c.id, ticketId: t.id, missingMaterialIds: ['photo'], followUpDate: followUp });
          rongque.push({ id: rec.id, day, counter: c.id, staff, service: t.service, followUp });
        }
        if (c.id === '1' && t.service === 'idcard' && t.transferredFrom === undefined && r() < 0.1) {
          engine.transfer(c.id, { service: 'move' });
          continue;
        }
        clock.advance((2 + Math.floor(r() * 15)) * MIN);
        const done = engine.finish(c.id);
        count(day, keys, (e) => {
          e.served++;
          e.handling.push(done.finishedAt! - started.startedAt!);
        });
        count(day, { counter: c.id, staff }, (e) => e.channels[t.schoolBatch ? 'schoolBatch' : t.channel]++);
        // the totals and service rows count channels at issue; undo the double count above
        if (day >= from && day <= to) exp('total', 'all').channels[t.schoolBatch ? 'schoolBatch' : t.channel]--;
        const x = r();
        if (x < 0.6) {
          const level = (1 + Math.floor(r() * 5)) as RatingLevel;
          const rating = engine.rate({ counter: c.id, level, reasons: level <= 2 ? ['efficiency'] : [], source: 'pad' });
          count(day, keys, (e) => e.levels[level]++);
          if (rating.rectificationId) {
            rects.push({ id: rating.rectificationId, day, counter: c.id, staff, service: t.service });
            count(day, keys, (e) => e.rectOpened++);
          }
        } else if (x < 0.85) {
          engine.recordNotRated(c.id);
          count(day, keys, (e) => e.notRated++);
        } else {
          // neither rated nor timed out on a pad: 未评价 is recorded at the end of the day
          count(day, keys, (e) => e.notRated++);
        }
      }
      if (!any) break;
    }
    if (r() < 0.3) {
      const svc = pick(['idcard', 'move']);
      const u = engine.reportUnresolved({ service: svc, description: '材料要求不一致' });
      if (r() < 0.5) {
        engine.closeUnresolved(u.id, { by: 'm', resolution: '已协调' });
        count(day, { service: svc }, (e) => e.unresolvedClosed++);
      } else count(day, { service: svc }, (e) => e.unresolvedOpen++);
    }
    if (r() < 0.25) {
      const who = pick(STAFF).id;
      engine.openCampaignCase({
        kind: 'homeVisit',
        title: '老人换领身份证',
        by: 'm',
        service: 'idcard',
        assignedTo: who,
        address: '某小区',
        scheduledAt: `${day} 15:00`,
      });
      count(day, { service: 'idcard', staff: who }, (e) => e.homeVisits++);
    }
    if (r() < 0.25) {
      const who = pick(STAFF).id;
      engine.openCampaignCase({ kind: 'petition', title: '12345转办', by: 'm', source: '12345', assignedTo: who });
      count(day, { staff: who }, (e) => e.petitions++);
    }
    // Half the 整改 cases of the day are closed the same day (on time).
    for (const z of rects.filter((x) => x.day === day)) {
      if (r() < 0.5) {
        engine.recordCallback(z.id, { by: 'm', note: '已回访', satisfied: true });
        engine.closeRectification(z.id, { by: 'm', measures: '培训' });
        count(z.day, z, (e) => e.rectOnTime++);
      }
    }
    for (const c of rongque.filter((x) => x.followUp === day)) if (r() < 0.5) engine.completeFollowUp(c.id, 'A1');
    for (const c of COUNTERS) {
      const cur = engine.counterSnapshot(c.id)?.current;
      if (!cur) engine.close(c.id);
    }
  }
  clock.t = Date.parse('2026-11-27T10:00:00+08:00');
  const today = '2026-11-27';
  for (const z of rects) {
    const v = engine.getCase(z.id)!;
    if (v.state === 'open' && v.dueDay < today) count(z.day, z, (e) => e.rectOpenOverdue++);
  }
  const open = new Set(engine.followUps().map((f) => f.id));
  for (const c of rongque) {
    count(c.day, c, (e) => {
      e.rongque++;
      if (!open.has(c.id)) e.rongqueDone++;
      else if (c.followUp < today) e.rongqueOverdue++;
    });
  }
  return { engine, groups };
}

const mean = (v: number[]) => (v.length ? Math.round(v.reduce((a, b) => a + b, 0) / v.length) : null);
/** the 90th ranked wait, reported as the upper edge of its histogram bucket (never above the longest) */
function p90(v: number[]): number | null {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const at = s[Math.ceil(s.length * 0.9) - 1]!;
  const edge = WAIT_EDGES_MIN.find((m) => at < m * 60_000);
  return edge === undefined ? s[s.length - 1]! : Math.min(edge * 60_000, s[s.length - 1]!);
}

function expectFigures(f: Figures, e: Exp, withIssued: boolean, label: string) {
  const rated = Object.values(e.levels).reduce((a, b) => a + b, 0);
  const bad = e.levels[1] + e.levels[2];
  const judged = e.rectOnTime + e.rectOpenOverdue;
  expect(f, label).toEqual({
    issued: withIssued ? e.issued : null,
    served: e.served,
    servedAtClose: 0, // every service started here is finished (the close's rule: tests/figures, day-close)
    noShows: e.noShows,
    waitMeanMs: mean(e.waits),
    waitP90Ms: p90(e.waits),
    handlingMeanMs: mean(e.handling),
    channels: e.channels,
    ratings: { byLevel: e.levels, rated, notRated: e.notRated, bad, goodRate: rated ? (rated - bad) / rated : null },
    rectifications: {
      opened: e.rectOpened,
      closedOnTime: e.rectOnTime,
      closedLate: 0,
      openOverdue: e.rectOpenOverdue,
      onTimeRate: judged ? e.rectOnTime / judged : null,
    },
    notices: e.notices,
    rongque: { cases: e.rongque, completed: e.rongqueDone, overdue: e.rongqueOverdue },
    unresolved: { open: e.unresolvedOpen, closed: e.unresolvedClosed },
    homeVisits: e.homeVisits,
    petitions: e.petitions,
    selfChecks: 0,
    revisits: 0,
  });
}

describe('monthly report over a generated campaign cycle', () => {
  const { engine, groups } = simulateMonth(20261126);
  const report = engine.periodReport('monthly', '2026-11');

  it('covers the 26th of the previous month to the 25th', () => {
    expect([report.from, report.to]).toEqual(['2026-10-26', '2026-11-25']);
    expect(engine.reportMonthOf('2026-11-26')).toBe('2026-12');
    expect(cycleOf('2026-01', 25)).toEqual({ from: '2025-12-26', to: '2026-01-25' });
  });

  it('every figure equals the totals the test counted, overall and per service, counter and staff member', () => {
    const total = groups.total.get('all')!;
    expect(total.served).toBeGreaterThan(100); // a real month, not an empty one
    expect(total.rectOpened).toBeGreaterThan(5);
    expect(total.rongque + total.notices + total.homeVisits + total.petitions).toBeGreaterThan(20);
    expectFigures(report.totals, total, true, 'totals');
    for (const [g, rows, withIssued] of [
      ['service', report.byService, true],
      ['counter', report.byCounter, false],
      ['staff', report.byStaff, false],
    ] as const) {
      expect(rows.map((x) => x.key).sort(), g).toEqual([...groups[g].keys()].sort());
      for (const row of rows) {
        const { key: _k, name: _n, ...figures } = row;
        expectFigures(figures, groups[g].get(row.key)!, withIssued, `${g} ${row.key}`);
      }
    }
    expect(report.byStaff.find((r) => r.key === 'A1')?.name).toBe('警员A1');
  });

  it('the XLSX opens with exceljs and holds the same numbers; the CSV too', async () => {
    const buf = await reportXlsx(report, '测试大厅');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '按业务', '按窗口', '按人员']);
    const sheets = [
      ['汇总', [{ key: 'total', ...report.totals }]],
      ['按业务', report.byService],
      ['按窗口', report.byCounter],
      ['按人员', report.byStaff],
    ] as const;
    for (const [name, rows] of sheets) {
      const ws = wb.getWorksheet(name)!;
      expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(['编号', '名称', ...COLUMNS.map((c) => c.zh)]);
      rows.forEach((row, i) => {
        const cells = (ws.getRow(3 + i).values as unknown[]).slice(1);
        expect(cells[0]).toBe(row.key);
        // an empty cell (no wait recorded) is a hole in exceljs' values array
        const nums = Array.from({ length: COLUMNS.length }, (_, j) => cells[2 + j] ?? null);
        expect(nums, `${name} ${row.key}`).toEqual(COLUMNS.map((c) => c.value(row)));
      });
    }
    const total = groups.total.get('all')!;
    const tot = (wb.getWorksheet('汇总')!.getRow(3).values as unknown[]).slice(1);
    expect(tot[2 + COLUMNS.findIndex((c) => c.id === 'served')]).toBe(total.served);
    expect(tot[2 + COLUMNS.findIndex((c) => c.id === 'notRated')]).toBe(total.notRated);

    const csv = reportCsv(report, '测试大厅');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const line = csv.split('\r\n').find((l) => l.startsWith('汇总,total'))!;
    expect(line.split(',')[3 + COLUMNS.findIndex((c) => c.id === 'issued')]).toBe(String(total.issued));
  });

  it('a daily report counts one day only', () => {
    const day = engine.periodReport('daily', '2026-11-02');
    expect([day.from, day.to]).toEqual(['2026-11-02', '2026-11-02']);
    expect(day.totals.issued).toBeGreaterThan(0);
    expect(day.totals.issued!).toBeLessThan(report.totals.issued!);
    expect(() => engine.periodReport('monthly', '2026-13')).toThrow(/YYYY-MM/);
  });
});
