import { createHash, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../drivers/protocols/idcard.js';
import { api, managerToken, startTestAgent, type TestAgent, terminalToken } from '../helpers/agent.js';
import { DEMO, until } from './support.js';

/**
 * The primary's /device namespace with hand-made satellite clients: who gets in, what a satellite may
 * act for, redelivery, clock skew, and what the kiosk and the board see when a satellite is away.
 */
const TOKEN_A = 'kiosk-pc-token-0123456789';
const TOKEN_B = 'counter-pc-token-0123456789';
const CONFIG = `extends: ${DEMO}
devices: []
# the kiosk PC's reader belongs to the demo kiosk terminal (card reads go to it only)
terminals:
  - { id: kiosk-1, kind: kiosk, readers: [idr-k] }
  - { id: pad-2, kind: pad, counter: "2" }
satellites:
  - id: kiosk-pc
    token: ${TOKEN_A}
    devices:
      - { id: printer-k, kind: ticketPrinter }
      - { id: idr-k, kind: idReader }
  - id: counter-pc
    # sha256("${TOKEN_B}"): the primary's file need not hold the token
    tokenSha256: ${createHash('sha256').update(TOKEN_B).digest('hex')}
    maxClockSkewSeconds: 5
    devices:
      - { id: keypad-2, kind: keypad, counter: "2" }
      - { id: pad-2, kind: ratingPad, counter: "2" }
  - id: old-pc
    token: old-pc-token-0123456789
    revoked: true
    devices:
      - { id: keypad-3, kind: keypad, counter: "3" }
`;

let agent: TestAgent;
const sockets: Socket[] = [];

function connect(path: string, auth: Record<string, unknown>): Socket {
  const s = io(agent.baseUrl + path, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
}

async function refusal(path: string, auth: Record<string, unknown>): Promise<string> {
  const s = connect(path, auth);
  return new Promise((ok, fail) => {
    s.on('connect', () => fail(new Error('connected')));
    s.on('connect_error', (err: Error & { data?: { reason?: string; code?: string } }) =>
      ok(err.data?.reason ?? err.data?.code ?? err.message),
    );
  });
}

async function satellite(
  id: string,
  token: string,
  devices: { id: string; kind: string; status?: string; protocol?: string }[],
  clock = Date.now(),
) {
  const s = connect('/device', { satellite: id, token });
  await new Promise<void>((ok, fail) => {
    s.on('connect', () => ok());
    s.on('connect_error', fail);
  });
  const stream = randomUUID();
  const hello = await s.emitWithAck('hello', {
    version: '9.9.9',
    clock,
    stream,
    devices: devices.map((d) => ({ protocol: 'rs485-keypad', transport: 'serial /dev/ttyS0', since: Date.now(), status: 'online', ...d })),
  });
  return { s, stream, hello };
}

async function events(after: number) {
  return (await api(agent.baseUrl, 'GET', `/api/v1/events?after=${after}`, undefined, await managerToken(agent.baseUrl))).body.events as {
    type: string;
    counter?: string;
  }[];
}

beforeAll(async () => {
  agent = await startTestAgent({ configText: CONFIG });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await agent?.stop();
});

describe('/device namespace', () => {
  it('refuses a wrong token, an unknown or revoked satellite, and a staff or manager token', async () => {
    // one answer for all of them: a stranger learns no satellite ids
    const answer = 'satellite id or token not accepted';
    expect(await refusal('/device', { satellite: 'kiosk-pc', token: 'not-the-token-0123456' })).toBe(answer);
    expect(await refusal('/device', { satellite: 'counter-pc', token: TOKEN_A })).toBe(answer);
    expect(await refusal('/device', { satellite: 'stranger', token: TOKEN_A })).toBe(answer);
    expect(await refusal('/device', { satellite: 'old-pc', token: 'old-pc-token-0123456789' })).toBe(answer);
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    expect(await refusal('/device', { token: manager })).toMatch(/required/);
  });

  it('a second connection with a live satellite’s token is refused and the board alerted; the live one stays', async () => {
    const { s } = await satellite('kiosk-pc', TOKEN_A, []);
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    expect(await refusal('/device', { satellite: 'kiosk-pc', token: TOKEN_A })).toMatch(/already connected/);
    expect(s.connected).toBe(true);
    const alerts = (await api(agent.baseUrl, 'GET', '/api/v1/security/alerts', undefined, manager)).body.alerts as {
      kind: string;
      account?: string;
    }[];
    expect(alerts.some((a) => a.kind === 'satellite' && a.account === 'kiosk-pc')).toBe(true);
    const gone = new Promise<void>((ok) => s.once('disconnect', () => ok()));
    s.close();
    await gone;
    // once it is gone the satellite connects again
    expect(await until(async () => !agent.hall.ctx.satellites?.live('kiosk-pc'), 5000)).toBe(true);
    const again = await satellite('kiosk-pc', TOKEN_A, []);
    again.s.close();
  });

  it('acts once per sequence, in order; a redelivered batch changes nothing', async () => {
    const staff = (await api(agent.baseUrl, 'POST', '/api/v1/auth/staff', { counter: '2', staffId: 'A1002', pin: '1234' })).body.token;
    await api(agent.baseUrl, 'POST', '/api/v1/counters/2/open', undefined, staff);
    for (let i = 0; i < 3; i++) await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    const { s, stream, hello } = await satellite('counter-pc', TOKEN_B, [
      { id: 'keypad-2', kind: 'keypad' },
      { id: 'pad-2', kind: 'ratingPad' },
    ]);
    expect(hello).toMatchObject({ ok: true, lastSeq: 0, refused: [] });
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    const at = Date.now() - 60_000;
    const items = [
      { seq: 1, at, event: { type: 'key', deviceId: 'keypad-2', key: 'call' } },
      { seq: 2, at, event: { type: 'key', deviceId: 'keypad-2', key: 'finish' } },
      { seq: 3, at, event: { type: 'rating', deviceId: 'pad-2', level: 5 } },
      { seq: 4, at, event: { type: 'key', deviceId: 'keypad-2', key: 'call' } },
    ];
    expect(await s.emitWithAck('events', { stream, items })).toEqual({ ok: true, upTo: 4 });
    // the ack was lost: the satellite sends the same and more again
    expect(
      await s.emitWithAck('events', {
        stream,
        items: [...items, { seq: 5, at, event: { type: 'key', deviceId: 'keypad-2', key: 'finish' } }],
      }),
    ).toEqual({
      ok: true,
      upTo: 5,
    });
    const list = await events(before);
    expect(list.filter((e) => e.type === 'ticket.called')).toHaveLength(2);
    expect(list.filter((e) => e.type === 'ticket.finished')).toHaveLength(2);
    expect(list.filter((e) => e.type === 'rating.recorded')).toHaveLength(1);

    // a reconnect learns the primary's high-water mark for its stream
    s.close();
    const again = connect('/device', { satellite: 'counter-pc', token: TOKEN_B });
    await new Promise<void>((ok) => again.on('connect', () => ok()));
    expect(await again.emitWithAck('hello', { version: '9.9.9', clock: Date.now(), stream, devices: [] })).toMatchObject({
      ok: true,
      lastSeq: 5,
    });
    again.close();
  });

  it("refuses and logs events for another satellite's device; they act on nothing", async () => {
    const { s, stream, hello } = await satellite('counter-pc', TOKEN_B, [
      { id: 'keypad-2', kind: 'keypad' },
      { id: 'printer-k', kind: 'ticketPrinter' },
    ]);
    expect(hello.refused).toEqual(['printer-k']);
    const staff = (await api(agent.baseUrl, 'POST', '/api/v1/auth/staff', { counter: '3', staffId: 'A1003', pin: '1234' })).body.token;
    await api(agent.baseUrl, 'POST', '/api/v1/counters/3/open', undefined, staff);
    await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'hukou-move' });
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    // keypad-3 belongs to old-pc (revoked), printer-k to kiosk-pc: neither is counter-pc's
    const ack = await s.emitWithAck('events', {
      stream,
      items: [
        { seq: 1, at: Date.now(), event: { type: 'key', deviceId: 'keypad-3', key: 'call' } },
        { seq: 2, at: Date.now(), event: { type: 'key', deviceId: 'nonsense', key: 'explode' } },
      ],
    });
    expect(ack).toEqual({ ok: true, upTo: 2 }); // done with: refused, never to be sent again
    s.emit('live', { at: Date.now(), event: { type: 'status', deviceId: 'printer-k', status: 'paperOut' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(await events(before)).toEqual([]);
    const printer = (await api(agent.baseUrl, 'GET', '/api/v1/devices')).body.devices.find((d: { id: string }) => d.id === 'printer-k');
    expect(printer.status).toBe('offline'); // kiosk-pc never connected; counter-pc's claim changed nothing
    expect(
      (await s.emitWithAck('events', { stream: randomUUID(), items: [] })).reason,
      'a batch for another stream than the registered one',
    ).toMatch(/stream/);
    s.close();
  });

  it('a ticket whose printer PC is away fails at once: the kiosk is told, with the reason', async () => {
    const kiosk = connect('/kiosk', {});
    const failures: { ok: boolean; reason?: string; ticketId?: string }[] = [];
    kiosk.on('print', (p) => failures.push(p));
    await new Promise<void>((ok) => kiosk.on('connect', () => ok()));
    const res = await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect(res.status).toBe(201);
    expect(res.body.print.status).toBe('printerOffline'); // the kiosk shows the number and QR on screen
    expect(await until(() => failures.some((f) => f.ticketId === res.body.ticket.id), 5000)).toBe(true);
    expect(failures.find((f) => f.ticketId === res.body.ticket.id)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/kiosk-pc is away/),
    });
  });

  it('an ID card read on the kiosk PC reaches the kiosk page as a one-time token and a masked number', async () => {
    // the paired kiosk that owns the reader; an anonymous /kiosk socket gets no card read (tests/security)
    const kiosk = connect('/kiosk', { terminal: await terminalToken(agent.baseUrl, 'kiosk-1') });
    const reads: { token: string; masked: string }[] = [];
    kiosk.on('idcard', (m) => reads.push(m));
    await new Promise<void>((ok) => kiosk.on('connect', () => ok()));
    const { s } = await satellite('kiosk-pc', TOKEN_A, [{ id: 'idr-k', kind: 'idReader', protocol: 'idcard-serial' }]);
    const first17 = '34010419900101123';
    s.emit('live', { at: Date.now(), event: { type: 'idcard', deviceId: 'idr-k', idNumber: first17 + idCheckChar(first17) } });
    expect(await until(() => reads.length === 1, 5000)).toBe(true);
    expect(reads[0]!.masked).not.toContain('19900101');
    expect(JSON.stringify(reads[0])).not.toContain(first17);
    s.close();
  });

  it('the board (manager only) shows each satellite: online, version, devices, and a clock-skew warning', async () => {
    expect(await refusal('/board', {})).toBe('not_signed_in');
    const manager = (await api(agent.baseUrl, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
    const board = connect('/board', { token: manager });
    let views: {
      id: string;
      online: boolean;
      refused: number;
      version: string | null;
      skewWarning: boolean;
      devices: { id: string; status: string }[];
    }[] = [];
    board.on('satellites', (v) => (views = v));
    const { s } = await satellite('counter-pc', TOKEN_B, [{ id: 'keypad-2', kind: 'keypad' }], Date.now() + 60_000);
    const counterPc = () => views.find((v) => v.id === 'counter-pc');
    expect(await until(() => counterPc()?.online === true, 5000)).toBe(true);
    expect(counterPc()).toMatchObject({ version: '9.9.9', skewWarning: true });
    expect(counterPc()!.refused, 'the refused events of the test before').toBe(3);
    expect(counterPc()!.devices.find((d) => d.id === 'keypad-2')!.status).toBe('online');
    expect(counterPc()!.devices.find((d) => d.id === 'pad-2')!.status).toBe('offline'); // assigned but not reported
    expect(views.find((v) => v.id === 'kiosk-pc')).toMatchObject({ online: false });
    s.emit('clock', { at: Date.now() });
    expect(await until(() => counterPc()?.skewWarning === false, 5000)).toBe(true);
    s.close();
    expect(await until(() => counterPc()?.online === false, 5000)).toBe(true);
  });

  it('a satellite that falls silent (power cut: no close) is away within seconds, and its commands fail at once', async () => {
    const { s } = await satellite('kiosk-pc', TOKEN_A, [{ id: 'printer-k', kind: 'ticketPrinter', protocol: 'escpos' }]);
    const printer = async () =>
      (await api(agent.baseUrl, 'GET', '/api/v1/devices')).body.devices.find((d: { id: string }) => d.id === 'printer-k');
    expect((await printer()).status).toBe('online');
    const closed = new Promise<string>((ok) => s.on('disconnect', (reason) => ok(reason)));
    // the client stays connected but sends nothing more: no clock, as a PC whose power went
    expect(await until(async () => (await printer()).status === 'offline', 25_000, 200)).toBe(true);
    expect((await printer()).detail).toBe('satellite kiosk-pc away');
    expect(await closed).toBe('io server disconnect');
  }, 40_000);
});
