// 建议开放窗口 on the manager board: the numbers in Chromium are the forecast module's, computed here
// from the seeded history alone; the under-staffed alert follows the counters actually open.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../agent/config/load.js';
import { HallCalendar } from '../../agent/queue/calendar.js';
import { CAPACITY_REPLICATIONS } from '../../agent/forecast/planner.js';
import { rulesFromConfig } from '../../agent/queue-rules.js';
import { forecastArrivals } from '../../common/forecast/arrivals.js';
import { planStaffing } from '../../common/forecast/staffing.js';
import { generateHistory, SYNTHETIC_SERVICES } from '../../common/forecast/synthetic.js';
import { DEMO_CONFIG, managerToken } from '../helpers/agent.js';
import { type Seeded, seedHistory } from '../helpers/forecast-seed.js';
import { type Hall, openCounter, signInBoard, startHall } from './support.js';

const TZ = 'Asia/Shanghai';
// Monday 2026-06-01 10:15 in the hall: the 10:00–10:30 slot is the current one
const NOW = Date.parse('2026-06-01T10:15:00+08:00');
const MINUTES = Object.fromEntries(SYNTHETIC_SERVICES.map((s) => [s.id, s.minutes]));
const history = generateHistory({ halls: 1, from: '2026-02-09', to: '2026-05-31', seed: 42 })[0]!.history;

let hall: Hall;
let seeded: Seeded;
beforeAll(async () => {
  hall = await startHall({ clock: { now: () => NOW } });
  seeded = seedHistory(join(hall.agent.dataDir, 'hall.db'), history, TZ, MINUTES);
}, 60_000);
afterAll(async () => {
  await hall?.close();
});

