// The simulated month (issue 18, Proof): three halls on injected clocks play a seeded month — weekends,
// a holiday with its 调休 Saturday, the 25th/26th cycle boundary, PCs switched off overnight on some
// days and running through midnight on others, a day the hub cannot be reached — and every figure of
// the hall's daily and monthly reports, of the daily summaries in the outbox and of the hub's monthly
// report must equal the oracle computed from the workload log alone. No ticket of a closed day is
// ever called. HALLQ_MONTH_DAYS=90 plays a longer run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DayCloser } from '../../agent/day-closer.js';
import type { QueueEngine } from '../../agent/queue/engine.js';
import type { openHallStore } from '../../agent/store/index.js';
import { FakeClock } from '../agent/queue/fixtures.js';
import { calendar, HOLIDAY, MAKE_UP, openHall, TZ } from './hall-engine.js';
import { writeDailySummaries } from '../../agent/sync/daily.js';
import { toRecord } from '../../agent/sync/map.js';
import { OutboxTable } from '../../agent/sync/outbox.js';
import { OutboxSender } from '../../agent/sync/sender.js';
import { freePort } from '../../hub/db/local-server.js';
import { addHall, addSupervisor } from '../../hub/registry.js';
import { type HubHarness, loginCookie, startHubHarness } from '../hub/harness.js';
import { mean, merge, type OracleDay, oracle as oracleOf, p90 } from './oracle.js';
import { SatelliteLink } from './satellite-link.js';
import { type LogEntry, type Pending, playDay, plusDays, rateLate, Rng, workCases } from './workload.js';

const DAYS = Number(process.env.HALLQ_MONTH_DAYS ?? 32);
const FIRST = '2026-10-19'; // a Monday; the 2026-10 cycle ends on the 25th, 2026-11's starts on the 26th
const localMs = (day: string, hm: string) => Date.parse(`${day}T${hm}:00+08:00`);
const silent = pino({ level: 'silent' });

interface Hall {
  id: string;
  secret: string;
  path: string;
  clock: FakeClock;
  engine: QueueEngine | null;
  store: ReturnType<typeof openHallStore> | null;
  rng: Rng;
  log: LogEntry[];
  unrated: Pending[];
  /** hall C: counter 3's keypad and rating pad are on a satellite PC */
  satellite?: SatelliteLink;
}

let h: HubHarness;
let dir: string;
const halls: Hall[] = [];

function start(hall: Hall): QueueEngine {
  const { store, engine } = openHall(hall.path, hall.id, hall.clock);
  hall.store = store;
  hall.engine = engine;
  hall.satellite?.attach(engine, store);
  return engine;
}

/** hall B's PC loses power in the middle of its closing-time day close: a real SIGKILL inside the close's transaction */
function killDuringClose(hall: Hall, day: string): NodeJS.Signals | null {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'kill-in-close.ts'), hall.path, hall.id, String(localMs(day, '17:31'))],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return r.signal;
}

/** what the DayCloser part does on its checks, against the hall's injected clock; each close is logged */
function closerCheck(hall: Hall, startup: boolean): void {
  const closer = new DayCloser({ engine: hall.engine!, clock: hall.clock, timezone: TZ, logger: silent });
  for (const s of closer.check(startup)) hall.log.push({ t: 'dayClosed', at: hall.clock.now(), day: s.day });
}

function summarise(hall: Hall): void {
  const engine = hall.engine!;
  writeDailySummaries(
    hall.store!.db,
    new OutboxTable(hall.store!.db),
    (d) => engine.periodReport('daily', d).sums,
    engine.today(),
    hall.clock.now(),
  );
}

async function sync(hall: Hall, url: string): Promise<void> {
  hubClock.t = Math.max(hubClock.t, hall.clock.now()); // the hub lives on the month's day too
  const sender = new OutboxSender({
    outbox: new OutboxTable(hall.store!.db),
    upstream: { url, hallId: hall.id, secret: hall.secret, timeoutMs: 10_000 },
    timezone: TZ,
    batchSize: 500,
    logger: silent,
  });
  for (let i = 0; i < 200 && (await sender.sendOnce()); i++) {}
}

