// Forecast and staffing figures (issue 22), about a minute in all:
// 1. backtest on the synthetic history (common/forecast/synthetic.ts, documented in docs/forecast.md):
//    20 halls × 17 weeks, 4 weekly origins × 14 days ahead; MAPE and WAPE per slot, interval hit rate,
//    beside the naive "same slot last week" forecast.
// 2. staffing of one day: Erlang C (pooled) vs the simulation of the real calling order, per hall.
// 2b. appointment capacity: the planner's counters for the 15 booking days of one hall (SQLite store).
// 3. hub scale: forecast (14 days) + Erlang staffing (14 days) for 1,500 halls on 2 worker threads.
// Shorter: BENCH_FORECAST_HALLS=300; --quick: 150 halls.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadConfigFile } from '../agent/config/load.js';
import { HallPlanner } from '../agent/forecast/planner.js';
import { HallCalendar } from '../agent/queue/calendar.js';
import { rulesFromConfig } from '../agent/queue-rules.js';
import { openHallStore } from '../agent/store/index.js';
import { DEFAULT_RULES } from '../agent/queue/rules.js';
import { forecastArrivals } from '../common/forecast/arrivals.js';
import { backtest, emptyBacktest, mergeBacktest, rollingOrigins } from '../common/forecast/backtest.js';
import { planStaffing } from '../common/forecast/staffing.js';
import { nextDay } from '../agent/queue/calendar.js';
import type { History } from '../common/forecast/slots.js';
import { seedHistory } from '../tests/helpers/forecast-seed.js';
import { printBacktest } from './backtest-table.js';
import { sized } from './mode.js';
import { SLOTS } from '../common/forecast/slots.js';
import {
  generateHistory,
  SYNTHETIC_CALENDAR,
  SYNTHETIC_HANDLING,
  SYNTHETIC_SERVICES,
  syntheticCounters,
} from '../common/forecast/synthetic.js';

const TZ = 'Asia/Shanghai';
const FROM = '2026-02-02';
const TO = '2026-05-31';
const services = SYNTHETIC_SERVICES.map((s) => s.id);
const mix = { senior: 0.15, green: 0.02 };
const SYNTHETIC_HANDLING_MINUTES = SYNTHETIC_SERVICES.map((s) => [s.id, s.minutes] as const);
const countersFor = (dailyMean: number) => syntheticCounters(Math.ceil(dailyMean / 25) + 2);

interface Job {
  first: number;
  count: number;
}

const DAYS = Math.round((Date.parse(TO) - Date.parse(FROM)) / 86_400_000) + 1;

/** The history packed as counts (day × service × slot), so 750 halls fit in a worker's memory. */
function pack(h: History): Uint16Array {
  const out = new Uint16Array(DAYS * services.length * SLOTS);
  [...h.keys()].sort().forEach((day, d) => {
    services.forEach((s, k) => {
      out.set(h.get(day)!.get(s)!, (d * services.length + k) * SLOTS);
    });
  });
  return out;
}

function unpack(a: Uint16Array): History {
  const h: History = new Map();
  for (let d = 0, day = FROM; d < DAYS; d++, day = nextDay(day)) {
    h.set(
      day,
      new Map(
        services.map(
          (s, k) => [s, Array.from(a.subarray((d * services.length + k) * SLOTS, (d * services.length + k + 1) * SLOTS))] as const,
        ),
      ),
    );
  }
  return h;
}

/** Worker: generate its halls first, then on "go" forecast + staff each over 14 days (what is timed). */
function hubWorker(job: Job) {
  const halls: { dailyMean: number; packed: Uint16Array }[] = [];
  for (let i = job.first; i < job.first + job.count; i++) {
    const h = generateHistory({ halls: 1, from: FROM, to: TO, seed: 1000 + i })[0]!;
    halls.push({ dailyMean: h.dailyMean, packed: pack(h.history) });
  }
  parentPort!.postMessage({ ready: true });
  parentPort!.once('message', () => {
    const t0 = performance.now();
    let slots = 0;
    for (const h of halls) {
      // each hall has its own calendar object, as on the hub: nothing of the calendar is shared between halls
      const cal = new HallCalendar(SYNTHETIC_CALENDAR, TZ);
      const f = forecastArrivals({ history: unpack(h.packed), calendar: cal, timezone: TZ, services, from: '2026-06-01', days: 14 });
      const counters = countersFor(h.dailyMean);
      for (const d of f.days) {
        const walkIns = Object.fromEntries(Object.entries(d.services).map(([s, x]) => [s, x.mean]));
        slots += planStaffing({
          counters,
          rules: DEFAULT_RULES,
          handling: SYNTHETIC_HANDLING,
          walkIns,
          open: d.open,
          channelMix: mix,
          method: 'erlang',
        }).length;
      }
    }
    parentPort!.postMessage({ workMs: performance.now() - t0, slots });
  });
}

