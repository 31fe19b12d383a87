// The public live-wait page shows a hall's queue only while the hall is open: a hall that closed its
// day, posted nothing today, or went silent is shown closed, never with the numbers it sent last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBatch } from '../../agent/sync/post.js';
import type { SyncRecord } from '../../contracts/records.js';
import { dayMidnight, SLOT_MS } from '../../common/forecast/slots.js';
import { generateHistory } from '../../common/forecast/synthetic.js';
import { forecastHall, nightlyForecast, planHall } from '../../hub/forecast-run.js';
import { pruneBookings } from '../../hub/booking-queries.js';
import { addHall } from '../../hub/registry.js';
import { monthlyReport } from '../../hub/reports.js';
import { type HubHarness, serviceRecord, startHubHarness } from './harness.js';

let h: HubHarness;
const HALLS = { open: '开着的大厅', yesterday: '昨晚没关的大厅', closed: '已闭厅的大厅', silent: '断线的大厅' } as const;
type Case = keyof typeof HALLS;
const secret = (id: string) => `${id}-live-secret-0123456789`;
const shanghaiDay = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 10);

/** the hub's clock runs this far ahead of the machine's (and the database server's) */
let skew = 0;

beforeAll(async () => {
  h = await startHubHarness({ now: () => Date.now() + skew });
  for (const [id, name] of Object.entries(HALLS))
    await addHall(h.hub.pool, { id: `LIVE-${id}`, name, city: '宿州市', secret: secret(`LIVE-${id}`) });
});
afterAll(async () => h?.stop());

/** one live-wait post: `waiting` people for 身份证, sent at `at`; `open` only from halls that know it */
function post(c: Case, at: number, waiting: number, open?: boolean) {
  const id = `LIVE-${c}`;
  const data = {
    at,
    ...(open === undefined ? {} : { open }),
    services: [{ service: 'id-card', name: '身份证办理', waiting, estimateMinutes: waiting * 3, openCounters: waiting ? 2 : 0 }],
  };
  const rec = { key: `liveWait:${at}`, kind: 'liveWait', v: 1, at, day: shanghaiDay(at), data } as SyncRecord;
  return postBatch({ url: h.hub.url, hallId: id, secret: secret(id), timeoutMs: 10_000 }, [rec]);
}

