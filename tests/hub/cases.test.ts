// Campaign cases (上门服务, 信访, 自查, 回访) and 容缺 reach the supervisors: generated activity of
// three halls (two cities) goes through the real signed ingest shuffled and partly resent; the
// monthly report, its CSV, the city totals and the open/overdue lists must equal what the model says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBatch } from '../../agent/sync/post.js';
import type { SyncRecord } from '../../contracts/records.js';
import { addHall } from '../../hub/registry.js';
import { cityTotals, cycleMonthOf, cycleOf, type HallMonthRow, todayIn } from '../../hub/reports.js';
import {
  addDays,
  campaignRecord,
  expectedFigures,
  expectedLists,
  generateHall,
  type HallActivity,
  rng,
  shuffled,
  timeOn,
} from './cases-gen.js';
import { type HubHarness, loginCookie, registerHalls, SECRET_A, SECRET_B, startHubHarness } from './harness.js';

const SECRET_C = 'hall-c-secret-5555555555';
const SECRET_D = 'hall-d-secret-7777777777';
const SECRETS: Record<string, string> = { 'HALL-A': SECRET_A, 'HALL-B': SECRET_B, 'HALL-C': SECRET_C, 'HALL-D': SECRET_D };

let h: HubHarness;
beforeAll(async () => {
  h = await startHubHarness();
  await registerHalls(h.hub);
  await addHall(h.hub.pool, { id: 'HALL-C', name: '丙大厅', city: '合肥市', secret: SECRET_C });
  await addHall(h.hub.pool, { id: 'HALL-D', name: '丁大厅', city: '宣城市', secret: SECRET_D });
});
afterAll(async () => h?.stop());

async function post(hallId: string, records: SyncRecord[]) {
  const out = await postBatch({ url: h.hub.url, hallId, secret: SECRETS[hallId]!, timeoutMs: 30_000 }, records);
  if (out.kind !== 'ok') throw new Error(`batch refused: ${JSON.stringify(out)}`);
  return new Map(out.ack.results.map((r) => [r.key, r.status]));
}