const timing = { engine: 0, sync: 0 };
/** the hub's clock: the supervision pages judge 整改 deadlines on the month's day, not the real date */
const hubClock = { t: localMs(FIRST, '08:00') };
const END = plusDays(FIRST, DAYS); // the morning after the month: the reports' today
const KILL_DAY = plusDays(FIRST, 3); // a Thursday
let killSignal: NodeJS.Signals | null | undefined;
beforeAll(async () => {
  h = await startHubHarness({ now: () => hubClock.t });
  // real SQLite files, on tmpfs when there is one: the month commits ~15,000 transactions and the
  // test is about figures, not about the disk's fsync (tests/crash covers durability)
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hallq-month-'));
  for (const [i, id] of ['HALL-A', 'HALL-B', 'HALL-C'].entries()) {
    const secret = `${id.toLowerCase()}-secret-0123456789`;
    await addHall(h.hub.pool, { id, name: `第${i + 1}大厅`, city: i < 2 ? '合肥市' : '芜湖市', secret });
    halls.push({
      id,
      secret,
      path: join(dir, `${id}.db`),
      clock: new FakeClock(localMs(FIRST, '08:30')),
      engine: null,
      store: null,
      rng: new Rng(1000 + i),
      log: [],
      unrated: [],
    });
  }
  halls[2]!.satellite = new SatelliteLink(dir, halls[2]!.clock);
  await addSupervisor(h.hub.pool, { username: 'province', password: 'province-pass', city: null });
  const deadHub = `http://127.0.0.1:${await freePort()}`;
  const outageDay = plusDays(FIRST, 9);

  for (let n = 0; n < DAYS; n++) {
    const day = plusDays(FIRST, n);
    for (const [i, hall] of halls.entries()) {
      // Hall A's PC runs through every night; B's is switched off every night; C's on odd days.
      const keepsRunning = i === 0 || (i === 2 && n % 2 === 0);
      hall.clock.t = localMs(day, '08:30');
      if (!hall.engine) {
        start(hall);
        closerCheck(hall, true); // the first start after a night off closes the stale day
      } else closerCheck(hall, false);
      // ratings the pads and the web link still bring for yesterday's services (the service's day counts)
      rateLate(hall.engine!, hall.clock.now(), hall.rng, hall.log, hall.unrated, 0.5);
      summarise(hall);
      if (calendar.plan(day).ranges.length > 0) {
        hall.clock.t = localMs(day, '08:45');
        workCases(hall.engine!, hall.clock.now(), hall.rng, hall.log);
        hall.clock.t = localMs(day, '09:00');
        playDay(hall.engine!, hall.clock, day, hall.rng, hall.log, hall.unrated, hall.satellite);
        rateLate(hall.engine!, hall.clock.now(), hall.rng, hall.log, hall.unrated, 0.3); // after a 未评价 timeout
      }
      if (keepsRunning) {
        hall.clock.t = localMs(day, '17:31');
        closerCheck(hall, false); // closing time + grace
        hall.clock.t = localMs(day, '23:50');
        rateLate(hall.engine!, hall.clock.now(), hall.rng, hall.log, hall.unrated, 0.2); // after the close, before midnight
        hall.clock.t = localMs(plusDays(day, 1), '00:10');
        closerCheck(hall, false); // midnight
        summarise(hall); // the closed day goes up …
        hall.clock.t = localMs(plusDays(day, 1), '00:20');
        rateLate(hall.engine!, hall.clock.now(), hall.rng, hall.log, hall.unrated, 0.3); // … and is rated after midnight
      }
      const t0 = performance.now();
      await sync(hall, day === outageDay ? deadHub : h.hub.url);
      timing.sync += performance.now() - t0;
      if (!keepsRunning) {
        hall.satellite?.detach();
        hall.store!.close(); // switched off at 17:10, before the closing time's check
        hall.engine = null;
        hall.store = null;
        if (i === 1 && day === KILL_DAY) killSignal = killDuringClose(hall, day); // … or during it, on one day
      }
    }
  }
  if (process.env.HALLQ_MONTH_TIMING) console.log(`month: sync ${Math.round(timing.sync)} ms`);
  // the morning after: every hall starts (or checks), closes and reports its last day, and syncs
  for (const hall of halls) {
    hall.clock.t = localMs(plusDays(FIRST, DAYS), '08:30');
    if (!hall.engine) {
      start(hall);
      closerCheck(hall, true);
    } else closerCheck(hall, false);
    summarise(hall);
    await sync(hall, h.hub.url);
  }
}, 300_000);

