import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATING_MARGIN_S } from '../../agent/rating-sweep.js';
import { api, staffToken, startTestAgent, type TestAgent } from '../helpers/agent.js';

// Findings of the round-3 LAN attack that an anonymous client (or a stolen pad token) could use: ratings
// after the fact, pairing locked for every screen, connection slots used up, DNS rebinding, NUL and
// lone surrogates that park the sync, bidi overrides.

let agent: TestAgent;
let now = Date.now();
const TIMEOUT_S = 30; // the demo hall's rating.timeoutSeconds
beforeAll(async () => {
  agent = await startTestAgent({ clock: { now: () => now } });
});
afterAll(async () => {
  await agent?.stop();
});

async function serveOne(counter: string, token: string): Promise<string> {
  await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'temp-id-card' });
  const called = await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/call-next`, {}, token);
  expect(called.status, JSON.stringify(called.body)).toBe(200);
  await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/start`, {}, token);
  expect((await api(agent.baseUrl, 'POST', `/api/v1/counters/${counter}/finish`, {}, token)).status).toBeLessThan(300);
  return called.body.ticket.id;
}

describe('a rating belongs to one service', () => {
  const rate = (ticketId: string | undefined, level = 1) =>
    api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating', { level, reasons: ['attitude'], ...(ticketId ? { ticketId } : {}) });

  it('the pad rates only the last finished ticket, within its timeout, once; 未评价 is final', async () => {
    const token = await staffToken(agent.baseUrl, '1', 'A1001');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/1/open', {}, token);
    const earlier = await serveOne('1', token);
    const last = await serveOne('1', token);
    // an earlier service at the same counter: refused, even though nobody rated it
    const old = await rate(earlier);
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe('not_last_service');
    // past the pad's timeout and the sweep's margin: closed
    now += (TIMEOUT_S + RATING_MARGIN_S) * 1000 + 1000;
    const late = await rate(last);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('rating_closed');
    // the pad timed out on the next one: 未评价, and a rating afterwards changes nothing
    const third = await serveOne('1', token);
    expect((await api(agent.baseUrl, 'POST', '/api/v1/counters/1/rating/timeout', {})).status).toBe(204);
    const after = await rate(third);
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('already_rated');
    // ten ratings of one service sent at once: one is recorded
    const fourth = await serveOne('1', token);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => rate(i % 2 ? fourth : undefined, (i % 5) + 1)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(9);
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const cases = (await api(agent.baseUrl, 'GET', '/api/v1/cases', undefined, manager)).body.cases as { ticketId: string }[];
    // no 整改 case for a service the pad was not allowed to rate
    for (const t of [earlier, last, third]) expect(cases.some((c) => c.ticketId === t)).toBe(false);
  });
});
