import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../drivers/protocols/idcard.js';
import { api, staffToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { demoYaml } from './helpers.js';

// Finding: without signing in, /display, /kiosk, /pad and GET /api/v1/events received the board's stream
// (staff numbers, ratings, cases, pause reasons, appointment codes, masked IDs); resync from 0 replayed it all.

const ID = (s: string) => s + idCheckChar(s);
const IDS = [ID('34010419800101123'), ID('11010519491231002')];
const APPOINTMENT = 'YY-20261128-7731';
const PAUSE = '午休临时离开';
const PHONE = '13912345678';
const PETITION = '反映迁户口多次往返';

let agent: TestAgent;
let returnCode = '';
const captured: { ns: string; event: string; data: unknown }[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  agent = await startTestAgent({
    configText: demoYaml((t) => t.replace('printDeadlineSeconds: 20 }', 'printDeadlineSeconds: 20, ticketsPerMinute: 600 }')),
  });
  for (const ns of ['/display', '/kiosk', '/pad']) {
    const s = io(`${agent.baseUrl}${ns}`, { transports: ['websocket'], query: { counter: '1' } });
    s.onAny((event, data) => captured.push({ ns, event, data }));
    await new Promise((r) => s.once('snapshot', r));
    sockets.push(s);
  }
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await agent?.stop();
});

const post = (path: string, body?: unknown, token?: string) => api(agent.baseUrl, 'POST', path, body, token);

async function hallDay(): Promise<void> {
  const manager = (await post('/api/v1/auth/manager', { pin: '9999' })).body.token;
  const guide = (await post('/api/v1/auth/guide', { pin: '8888' })).body.token;
  const slot = Date.now() - 60_000;
  expect(
    (
      await post(
        '/api/v1/appointments/import',
        [{ code: APPOINTMENT, service: 'id-card', slotStart: slot, slotEnd: slot + 3600_000 }],
        manager,
      )
    ).status,
  ).toBe(200);
  const staff: Record<string, string> = {};
  for (const c of ['1', '2', '3', '5']) {
    staff[c] = await staffToken(agent.baseUrl, c, `A100${c}`);
    await post(`/api/v1/counters/${c}/open`, {}, staff[c]);
  }
  await post('/api/v1/tickets', { service: 'id-card', idNumber: IDS[0] });
  await post('/api/v1/tickets', { service: 'temp-id-card', idNumber: IDS[1] });
  await post('/api/v1/tickets', { service: 'hukou-move', channel: 'senior' });
  await post('/api/v1/tickets', { service: 'residence-permit', channel: 'green' }, guide);
  expect((await post('/api/v1/appointments/check-in', { code: APPOINTMENT })).status).toBe(201);
  for (let i = 0; i < 6; i++) await post('/api/v1/tickets', { service: ['id-card', 'hukou-move', 'residence-permit'][i % 3] });
  await post('/api/v1/reports/unresolved', { description: `跨省迁移办不成，身份证${IDS[0]}`, contact: '138****0000' });
  const pads = { '1': await terminalToken(agent.baseUrl, 'pad-1'), '2': await terminalToken(agent.baseUrl, 'pad-2') };
  let level = 5;
  for (let round = 0; round < 3; round++) {
    for (const c of ['1', '2', '3', '5']) {
      const called = await post(`/api/v1/counters/${c}/call-next`, {}, staff[c]);
      if (called.status !== 200) continue;
      await post(`/api/v1/counters/${c}/start`, {}, staff[c]);
      await post(`/api/v1/counters/${c}/finish`, {}, staff[c]);
      const pad = pads[c as '1' | '2'];
      if (pad) {
        level = level === 1 ? 5 : level - 1;
        const l = level;
        await api(
          agent.baseUrl,
          'POST',
          `/api/v1/counters/${c}/rating`,
          { level: l, ...(l <= 2 ? { reasons: ['attitude'] } : {}) },
          undefined,
          {
            terminal: `pad-${c}`,
          },
        );
      }
    }
  }
  // the campaign work of the day: a notice slip and the citizen back with it, 容缺, a 信访 case, notices
  const slip = await post('/api/v1/counters/1/notice', { service: 'id-card', missingMaterialIds: ['hukou-book'] }, staff['1']);
  expect(slip.status).toBe(201);
  returnCode = String(slip.body.notice.returnCode);
  const back = await post('/api/v1/tickets/return', { code: returnCode });
  expect(back.status).toBe(201);
  const served = await post('/api/v1/counters/1/call-next', {}, staff['1']);
  expect(served.body.ticket.id, 'the returning citizen goes ahead of the queue').toBe(back.body.ticket.id);
  await post('/api/v1/counters/1/start', {}, staff['1']);
  const accepted = await post(
    '/api/v1/counters/1/accept-with-missing',
    { ticketId: back.body.ticket.id, missingMaterialIds: ['old-id-card'], followUpDate: '2099-01-04' },
    staff['1'],
  );
  expect(accepted.status).toBe(204);
  await post('/api/v1/counters/1/finish', {}, staff['1']);
  const followUps = (await api(agent.baseUrl, 'GET', '/api/v1/follow-ups', undefined, manager)).body.followUps as { id: string }[];
  expect(followUps.length).toBeGreaterThan(0);
  for (const f of followUps) await post(`/api/v1/follow-ups/${encodeURIComponent(f.id)}/complete`, {}, staff['1']);
  const petition = await post(
    '/api/v1/campaign-cases',
    { kind: 'petition', title: PETITION, source: '12345', assignedTo: 'A1002', contactPhone: PHONE, consent: true },
    manager,
  );
  expect(petition.status).toBe(201);
  const caseId = encodeURIComponent(petition.body.case.id);
  expect((await post(`/api/v1/campaign-cases/${caseId}/discuss`, { text: `${PETITION}：已约谈` }, staff['2'])).status).toBe(200);
  expect((await post(`/api/v1/campaign-cases/${caseId}/callback`, { note: '电话回访', satisfied: true }, staff['2'])).status).toBe(200);
  expect((await post(`/api/v1/campaign-cases/${caseId}/close`, { result: '已解决' }, staff['2'])).status).toBe(200);
  expect(
    (await api(agent.baseUrl, 'PUT', '/api/v1/hall/notices', { notices: [{ zh: '周六照常办公', en: 'Open on Saturday' }] }, manager))
      .status,
  ).toBe(200);
  await post('/api/v1/counters/3/pause', { reason: PAUSE }, staff['3']);
  const cases = (await api(agent.baseUrl, 'GET', '/api/v1/cases', undefined, manager)).body.cases as { id: string; kind: string }[];
  const rect = cases.find((c) => c.kind === 'rectification');
  expect(rect, 'a 整改 opened by a level-1/2 rating').toBeTruthy();
  if (rect) await post(`/api/v1/cases/${rect.id}/callback`, { note: '已回访', satisfied: true }, manager);
  await post('/api/v1/counters/3/resume', {}, staff['3']);
}

