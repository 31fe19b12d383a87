// Campaign operations over HTTP on a real agent (demo config, real SQLite file): every case kind
// from creation to closing, who may do what, the notice-slip return path, reports, notices.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, api, staffToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

let agent: TestAgent;
let manager: string;
let s1: string; // A1001 at counter 1 (AB岗 partner of A1002)
let s2: string; // A1002 at counter 2
let s3: string; // A1003 at counter 3

const get = (path: string, token?: string) => api(agent.baseUrl, 'GET', path, undefined, token);
const post = (path: string, body?: unknown, token?: string) => api(agent.baseUrl, 'POST', path, body, token);

beforeAll(async () => {
  // Every satisfied rating sampled for 回访, so the sample path is exercised deterministically.
  const text = readFileSync(DEMO_CONFIG, 'utf8').replace('callbackSamplePercent: 10', 'callbackSamplePercent: 100');
  agent = await startTestAgent({ configText: text });
  manager = (await post('/api/v1/auth/manager', { pin: '9999' })).body.token;
  s1 = await staffToken(agent.baseUrl, '1', 'A1001');
  s2 = await staffToken(agent.baseUrl, '2', 'A1002');
  s3 = await staffToken(agent.baseUrl, '3', 'A1003');
  for (const [c, t] of [
    ['1', s1],
    ['2', s2],
    ['3', s3],
  ] as const)
    expect((await post(`/api/v1/counters/${c}/open`, undefined, t)).status).toBe(200);
});
afterAll(async () => {
  await agent?.stop();
});

describe('上门服务 from a counter, worked by its assignee', () => {
  it('is opened at a counter, seen by the assignee and their AB岗 partner, refused to others, closed with the result', async () => {
    const body = {
      kind: 'homeVisit',
      title: '卧床老人身份证换领',
      service: 'id-card',
      assignedTo: 'A1002',
      address: '幸福小区3栋201',
      scheduledAt: '2030-01-07 15:00',
      contactPhone: '13812345678',
      consent: true,
    };
    expect((await post('/api/v1/campaign-cases', body)).status).toBe(401);
    expect((await post('/api/v1/campaign-cases', { ...body, assignedTo: 'NOBODY' }, s1)).body.error.code).toBe('staff_unknown');
    const opened = await post('/api/v1/campaign-cases', body, s1);
    expect(opened.status).toBe(201);
    const c = opened.body.case;
    expect(c).toMatchObject({
      kind: 'homeVisit',
      state: 'open',
      assignedTo: 'A1002',
      openedBy: 'A1001',
      dueDay: '2030-01-07',
      contactMasked: '138****5678',
    });
    expect(JSON.stringify(opened.body)).not.toContain('13812345678');

    const mine2 = await get('/api/v1/campaign-cases/mine', s2);
    expect(mine2.body.cases.map((x: any) => x.id)).toContain(c.id);
    const mine1 = await get('/api/v1/campaign-cases/mine', s1);
    expect(mine1.body.cases.find((x: any) => x.id === c.id)).toMatchObject({ asBackup: true });
    expect((await get('/api/v1/campaign-cases/mine', s3)).body.cases.map((x: any) => x.id)).not.toContain(c.id);
    expect((await get('/api/v1/campaign-cases/mine', manager)).status).toBe(403);

    const notMine = await post(`/api/v1/campaign-cases/${c.id}/close`, { result: '已办' }, s3);
    expect([notMine.status, notMine.body.error.code]).toEqual([409, 'not_your_case']);
    const closed = await post(`/api/v1/campaign-cases/${c.id}/close`, { result: '已上门采集人像指纹' }, s2);
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({ state: 'closed', closedBy: 'A1002', result: '已上门采集人像指纹' });
    expect(closed.body.case.contactMasked).toBeUndefined();
    const listed = await get('/api/v1/campaign-cases?state=closed&kind=homeVisit', manager);
    expect(listed.body.cases.map((x: any) => x.id)).toContain(c.id);
  });
});

