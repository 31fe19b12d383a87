// Issue 18, item 7, through the HTTP API of one agent with the demo calendar in force, on a duty
// Saturday (2026-12-05, ISO week 49: counters 1 and 5 on the 周末轮岗 rota).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, api, managerToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

const clock = {
  t: Date.parse('2026-12-05T10:00:00+08:00'),
  now() {
    return this.t;
  },
};
let agent: TestAgent;
let manager: string;
beforeAll(async () => {
  // one ticket a minute per kiosk (burst 5): the bucket stays empty for the length of the test, whatever the load
  const text = readFileSync(DEMO_CONFIG, 'utf8')
    .replace('alwaysOpen: true', 'alwaysOpen: false')
    .replace('printDeadlineSeconds: 20 }', 'printDeadlineSeconds: 20, ticketsPerMinute: 1 }');
  agent = await startTestAgent({ configText: text, clock });
  manager = await managerToken(agent.baseUrl);
});
afterAll(async () => {
  await agent?.stop();
});

const signIn = async (counter: string, staffId: string) =>
  (await api(agent.baseUrl, 'POST', '/api/v1/auth/staff', { counter, staffId, pin: '1234', takeover: true })).body.token as string;

describe('walk fixes', () => {
  it('a counter off the Saturday rota opens only with the manager’s PIN and a reason, and it is recorded', async () => {
    const base = agent.baseUrl;
    const staff = await signIn('2', 'A1002');
    const refused = await api(base, 'POST', '/api/v1/counters/2/open', undefined, staff);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'counter_not_on_duty']);
    expect(refused.body.error.message).toContain('须所长确认');
    const wrongPin = await api(base, 'POST', '/api/v1/counters/2/open', { managerPin: '0000', reason: '排队人多' }, staff);
    expect([wrongPin.status, wrongPin.body.error.code]).toEqual([403, 'manager_pin_wrong']);
    const noReason = await api(base, 'POST', '/api/v1/counters/2/open', { managerPin: '9999' }, staff);
    expect(noReason.status).toBe(400);
    const queue = () => api(base, 'GET', '/api/v1/queue', undefined, manager);
    expect((await queue()).body.counters.find((c: { id: string }) => c.id === '2').open).toBe(false);

    const ok = await api(base, 'POST', '/api/v1/counters/2/open', { managerPin: '9999', reason: '排队人多，临时加开' }, staff);
    expect(ok.status).toBe(200);
    const opened = agent.hall.ctx.engine.eventsAfter(0, 1000).filter((e) => e.type === 'counter.opened' && e.counter === '2');
    expect(opened.map((e) => e.data)).toEqual([{ staffId: 'A1002', offDuty: { confirmedBy: 'manager', reason: '排队人多，临时加开' } }]);
    const audit = (await api(base, 'GET', '/api/v1/audit?limit=20', undefined, manager)).body.entries;
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'manager', action: 'counter.openOffDuty', target: 'counter:2' }));
    // counter 1 is on the rota: no confirmation asked
    expect((await api(base, 'POST', '/api/v1/counters/1/open', undefined, await signIn('1', 'A1001'))).status).toBe(200);
  });

  it('disabling a staff member closes the counter they hold; the citizen called there goes back to the line', async () => {
    const base = agent.baseUrl;
    const staff = await signIn('2', 'A1002'); // counter 2 is open from the previous test
    const issued = (await api(base, 'POST', '/api/v1/tickets', { service: 'hukou-certificate' }, staff)).body.ticket;
    const called = await api(base, 'POST', '/api/v1/counters/2/call-next', undefined, staff);
    expect(called.body.ticket.number).toBe(issued.number);
    expect((await api(base, 'PATCH', '/api/v1/staff/A1002', { disabled: true }, manager)).status).toBe(200);
    const q = (await api(base, 'GET', '/api/v1/queue', undefined, manager)).body;
    expect(q.counters.find((c: { id: string }) => c.id === '2')).toMatchObject({ open: false });
    expect(q.counters.find((c: { id: string }) => c.id === '2').staffId).toBeUndefined();
    expect(agent.hall.ctx.engine.getTicket(issued.id)).toMatchObject({ state: 'waiting', number: issued.number });
  });

  it('the return ticket’s statusUrl opens its page (the signed public id, not the raw id)', async () => {
    const base = agent.baseUrl;
    const staff = await signIn('1', 'A1001');
    await api(base, 'POST', '/api/v1/tickets', { service: 'id-card' });
    await api(base, 'POST', '/api/v1/counters/1/call-next', undefined, staff);
    await api(base, 'POST', '/api/v1/counters/1/start', undefined, staff);
    const notice = await api(base, 'POST', '/api/v1/counters/1/notice', { missingMaterialIds: ['hukou-book'] }, staff);
    expect(notice.status, JSON.stringify(notice.body)).toBe(201);
    // the slip is dated by the hall's clock (Saturday 2026-12-05 here), as the notice and its return code are
    const code: string = notice.body.notice.returnCode;
    let printed = '';
    for (let i = 0; i < 50 && !printed.includes(code.slice(4)); i++) {
      const sim = await api(base, 'GET', '/api/v1/sim', undefined, manager);
      printed = JSON.stringify(sim.body.find((d: { id: string }) => d.id === 'printer-1')?.state.pages ?? []);
      if (!printed.includes(code.slice(4))) await new Promise((r) => setTimeout(r, 200));
    }
    expect(printed).toContain(`${code.slice(0, 4)}-${code.slice(4)}`);
    expect(printed).toContain('日期：2026-12-05');
    await api(base, 'POST', '/api/v1/counters/1/finish', undefined, staff);
    const back = await api(base, 'POST', '/api/v1/tickets/return', { code: notice.body.notice.returnCode });
    expect(back.status).toBe(201);
    const url = new URL(back.body.statusUrl as string);
    expect(url.pathname).not.toContain(back.body.ticket.id);
    const page = await fetch(`${base}${url.pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(back.body.ticket.number);
  });

  it('a school batch checks in even after the kiosk’s ticket bucket ran dry; a wrong code still costs a token', async () => {
    const base = agent.baseUrl;
    const imported = await api(
      base,
      'POST',
      '/api/v1/appointments/import',
      [{ code: 'SCHOOL-01', service: 'id-card', slotStart: '2026-12-05 09:30', slotEnd: '2026-12-05 11:30', batchSize: 40 }],
      manager,
    );
    expect(imported.body.imported).toBe(1);
    let status = 201;
    for (let i = 0; i < 100 && status === 201; i++) status = (await api(base, 'POST', '/api/v1/tickets', { service: 'id-card' })).status;
    expect(status).toBe(429);
    const batch = await api(base, 'POST', '/api/v1/appointments/check-in', { code: 'SCHOOL-01' });
    expect(batch.status).toBe(201);
    expect(batch.body.tickets).toHaveLength(40);
    const guess = await api(base, 'POST', '/api/v1/appointments/check-in', { code: 'SCHOOL-99' });
    expect([guess.status, guess.body.error.code]).toEqual([429, 'too_many_tickets']);
  });

  it('the waiting list gives each ticket its wait on the hall’s clock, as its issue time was taken', async () => {
    const base = agent.baseUrl;
    const staff = await signIn('1', 'A1001');
    // issued by the signed-in staff member, not the kiosk (whose ticket bucket the test above emptied)
    const res = await api(base, 'POST', '/api/v1/tickets', { service: 'id-card' }, staff, { terminal: null });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const issued = res.body.ticket;
    clock.t += 7 * 60_000;
    const list = await api(base, 'GET', '/api/v1/queue/waiting', undefined, staff);
    expect(list.status).toBe(200);
    const mine = list.body.tickets.find((t: { id: string }) => t.id === issued.id);
    expect(mine.waitingMs).toBe(7 * 60_000);
  });
});
