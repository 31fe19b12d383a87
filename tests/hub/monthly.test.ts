// A month of generated activity in two halls goes through the real ingest; the hub's monthly report
// (cycle 26th → 25th) must equal totals computed here, independently, from the generated records.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRecord } from '../../contracts/records.js';
import { postBatch } from '../../agent/sync/post.js';
import { todayIn } from '../../hub/reports.js';
import { COUNT_KEYS, columnOf, WAIT_BUCKETS, WAIT_EDGES_MIN } from '../../common/figures.js';
import { CASE_KINDS, ONLINE_BOOKING_STATES } from '../../common/vocabulary.js';
import { type HubHarness, loginCookie, registerHalls, SECRET_A, SECRET_B, serviceRecord, startHubHarness } from './harness.js';

let h: HubHarness;
beforeAll(async () => {
  h = await startHubHarness();
  await registerHalls(h.hub);
});
afterAll(async () => h?.stop());

let seed = 42;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const noon = (day: string) => Date.parse(`${day}T04:00:00Z`); // 12:00 in Asia/Shanghai

function generate(hall: string, firstDay: string, lastDay: string): SyncRecord[] {
  const out: SyncRecord[] = [];
  let i = 0;
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) {
    const n = 3 + rnd(6);
    for (let k = 0; k < n; k++, i++) {
      const at = noon(day) + k * 60_000;
      const waitMs = 60_000 * (1 + rnd(40));
      const handlingMs = 60_000 * (2 + rnd(20));
      out.push(serviceRecord(`service:${hall}:${i}`, day, at, { waitMs, handlingMs }));
      const base = {
        ticketId: `${day}:${i}`,
        number: 'A001',
        day,
        at: at + 1000,
        service: 'id-card',
        counter: '1',
        staffId: 'A1001',
        caseNumber: null,
      };
      if (rnd(6) === 0) {
        out.push({ key: `notRated:${hall}:${i}`, kind: 'notRated', v: 1, at: at + 1000, day, data: base });
        continue;
      }
      const level = 1 + rnd(5);
      const bad = level <= 2;
      const dueDay = addDays(day, 21);
      out.push({
        key: `rating:${hall}:${i}`,
        kind: 'rating',
        v: 1,
        at: at + 1000,
        day,
        data: {
          ...base,
          level,
          reasons: bad ? ['efficiency'] : [],
          channel: 'pad',
          comment: null,
          rectification: bad ? { id: `Z-${hall}-${i}`, dueDay } : null,
        } as never,
      });
      if (bad && rnd(3) > 0) {
        const closeDay = addDays(day, rnd(2) ? 5 : 25); // on time or late
        if (closeDay <= lastDay)
          out.push({
            key: `case:Z-${hall}-${i}:close`,
            kind: 'caseChange',
            v: 1,
            at: noon(closeDay),
            day: closeDay,
            data: {
              caseKind: 'rectification',
              caseId: `Z-${hall}-${i}`,
              action: 'closed',
              at: noon(closeDay),
              day: closeDay,
              state: 'closed',
              dueDay,
              openedAt: at + 1000,
              closedAt: noon(closeDay),
              counter: '1',
              staffId: 'A1001',
              ticketId: base.ticketId,
              text: '已整改',
            } as never,
          });
      }
    }
    if (rnd(2) === 0)
      out.push({
        key: `notice:${hall}:${day}`,
        kind: 'notice',
        v: 1,
        at: noon(day),
        day,
        data: {
          id: `N-${day}`,
          day,
          at: noon(day),
          counter: '1',
          service: 'id-card',
          ticketId: null,
          staffId: 'A1001',
          missingMaterialIds: ['hukou-book'],
        } as never,
      });
    if (rnd(3) === 0)
      out.push({
        key: `accepted:${hall}:${day}`,
        kind: 'acceptedWithMissing',
        v: 1,
        at: noon(day),
        day,
        data: {
          id: `C-${day}`,
          day,
          at: noon(day),
          counter: '1',
          ticketId: `${day}:x`,
          missingMaterialIds: ['old-id-card'],
          followUpDate: addDays(day, 7),
        } as never,
      });
    if (rnd(4) === 0) {
      const id = `U-${hall}-${day}`;
      out.push({
        key: `unresolved:${id}`,
        kind: 'unresolvedReport',
        v: 1,
        at: noon(day),
        day,
        data: { id, day, at: noon(day), service: null, description: '没办成', contactMasked: null, dueDay: addDays(day, 21) } as never,
      });
      if (rnd(2) === 0)
        out.push({
          key: `case:${id}:close`,
          kind: 'caseChange',
          v: 1,
          at: noon(day) + 3600_000,
          day,
          data: {
            caseKind: 'unresolved',
            caseId: id,
            action: 'closed',
            at: noon(day) + 3600_000,
            day,
            state: 'closed',
            dueDay: addDays(day, 21),
            openedAt: noon(day),
            closedAt: noon(day) + 3600_000,
            counter: null,
            staffId: null,
            ticketId: null,
            text: '已办结',
          } as never,
        });
    }
  }
  return out;
}