describe('信访 from 12345', () => {
  it('source, 一事一议, 逐级上报, 回访 "not reached" kept as null, closed after the 回访', async () => {
    const opened = await post(
      '/api/v1/campaign-cases',
      { kind: 'petition', title: '12345转办：跨省迁移被拒', source: '12345', assignedTo: 'A1003' },
      manager,
    );
    expect(opened.status).toBe(201);
    const id = opened.body.case.id;
    expect(opened.body.case).toMatchObject({ source: '12345', escalation: 'hall' });
    expect((await post(`/api/v1/campaign-cases/${id}/discuss`, { text: '约谈群众，核实材料' }, s3)).status).toBe(200);
    const up = await post(`/api/v1/campaign-cases/${id}/discuss`, { text: '政策问题，报县局', escalateTo: 'county' }, manager);
    expect(up.body.case.escalation).toBe('county');
    expect((await post(`/api/v1/campaign-cases/${id}/close`, { result: '已答复' }, manager)).body.error.code).toBe('callback_required');
    const cb = await post(`/api/v1/campaign-cases/${id}/callback`, { note: '电话无人接听', satisfied: null }, s3);
    expect(cb.status).toBe(200);
    expect(cb.body.case.callback.satisfied).toBeNull();
    const closed = await post(`/api/v1/campaign-cases/${id}/close`, { result: '县局已答复，群众认可' }, s3);
    expect(closed.body.case).toMatchObject({ state: 'closed' });
    expect(closed.body.case.discussion).toHaveLength(2);
  });
});

describe('自查 (五要件) by the manager', () => {
  it('problem, measure, owner, deadline, result; staff may not enter one', async () => {
    const body = { kind: 'selfCheck', title: '一次性告知单未留存底联', measure: '建立告知台账', assignedTo: 'A1001', dueDay: '2030-01-31' };
    expect((await post('/api/v1/campaign-cases', body, s1)).status).toBe(403);
    const opened = await post('/api/v1/campaign-cases', body, manager);
    expect(opened.body.case).toMatchObject({
      title: body.title,
      measure: body.measure,
      assignedTo: 'A1001',
      dueDay: '2030-01-31',
      overdue: false,
    });
    const closed = await post(`/api/v1/campaign-cases/${opened.body.case.id}/close`, { result: '台账已建立' }, s1);
    expect(closed.body.case).toMatchObject({ state: 'closed', result: '台账已建立', closedLate: false });
  });
});

describe('ratings, 回访 samples and the 整改 phone', () => {
  it('a satisfied rating is sampled for 回访 and closed after it; a 整改 keeps a masked phone, "not reached" stays null', async () => {
    expect((await post('/api/v1/tickets', { service: 'id-card' })).status).toBe(201);
    await post('/api/v1/counters/1/call-next', undefined, s1);
    await post('/api/v1/counters/1/finish', undefined, s1);
    expect((await post('/api/v1/counters/1/rating', { level: 5 })).status).toBe(201);
    const samples = (await get('/api/v1/campaign-cases?kind=revisit', manager)).body.cases;
    expect(samples).toHaveLength(1);
    const v = samples[0];
    expect(v).toMatchObject({ kind: 'revisit', ratingLevel: 5, counter: '1', staffId: 'A1001' });
    await post(`/api/v1/campaign-cases/${v.id}/callback`, { note: '群众满意', satisfied: true }, manager);
    expect((await post(`/api/v1/campaign-cases/${v.id}/close`, { result: '回访满意' }, manager)).body.case.state).toBe('closed');

    await post('/api/v1/tickets', { service: 'id-card' });
    await post('/api/v1/counters/1/call-next', undefined, s1);
    await post('/api/v1/counters/1/finish', undefined, s1);
    const bad = await post('/api/v1/counters/1/rating', { level: 1, reasons: ['attitude'] });
    const rectId = bad.body.rating.rectificationId;
    expect((await post(`/api/v1/cases/${rectId}/contact`, { phone: '13900001111', consent: false }, manager)).body.error.code).toBe(
      'consent_required',
    );
    const withPhone = await post(`/api/v1/cases/${rectId}/contact`, { phone: '13900001111', consent: true }, manager);
    expect(withPhone.body.case.contactMasked).toBe('139****1111');
    const cb = await post(`/api/v1/cases/${rectId}/callback`, { note: '未接通', satisfied: null }, manager);
    expect(cb.body.case.callback.satisfied).toBeNull();
    const closed = await post(`/api/v1/cases/${rectId}/close`, { measures: '批评教育，重新培训' }, manager);
    expect(closed.body.case.contactMasked).toBeUndefined();
  });
});