async function getJson(path: string, cookie: string) {
  const res = await fetch(`${h.hub.url}${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.json();
}

const listKeys = (l: { openCampaign: any[]; overdueAccepted: any[] }, halls: string[]) => ({
  openCampaign: l.openCampaign
    .filter((c) => halls.includes(c.hallId))
    .map((c) => `${c.hallId}/${c.caseId}/${c.overdue ? 'overdue' : 'open'}`)
    .sort(),
  overdueAccepted: l.overdueAccepted
    .filter((c) => halls.includes(c.hallId))
    .map((c) => `${c.hallId}/${c.caseId}`)
    .sort(),
});

describe('campaign cases and 容缺 at the hub', () => {
  const today = todayIn();
  const last = addDays(today, -1);
  const first = addDays(today, -75);
  const acts: Record<string, HallActivity> = {
    'HALL-A': generateHall('HALL-A', first, last, 11),
    'HALL-B': generateHall('HALL-B', first, last, 22),
    'HALL-C': generateHall('HALL-C', first, last, 33),
  };
  const halls = Object.keys(acts);

  it('counts each case once, whatever order and however often its records arrive', async () => {
    for (const [hallId, act] of Object.entries(acts)) {
      const stream = shuffled(act.records, hallId.charCodeAt(5));
      const pick = rng(hallId.charCodeAt(5) + 1);
      let closedBeforeOpened = 0;
      const sentAt = new Map(stream.map((r, i) => [r.key, i]));
      for (const r of stream) {
        const d = r.data as { action?: string; caseId?: string };
        if (d.action === 'closed' && sentAt.get(r.key)! < sentAt.get(`case:${d.caseId}:0`)!) closedBeforeOpened++;
      }
      // The shuffle must really put closes ahead of their openings and 容缺 follow-ups ahead of acceptances.
      expect(closedBeforeOpened).toBeGreaterThan(3);
      const earlyDone = stream.filter(
        (r) => r.kind === 'followUpDone' && sentAt.get(r.key)! < sentAt.get(`accepted:${(r.data as any).id}`)!,
      );
      expect(earlyDone.length).toBeGreaterThan(2);

      let resent = 0;
      for (let i = 0; i < stream.length; i += 40) {
        const fresh = stream.slice(i, i + 40);
        // A sender that lost the answer resends records the hub already has, mixed with new ones.
        const again = i === 0 ? [] : Array.from({ length: 6 }, () => stream[pick(i)]!);
        const dupes = [...new Map(again.map((r) => [r.key, r])).values()];
        resent += dupes.length;
        const status = await post(hallId, [...fresh, ...dupes]);
        for (const r of fresh) expect(status.get(r.key)).toBe('stored');
        for (const r of dupes) expect(status.get(r.key)).toBe('duplicate');
      }
      expect(resent).toBeGreaterThan(20);
      const stored = await h.hub.pool.query('SELECT count(*)::int AS n FROM records WHERE hall_id = $1', [hallId]);
      expect(stored.rows[0].n).toBe(act.records.length);
      const cases = await h.hub.pool.query('SELECT count(*)::int AS n FROM cases WHERE hall_id = $1', [hallId]);
      expect(cases.rows[0].n).toBe(act.cases.length + act.accepted.length);
    }

    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    const months = [cycleMonthOf(last), cycleMonthOf(addDays(cycleOf(cycleMonthOf(last)).from, -1))];
    for (const month of months) {
      const { from, to } = cycleOf(month);
      const report = await getJson(`/reports/monthly?month=${month}&format=json`, cookie);
      const want = Object.fromEntries(halls.map((id) => [id, expectedFigures(acts[id]!, from, to, today)]));
      for (const id of halls) {
        // the previous cycle is complete: enough cases to tell a wrong sum from a right one
        if (month === months[1]) expect(want[id]!.cases.petitionOpened + want[id]!.cases.homeVisitOpened).toBeGreaterThan(3);
        expect(
          report.rows.find((r: HallMonthRow) => r.hallId === id),
          `${id} ${month}`,
        ).toMatchObject(want[id]!);
      }
      // 合肥市 = 甲 + 丙
      const hefei = cityTotals(report.rows).find((r) => r.city === '合肥市')!;
      for (const [k, v] of Object.entries(want['HALL-A']!.cases))
        expect(hefei.cases[k as keyof typeof hefei.cases], k).toBe(v + want['HALL-C']!.cases[k as keyof typeof hefei.cases]);

      const csv = (await (await fetch(`${h.hub.url}/reports/monthly?month=${month}&format=csv`, { headers: { cookie } })).text())
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .map((l) => l.split(','));
      const head = csv[0]!;
      const cell = (hallId: string, header: string) => {
        const col = head.indexOf(header);
        expect(col, header).toBeGreaterThan(-1);
        return Number(csv.find((l) => l[1] === hallId)![col]);
      };
      for (const id of ['HALL-A', 'HALL-B']) {
        const w = want[id]!.cases;
        expect(cell(id, '上门服务(新增)')).toBe(w.homeVisitOpened);
        expect(cell(id, '上门服务(办结)')).toBe(w.homeVisitClosed);
        expect(cell(id, '信访(新增)')).toBe(w.petitionOpened);
        expect(cell(id, '信访(办结)')).toBe(w.petitionClosed);
        expect(cell(id, '信访(逐级上报)')).toBe(w.petitionEscalated);
        expect(cell(id, '自查(新增)')).toBe(w.selfCheckOpened);
        expect(cell(id, '自查(办结)')).toBe(w.selfCheckClosed);
        expect(cell(id, '抽样回访(新增)')).toBe(w.revisitOpened);
        expect(cell(id, '抽样回访(办结)')).toBe(w.revisitClosed);
        expect(cell(id, '回访满意')).toBe(w.callbackSatisfied);
        expect(cell(id, '回访不满意')).toBe(w.callbackUnsatisfied);
        expect(cell(id, '回访未联系上')).toBe(w.callbackNotReached);
        expect(cell(id, '容缺受理')).toBe(want[id]!.acceptedWithMissing);
        expect(cell(id, '容缺补齐')).toBe(w.acceptedCompleted);
        expect(cell(id, '容缺逾期未补齐')).toBe(w.acceptedOverdue);
      }
    }

    // The supervision lists: every open campaign case (overdue flagged) and every overdue 容缺, no more.
    const want = expectedLists(Object.values(acts), today);
    expect(want.openCampaign.filter((k) => k.endsWith('/overdue')).length).toBeGreaterThan(0);
    expect(want.overdueAccepted.length).toBeGreaterThan(0);
    const lists = await getJson('/cases?format=json', cookie);
    expect(listKeys(lists, halls)).toEqual(want);
    const hallA = await getJson('/cases?hall=HALL-A&format=json', cookie);
    expect(listKeys(hallA, halls)).toEqual(expectedLists([acts['HALL-A']!], today));
    // A city supervisor sees the city's halls only.
    const hefeiCookie = await loginCookie(h.hub.url, 'hefei', 'hefei-pass');
    const hefei = await getJson('/cases?format=json', hefeiCookie);
    expect(listKeys(hefei, halls)).toEqual(expectedLists([acts['HALL-A']!, acts['HALL-C']!], today));
    expect(await getJson('/cases?hall=HALL-B&format=json', hefeiCookie)).toMatchObject({ openCampaign: [], overdueAccepted: [] });

    // The pages name the overdue cases in zh-CN.
    const page = await (await fetch(`${h.hub.url}/halls/HALL-A`, { headers: { cookie } })).text();
    expect(page).toContain('逾期专项案件');
    expect(page).toContain('容缺逾期未补齐');
    for (const k of expectedLists([acts['HALL-A']!], today).overdueAccepted) expect(page).toContain(k.split('/')[1]);
    const home = await (await fetch(`${h.hub.url}/`, { headers: { cookie } })).text();
    for (const k of want.openCampaign.filter((x) => x.endsWith('/overdue'))) expect(home).toContain(`>${k.split('/')[1]}<`);
    for (const k of want.openCampaign.filter((x) => x.endsWith('/open'))) expect(home).not.toContain(`>${k.split('/')[1]}<`);
  });

  it('ends a case in its last state: close before open, callbacks reversed, 容缺 done before accepted', async () => {
    const day = addDays(today, -30);
    const due = addDays(today, -20);
    const base = {
      caseKind: 'petition' as const,
      caseId: 'P-HALL-D-1',
      dueDay: due,
      openedAt: timeOn(day),
      service: null,
      counter: null,
      staffId: null,
      ticketId: null,
      source: 'letter' as const,
    };
    const d1 = addDays(day, 1);
    const d2 = addDays(day, 2);
    const d3 = addDays(day, 3);
    const open = campaignRecord('d:1', timeOn(day), day, { ...base, action: 'opened', state: 'open', closedAt: null, escalation: 'hall' });
    const up = campaignRecord('d:2', timeOn(d1), d1, { ...base, action: 'escalated', state: 'open', closedAt: null, escalation: 'city' });
    const cb1 = campaignRecord('d:3', timeOn(d2), d2, { ...base, action: 'callback', state: 'open', closedAt: null, escalation: 'city' });
    (cb1.data as any).satisfied = null;
    const cb2 = campaignRecord('d:4', timeOn(d2, 60), d2, {
      ...base,
      action: 'callback',
      state: 'open',
      closedAt: null,
      escalation: 'city',
    });
    (cb2.data as any).satisfied = true;
    const close = campaignRecord('d:5', timeOn(d3), d3, {
      ...base,
      action: 'closed',
      state: 'closed',
      closedAt: timeOn(d3),
      escalation: 'city',
    });
    const stillOpen = campaignRecord('d:6', timeOn(day, 5), day, {
      ...base,
      caseKind: 'selfCheck',
      caseId: 'S-HALL-D-2',
      source: null,
      action: 'opened',
      state: 'open',
      closedAt: null,
      escalation: null,
    });
    const accepted: SyncRecord = {
      key: 'd:7',
      kind: 'acceptedWithMissing',
      v: 1,
      at: timeOn(day),
      day,
      data: { id: 'C-HALL-D-3', day, at: timeOn(day), counter: '2', ticketId: 'T1', missingMaterialIds: ['photo'], followUpDate: d1 },
    };
    const done: SyncRecord = {
      key: 'd:8',
      kind: 'followUpDone',
      v: 1,
      at: timeOn(d3),
      day: d3,
      data: { id: 'C-HALL-D-3', day: d3, at: timeOn(d3), counter: '2', ticketId: 'T1' },
    };
    const late: SyncRecord = { ...accepted, key: 'd:9', data: { ...(accepted.data as object), id: 'C-HALL-D-4' } as never };
    // The newest first, each of its own batch, then everything again.
    for (const r of [close, done, cb2, stillOpen, cb1, late, up, open, accepted])
      expect((await post('HALL-D', [r])).get(r.key)).toBe('stored');
    const again = await post('HALL-D', [open, up, cb1, cb2, close, accepted, done, late, stillOpen]);
    expect([...again.values()].every((s) => s === 'duplicate')).toBe(true);

    const row = (id: string) =>
      h.hub.pool.query('SELECT * FROM cases WHERE hall_id = $1 AND case_id = $2', ['HALL-D', id]).then((r) => r.rows[0]);
    expect(await row('P-HALL-D-1')).toMatchObject({
      state: 'closed',
      closed_day: d3,
      opened_day: day,
      escalation: 'city',
      escalated_day: d1,
      satisfied: true,
      callback_day: d2,
    });
    expect(await row('C-HALL-D-3')).toMatchObject({ state: 'closed', closed_day: d3, opened_day: day, due_day: d1 });
    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    expect(listKeys(await getJson('/cases?hall=HALL-D&format=json', cookie), ['HALL-D'])).toEqual({
      openCampaign: ['HALL-D/S-HALL-D-2/overdue'],
      overdueAccepted: ['HALL-D/C-HALL-D-4'],
    });
    const { from, to } = cycleOf(cycleMonthOf(d3));
    const report = await getJson(`/reports/monthly?month=${cycleMonthOf(d3)}&format=json`, cookie);
    const d = report.rows.find((r: HallMonthRow) => r.hallId === 'HALL-D');
    const inC = (x: string) => x >= from && x <= to;
    expect(d.cases).toMatchObject({
      petitionClosed: 1,
      callbackSatisfied: inC(d2) ? 1 : 0,
      callbackNotReached: 0,
      acceptedCompleted: 1,
      petitionEscalated: inC(d1) ? 1 : 0,
      acceptedOverdue: inC(d1) ? 1 : 0,
    });
  });

  it('keeps the case lists and pages from anonymous visitors', async () => {
    const html = await fetch(`${h.hub.url}/cases`, { redirect: 'manual' });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toMatch(/^\/login/);
    const json = await fetch(`${h.hub.url}/cases?format=json`);
    expect(json.status).toBe(401);
    expect(JSON.stringify(await json.json())).not.toContain('HALL-');
    expect((await fetch(`${h.hub.url}/halls/HALL-A`, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(`${h.hub.url}/cases?format=json`, { headers: { cookie: 'hub_session=forged-token' } })).status).toBe(401);
    expect((await fetch(`${h.hub.url}/cases?hall=${'x'.repeat(100)}&format=json`)).status).toBeLessThan(500);
  });
});