/** The oracle: the module on the seeded inputs, the demo hall's counters and calendar. */
function expected(dayIndex: number, replications = dayIndex < 2 ? 20 : 10) {
  const config = loadConfigFile(DEMO_CONFIG);
  const calendar = new HallCalendar(config.calendar!, TZ);
  const f = forecastArrivals({ history, calendar, timezone: TZ, services: config.services.map((s) => s.id), from: '2026-06-01', days: 9 });
  const d = f.days[dayIndex]!;
  const plan = calendar.plan(d.day);
  // 弹性错时 12:00–14:00 belongs to counters 1 and 7; 12:00–12:30 is still the morning's 10-minute grace
  const noon = new Set([25, 26, 27]);
  const weekday = !['sat', 'sun'].includes(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${d.day}T00:00:00Z`).getUTCDay()]!);
  const rows = planStaffing({
    counters: config.counters,
    ...(plan.counters ? { available: plan.counters } : {}),
    slotCounters: Array.from({ length: 48 }, (_, i) => (weekday && noon.has(i) ? ['1', '7'] : undefined)),
    rules: rulesFromConfig(config),
    // every seeded ticket took exactly its service's minutes: no spread (the agent's floor is cv 0.1)
    handling: Object.fromEntries(Object.entries(MINUTES).map(([s, m]) => [s, { meanMinutes: m, cv: 0.1 }])),
    walkIns: Object.fromEntries(Object.entries(d.services).map(([s, x]) => [s, x.mean])),
    open: d.open,
    channelMix: { senior: seeded.senior / seeded.walkIns, green: seeded.green / seeded.walkIns },
    replications,
    seed: Number(d.day.replaceAll('-', '')),
  });
  const hours = new Map<string, number>();
  for (const r of rows) {
    const h = `${String(Math.floor(r.slot / 2)).padStart(2, '0')}:00`;
    hours.set(h, Math.max(hours.get(h) ?? 0, r.needed));
  }
  return { day: d.day, rows, hours };
}

describe('建议开放窗口', () => {
  it('refuses bad input and anyone but the manager', async () => {
    const m = await managerToken(hall.agent.baseUrl);
    expect((await hall.api('GET', '/api/v1/forecast?days=15', undefined, m)).status).toBe(400);
    expect((await hall.api('GET', '/api/v1/forecast?from=2026-02-30', undefined, m)).status).toBe(400);
    const far = await hall.api('GET', '/api/v1/forecast?from=2099-01-01', undefined, m);
    expect(far.status).toBe(400);
    expect(far.body.error.code).toBe('invalid_day');
    expect((await hall.api('GET', '/api/v1/forecast', undefined, 'not-a-token')).status).toBe(401);
  });

  it('shows the module’s counters per hour for tomorrow and next week, and alerts while too few are open', async () => {
    const tomorrow = expected(1);
    const nextTue = expected(8);
    const today = expected(0);
    const { page } = await hall.open('/board#planning', { width: 1600, height: 1000 });
    await signInBoard(page);
    const grid = page.getByTestId('staffing-grid');
    await grid.waitFor({ timeout: 180_000 });
    await grid.scrollIntoViewIfNeeded();
    for (const e of [tomorrow, nextTue]) {
      expect([...e.hours.values()].some((n) => n > 0)).toBe(true);
      for (const [hour, n] of e.hours) {
        expect(await page.getByTestId(`need-${e.day}-${hour}`).textContent(), `${e.day} ${hour}`).toBe(String(n));
      }
    }
    // Saturday 06-06 is an even ISO week: duty counters 2 and 6 only
    await expect.poll(() => page.getByTestId('available-2026-06-06').textContent()).toContain('2');

    const need = today.rows.find((r) => r.slot === 20)!.needed;
    expect(need).toBeGreaterThan(0);
    const alert = page.getByTestId('staffing-alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-needed')).toBe(String(need));
    expect(await alert.getAttribute('data-open')).toBe('0');
    // open as many counters as advised (in the plan's order): the alert goes
    const which = today.rows.find((r) => r.slot === 20)!.counters;
    for (const c of which) await openCounter(hall, c, `A100${c}`);
    await page.getByTestId('staffing-ok').waitFor();
  }, 240_000);

  it('derives appointment places from the planned counters and lets the manager adjust a slot on the board', async () => {
    // oracle: 30 % of the counter time the planner recommends in each slot tomorrow (the board's
    // recommendation on the walk-in forecast, with the booking window's replications), id-card's part of the slot's work
    const config = loadConfigFile(DEMO_CONFIG);
    const calendar = new HallCalendar(config.calendar!, TZ);
    const f = forecastArrivals({
      history,
      calendar,
      timezone: TZ,
      services: config.services.map((s) => s.id),
      from: '2026-06-01',
      days: 2,
    });
    const d = f.days[1]!;
    const { rows } = expected(1, CAPACITY_REPLICATIONS);
    const want = (slot: number, needed: number) => {
      const work = Object.entries(d.services).reduce((a, [s, x]) => a + x.mean[slot]! * MINUTES[s]!, 0);
      // a slot without forecast work shares its counter evenly among the services
      const part = work > 0 ? (d.services['id-card']!.mean[slot]! * MINUTES['id-card']!) / work : 1 / config.services.length;
      return Math.floor((0.3 * Math.max(1, needed) * 30 * part) / MINUTES['id-card']!);
    };
    const got = await hall.api('GET', '/api/v1/bookings/slots?day=2026-06-02&service=id-card');
    const shown = new Map((got.body.slots as { slot: number; capacity: number }[]).map((s) => [s.slot, s]));
    expect(shown.size).toBe(rows.length);
    for (const r of rows)
      expect(shown.get(r.slot), `slot ${r.slot}`).toMatchObject({ capacity: want(r.slot, r.needed), adjusted: false, taken: 0 });
    expect(shown.get(18)!.capacity).toBeGreaterThan(0);
    // the simulation's figures, not Erlang C's (priority channels, 老年人专窗, multi-skill counters): they differ somewhere
    const erlang = planStaffing({
      counters: config.counters,
      rules: rulesFromConfig(config),
      handling: Object.fromEntries(Object.entries(MINUTES).map(([s, m]) => [s, { meanMinutes: m, cv: 0.1 }])),
      walkIns: Object.fromEntries(Object.entries(d.services).map(([s, x]) => [s, x.mean])),
      open: d.open,
      channelMix: { senior: seeded.senior / seeded.walkIns, green: seeded.green / seeded.walkIns },
      method: 'erlang',
    });
    expect(rows.some((r) => r.method === 'simulate')).toBe(true);
    expect(rows.some((r) => want(r.slot, r.needed) !== want(r.slot, erlang.find((e) => e.slot === r.slot)!.needed))).toBe(true);

    const { page } = await hall.open('/board#planning', { width: 1600, height: 1000 });
    await signInBoard(page);
    const input = page.getByTestId('capacity-09:00');
    await input.scrollIntoViewIfNeeded();
    await input.fill('7');
    await input.dispatchEvent('change');
    await page.getByTestId('left-09:00').filter({ hasText: '7' }).waitFor();
    const after = await hall.api('GET', '/api/v1/bookings/slots?day=2026-06-02&service=id-card');
    expect(after.body.slots.find((s: { time: string }) => s.time === '09:00')).toMatchObject({ capacity: 7, adjusted: true });
  }, 60_000);
});