describe('notice slip return path', () => {
  it('the slip carries a return code; the returning citizen goes to the owner counter ahead of the normal queue', async () => {
    const t = await post('/api/v1/tickets', { service: 'hukou-move' });
    const number = t.body.ticket.number;
    let called = await post('/api/v1/counters/3/call-next', undefined, s3);
    while (called.status === 200 && called.body.ticket.number !== number) {
      await post('/api/v1/counters/3/finish', undefined, s3);
      called = await post('/api/v1/counters/3/call-next', undefined, s3);
    }
    await post('/api/v1/counters/3/start', undefined, s3);
    const notice = await post('/api/v1/counters/3/notice', { missingMaterialIds: ['house-proof'] }, s3);
    expect(notice.status).toBe(201);
    const code: string = notice.body.notice.returnCode;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    await post('/api/v1/counters/3/finish', undefined, s3);
    // The printed slip names the code.
    const deadline = Date.now() + 10_000;
    let printed = '';
    while (Date.now() < deadline && !printed.includes(code.slice(4))) {
      const sim = await get('/api/v1/sim', s3);
      printed = JSON.stringify(sim.body.find((d: any) => d.id === 'printer-1')?.state.pages ?? []);
      if (!printed.includes(code.slice(4))) await new Promise((r) => setTimeout(r, 200));
    }
    expect(printed).toContain(`${code.slice(0, 4)}-${code.slice(4)}`);

    for (let i = 0; i < 3; i++) await post('/api/v1/tickets', { service: 'hukou-move' }); // the normal line
    const back = await post('/api/v1/tickets/return', { code: `${code.slice(0, 4)}-${code.slice(4)}` });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ targetCounter: '3', ticket: { owner: '3', waitingAhead: 0 } });
    const again = await post('/api/v1/tickets/return', { code });
    expect([again.status, again.body.error.code]).toEqual([409, 'return_code_used']);
    const next = await post('/api/v1/counters/3/call-next', undefined, s3);
    expect(next.body.ticket.number).toBe(back.body.ticket.number);
    await post('/api/v1/counters/3/finish', undefined, s3);
  });
});