/** everything a citizen must not learn */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const id of IDS) {
    if (text.includes(id)) found.push(`ID ${id}`);
    if (text.includes(id.slice(-4)) && text.includes('*')) found.push(`ID fragment ${id.slice(-4)}`);
    if (text.includes(id.slice(0, 6))) found.push(`ID prefix ${id.slice(0, 6)}`);
  }
  if (/A100\d/.test(text)) found.push('staff number');
  if (/staffId|owner"/.test(text)) found.push('staffId field');
  if (/rating\.|"level"|reasons/.test(text)) found.push('rating');
  if (/case\.|rectification|caseId|callback/.test(text)) found.push('case');
  if (text.includes(APPOINTMENT) || /appointmentCode|appointments\.imported/.test(text)) found.push('appointment code');
  if (text.includes(PAUSE) || /pauseReason/.test(text)) found.push('pause reason');
  if (/idMasked|idHash|\*{4}/.test(text)) found.push('ID data');
  if (/report\.unresolved|跨省迁移办不成|138\*/.test(text)) found.push('citizen report');
  // the last four digits alone (a masked 139****5678), not four digits inside a longer number or an id: a
  // 13-digit timestamp holds "5678" now and then (seen once in CI: a false leak)
  const lastFour = new RegExp(`(?<![0-9a-f])${PHONE.slice(-4)}(?![0-9a-f])`, 'i');
  if (text.includes(PHONE) || lastFour.test(text) || /contact/i.test(text)) found.push('contact phone');
  if (text.includes(PETITION) || /campaign\.|petition|assignedTo/.test(text)) found.push('campaign case');
  if ((returnCode && text.includes(returnCode)) || /returnCode|notice\.recorded/.test(text)) found.push('return code');
  if (/acceptedWithMissing|followUp/.test(text)) found.push('容缺 follow-up');
  return found;
}

