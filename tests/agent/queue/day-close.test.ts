// The hall's day as a lifecycle, on a real SQLite file: the engine is stopped and started again on the
// same data with the clock moved across nights and a weekend (the PC is switched off every evening),
// and left running through midnight. Reproduces issue 18's walk: yesterday's A002 called before today's
// A001, numbers twice in the waiting list, counters still open under yesterday's staff.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../agent/config/load.js';
import { DayCloser } from '../../../agent/day-closer.js';
import { HallCalendar } from '../../../agent/queue/calendar.js';
import { DEMO_CONFIG } from '../../helpers/agent.js';
import { FakeClock, code, counter, makeEngine, service } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-day-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const at = (s: string) => Date.parse(`${s}+08:00`);
const cal = new HallCalendar({ ...loadConfigFile(DEMO_CONFIG).calendar!, alwaysOpen: false }, 'Asia/Shanghai');
const SERVICES = [service('idcard', 'A'), service('move', 'B')];
const COUNTERS = [counter('1', ['idcard', 'move']), counter('2', ['move', 'idcard'])];
const silent = { info() {}, error() {} };

/** One hall data file; `start` is the agent starting on it at a given hall-local time. */
function hallFile() {
  const path = join(dir, `hall-${++files}.db`);
  let current: ReturnType<typeof makeEngine> | undefined;
  const start = (when: string) => {
    current?.store.close();
    current = makeEngine({ path, services: SERVICES, counters: COUNTERS, clock: new FakeClock(at(when)), calendar: cal });
    return current;
  };
  return { start, stop: () => current?.store.close() };
}

const numbers = (list: { number: string }[]) => list.map((t) => t.number);
const dayClosedEvents = (h: ReturnType<typeof makeEngine>) => h.engine.eventsAfter(0, 1000).filter((e) => e.type === 'hall.dayClosed');

describe('the day across a night off (agent stopped, started on the same file the next morning)', () => {
  it('calls today’s A001 first, lists each number once, and starts with every counter closed', () => {
    const hall = hallFile();
    const mon = hall.start('2026-11-30T09:00:00');
    mon.engine.open('1', 'A1001');
    for (let i = 0; i < 6; i++) mon.engine.issue({ service: 'idcard' }); // A001–A006
    mon.engine.callNext('1'); // A001
    mon.engine.start('1');
    mon.engine.finish('1');
    expect(mon.engine.callNext('1')?.number).toBe('A002');
    mon.engine.skip('1'); // A002 过号
    expect(mon.engine.callNext('1')?.number).toBe('A003'); // still called when the PC is switched off
    const yesterday = mon.engine.waitingTickets();
    expect(numbers(yesterday)).toEqual(['A004', 'A005', 'A006']);

    const tue = hall.start('2026-12-01T08:40:00');
    // Before anything is done: yesterday's queue is gone, the counter is closed, the day is recorded closed.
    expect(tue.engine.waitingTickets()).toEqual([]);
    expect(tue.engine.snapshot().counters.find((c) => c.id === '1')).toMatchObject({ open: false });
    expect(tue.engine.snapshot().counters.find((c) => c.id === '1')?.staffId).toBeUndefined();
    for (const t of yesterday) expect(tue.engine.getTicket(t.id)).toMatchObject({ state: 'cancelled', cancelReason: 'dayEnd' });
    expect(tue.engine.getTicket('2026-11-30-A002')).toMatchObject({
      state: 'cancelled',
      cancelReason: 'dayEnd',
      skippedAt: expect.any(Number),
    });
    expect(tue.engine.getTicket('2026-11-30-A003')).toMatchObject({ state: 'cancelled', cancelReason: 'dayEndCalled' });
    const closed = dayClosedEvents(tue);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.data).toMatchObject({
      day: '2026-11-30',
      trigger: 'startup',
      ended: { waiting: 3, noShow: 1, called: 1, serving: 0 },
      countersClosed: ['1'],
      notRated: 1, // A001 was finished and never rated
    });

    for (let i = 0; i < 3; i++) tue.engine.issue({ service: 'idcard' });
    expect(numbers(tue.engine.waitingTickets())).toEqual(['A001', 'A002', 'A003']);
    expect(code(() => tue.engine.callNext('1'))).toBe('409 COUNTER_CLOSED');
    tue.engine.open('1', 'A1001');
    const first = tue.engine.callNext('1');
    expect(first).toMatchObject({ number: 'A001', day: '2026-12-01' });
    // yesterday's 过号 cannot come back today
    expect(code(() => tue.engine.rejoin('A002'))).not.toBe('200');
    expect(tue.engine.getTicket('2026-11-30-A002')?.state).toBe('cancelled');
    hall.stop();
  });

  it('a Friday left open is closed on Monday morning once; a second start the same day changes nothing', () => {
    const hall = hallFile();
    const fri = hall.start('2026-12-04T16:50:00');
    fri.engine.open('2', 'A1002');
    fri.engine.issue({ service: 'move' });
    fri.engine.callNext('2');
    fri.engine.start('2'); // serving when the PC goes off
    fri.engine.issue({ service: 'move' });

    const mon = hall.start('2026-12-07T08:20:00');
    mon.engine.ensureDay();
    const [e] = dayClosedEvents(mon);
    expect(e?.data).toMatchObject({ day: '2026-12-04', trigger: 'startup', ended: { waiting: 1, called: 0, serving: 1, noShow: 0 } });
    expect(mon.engine.getTicket('2026-12-04-B001')).toMatchObject({ state: 'cancelled', cancelReason: 'dayEndServing' });
    expect(mon.engine.lastClosedDay()).toMatchObject({ day: '2026-12-04', trigger: 'startup' });
    // docs/figures.md: the service in hand at the close was served, without a handling time or a rating
    expect(mon.engine.periodReport('daily', '2026-12-04').totals).toMatchObject({
      issued: 2,
      served: 1,
      servedAtClose: 1,
      noShows: 0,
      handlingMeanMs: null,
      ratings: { rated: 0, notRated: 0 },
    });
    const seq = mon.store.lastSeq();

    const again = hall.start('2026-12-07T08:25:00');
    expect(again.engine.ensureDay()).toBeUndefined();
    expect(again.engine.waitingTickets()).toEqual([]);
    expect(again.store.lastSeq()).toBe(seq);
    expect(again.engine.issue({ service: 'move', issuedBy: 'guide' }).ticket.number).toBe('B001');
    hall.stop();
  });
});