afterAll(async () => {
  for (const hall of halls) {
    hall.satellite?.close();
    hall.store?.close();
  }
  await h?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const revisit = () => true; // callbackSampleRate 1: every rating of 4 or 5 is sampled for 回访
const oracle = (log: LogEntry[]) => oracleOf(log, revisit, { off: [HOLIDAY], workdays: [MAKE_UP], today: END });

/** 整改 outcomes of a set of oracle days: on time over those closed or past their due day */
function rectOf(o: OracleDay) {
  const judged = o.rectOnTime + o.rectLate + o.rectOpenOverdue;
  return {
    opened: o.rectOpened,
    closedOnTime: o.rectOnTime,
    closedLate: o.rectLate,
    openOverdue: o.rectOpenOverdue,
    onTimeRate: judged === 0 ? null : o.rectOnTime / judged,
  };
}

/** the figures of a set of oracle days as the hall's report shows them */
function shownOf(o: OracleDay) {
  return {
    issued: o.issued,
    served: o.served,
    servedAtClose: o.servedAtClose,
    noShows: o.noShow,
    channels: o.channels,
    waitMeanMs: mean(o.waits),
    waitP90Ms: p90(o.waits),
    handlingMeanMs: mean(o.handling),
    ratings: { byLevel: { 1: o.levels[0], 2: o.levels[1], 3: o.levels[2], 4: o.levels[3], 5: o.levels[4] }, notRated: o.notRated },
    notices: o.notices,
    rongque: { cases: o.acceptedWithMissing },
    homeVisits: o.homeVisitOpened,
    petitions: o.petitionOpened,
    selfChecks: o.selfCheckOpened,
    revisits: o.revisitOpened,
  };
}

describe('a simulated month in three halls', () => {
  it('played weekends, the holiday and its 调休 Saturday, and never called a ticket of a closed day', () => {
    for (const hall of halls) {
      const worked = new Set(hall.log.filter((e) => e.t === 'issue').map((e) => (e as { day: string }).day));
      expect(worked.has(HOLIDAY)).toBe(false);
      if (DAYS > 20) expect(worked.has(MAKE_UP)).toBe(true);
      expect([...worked].some((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 0)).toBe(false);
      expect(worked.size).toBeGreaterThanOrEqual(Math.min(DAYS, 32) - 10);
      const calls = hall.log.filter((e) => e.t === 'call') as Extract<LogEntry, { t: 'call' }>[];
      expect(calls.filter((c) => c.day !== c.today)).toEqual([]);
      // every day it worked was closed, by one trigger or another
      const closed = new Set(hall.log.filter((e) => e.t === 'dayClosed').map((e) => (e as { day: string }).day));
      for (const d of worked) expect(closed.has(d), `${hall.id} ${d} closed`).toBe(true);
    }
    const hallDays = halls.reduce(
      (a, hall) => a + new Set(hall.log.filter((e) => e.t === 'issue').map((e) => (e as { day: string }).day)).size,
      0,
    );
    expect(hallDays).toBeGreaterThanOrEqual(30);
  });

  it('a SIGKILL in the middle of a day close left the day open; the next start closed it', () => {
    expect(killSignal).toBe('SIGKILL');
    const b = halls[1]!;
    const closes = b.log.filter((e) => e.t === 'dayClosed' && e.day === KILL_DAY);
    expect(closes).toHaveLength(1);
    expect(closes[0]!.at).toBe(localMs(plusDays(KILL_DAY, 1), '08:30')); // by the next morning's start
  });

  it('the hall’s daily reports equal the oracle, day by day', () => {
    for (const hall of halls) {
      const want = oracle(hall.log);
      for (const [day, o] of want) {
        const got = hall.engine!.periodReport('daily', day).totals;
        expect(got, `${hall.id} ${day}`).toMatchObject(shownOf(o));
        expect(got.rectifications.opened, `${hall.id} ${day} 整改`).toBe(o.rectOpened);
      }
    }
  });

  it('the hall’s monthly reports (26th → 25th) equal the oracle', () => {
    for (const hall of halls) {
      const want = oracle(hall.log);
      for (const [month, from, to] of [
        ['2026-10', '2026-09-26', '2026-10-25'],
        ['2026-11', '2026-10-26', '2026-11-25'],
      ] as const) {
        const o = merge([...want].filter(([d]) => d >= from && d <= to).map(([, x]) => x));
        const got = hall.engine!.periodReport('monthly', month).totals;
        expect(got, `${hall.id} ${month}`).toMatchObject(shownOf(o));
        // 整改按期率 as of the morning after the month (the hall's today)
        expect(got.rectifications, `${hall.id} ${month} 整改`).toEqual(rectOf(o));
      }
    }
  });

  it('the outbox’s daily summaries (latest revision of each day) equal the oracle; refused late ratings revised no closed day', () => {
    let revised = 0;
    for (const hall of halls) {
      const want = oracle(hall.log);
      const rows = hall.store!.db.prepare("SELECT * FROM outbox WHERE kind = 'dailySummary' ORDER BY id").all() as never[];
      const latest = new Map<string, { revision: number; figures: Record<string, number> }>();
      for (const row of rows) {
        const d = toRecord(row, TZ).data as unknown as { day: string; revision: number; figures: Record<string, number> };
        if ((latest.get(d.day)?.revision ?? 0) < d.revision) latest.set(d.day, d);
        if (d.revision > 1) revised++;
      }
      for (const [day, o] of want) {
        if (o.issued === 0) continue; // a day without tickets sends no summary
        const f = latest.get(day);
        expect(f, `${hall.id} ${day} summary`).toBeDefined();
        expect(f!.figures, `${hall.id} ${day}`).toMatchObject({
          issued: o.issued,
          served: o.served,
          noShow: o.noShow,
          unservedAtClose: o.unservedAtClose,
          servedAtClose: o.servedAtClose,
          waitCount: o.waits.length,
          waitSumMs: o.waits.reduce((a, b) => a + b, 0),
          handlingSumMs: o.handling.reduce((a, b) => a + b, 0),
          l1: o.levels[0],
          l2: o.levels[1],
          l3: o.levels[2],
          l4: o.levels[3],
          l5: o.levels[4],
          notRated: o.notRated,
          notices: o.notices,
          acceptedWithMissing: o.acceptedWithMissing,
          unresolvedOpened: o.unresolvedOpened,
          chNormal: o.channels.normal,
          chSenior: o.channels.senior,
          chGreen: o.channels.green,
          chAppointment: o.channels.appointment,
          chSchoolBatch: o.channels.schoolBatch,
        });
      }
    }
    // a closed day's services are all rated or 未评价, and both are final: nothing may revise it
    expect(revised).toBe(0);
  });

  it('the hub’s monthly report equals the oracle for every hall and both cycles, after the day the hub was unreachable', async () => {
    hubClock.t = localMs(END, '09:00');
    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    for (const [month, from, to] of [
      ['2026-10', '2026-09-26', '2026-10-25'],
      ['2026-11', '2026-10-26', '2026-11-25'],
    ] as const) {
      const report = await (await fetch(`${h.hub.url}/reports/monthly?month=${month}&format=json`, { headers: { cookie } })).json();
      for (const hall of halls) {
        const o = merge([...oracle(hall.log)].filter(([d]) => d >= from && d <= to).map(([, x]) => x));
        const min = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);
        const row = report.rows.find((r: { hallId: string }) => r.hallId === hall.id);
        expect(row, `${hall.id} ${month}`).toMatchObject({
          tickets: o.served,
          issued: o.issued,
          noShow: o.noShow,
          servedAtClose: o.servedAtClose,
          avgWaitMin: min(mean(o.waits)),
          p90WaitMin: min(p90(o.waits)),
          avgHandlingMin: min(mean(o.handling)),
          levels: o.levels,
          notRated: o.notRated,
          notices: o.notices,
          acceptedWithMissing: o.acceptedWithMissing,
          rectDue: rectOf(o).closedOnTime + rectOf(o).closedLate + rectOf(o).openOverdue,
          rectOnTime: rectOf(o).closedOnTime,
          onTimeRate: rectOf(o).onTimeRate,
        });
      }
    }
  });

  it('played appointments, school batches, 整改 closed on time and late, and a satellite counter whose lost acks acted once', () => {
    const all = halls.flatMap((x) => x.log);
    const checkIns = all.filter((e) => e.t === 'checkIn') as Extract<LogEntry, { t: 'checkIn' }>[];
    expect(checkIns.some((e) => e.batch > 1)).toBe(true);
    expect(checkIns.some((e) => e.batch === 1 && e.at > e.slotEnd + 15 * 60_000)).toBe(true); // too late: normal
    const months = halls.map((x) => merge([...oracle(x.log).values()]));
    const sum = (f: (o: OracleDay) => number) => months.reduce((a, o) => a + f(o), 0);
    expect(sum((o) => o.rectOnTime)).toBeGreaterThan(0);
    expect(sum((o) => o.servedAtClose)).toBeGreaterThan(0); // some closes ended a service in hand
    expect(sum((o) => o.rectLate + o.rectOpenOverdue)).toBeGreaterThan(0);
    const c = halls[2]!;
    const sat = c.satellite!;
    expect(sat.pending()).toBe(0);
    expect(sat.redelivered).toBeGreaterThan(0);
    // every press the satellite sent was acted on exactly once: one satellite_events row each, all delivered
    const rows = c.store!.db.prepare('SELECT outcome, count(*) AS n FROM satellite_events GROUP BY outcome').all();
    expect(rows).toEqual([{ outcome: 'delivered', n: sat.sent }]);
    const padRatings = c.store!.db.prepare("SELECT count(*) AS n FROM ratings WHERE counter = '3' AND level IS NOT NULL").get() as {
      n: number;
    };
    expect(padRatings.n).toBeGreaterThan(0);
  });
});