describe('public namespaces and routes after a full hall day', () => {
  it('an anonymous socket on /display, /kiosk and /pad received no staff, rating, case, appointment or ID data', async () => {
    await hallDay();
    await new Promise((r) => setTimeout(r, 300));
    const queueEvents = captured.filter((c) => c.event === 'queue');
    expect(queueEvents.length).toBeGreaterThan(30); // they did see the day happen
    for (const ns of ['/display', '/kiosk', '/pad']) {
      expect(
        captured.some((c) => c.ns === ns && c.event === 'queue'),
        ns,
      ).toBe(true);
    }
    expect(leaks(JSON.stringify(captured))).toEqual([]);
  });

  it('resync from 0 replays only the public view, and is rate-limited per connection', async () => {
    const s = io(`${agent.baseUrl}/display`, { transports: ['websocket'] });
    try {
      await new Promise((r) => s.once('snapshot', r));
      const got: unknown[] = [];
      let refused = 0;
      s.on('queue', (m) => got.push(m));
      s.on('snapshot', (m) => got.push(m));
      s.on('refused', () => refused++);
      for (let i = 0; i < 40; i++) s.emit('resync', { after: 0 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(got.length).toBeGreaterThan(0);
      expect(refused).toBeGreaterThanOrEqual(25);
      expect(leaks(JSON.stringify(got))).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('anonymous HTTP: the queue, a counter and the ticket page are public views; events, tickets and stats need a role', async () => {
    const anon = (path: string) => api(agent.baseUrl, 'GET', path);
    const public_ = [await anon('/api/v1/queue'), ...(await Promise.all(['1', '2', '3', '5'].map((c) => anon(`/api/v1/counters/${c}`))))];
    for (const r of public_) expect(r.status).toBe(200);
    expect(leaks(JSON.stringify(public_.map((r) => r.body)))).toEqual([]);
    expect((await anon('/api/v1/events?after=0')).status).toBe(401);
    expect((await anon('/api/v1/stats')).status).toBe(401);
    expect((await anon('/api/v1/cases')).status).toBe(401);
    const withId = ID('34010419800101456');
    const issued = await post('/api/v1/tickets', { service: 'id-card', idNumber: withId });
    expect((await anon(`/api/v1/tickets/${issued.body.ticket.id}`)).status).toBe(401);
    // the QR page: the id carries a 128-bit tag (≥ 96 bits to guess), no personal data; date+number opens nothing
    const publicId = String(issued.body.statusUrl).split('/t/')[1] ?? '';
    const tag = publicId.split('.')[1] ?? '';
    expect(Buffer.from(tag, 'base64url').length * 8).toBeGreaterThanOrEqual(96);
    const forged = `${publicId.split('.')[0]}.${Buffer.alloc(16).toString('base64url')}`;
    expect((await fetch(`${agent.baseUrl}/t/${forged}`)).status).toBe(404);
    const page = await fetch(issued.body.statusUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(issued.body.ticket.number);
    expect(html).not.toMatch(/\*{4}|A100\d/);
    expect(html).not.toContain(withId.slice(-4));
    expect(html).not.toContain(withId.slice(0, 6));
    expect((await fetch(`${agent.baseUrl}/t/${encodeURIComponent(issued.body.ticket.id)}`)).status).toBe(404);
  });

  it('the board still sees everything', async () => {
    const manager = (await post('/api/v1/auth/manager', { pin: '9999' })).body.token;
    const events = await api(agent.baseUrl, 'GET', '/api/v1/events?after=0&limit=1000', undefined, manager);
    const types = new Set(events.body.events.map((e: { type: string }) => e.type));
    for (const t of [
      'rating.recorded',
      'counter.paused',
      'appointments.imported',
      'report.unresolved',
      'case.callback',
      'campaign.opened',
      'campaign.closed',
      'notice.recorded',
      'ticket.acceptedWithMissing',
      'acceptedWithMissing.completed',
    ])
      expect(types).toContain(t);
  });
});