describe('the day while the agent runs', () => {
  it('closes at midnight without anyone pressing a key; a second close is a no-op', () => {
    const h = makeEngine({ services: SERVICES, counters: COUNTERS, clock: new FakeClock(at('2026-12-01T23:50:00')), calendar: cal });
    h.engine.open('1');
    h.engine.issue({ service: 'idcard', issuedBy: 'guide' });
    h.engine.issue({ service: 'idcard', issuedBy: 'guide' });
    h.clock.t = at('2026-12-02T00:00:30');
    const snap = h.engine.snapshot();
    expect(snap.day).toBe('2026-12-02');
    expect(snap.services.find((s) => s.id === 'idcard')?.waiting).toBe(0);
    expect(dayClosedEvents(h).map((e) => e.data)).toMatchObject([{ day: '2026-12-01', trigger: 'midnight' }]);
    expect(h.engine.ensureDay()).toBeUndefined();
    expect(h.engine.closeDay('manual')).toMatchObject({ day: '2026-12-02', trigger: 'manual' }); // today, closed by hand
    expect(h.engine.closeDay('manual')).toBeUndefined();
    expect(dayClosedEvents(h)).toHaveLength(2);
    expect(h.engine.issue({ service: 'idcard', issuedBy: 'guide' }).ticket.number).toBe('A001');
  });

  it('the day closer closes at closing time + grace (17:40 on a weekday, 12:10 on a duty Saturday), then at midnight only what came after', () => {
    const clock = new FakeClock(at('2026-12-01T17:30:00'));
    const h = makeEngine({ services: SERVICES, counters: COUNTERS, clock, calendar: cal });
    const closer = new DayCloser({ engine: h.engine, clock, timezone: 'Asia/Shanghai', logger: silent });
    h.engine.open('1', 'A1001');
    h.engine.issue({ service: 'idcard' });
    h.engine.issue({ service: 'idcard' });
    h.engine.callNext('1');
    h.engine.start('1');
    h.engine.finish('1');
    expect(closer.check()).toEqual([]); // 17:30: within the 10 minutes' grace
    clock.t = at('2026-12-01T17:40:00');
    const [s] = closer.check();
    expect(s).toMatchObject({ day: '2026-12-01', trigger: 'closingTime', ended: { waiting: 1 }, countersClosed: ['1'], notRated: 1 });
    expect(closer.check()).toEqual([]);
    // a guide still issues after hours; that ticket waits until midnight, its number does not repeat
    clock.t = at('2026-12-01T18:00:00');
    expect(h.engine.issue({ service: 'idcard', issuedBy: 'guide' }).ticket.number).toBe('A003');
    expect(closer.check()).toEqual([]);
    clock.t = at('2026-12-02T00:00:10');
    expect(closer.check().map((x) => [x.day, x.trigger, x.ended.waiting])).toEqual([['2026-12-01', 'midnight', 1]]);

    // Saturday 2026-12-05 (ISO week 49, odd): counters 1 and 5 on duty 09:00–12:00
    clock.t = at('2026-12-05T11:00:00');
    // the clock jumped three days: the (empty) business day 12-02 is recorded closed, nothing in between
    expect(closer.check().map((x) => [x.day, x.trigger])).toEqual([['2026-12-02', 'midnight']]);
    h.engine.issue({ service: 'idcard', issuedBy: 'guide' });
    clock.t = at('2026-12-05T12:09:00');
    expect(closer.check()).toEqual([]);
    clock.t = at('2026-12-05T12:10:00');
    expect(closer.check().map((x) => [x.day, x.trigger])).toEqual([['2026-12-05', 'closingTime']]);
    // a Sunday has no hours: nothing closes before midnight
    clock.t = at('2026-12-06T15:00:00');
    closer.check();
    h.engine.issue({ service: 'idcard', issuedBy: 'guide' });
    clock.t = at('2026-12-06T23:59:00');
    expect(closer.check()).toEqual([]);
  });

  it('records 未评价 for the pad still waiting, keeps return codes and 容缺 follow-up dates across the close', () => {
    const clock = new FakeClock(at('2026-12-01T16:00:00'));
    const h = makeEngine({ services: SERVICES, counters: COUNTERS, clock, calendar: cal });
    h.engine.open('1', 'A1001');
    h.engine.issue({ service: 'idcard' });
    const t = h.engine.callNext('1')!;
    h.engine.start('1');
    const notice = h.engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['photo'], ticketId: t.id });
    h.engine.acceptWithMissing({ counter: '1', ticketId: t.id, missingMaterialIds: ['photo'], followUpDate: '2026-12-08' });
    h.engine.finish('1');
    clock.t = at('2026-12-01T17:45:00');
    expect(h.store.getRating(t.id)).toBeUndefined();
    expect(h.engine.closeDay('closingTime')).toMatchObject({ notRated: 1 });
    expect(h.store.getRating(t.id)).toMatchObject({ level: null, counter: '1' });
    clock.t = at('2026-12-02T09:00:00');
    expect(h.engine.followUps().map((f) => f.followUpDate)).toEqual(['2026-12-08']);
    h.engine.open('1', 'A1001');
    expect(h.engine.issueReturn(notice.returnCode!).ticket).toMatchObject({ number: 'A001', day: '2026-12-02', returnOf: notice.id });
  });

  it('runs the hooks inside the close and after its commit, and rolls the whole close back when a hook throws', () => {
    const clock = new FakeClock(at('2026-12-01T10:00:00'));
    const h = makeEngine({ services: SERVICES, counters: COUNTERS, clock, calendar: cal });
    h.engine.open('1');
    h.engine.issue({ service: 'idcard' });
    const seq = h.store.lastSeq();
    const off = h.engine.onDayClose(() => {
      throw new Error('disk full');
    });
    clock.t = at('2026-12-02T09:00:00');
    expect(() => h.engine.ensureDay()).toThrow('disk full');
    expect(h.store.lastSeq()).toBe(seq);
    expect(h.store.loadOpenTickets()).toHaveLength(1);
    off();
    const told: string[] = [];
    h.engine.onDayClose(() => ({ sessionsEnded: 2, after: () => told.push('sockets') }));
    expect(h.engine.ensureDay()).toMatchObject({ day: '2026-12-01', sessionsEnded: 2 });
    expect(told).toEqual(['sockets']);
    expect(h.store.loadOpenTickets()).toEqual([]);
  });
});