describe('public live wait', () => {
  it('shows open halls with their queue and closed, stale or silent ones as closed without their last numbers', async () => {
    const now = Date.now();
    const posts = await Promise.all([
      post('open', now, 3), // an older agent: no `open` field
      post('yesterday', now - 24 * 3600_000, 24), // left with a queue yesterday, nothing since
      post('closed', now - 60_000, 17, true).then(() => post('closed', now, 17, false)), // closed its day
      post('silent', now - 20 * 60_000, 9, true), // silent for 20 minutes
    ]);
    expect(posts.map((p) => p.kind)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const res = await fetch(`${h.hub.url}/api/v1/live-wait?city=${encodeURIComponent('宿州市')}`);
    const halls = (await res.json()).halls as { hallId: string; state: string; waiting: number | null; estimateMinutes: number | null }[];
    const byHall = Object.fromEntries(halls.map((x) => [x.hallId.replace('LIVE-', ''), x]));
    // 20 minutes ago is yesterday in the hall's zone right after midnight: then that hall is closed too.
    const silentState = shanghaiDay(now - 20 * 60_000) === shanghaiDay(now) ? 'paused' : 'closed';
    expect(byHall).toEqual({
      open: expect.objectContaining({ state: 'open', waiting: 3, estimateMinutes: 9 }),
      yesterday: expect.objectContaining({ state: 'closed', waiting: null, estimateMinutes: null }),
      closed: expect.objectContaining({ state: 'closed', waiting: null, estimateMinutes: null }),
      silent: expect.objectContaining({ state: silentState, waiting: null, estimateMinutes: null }),
    });
    // The open hall is listed first.
    expect(halls[0]!.hallId).toBe('LIVE-open');

    const html = await (await fetch(`${h.hub.url}/live`)).text();
    const row = (name: string) => html.slice(html.indexOf(name), html.indexOf('</tr>', html.indexOf(name)));
    expect(row(HALLS.open)).toContain('约9分钟');
    expect(row(HALLS.yesterday)).toContain('已闭厅');
    expect(row(HALLS.yesterday)).not.toMatch(/<td>24<\/td>|约72分钟/);
    expect(row(HALLS.closed)).toContain('已闭厅');
    expect(row(HALLS.closed)).not.toMatch(/<td>17<\/td>|约51分钟/);
    expect(row(HALLS.silent)).toContain(silentState === 'paused' ? '暂停服务' : '已闭厅');
    expect(row(HALLS.silent)).not.toMatch(/<td>9<\/td>|约27分钟/);
  });

  it("reads today and silence from the hub's clock, not the database server's: a clock moved on closes the day", async () => {
    const now = Date.now();
    expect((await post('open', now, 5)).kind).toBe('ok');
    const state = async () => {
      const res = await fetch(`${h.hub.url}/api/v1/live-wait?city=${encodeURIComponent('宿州市')}`);
      const halls = (await res.json()).halls as { hallId: string; state: string; waiting: number | null }[];
      return halls.find((x) => x.hallId === 'LIVE-open');
    };
    try {
      expect(await state()).toEqual(expect.objectContaining({ state: 'open', waiting: 5 }));
      skew = 20 * 60_000; // 20 minutes without a post
      const later = shanghaiDay(now + skew) === shanghaiDay(now) ? 'paused' : 'closed';
      expect(await state()).toEqual(expect.objectContaining({ state: later, waiting: null }));
      skew = 24 * 3600_000; // the next day, no post yet
      expect(await state()).toEqual(expect.objectContaining({ state: 'closed', waiting: null }));
      const html = await (await fetch(`${h.hub.url}/live`)).text();
      expect(html.slice(html.indexOf(HALLS.open), html.indexOf('</tr>', html.indexOf(HALLS.open)))).toContain('已闭厅');
    } finally {
      skew = 0;
    }
    expect(await state()).toEqual(expect.objectContaining({ state: 'open', waiting: 5 }));
  });

  it("keeps a hall's last report by the hub's clock: a hall that just sent shows no 同步延迟 on a hub whose clock runs ahead", async () => {
    skew = 3 * 3600_000;
    try {
      const at = Date.now();
      // a live-wait post (its own transaction) and a service record (the grouped writer)
      expect((await post('silent', at, 2, true)).kind).toBe('ok');
      const rec = serviceRecord('late-check-1', shanghaiDay(at), at);
      const id = 'LIVE-yesterday';
      expect((await postBatch({ url: h.hub.url, hallId: id, secret: secret(id), timeoutMs: 10_000 }, [rec])).kind).toBe('ok');
      const hubNow = Date.now() + skew;
      const { rows } = await monthlyReport(h.hub.pool, shanghaiDay(hubNow).slice(0, 7), { now: hubNow, city: '宿州市' });
      const late = Object.fromEntries(rows.map((r) => [r.hallId, r.late]));
      expect(late).toEqual(expect.objectContaining({ 'LIVE-silent': false, 'LIVE-yesterday': false }));
      // two hours and more of the hub's time without a post: late
      const later = await monthlyReport(h.hub.pool, shanghaiDay(hubNow).slice(0, 7), { now: hubNow + 121 * 60_000, city: '宿州市' });
      expect(later.rows.find((r) => r.hallId === 'LIVE-silent')?.late).toBe(true);
    } finally {
      skew = 0;
    }
  });

  it("prunes slots a week past the hub's today: a simulated month behind the database server's clock keeps its slots", async () => {
    const past = Date.now() - 30 * 24 * 3600_000;
    await h.hub.pool.query(
      `INSERT INTO booking_slots (hall_id, day, service, slot, service_name, start_at, end_at, quota, booked, seq)
       VALUES ('LIVE-open', $1, 'prune-test', 20, '身份证办理', to_timestamp($2 / 1000.0), to_timestamp($2 / 1000.0 + 1800), 2, 0, 1)`,
      [shanghaiDay(past), past],
    );
    const left = async () =>
      Number((await h.hub.pool.query("SELECT count(*) AS n FROM booking_slots WHERE service = 'prune-test'")).rows[0].n);
    await pruneBookings(h.hub.pool, past + 3 * 24 * 3600_000); // three days later on the hub's clock: kept
    expect(await left()).toBe(1);
    await pruneBookings(h.hub.pool, past + 8 * 24 * 3600_000); // eight days later: gone
    expect(await left()).toBe(0);
  });

  it('opens a closed hall again with its next morning post, and an older post never overrides a newer one', async () => {
    const now = Date.now();
    expect((await post('closed', now + 1000, 2, true)).kind).toBe('ok');
    // a late retry of a post from before the close arrives after it
    expect((await post('closed', now - 30_000, 40, false)).kind).toBe('ok');
    const halls = (await (await fetch(`${h.hub.url}/api/v1/live-wait`)).json()).halls as {
      hallId: string;
      state: string;
      waiting: number;
    }[];
    expect(halls.find((x) => x.hallId === 'LIVE-closed')).toMatchObject({ state: 'open', waiting: 2 });
  });

  it('分流: beside a long wait, suggests halls of the same city with a shorter wait or a free slot today', async () => {
    const now = Date.now();
    // 蚌埠市: LONG waits 60 min; SHORT 10 (suggested); NEAR 55 (not 10 minutes shorter); FREE waits 70 but has
    // a free online place later today; FULL has a slot with no place left; 淮南市's OTHER waits 5 (another city)
    const halls: [string, string, number | null][] = [
      ['DV-LONG', '蚌埠市', 60],
      ['DV-SHORT', '蚌埠市', 10],
      ['DV-NEAR', '蚌埠市', 55],
      ['DV-FREE', '蚌埠市', 70],
      ['DV-FULL', '蚌埠市', 58],
      ['DV-OTHER', '淮南市', 5],
    ];
    for (const [id, city, minutes] of halls) {
      await addHall(h.hub.pool, { id, name: `${id}大厅`, city, secret: secret(id) });
      const data = {
        at: now,
        open: true,
        services: [{ service: 'id-card', name: '身份证办理', waiting: 20, estimateMinutes: minutes, openCounters: 2 }],
      };
      const rec = { key: `liveWait:${now}`, kind: 'liveWait', v: 1, at: now, day: shanghaiDay(now), data } as SyncRecord;
      expect((await postBatch({ url: h.hub.url, hallId: id, secret: secret(id), timeoutMs: 10_000 }, [rec])).kind).toBe('ok');
    }
    const later = now + 60_000;
    const shanghai = new Date(later + 8 * 3600_000);
    const slot = shanghai.getUTCHours() * 2 + (shanghai.getUTCMinutes() >= 30 ? 1 : 0);
    const time = `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;
    for (const [id, booked] of [
      ['DV-FREE', 1],
      ['DV-FULL', 2],
    ] as const) {
      await h.hub.pool.query(
        `INSERT INTO booking_slots (hall_id, day, service, slot, service_name, start_at, end_at, quota, booked, seq)
         VALUES ($1, $2, 'id-card', $3, '身份证办理', to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0 + 1800), 2, $5, 1)`,
        [id, shanghaiDay(later), slot, later, booked],
      );
    }
    const res = await fetch(`${h.hub.url}/api/v1/live-wait?city=${encodeURIComponent('蚌埠市')}&service=id-card`);
    const rows = (await res.json()).halls as {
      hallId: string;
      suggestions?: { hallId: string; estimateMinutes: number | null; freeSlot: string | null }[];
    }[];
    const tips = Object.fromEntries(rows.map((r) => [r.hallId, r.suggestions?.map((x) => [x.hallId, x.estimateMinutes, x.freeSlot])]));
    const sameDay = shanghaiDay(later) === shanghaiDay(now);
    expect(tips['DV-LONG']).toEqual([['DV-SHORT', 10, null], ...(sameDay ? [['DV-FREE', null, time]] : [])]);
    expect(tips['DV-NEAR']).toEqual([['DV-SHORT', 10, null], ...(sameDay ? [['DV-FREE', null, time]] : [])]);
    // 70 minutes: the three shortest of the halls at least 10 minutes shorter; FULL's full slot is not offered
    expect(tips['DV-FREE']).toEqual([
      ['DV-SHORT', 10, null],
      ['DV-NEAR', 55, null],
      ['DV-FULL', 58, null],
    ]);
    expect(tips['DV-SHORT']).toBeUndefined(); // not a long wait
    const page = await (await fetch(`${h.hub.url}/live?city=${encodeURIComponent('蚌埠市')}`)).text();
    expect(page).toContain('等候较长，可到附近大厅');
    expect(page).toContain('href="/book/h/DV-SHORT?service=id-card"');
    expect(page).not.toContain('DV-OTHER');
  });
});

// The hub's nightly forecast (hub/forecast-run.ts), on the same server: every hall's service records →
// arrivals per half hour for 14 days and the counters Erlang C asks for, stored, once per night. The
// oracle is the plan computed from the generated arrivals themselves (not from what the hub read or stored).
const FROM = '2026-06-01';
const generated = generateHistory({ halls: 1, from: '2026-02-09', to: '2026-05-31', seed: 22 })[0]!;

async function seedForecastHalls() {
  await addHall(h.hub.pool, { id: 'FC-1', name: '预测大厅', city: '合肥市', secret: 'FC-1-secret-0123456789' });
  await addHall(h.hub.pool, { id: 'FC-2', name: '无记录大厅', city: '合肥市', secret: 'FC-2-secret-0123456789' });
  // one service record per generated walk-in (8 minutes each), plus appointment-channel records that
  // are not walk-ins and must not count
  const rows: { key: string; day: string; at: number; service: string; channel: string }[] = [];
  for (const [day, services] of generated.history) {
    const midnight = dayMidnight(day, 'Asia/Shanghai');
    for (const [service, counts] of services)
      counts.forEach((n, slot) => {
        for (let k = 0; k < n; k++)
          rows.push({ key: `${day}:${service}:${slot}:${k}`, day, at: midnight + slot * SLOT_MS + 60_000 + k, service, channel: 'normal' });
        if (n > 3)
          rows.push({ key: `${day}:${service}:${slot}:appt`, day, at: midnight + slot * SLOT_MS, service, channel: 'appointment' });
      });
  }
  await h.hub.pool.query(
    `INSERT INTO records (hall_id, key, kind, v, at, day, data)
     SELECT 'FC-1', r.key, 'serviceRecord', 1, to_timestamp(r.at / 1000.0), r.day::date,
            jsonb_build_object('service', r.service, 'channel', r.channel, 'issuedAt', r.at, 'handlingMs', 480000)
     FROM jsonb_to_recordset($1::jsonb) AS r(key text, day text, at bigint, service text, channel text)`,
    [JSON.stringify(rows)],
  );
}

describe('nightly forecast at the hub', () => {
  beforeAll(seedForecastHalls, 120_000);

  it('stores per open half hour the forecast arrivals and the Erlang C counters computed from the hall history', async () => {
    const n = await forecastHall(h.hub.pool, 'FC-1', FROM);
    const want = planHall(
      {
        history: generated.history,
        minutes: Object.fromEntries([...new Set([...generated.history.values()].flatMap((d) => [...d.keys()]))].map((s) => [s, 8])),
      },
      FROM,
    );
    expect(n).toBe(want.length);
    const got = (
      await h.hub.pool.query(
        "SELECT day::text AS day, slot, arrivals, lo, hi, counters FROM hub_forecast WHERE hall_id = 'FC-1' ORDER BY day, slot",
      )
    ).rows;
    expect(got.map((r) => [r.day, r.slot, r.counters])).toEqual(want.map((p) => [p.day, p.slot, p.counters]));
    for (const [i, r] of got.entries()) {
      expect(r.arrivals).toBeCloseTo(want[i]!.arrivals, 6);
      expect(r.lo).toBeLessThanOrEqual(r.arrivals);
      expect(r.hi).toBeGreaterThanOrEqual(r.arrivals);
    }
    // 14 days ahead: the workdays of two weeks, less a holiday at most
    expect(new Set(got.map((r) => r.day)).size).toBeGreaterThanOrEqual(9);
    // a busy morning needs more than one counter; the forecast is not flat
    expect(Math.max(...got.map((r) => r.counters))).toBeGreaterThan(1);
  });

  it('runs once per night for every hall, halls without records planned as empty', async () => {
    const first = await nightlyForecast(h.hub.pool, FROM);
    const halls = (await h.hub.pool.query('SELECT count(*)::int AS n FROM halls')).rows[0].n;
    expect(first).toMatchObject({ halls });
    expect(await nightlyForecast(h.hub.pool, FROM)).toBeNull();
    const per = (await h.hub.pool.query('SELECT hall_id, count(*)::int AS n FROM hub_forecast GROUP BY hall_id')).rows;
    expect(per).toEqual([{ hall_id: 'FC-1', n: first!.slots }]);
  });
});
