// How long the hall's forecast holds the agent's event loop in a busy hall: 16 weeks of history at
// 300 tickets a working day (≈ 24,000 rows in a real SQLite file, written in the engine's row shape),
// then the computations a running hall repeats: the booking capacity (every quota round and booking
// page) and the board's 8-day plan (every 10 minutes). While the loop is held, a kiosk press, a keypad
// poll and an LED frame wait; agent/forecast/planner.ts reads the history once per day for that reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BOOKING_DAYS } from '../common/bookings.js';
import { loadConfigFile } from '../agent/config/load.js';
import { createForecast } from '../agent/forecast/index.js';
import { SqliteHallStore } from '../agent/store/sqlite-store.js';
import { ROOT } from '../tests/helpers/agent-process.js';
import { sized } from './mode.js';

const WEEKS = 16;
const PER_DAY = sized(300, 120);
const TODAY = '2026-12-01';

/** the longest time the event loop went without running a 1 ms timer while `work` ran */
async function longestHold<T>(work: () => Promise<T>): Promise<{ ms: number; hold: number }> {
  let last = performance.now();
  let hold = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    hold = Math.max(hold, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  await work();
  const ms = performance.now() - t0 - 5;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(timer);
  return { ms, hold };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-planner-'));
  const config = loadConfigFile(join(ROOT, 'config/demo-hall.yaml'));
  const store = SqliteHallStore.open(join(dir, 'hall.db'));
  try {
    const db = store.db;
    const ins = db.prepare(
      "INSERT INTO tickets (id, day, service, number, state, id_hash, first_entry, data) VALUES (?, ?, ?, ?, 'done', NULL, 1, ?)",
    );
    const services = config.services.map((s) => s.id);
    const first = Date.UTC(2026, 7, 11, 0, 30); // 08:30 in Asia/Shanghai, 16 weeks before TODAY
    let rows = 0;
    db.transaction(() => {
      for (let d = 0; d < 7 * WEEKS; d++) {
        const open = first + d * 86_400_000;
        const weekday = new Date(open + 8 * 3_600_000).getUTCDay();
        if (weekday === 0 || weekday === 6) continue;
        const day = new Date(open + 8 * 3_600_000).toISOString().slice(0, 10);
        for (let i = 0; i < PER_DAY; i++) {
          const issuedAt = open + Math.floor(((i + 0.5) / PER_DAY) * 8 * 3_600_000);
          const channel = i % 7 === 0 ? 'senior' : 'normal';
          const data = { channel, issuedAt, calledAt: issuedAt + 600_000, startedAt: issuedAt + 630_000, finishedAt: issuedAt + 1_140_000 };
          ins.run(`${day}-${i}`, day, services[i % services.length], i + 1, JSON.stringify(data));
          rows++;
        }
      }
    })();
    const now = Date.UTC(2026, 11, 1, 1, 0);
    const { forecast } = createForecast(
      db,
      config,
      () => now,
      () => TODAY,
    );
    const basis = await longestHold(() => forecast.capacityBasis(TODAY, BOOKING_DAYS + 1));
    const plan = await longestHold(() => forecast.plan(TODAY, 8));
    forecast.invalidate();
    const again = await longestHold(() => forecast.plan(TODAY, 8));
    console.log(`forecast in a busy hall: ${WEEKS} weeks of history, ${rows} tickets (${PER_DAY} a working day)`);
    console.log(
      `  booking capacity, first of the day (reads the history)   ${basis.ms.toFixed(0)} ms, event loop held ${basis.hold.toFixed(0)} ms`,
    );
    console.log(
      `  board's 8-day plan (history already read today)         ${plan.ms.toFixed(0)} ms, event loop held ${plan.hold.toFixed(0)} ms`,
    );
    console.log(
      `  the plan again 10 minutes later (cache expired)          ${again.ms.toFixed(0)} ms, event loop held ${again.hold.toFixed(0)} ms`,
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
