// The whole agent over a night off, as issue 18 walked it: Monday's agent is stopped with a queue, a
// signed-in counter and a called ticket; Tuesday's starts on the same data directory before opening.
// The counter's staff member signs in without a takeover, yesterday's ticket page says the ticket
// ended and when the hall opens, the live wait sent upward shows an empty, closed hall.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveWaitOf } from '../../../agent/sync/live-wait.js';
import { DEMO_CONFIG, api, startTestAgent, type TestAgent } from '../../helpers/agent.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hallq-days-'));
const clock = {
  t: Date.parse('2026-11-30T09:00:00+08:00'), // a Monday
  now() {
    return this.t;
  },
};
const configText = readFileSync(DEMO_CONFIG, 'utf8').replace('alwaysOpen: true', 'alwaysOpen: false');
let agent: TestAgent | undefined;
afterAll(async () => {
  await agent?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const signIn = (base: string, takeover?: boolean) =>
  api(base, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '1234', ...(takeover ? { takeover } : {}) });

describe('a night off between two days on the same data', () => {
  it('next morning: no 409 at sign-in, yesterday’s ticket page says it ended, the hall reports itself closed', async () => {
    agent = await startTestAgent({ configText, clock, dataDir });
    let base = agent.baseUrl;
    const monday = await signIn(base);
    expect(monday.status).toBe(200);
    const staff = monday.body.token as string;
    expect((await api(base, 'POST', '/api/v1/counters/1/open', undefined, staff)).status).toBe(200);
    const issued = [];
    for (let i = 0; i < 3; i++) issued.push((await api(base, 'POST', '/api/v1/tickets', { service: 'id-card' })).body);
    expect((await api(base, 'POST', '/api/v1/counters/1/call-next', undefined, staff)).body.ticket.number).toBe(issued[0].ticket.number);
    const waitingUrl = new URL(issued[1].statusUrl as string).pathname;
    expect((await api(base, 'GET', `/api/v1/tickets/${waitingUrl.slice(3)}/status`)).body).toMatchObject({ state: 'waiting', note: null });
    await agent.stop();

    clock.t = Date.parse('2026-12-01T08:20:00+08:00'); // Tuesday, before the 08:30 opening
    agent = await startTestAgent({ configText, clock, dataDir });
    base = agent.baseUrl;
    // what the hub's live-wait page gets: nobody waiting, no counter open
    const live = liveWaitOf(agent.hall.ctx.engine, agent.hall.ctx.config.services, agent.hall.ctx.config.counters, clock.t);
    expect(live.open).toBe(false); // the hub shows 已闭厅 until the day's first ticket
    expect(live.services.length).toBeGreaterThan(0);
    for (const s of live.services) expect(s).toMatchObject({ waiting: 0, openCounters: 0, estimateMinutes: null });
    const tuesday = await signIn(base);
    expect([tuesday.status, tuesday.body.error?.code]).toEqual([200, undefined]);
    // the counter is closed, not still open under Monday's session: opening it is not a 409
    const opened = await api(base, 'POST', '/api/v1/counters/1/open', undefined, tuesday.body.token);
    expect([opened.status, opened.body.error?.code]).toEqual([200, undefined]);

    const page = await fetch(`${base}${waitingUrl}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('当日未办理，已闭厅');
    expect(html).toContain('下次开放：12月1日 08:30');
    expect(html).not.toContain('等候中');

    const events = agent.hall.ctx.engine.eventsAfter(0, 1000);
    expect(events.filter((e) => e.type === 'hall.dayClosed').map((e) => e.data)).toMatchObject([
      { day: '2026-11-30', trigger: 'startup', ended: { waiting: 2, called: 1 }, countersClosed: ['1'], sessionsEnded: 1 },
    ]);
    // today's first number is called first (Monday's A002 and A003 were never callable again)
    const guide = (await api(base, 'POST', '/api/v1/auth/guide', { pin: '8888' })).body.token;
    for (let i = 0; i < 3; i++) await api(base, 'POST', '/api/v1/tickets', { service: 'id-card' }, guide);
    const waiting = (await api(base, 'GET', '/api/v1/queue', undefined, tuesday.body.token)).body;
    expect(waiting.services.find((s: { id: string }) => s.id === 'id-card').waiting).toBe(3);
    const called = await api(base, 'POST', '/api/v1/counters/1/call-next', undefined, tuesday.body.token);
    expect(called.body.ticket).toMatchObject({ number: 'A001', id: expect.stringMatching(/^2026-12-01-/) });
    expect(agent.hall.parts).toEqual([
      'dayCloser',
      'keypads',
      'autoCall',
      'ratingSweep',
      'voice',
      'satellites',
      'devices',
      'housekeeping',
      'forecast',
      'sync',
    ]);
  });
});
