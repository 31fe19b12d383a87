import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, DEMO_CONFIG, staffToken, startTestAgent, type TestAgent } from '../../helpers/agent.js';

let agent: TestAgent;
let manager: string;
beforeAll(async () => {
  // Counter 6 (综合咨询, 居住证) calls automatically; the rest stay manual.
  const configText = readFileSync(DEMO_CONFIG, 'utf8').replace(
    'services: [consultation, residence-permit], backupCounter: "5", location: { zh: 右侧, en: right } }',
    'services: [consultation, residence-permit], backupCounter: "5", location: { zh: 右侧, en: right }, autoCall: true }',
  );
  agent = await startTestAgent({ configText });
  manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
});
afterAll(async () => {
  await agent?.stop();
});

async function currentAt(counter: string, want: string | null, ms = 2000): Promise<string | null> {
  const end = Date.now() + ms;
  for (;;) {
    const got = (await api(agent.baseUrl, 'GET', `/api/v1/counters/${counter}`)).body.current?.number ?? null;
    if (got === want || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('auto-call (自动叫号)', () => {
  it('calls the next ticket when the counter opens, after 办结, and when a ticket arrives while idle', async () => {
    const a = (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).body.ticket.number;
    const b = (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).body.ticket.number;
    const token = await staffToken(agent.baseUrl, '6', 'A1006');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/open', undefined, token);
    expect(await currentAt('6', a)).toBe(a);
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/finish', undefined, token);
    expect(await currentAt('6', b)).toBe(b);
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/finish', undefined, token);
    expect(await currentAt('6', null)).toBe(null);
    const c = (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'residence-permit' })).body.ticket.number;
    expect(await currentAt('6', c)).toBe(c);
  });

  it('does not call while paused, and leaves manual counters alone', async () => {
    const token = await staffToken(agent.baseUrl, '6', 'A1006');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/finish', undefined, token);
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/pause', { reason: '午休' }, token);
    const d = (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'consultation' })).body.ticket.number;
    await new Promise((r) => setTimeout(r, 200));
    expect(await currentAt('6', null, 0)).toBe(null);
    await api(agent.baseUrl, 'POST', '/api/v1/counters/6/resume', undefined, token);
    expect(await currentAt('6', d)).toBe(d);

    const t1 = await staffToken(agent.baseUrl, '1', 'A1001');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', undefined, t1);
    await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await currentAt('1', null, 0)).toBe(null);
  });
});

describe('handling report (办件效率)', () => {
  it('gives served count and average handling per staff member, filtered by service and counter', async () => {
    const t1 = await staffToken(agent.baseUrl, '1', 'A1001');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', undefined, t1);
    for (const service of ['id-card', 'id-card', 'temp-id-card']) {
      await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service });
    }
    for (let i = 0; i < 4; i++) {
      const called = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/call-next', undefined, t1);
      if (called.status === 204) break;
      await api(agent.baseUrl, 'POST', '/api/v1/counters/1/start', undefined, t1);
      await api(agent.baseUrl, 'POST', '/api/v1/counters/1/finish', undefined, t1);
    }
    const byStaff = await api(agent.baseUrl, 'GET', '/api/v1/reports/handling', undefined, manager);
    expect(byStaff.status).toBe(200);
    const wang = byStaff.body.rows.find((r: { key: string }) => r.key === 'A1001');
    expect(wang).toMatchObject({ name: '王芳' });
    expect(wang.served).toBe(4); // with the id-card ticket issued in the auto-call test
    expect(wang.avgHandlingMs).toBeGreaterThanOrEqual(0);
    expect(byStaff.body.rows.find((r: { key: string }) => r.key === 'A1006').served).toBe(3); // a, b, c; d is still at the counter

    const temp = await api(agent.baseUrl, 'GET', '/api/v1/reports/handling?service=temp-id-card&groupBy=counter', undefined, manager);
    expect(temp.body.rows).toEqual([expect.objectContaining({ key: '1', served: 1 })]);
    const bySvc = await api(agent.baseUrl, 'GET', '/api/v1/reports/handling?counter=6&groupBy=service', undefined, manager);
    expect(bySvc.body.rows.map((r: { key: string }) => r.key).sort()).toEqual(['consultation', 'residence-permit']);
  });

  it('needs the manager and refuses bad filters', async () => {
    expect((await api(agent.baseUrl, 'GET', '/api/v1/reports/handling')).status).toBe(401);
    expect((await api(agent.baseUrl, 'GET', '/api/v1/reports/handling?from=yesterday', undefined, manager)).status).toBe(400);
    expect((await api(agent.baseUrl, 'GET', '/api/v1/reports/handling?from=2026-12-01&to=2026-11-01', undefined, manager)).status).toBe(
      400,
    );
    expect((await api(agent.baseUrl, 'GET', '/api/v1/reports/handling?groupBy=weather', undefined, manager)).status).toBe(400);
  });
});