describe('reports, notices, follow-ups, query errors', () => {
  it('monthly and daily reports as JSON, CSV, XLSX and a printable page, manager only', async () => {
    expect((await get('/api/v1/reports/monthly')).status).toBe(401);
    expect((await get('/api/v1/reports/monthly', s1)).status).toBe(403);
    const json = await get('/api/v1/reports/daily', manager);
    expect(json.status).toBe(200);
    expect(json.body.report.totals.served).toBeGreaterThanOrEqual(3);
    expect(json.body.report.totals.homeVisits).toBe(1);
    expect(json.body.report.totals.petitions).toBe(1);
    const month = await get('/api/v1/reports/monthly', manager);
    expect(month.body.report.totals.served).toBe(json.body.report.totals.served);
    const csv = await fetch(`${agent.baseUrl}/api/v1/reports/daily?format=csv`, { headers: { authorization: `Bearer ${manager}` } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain('汇总,total');
    const xlsx = await fetch(`${agent.baseUrl}/api/v1/reports/monthly?format=xlsx`, { headers: { authorization: `Bearer ${manager}` } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const served = (wb.getWorksheet('汇总')!.getRow(3).values as unknown[])[4];
    expect(served).toBe(json.body.report.totals.served);
    const html = await fetch(`${agent.baseUrl}/api/v1/reports/monthly?format=html`, { headers: { authorization: `Bearer ${manager}` } });
    expect(await html.text()).toMatch(/月度报表[\s\S]*<table>/);
  });

  it('the handling-time report exports as CSV too', async () => {
    const csv = await fetch(`${agent.baseUrl}/api/v1/reports/handling?groupBy=staff&format=csv`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(csv.status).toBe(200);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel reads it as UTF-8
    const text = bytes.subarray(3).toString('utf8');
    expect(text).toMatch(/^staff,/);
    expect(text).toContain('A1001,王芳,');
  });

  it('a bad query names the query, not the body', async () => {
    const res = await get('/api/v1/reports/handling?from=yesterday', manager);
    expect(res.status).toBe(400);
    expect(res.body.error.messageEn).toMatch(/query\.from/);
    expect(res.body.error.messageEn).not.toMatch(/body/);
  });

  it('notices are edited from the board without a restart; four complaint phones are public', async () => {
    const notices = [{ zh: '本周六上午延时服务', en: 'Open on Saturday morning' }];
    expect((await api(agent.baseUrl, 'PUT', '/api/v1/hall/notices', { notices }, s1)).status).toBe(403);
    expect((await api(agent.baseUrl, 'PUT', '/api/v1/hall/notices', { notices }, manager)).status).toBe(200);
    const hall = await get('/api/v1/hall');
    expect(hall.body.notices).toEqual(notices);
    expect(hall.body.phones.complaintLevels).toMatchObject({
      province: expect.any(String),
      city: expect.any(String),
      county: expect.any(String),
      station: expect.any(String),
    });
  });

  it('容缺 with a required material the hall accepts late; the follow-up is listed until completed', async () => {
    // Counter 3 handles 户口迁移; take the next hukou-move ticket there.
    const issued = await post('/api/v1/tickets', { service: 'hukou-move' });
    let called = await post('/api/v1/counters/3/call-next', undefined, s3);
    while (called.status === 200 && called.body.ticket.id !== issued.body.ticket.id) {
      await post('/api/v1/counters/3/finish', undefined, s3);
      called = await post('/api/v1/counters/3/call-next', undefined, s3);
    }
    const id = called.body.ticket.id;
    const day = id.slice(0, 10);
    const ok = await post(
      '/api/v1/counters/3/accept-with-missing',
      { ticketId: id, missingMaterialIds: ['house-proof'], followUpDate: day },
      s3,
    );
    expect(ok.status).toBe(204);
    const refused = await post(
      '/api/v1/counters/3/accept-with-missing',
      { ticketId: id, missingMaterialIds: ['hukou-book'], followUpDate: day },
      s3,
    );
    expect(refused.body.error.code).toBe('material_required');
    const list = await get('/api/v1/follow-ups', manager);
    const f = list.body.followUps.find((x: any) => x.ticketId === id);
    expect(f).toMatchObject({ dueSoon: true, missingMaterialIds: ['house-proof'] });
    expect((await post(`/api/v1/follow-ups/${f.id}/complete`, {}, s3)).status).toBe(200);
    expect((await get('/api/v1/follow-ups', manager)).body.followUps.find((x: any) => x.ticketId === id)).toBeUndefined();
    await post('/api/v1/counters/3/finish', undefined, s3);
  });

  it('the demo calendar is always open but reports what it says', async () => {
    const s = await get('/api/v1/calendar/status');
    expect(s.body).toMatchObject({ open: true, alwaysOpen: true });
    expect(typeof s.body.calendarOpen).toBe('boolean');
  });
});

describe('case assignees are the staff accounts administered on the board', () => {
  it('a staff member added on the board takes cases at once; a disabled one gets no new case; a guide is no assignee', async () => {
    const body = { kind: 'petition', title: '12345转办：户口迁入咨询', source: '12345' };
    const assign = (id: string, to: string) => post(`/api/v1/campaign-cases/${id}/assign`, { to }, manager);
    const opened = await post('/api/v1/campaign-cases', body, manager);
    expect(opened.status).toBe(201);
    const id = opened.body.case.id as string;
    expect((await assign(id, 'B2001')).body.error?.code).toBe('staff_unknown');
    const added = await post('/api/v1/staff', { id: 'B2001', name: '赵新', pin: '4321', counters: ['4'] }, manager);
    expect(added.status).toBe(201);
    const given = await assign(id, 'B2001');
    expect(given.status).toBe(200);
    expect(given.body.case.assignedTo).toBe('B2001');
    expect((await api(agent.baseUrl, 'PATCH', '/api/v1/staff/B2001', { disabled: true }, manager)).status).toBe(200);
    expect((await assign(id, 'B2001')).body.error?.code).toBe('staff_unknown');
    const guide = await post('/api/v1/staff', { id: 'G3001', name: '导办员', pin: '865321', role: 'guide' }, manager);
    expect(guide.status).toBe(201);
    expect((await assign(id, 'G3001')).body.error?.code).toBe('staff_unknown');
    expect((await post(`/api/v1/campaign-cases/${id}/assign`, { to: 'A1003' }, s1)).status).toBe(403);
  });
});