/**
 * The hall's daily summaries (v2) of those records, written here from the records alone. One day
 * of HALL-A goes up twice: revision 1 without its last rating, revision 2 with it, sent in reverse.
 */
function summaries(recs: SyncRecord[], revise: boolean): SyncRecord[] {
  const days = new Map<string, SyncRecord[]>();
  for (const r of recs) days.set(r.day, [...(days.get(r.day) ?? []), r]);
  const out: SyncRecord[] = [];
  for (const [day, rs] of days) {
    const f: Record<string, number> = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0]));
    const hist = new Array<number>(WAIT_BUCKETS).fill(0);
    let waitMaxMs = 0;
    for (const r of rs) {
      const d = r.data as any;
      if (r.kind === 'serviceRecord') {
        f.issued!++;
        f.served!++;
        f.chNormal!++;
        f.waitCount!++;
        f.waitSumMs! += d.waitMs;
        waitMaxMs = Math.max(waitMaxMs, d.waitMs);
        const b = WAIT_EDGES_MIN.findIndex((m) => d.waitMs < m * 60_000);
        hist[b === -1 ? WAIT_BUCKETS - 1 : b]!++;
        f.handlingCount!++;
        f.handlingSumMs! += d.handlingMs;
      } else if (r.kind === 'rating') f[`l${d.level}`]!++;
      else if (r.kind === 'notRated') f.notRated!++;
      else if (r.kind === 'notice') f.notices!++;
      else if (r.kind === 'acceptedWithMissing') f.acceptedWithMissing!++;
      else if (r.kind === 'unresolvedReport') f.unresolvedOpened!++;
    }
    const rec = (revision: number, figures: Record<string, unknown>): SyncRecord => ({
      key: revision === 1 ? `daily:${day}` : `daily:${day}:r${revision}`,
      kind: 'dailySummary',
      v: 2,
      at: noon(day) + 12 * 3600_000,
      day,
      data: { day, revision, figures } as never,
    });
    const figures = { ...f, waitMaxMs, waitHist: hist };
    const lastRating = rs.filter((r) => r.kind === 'rating').at(-1);
    if (revise && day === '2026-11-20' && lastRating) {
      const level = (lastRating.data as any).level as number;
      const early = { ...figures, [`l${level}`]: f[`l${level}`]! - 1, notRated: f.notRated! + 1 };
      out.push(rec(2, figures), rec(1, early));
    } else out.push(rec(1, figures));
  }
  return out;
}

function expected(recs: SyncRecord[], from: string, to: string, today: string) {
  const inCycle = (d: string) => d >= from && d <= to;
  const svc = recs.filter((r) => r.kind === 'serviceRecord' && inCycle(r.day)).map((r) => r.data as any);
  const ratings = recs.filter((r) => r.kind === 'rating' && inCycle(r.day)).map((r) => r.data as any);
  const levels = [1, 2, 3, 4, 5].map((l) => ratings.filter((r) => r.level === l).length);
  const closes = new Map(recs.filter((r) => r.kind === 'caseChange').map((r) => [(r.data as any).caseId, r.day]));
  const rects = ratings.filter((r) => r.rectification);
  const due = rects.filter((r) => closes.has(r.rectification.id) || r.rectification.dueDay < today);
  const onTime = rects.filter((r) => closes.has(r.rectification.id) && closes.get(r.rectification.id)! <= r.rectification.dueDay);
  const unresolved = recs.filter((r) => r.kind === 'unresolvedReport' && inCycle(r.day)).map((r) => (r.data as any).id);
  const avg = (xs: number[]) => (xs.length ? Math.round(Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) / 6_000) / 10 : null);
  const waits = svc.map((s) => s.waitMs as number).sort((a, b) => a - b);
  const at90 = waits[Math.ceil(waits.length * 0.9) - 1]!;
  const edge = WAIT_EDGES_MIN.find((m) => at90 < m * 60_000)!;
  return {
    tickets: svc.length,
    issued: svc.length,
    avgWaitMin: avg(waits),
    p90WaitMin: Math.round((Math.min(edge * 60_000, waits.at(-1)!) / 60_000) * 10) / 10,
    avgHandlingMin: avg(svc.map((s) => s.handlingMs)),
    levels,
    notRated: recs.filter((r) => r.kind === 'notRated' && inCycle(r.day)).length,
    bad: levels[0]! + levels[1]!,
    rectDue: due.length,
    rectOnTime: onTime.length,
    unresolvedOpened: unresolved.length,
    unresolvedClosed: unresolved.filter((id) => closes.has(id)).length,
    notices: recs.filter((r) => r.kind === 'notice' && inCycle(r.day)).length,
    acceptedWithMissing: recs.filter((r) => r.kind === 'acceptedWithMissing' && inCycle(r.day)).length,
  };
}

