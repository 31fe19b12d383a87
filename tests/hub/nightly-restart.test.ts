// The hub's nightly forecast across nights and restarts (hub/forecast-run.ts): the hub's clock is moved
// (HubOptions.now) and the hub restarted on the same PostgreSQL. Before 02:00 nothing runs; after it,
// one run a night, also when the hub restarts right after it; a hub that dies mid-run (its connections
// cut while it waits between two halls) has its run done again by the next start, every hall replaced;
// a hub down all night runs that day's at start, once.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayMidnight, SLOT_MS } from '../../common/forecast/slots.js';
import { generateHistory } from '../../common/forecast/synthetic.js';
import { addHall } from '../../hub/registry.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../sync/fixtures.js';

const at = (local: string) => Date.parse(`${local}+08:00`);
const clock = { t: at('2026-06-01T01:55:00') };
const HALLS = ['N-1', 'N-2', 'N-3'];

let pgs: TestPostgres;
let hub: RunningHub | null = null;

const start = async () => {
  await hub?.close();
  hub = await startHub({ databaseUrl: pgs.url, port: 0, nightlyForecast: true, now: () => clock.t });
  return hub;
};
const q = async (sql: string, args: unknown[] = []) => (await hub!.pool.query(sql, args)).rows;
const runs = () => q('SELECT run_day::text AS day, finished_at IS NOT NULL AS finished, halls FROM hub_forecast_runs ORDER BY run_day');
/** the row versions of a hall's forecast: a run that replaces them changes every one */
const versions = async (hall: string) =>
  (await q('SELECT xmin::text AS v FROM hub_forecast WHERE hall_id = $1 ORDER BY day, slot', [hall])).map((r) => r.v).join(',');

beforeAll(async () => {
  pgs = await startTestPostgres();
  await start();
  for (const id of HALLS) await addHall(hub!.pool, { id, name: `${id} 大厅`, city: '合肥市', secret: `${id}-secret-0123456789` });
  // four weeks of walk-ins for N-1 and N-2 (N-3 has none: planned as empty)
  const generated = generateHistory({ halls: 1, from: '2026-05-04', to: '2026-05-31', seed: 7 })[0]!;
  const rows: { key: string; day: string; at: number; service: string }[] = [];
  for (const [day, services] of generated.history)
    for (const [service, counts] of services)
      counts.forEach((n, slot) => {
        for (let k = 0; k < n; k++)
          rows.push({ key: `${day}:${service}:${slot}:${k}`, day, at: dayMidnight(day, 'Asia/Shanghai') + slot * SLOT_MS + k, service });
      });
  for (const hall of ['N-1', 'N-2'])
    await hub!.pool.query(
      `INSERT INTO records (hall_id, key, kind, v, at, day, data)
       SELECT $2, r.key, 'serviceRecord', 1, to_timestamp(r.at / 1000.0), r.day::date,
              jsonb_build_object('service', r.service, 'channel', 'normal', 'issuedAt', r.at, 'handlingMs', 480000)
       FROM jsonb_to_recordset($1::jsonb) AS r(key text, day text, at bigint, service text)`,
      [JSON.stringify(rows), hall],
    );
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await pgs?.destroy();
});

describe('the nightly forecast across midnight, 02:00 and restarts', () => {
  it('nothing before 02:00; one run after it, not again on the next tick nor after a restart at 02:25', async () => {
    expect(await hub!.forecastTick()).toBeNull();
    expect(await runs()).toEqual([]);
    clock.t = at('2026-06-01T02:05:00');
    expect(await hub!.forecastTick()).toMatchObject({ day: '2026-06-01', halls: 3 });
    const n1 = await versions('N-1');
    expect(n1).not.toBe('');
    clock.t = at('2026-06-01T02:20:00');
    expect(await hub!.forecastTick()).toBeNull();
    clock.t = at('2026-06-01T02:25:00');
    await start(); // its first look at the clock is at start
    expect(await hub!.forecastTick()).toBeNull();
    expect(await versions('N-1')).toBe(n1);
    expect(await runs()).toEqual([{ day: '2026-06-01', finished: true, halls: 3 }]);
  });

  it('a hub that dies mid-run at 02:01: the next start runs that night again, every hall, and once', async () => {
    clock.t = at('2026-06-02T02:01:00');
    const before = { n1: await versions('N-1'), n2: await versions('N-2') };
    // a session holds N-2's rows: the run stops there, after N-1, until the hub's connections are cut
    const blocker: pg.PoolClient = await hub!.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query("SELECT 1 FROM hub_forecast WHERE hall_id = 'N-2' FOR UPDATE");
    const run = hub!.forecastTick();
    const stuck = hub!.pool; // the dying hub's pool
    await waitFor('the run to wait at N-2', async () => {
      const r = await stuck.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM hub_forecast%'",
      );
      return r.rows[0].n === 1;
    });
    expect(await versions('N-1')).not.toBe(before.n1); // N-1 was done already
    // the hub process dies: to the database, every connection of it is gone at once
    const me = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await blocker.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1', [me]);
    expect(await run).toBeNull(); // failed, logged
    await blocker.query('ROLLBACK');
    blocker.release();
    expect(await runs()).toContainEqual({ day: '2026-06-02', finished: false, halls: null });
    expect(await versions('N-2')).toBe(before.n2);

    clock.t = at('2026-06-02T02:10:00');
    await start();
    await hub!.forecastTick(); // the run started at start (or this one)
    expect(await runs()).toContainEqual({ day: '2026-06-02', finished: true, halls: 3 });
    const after = { n1: await versions('N-1'), n2: await versions('N-2') };
    expect(after.n2).not.toBe(before.n2);
    // not a third time
    clock.t = at('2026-06-02T02:40:00');
    expect(await hub!.forecastTick()).toBeNull();
    expect({ n1: await versions('N-1'), n2: await versions('N-2') }).toEqual(after);
  });

  it('a hub down over night: started at 01:30 it waits for 02:00; started at 09:00 after a night off it runs at start, once', async () => {
    await hub!.close();
    hub = null;
    // the night of 06-03 passes with the hub off; it comes back at 09:00 on 06-04
    clock.t = at('2026-06-04T09:00:00');
    await start();
    await hub!.forecastTick(); // the start's own look runs it (this waits for it, or finds it done)
    expect(await hub!.forecastTick()).toBeNull();
    expect((await runs()).map((r) => r.day)).toEqual(['2026-06-01', '2026-06-02', '2026-06-04']);
    expect((await runs()).every((r) => r.finished)).toBe(true);
    // restarted at 01:30 the next night: nothing until 02:00, then the night's run
    clock.t = at('2026-06-05T01:30:00');
    await start();
    expect(await hub!.forecastTick()).toBeNull();
    expect((await runs()).map((r) => r.day)).not.toContain('2026-06-05');
    clock.t = at('2026-06-05T02:00:00');
    expect(await hub!.forecastTick()).toMatchObject({ day: '2026-06-05', halls: 3 });
  });
});
