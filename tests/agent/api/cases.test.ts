import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, staffToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

let agent: TestAgent;
let manager: string;
let staff: string;
let rectId: string;
let ticketId: string;

const get = (path: string, token?: string) => api(agent.baseUrl, 'GET', path, undefined, token);
const post = (path: string, body?: unknown, token?: string) => api(agent.baseUrl, 'POST', path, body, token);

async function lastSeq(): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await get(`/api/v1/events?after=${after}&limit=1000`, manager);
    if (page.body.events.length === 0) return after;
    after = page.body.lastSeq;
  }
}

async function cases(query = ''): Promise<any[]> {
  const res = await get(`/api/v1/cases${query}`, manager);
  expect(res.status).toBe(200);
  return res.body.cases;
}

/** A refused call: the given status and code, and no event, case or outbox change. */
async function refused(call: () => Promise<{ status: number; body: any }>, status: number, code?: string) {
  const seq = await lastSeq();
  const before = await cases('?state=all');
  const res = await call();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (code) expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toBeTruthy();
  expect(res.body.error.messageEn).toBeTruthy();
  expect(await lastSeq()).toBe(seq);
  expect(await cases('?state=all')).toEqual(before);
}

beforeAll(async () => {
  agent = await startTestAgent();
  const login = await post('/api/v1/auth/manager', { pin: '9999' });
  expect(login.status).toBe(200);
  manager = login.body.token;
  staff = await staffToken(agent.baseUrl, '1');
  expect((await post('/api/v1/counters/1/open', undefined, staff)).status).toBe(200);
  const issued = await post('/api/v1/tickets', { service: 'id-card' });
  expect(issued.status).toBe(201);
  ticketId = issued.body.ticket.id;
  expect((await post('/api/v1/counters/1/call-next', undefined, staff)).status).toBe(200);
  expect((await post('/api/v1/counters/1/finish', undefined, staff)).status).toBe(200);
  const rating = await post('/api/v1/counters/1/rating', { level: 1, reasons: ['attitude'] });
  expect(rating.status).toBe(201);
  rectId = rating.body.rating.rectificationId;
  expect(rectId).toBeTruthy();
});
afterAll(async () => {
  await agent?.stop();
});

describe('cases over HTTP (整改 / 办不成事)', () => {
  it('needs a manager token', async () => {
    expect((await get('/api/v1/cases')).status).toBe(401);
    expect((await get('/api/v1/cases', staff)).status).toBe(403);
    await refused(() => post(`/api/v1/cases/${rectId}/callback`, { note: '已回访', satisfied: true }), 401, 'not_signed_in');
    await refused(() => post(`/api/v1/cases/${rectId}/close`, { measures: '已整改' }, staff), 403, 'forbidden');
  });

  it('lists the case the bad rating opened', async () => {
    const list = await cases();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: rectId,
      kind: 'rectification',
      state: 'open',
      overdue: false,
      ticketId,
      number: 'A001',
      counter: '1',
      staffId: 'A1001',
      rating: { level: 1, reasons: ['attitude'] },
    });
    expect(list[0].dueDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await cases('?kind=unresolved')).toEqual([]);
    expect((await get('/api/v1/cases?state=bogus', manager)).status).toBe(400);
    expect((await get('/api/v1/cases?kind=bogus', manager)).status).toBe(400);
    const stats = await get('/api/v1/stats', manager);
    expect(stats.body.cases).toEqual({ open: 1, overdue: 0 });
    const spec = await get('/openapi.json');
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/v1/cases', '/api/v1/cases/{id}/close']));
  });

  it('refuses bad bodies, unknown ids and closing before the 回访 — and changes nothing', async () => {
    const cb = `/api/v1/cases/${rectId}/callback`;
    await refused(() => post(cb, { note: '已回访' }, manager), 400, 'invalid_request'); // satisfied missing
    await refused(() => post(cb, { note: '', satisfied: true }, manager), 400, 'invalid_request');
    await refused(() => post(cb, { note: '   ', satisfied: true }, manager), 400, 'note_required');
    await refused(() => post(cb, { note: '已回访', satisfied: true, extra: 1 }, manager), 400, 'invalid_request');
    await refused(() => post(cb, undefined, manager), 400);
    await refused(() => post('/api/v1/cases/Z-999999/callback', { note: '已回访', satisfied: true }, manager), 404, 'case_unknown');
    await refused(() => post('/api/v1/cases/Z-999999/close', { measures: 'x' }, manager), 404, 'case_unknown');
    const close = `/api/v1/cases/${rectId}/close`;
    await refused(() => post(close, { resolution: '已处理' }, manager), 400, 'measures_required');
    await refused(() => post(close, { measures: ' ' }, manager), 400, 'measures_required');
    await refused(() => post(close, { measures: '已整改' }, manager), 409, 'callback_required');
    await refused(() => post(`/api/v1/cases/${rectId}/assign`, { to: 'A1002' }, manager), 404, 'case_unknown');
  });

  it('回访 then close; a second close is 409', async () => {
    const seq = await lastSeq();
    const cb = await post(`/api/v1/cases/${rectId}/callback`, { note: '已致歉，群众表示理解', satisfied: true, by: '张所长' }, manager);
    expect(cb.status).toBe(200);
    expect(cb.body.case.callback).toMatchObject({ by: '张所长', note: '已致歉，群众表示理解', satisfied: true });

    const closed = await post(`/api/v1/cases/${rectId}/close`, { measures: '组织窗口服务规范培训' }, manager);
    expect(closed.status).toBe(200);
    // No name given: recorded as the signed-in role.
    expect(closed.body.case).toMatchObject({ state: 'closed', closingText: '组织窗口服务规范培训', closedBy: 'manager' });
    const events = (await get(`/api/v1/events?after=${seq}`, manager)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['case.callback', 'case.closed']);

    await refused(() => post(`/api/v1/cases/${rectId}/close`, { measures: '再次' }, manager), 409, 'case_closed');
    await refused(() => post(`/api/v1/cases/${rectId}/callback`, { note: '再次', satisfied: null }, manager), 409, 'case_closed');
    expect(await cases()).toEqual([]);
    expect((await cases('?state=closed')).map((c) => c.id)).toEqual([rectId]);
  });

  it('an unresolved report is assigned and closed with a resolution', async () => {
    const rep = await post('/api/v1/reports/unresolved', { description: '跨省迁移无法当场办理', contact: '138 1234 0000' });
    expect(rep.status).toBe(201);
    const id = rep.body.report.id;
    expect(await cases('?kind=unresolved')).toEqual([expect.objectContaining({ id, kind: 'unresolved', contactMasked: '138****0000' })]);
    expect(JSON.stringify(await cases('?kind=unresolved'))).not.toContain('1234');
    await refused(() => post(`/api/v1/cases/${id}/close`, { measures: '已整改' }, manager), 400, 'resolution_required');
    const assigned = await post(`/api/v1/cases/${id}/assign`, { to: 'A1002' }, manager);
    expect(assigned.status).toBe(200);
    expect(assigned.body.case.assignedTo).toBe('A1002');
    const closed = await post(`/api/v1/cases/${id}/close`, { resolution: '已与迁出地协调，次日办结', by: '张所长' }, manager);
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({
      state: 'closed',
      closedBy: '张所长',
      history: [{ action: 'opened' }, { action: 'assigned' }, { action: 'closed' }],
    });
    expect((await get('/api/v1/stats', manager)).body).toMatchObject({ cases: { open: 0, overdue: 0 }, openUnresolved: [] });
  });
});