if (!isMainThread) {
  hubWorker(workerData as Job);
} else {
  // 1. backtest
  const t0 = performance.now();
  const halls = generateHistory({ halls: 20, from: FROM, to: TO, seed: 1 });
  const cal = new HallCalendar(SYNTHETIC_CALENDAR, TZ);
  const all = emptyBacktest();
  const origins = rollingOrigins(TO, 14, 4);
  for (const h of halls) mergeBacktest(all, backtest({ history: h.history, calendar: cal, timezone: TZ, services, origins, horizon: 14 }));
  console.log(
    `backtest: 20 synthetic halls, ${FROM} … ${TO}, origins ${origins.join(', ')}, 14 days ahead (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  printBacktest(all, 'actual count');

  // 2. one day's staffing, Erlang vs simulation
  console.log('\nstaffing for 2026-06-01 (Monday), 90 % called within 20 min, senior 15 %, green 2 %:');
  const rows: Record<string, unknown>[] = [];
  let simMs = 0;
  for (const h of halls.slice(0, 6)) {
    const f = forecastArrivals({ history: h.history, calendar: cal, timezone: TZ, services, from: '2026-06-01', days: 1 });
    const d = f.days[0]!;
    const walkIns = Object.fromEntries(Object.entries(d.services).map(([s, x]) => [s, x.mean]));
    const counters = countersFor(h.dailyMean);
    const base = { counters, rules: DEFAULT_RULES, handling: SYNTHETIC_HANDLING, walkIns, open: d.open, channelMix: mix };
    const e = planStaffing({ ...base, method: 'erlang' });
    // CPU time, not wall: the figure should not depend on what else the machine runs
    const c0 = process.cpuUsage();
    const s = planStaffing({ ...base, method: 'simulate', replications: 30 });
    const c = process.cpuUsage(c0);
    simMs += (c.user + c.system) / 1000;
    rows.push({
      hall: h.id,
      'arrivals/day': Math.round(e.reduce((a, r) => a + r.arrivals, 0)),
      counters: counters.length,
      'Erlang counter-hours': e.reduce((a, r) => a + r.needed, 0) / 2,
      'simulated counter-hours': s.reduce((a, r) => a + r.needed, 0) / 2,
      'slots short': s.filter((r) => r.short).length,
    });
  }
  console.table(rows);
  console.log(`simulation staffing: ${(simMs / 6).toFixed(0)} ms of CPU per hall-day (30 replications)`);

  // 2b. appointment capacity basis: the demo hall's planner over a store seeded with a synthetic hall
  {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-capacity-'));
    const path = join(dir, 'hall.db');
    openHallStore(path).close();
    const h = generateHistory({ halls: 1, from: '2026-02-09', to: '2026-05-31', seed: 42 })[0]!;
    seedHistory(path, h.history, TZ, Object.fromEntries(SYNTHETIC_HANDLING_MINUTES));
    const config = loadConfigFile(resolve(import.meta.dirname, '../config/demo-hall.yaml'));
    const store = openHallStore(path);
    const hall = {
      timezone: TZ,
      calendar: config.calendar!,
      services: config.services,
      counters: config.counters,
      rules: rulesFromConfig(config),
    };
    const planner = new HallPlanner(store.db, hall, () => Date.parse('2026-06-01T10:00:00+08:00'));
    const c0 = process.cpuUsage();
    const basis = await planner.capacityBasis('2026-06-01', 15);
    const c = process.cpuUsage(c0);
    store.close();
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `\nappointment capacity: the planner's counters for ${basis.size} booking days of the demo hall ` +
        `(${Math.round(h.dailyMean)} walk-ins a plain workday): ${((c.user + c.system) / 1000).toFixed(0)} ms of CPU (once per 10 minutes at most)`,
    );
  }

  // 3. hub scale
  const HALLS = Number(process.env.BENCH_FORECAST_HALLS ?? sized(1500, 150));
  const workers = 2;
  const per = Math.ceil(HALLS / workers);
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`;
  const tg = performance.now();
  const pool = await Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const job: Job = { first: i * per, count: Math.min(per, HALLS - i * per) };
      // Node 20 does not carry tsx's loader into workers: the worker registers it, then imports this file.
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: job });
      return new Promise<Worker>((res, rej) => {
        w.once('message', () => res(w));
        w.once('error', rej);
      });
    }),
  );
  const gen = (performance.now() - tg) / 1000;
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const results = await Promise.all(
    pool.map(
      (w) =>
        new Promise<{ workMs: number; slots: number }>((res, rej) => {
          w.once('message', res);
          w.once('error', rej);
          w.postMessage('go');
        }),
    ),
  );
  const wall = (performance.now() - t1) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  for (const w of pool) await w.terminate();
  const slots = results.reduce((a, r) => a + r.slots, 0);
  console.log(
    `\nhub: ${HALLS} halls × 14 days, forecast + Erlang staffing (${slots} open slots) on ${workers} worker threads ` +
      `(${availableParallelism()} CPUs): wall ${wall.toFixed(1)} s (target < 60 s), CPU ${cpu.toFixed(1)} s in all ` +
      `(wall on an otherwise idle machine ≈ CPU / 2 = ${(cpu / 2).toFixed(1)} s); generating the histories took ${gen.toFixed(1)} s before`,
  );
}