describe('monthly report (cycle ending the 25th)', () => {
  it('equals totals computed independently from a month of activity in two halls', async () => {
    const today = todayIn();
    const last = addDays(today, -1) < '2026-11-27' ? addDays(today, -1) : '2026-11-27';
    const halls = { 'HALL-A': generate('HALL-A', '2026-10-20', last), 'HALL-B': generate('HALL-B', '2026-10-20', last) };
    for (const [hallId, recs] of Object.entries(halls)) {
      const secret = hallId === 'HALL-A' ? SECRET_A : SECRET_B;
      const all = [...recs, ...summaries(recs, hallId === 'HALL-A')];
      for (let i = 0; i < all.length; i += 300) {
        const out = await postBatch({ url: h.hub.url, hallId, secret, timeoutMs: 30_000 }, all.slice(i, i + 300));
        expect(out.kind === 'ok' && out.ack.results.every((r) => r.status === 'stored')).toBe(true);
      }
    }
    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    const res = await fetch(`${h.hub.url}/reports/monthly?month=2026-11&format=json`, { headers: { cookie } });
    const report = await res.json();
    expect(report).toMatchObject({ from: '2026-10-26', to: '2026-11-25' });
    for (const [hallId, recs] of Object.entries(halls)) {
      const row = report.rows.find((r: { hallId: string }) => r.hallId === hallId);
      const want = expected(recs, '2026-10-26', '2026-11-25', today);
      expect(want.tickets).toBeGreaterThan(50);
      expect(want.rectDue).toBeGreaterThan(0);
      expect(row).toMatchObject(want);
      // 2026-11-20 was revised after its close: the hub kept revision 2 (sent first) and shows it
      expect(row.revisedDays).toBe(hallId === 'HALL-A' ? 1 : 0);
    }

    const csv = await (await fetch(`${h.hub.url}/reports/monthly?month=2026-11&format=csv`, { headers: { cookie } })).text();
    const lineA = csv.split('\r\n').find((l) => l.includes('HALL-A'))!;
    expect(lineA.split(',')[3]).toBe(String(expected(halls['HALL-A'], '2026-10-26', '2026-11-25', today).tickets));
    const xlsx = await fetch(`${h.hub.url}/reports/monthly?month=2026-11&format=xlsx`, { headers: { cookie } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(2).getCell(4).value).toBe('办件量');
    const xa = [3, 4].map((r) => ws.getRow(r)).find((r) => r.getCell(2).value === 'HALL-B')!;
    expect(xa.getCell(4).value).toBe(expected(halls['HALL-B'], '2026-10-26', '2026-11-25', today).tickets);
  });
});

describe('daily summaries of two contract versions', () => {
  it('adds a v1 summary (not yet upgraded hall) and a v2 one side by side; a later v2 of the same day replaces the v1', async () => {
    const at = Date.now();
    const v1 = (day: string, served: number) => ({
      key: `daily:${day}`,
      kind: 'dailySummary' as const,
      v: 1,
      at,
      day,
      data: {
        day,
        tickets: served + 2,
        served,
        noShow: 1,
        cancelled: 0,
        avgWaitMs: 600_000,
        avgHandlingMs: 300_000,
        ratings: { l1: 0, l2: 1, l3: 0, l4: 2, l5: served - 3, notRated: 0 },
        notices: 1,
        acceptedWithMissing: 0,
        unresolvedOpened: 0,
      } as never,
    });
    const v2 = (day: string, served: number, revision: number) => {
      const figures: Record<string, unknown> = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0]));
      Object.assign(figures, { issued: served, served, waitCount: served, waitSumMs: served * 120_000, l5: served });
      const hist = new Array<number>(WAIT_BUCKETS).fill(0);
      hist[2] = served; // 2–3 min
      return {
        key: `daily:${day}:r${revision}`,
        kind: 'dailySummary' as const,
        v: 2,
        at,
        day,
        data: { day, revision, figures: { ...figures, waitMaxMs: 120_000, waitHist: hist } } as never,
      };
    };
    const post = (records: SyncRecord[]) => postBatch({ url: h.hub.url, hallId: 'HALL-B', secret: SECRET_B, timeoutMs: 30_000 }, records);
    const first = await post([v1('2026-12-28', 10), v2('2026-12-29', 20, 1), v1('2026-12-30', 5)]);
    expect(first.kind === 'ok' && first.ack.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    await post([v2('2026-12-30', 7, 1)]); // the hall was upgraded and summarised the 30th again
    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    const report = await (await fetch(`${h.hub.url}/reports/monthly?month=2027-01&format=json`, { headers: { cookie } })).json();
    const row = report.rows.find((r: { hallId: string }) => r.hallId === 'HALL-B');
    expect(row).toMatchObject({ tickets: 10 + 20 + 7, issued: 12 + 20 + 7, noShow: 1, days: 3 });
    // waits: 10 × 10 min (v1 mean over its served) + 27 × 2 min
    expect(row.avgWaitMin).toBe(Math.round(((10 * 600_000 + 27 * 120_000) / 37 / 60_000) * 10) / 10);
    expect(row.levels).toEqual([0, 1, 0, 2, 7 + 20 + 7]);
  });

  it('the schema follows the definitions: a hall_days column per figure, and every CHECK list equals its vocabulary table', async () => {
    const cols = await h.hub.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'hall_days'`);
    const have = new Set(cols.rows.map((r: { column_name: string }) => r.column_name));
    // a figure added to common/figures.ts without its hub migration fails here
    expect(COUNT_KEYS.map(columnOf).filter((c) => !have.has(c))).toEqual([]);
    // every `col IN (…)` CHECK of the hub, and the vocabulary table it must equal
    const vocab: Record<string, readonly string[]> = {
      // 容缺 follow-ups are tracked in the same table as the rating cases and the campaign cases
      'cases.kind': [...CASE_KINDS, 'acceptedWithMissing'],
      // a booking made on the hub, and what its feed carries down to the hall (docs/booking-sync.md)
      'hub_bookings.state': ONLINE_BOOKING_STATES,
      'booking_feed.kind': ONLINE_BOOKING_STATES,
    };
    const checks = await h.hub.pool.query(
      `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' AND pg_get_constraintdef(oid) LIKE '%ANY%'`,
    );
    const found: Record<string, string[]> = {};
    for (const r of checks.rows as { tbl: string; def: string }[]) {
      const m = /\(+(\w+)\)?\s*=\s*ANY\s*\(+ARRAY\[(.*?)\]/.exec(r.def);
      if (!m) continue;
      found[`${r.tbl}.${m[1]}`] = [...m[2]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!);
    }
    expect(Object.keys(found).sort()).toEqual(Object.keys(vocab).sort());
    for (const [k, values] of Object.entries(vocab)) expect([...found[k]!].sort(), k).toEqual([...values].sort());
  });

  it('a v2 summary from a hall older than a figure (no servedAtClose) is stored with 0', async () => {
    const figures: Record<string, unknown> = Object.fromEntries(COUNT_KEYS.filter((k) => k !== 'servedAtClose').map((k) => [k, 0]));
    Object.assign(figures, { issued: 3, served: 3, waitMaxMs: 0, waitHist: new Array<number>(WAIT_BUCKETS).fill(0) });
    const r = await postBatch({ url: h.hub.url, hallId: 'HALL-B', secret: SECRET_B, timeoutMs: 30_000 }, [
      {
        key: 'daily:2026-11-30',
        kind: 'dailySummary',
        v: 2,
        at: Date.parse('2026-11-30T12:00:00+08:00'),
        day: '2026-11-30',
        data: { day: '2026-11-30', revision: 1, figures } as never,
      },
    ]);
    expect(r.kind === 'ok' && r.ack.results.map((x) => x.status)).toEqual(['stored']);
    const row = await h.hub.pool.query(`SELECT served, served_at_close FROM hall_days WHERE hall_id = 'HALL-B' AND day = '2026-11-30'`);
    expect(row.rows).toEqual([{ served: 3, served_at_close: 0 }]);
  });
});
