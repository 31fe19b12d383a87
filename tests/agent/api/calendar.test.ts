// A real agent with the demo calendar in force (alwaysOpen off) and an injected clock: the kiosk is
// refused on a Sunday and a public holiday, open on the 调休 Saturday; guide staff may still issue.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, api, startTestAgent, type TestAgent } from '../../helpers/agent.js';

const clock = {
  t: Date.parse('2026-11-29T10:00:00+08:00'),
  now() {
    return this.t;
  },
}; // a Sunday
let agent: TestAgent;

beforeAll(async () => {
  const text = readFileSync(DEMO_CONFIG, 'utf8').replace('alwaysOpen: true', 'alwaysOpen: false');
  agent = await startTestAgent({ configText: text, clock });
});
afterAll(async () => {
  await agent?.stop();
});

describe('kiosk closed and open by the hall calendar', () => {
  it('Sunday: closed with the next opening; the kiosk is refused, a guide may issue', async () => {
    const status = await api(agent.baseUrl, 'GET', '/api/v1/calendar/status');
    expect(status.body).toMatchObject({ open: false, kind: 'weekend', nextOpening: Date.parse('2026-11-30T08:30:00+08:00') });
    const refused = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'hall_closed']);
    expect(refused.body.error.message).toMatch(/11月30日 08:30/);
    const guide = (await api(agent.baseUrl, 'POST', '/api/v1/auth/guide', { pin: '8888' })).body.token;
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' }, guide)).status).toBe(201);
  });

  it('National Day closed; the make-up Saturday after it open', async () => {
    clock.t = Date.parse('2026-10-02T10:00:00+08:00');
    const holiday = await api(agent.baseUrl, 'GET', '/api/v1/calendar/status');
    expect(holiday.body).toMatchObject({ open: false, kind: 'holiday', holidayName: '国庆节' });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' })).status).toBe(409);
    clock.t = Date.parse('2026-10-10T10:00:00+08:00');
    expect((await api(agent.baseUrl, 'GET', '/api/v1/calendar/status')).body).toMatchObject({ open: true, kind: 'makeUpWorkday' });
    expect((await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' })).status).toBe(201);
  });
});
