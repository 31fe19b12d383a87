// The planner keeps the history it read and the booking capacity basis for the day (agent/forecast/
// planner.ts): across a night, without a restart, the next day must read the day that just ended and
// plan from the new date, also over the 25th → 26th (the supervision month's edge).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../agent/config/load.js';
import { createForecast } from '../../../agent/forecast/index.js';
import { dayOf } from '../../../agent/queue/time.js';
import { SqliteHallStore } from '../../../agent/store/sqlite-store.js';
import { ROOT } from '../../helpers/agent-process.js';

const TZ = 'Asia/Shanghai';
const dir = mkdtempSync(join(tmpdir(), 'hallq-planner-days-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the planner across a night', () => {
  it('reads the day that just ended and plans from the new date, without a restart', async () => {
    const config = loadConfigFile(join(ROOT, 'config/demo-hall.yaml'));
    const store = SqliteHallStore.open(join(dir, 'hall.db'));
    const clock = { now: Date.parse('2026-12-25T09:00:00+08:00') };
    const { forecast } = createForecast(
      store.db,
      config,
      () => clock.now,
      () => dayOf(clock.now, TZ),
    );
    const ins = store.db.prepare(
      "INSERT INTO tickets (id, day, service, number, state, id_hash, first_entry, data) VALUES (?, ?, 'id-card', ?, 'done', NULL, 1, ?)",
    );
    const walkIns = (day: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const issuedAt = Date.parse(`${day}T09:${String(10 + i).padStart(2, '0')}:00+08:00`);
        ins.run(`${day}-${i}`, day, i + 1, JSON.stringify({ channel: 'normal', issuedAt, finishedAt: issuedAt + 600_000 }));
      }
    };
    walkIns('2026-12-24', 5);

    const thursday = await forecast.plan('2026-12-25', 2);
    const basis25 = await forecast.capacityBasis('2026-12-25', 15);
    expect(thursday.historyDays).toBe(1);
    expect([...basis25.keys()][0]).toBe('2026-12-25');

    // the 25th is served, then the PC stays on over night
    walkIns('2026-12-25', 7);
    clock.now = Date.parse('2026-12-26T08:30:00+08:00');
    const today = dayOf(clock.now, TZ);
    expect(today).toBe('2026-12-26');
    const next = await forecast.plan(today, 2);
    const basis26 = await forecast.capacityBasis(today, 15);
    expect(next.historyDays).toBe(2); // the 25th is history now
    expect(next.days[0]!.day).toBe('2026-12-26');
    expect([...basis26.keys()][0]).toBe('2026-12-26');
    expect(basis26.has('2026-12-25')).toBe(false);
    store.close();
  });
});
