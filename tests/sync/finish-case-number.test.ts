import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestAgent, type TestAgent } from '../helpers/agent.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => agent?.stop());

describe('办件编号 at finish', () => {
  it('keeps a valid case number on the ticket and refuses a bad one with 400, changing nothing', async () => {
    const token = (await api(agent.baseUrl, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '1234' })).body.token;
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', undefined, token);
    await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/call-next', undefined, token);
    for (const caseNumber of ['has space', 'x'.repeat(41), 12345]) {
      const r = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/finish', { caseNumber }, token);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('case_number_invalid');
    }
    const ok = await api(agent.baseUrl, 'POST', '/api/v1/counters/1/finish', { caseNumber: 'BJ-2026-0001' }, token);
    expect(ok.status).toBe(200);
    expect(ok.body.ticket.state).toBe('done');
    const t = agent.hall.ctx.engine.getTicket(ok.body.ticket.id);
    expect(t?.caseNumber).toBe('BJ-2026-0001');
  });
});
