import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocatPair } from '../../drivers/sim/socat.js';
import { AgentProc, api, DEMO, freePort, KeypadLine, LedDisplay, Printer, sleep, tmp, until } from './support.js';

/**
 * A primary and two satellite PCs as separate processes on loopback. Satellite 1 carries counter 1's
 * caller keypad (address 1) and rating pad (address 11) on one RS-485 line; satellite 2 carries
 * counter 1's LED display and the kiosk's ticket printer. Every device is a real serialport on a
 * socat pty, driven from here.
 */
const dir = tmp('hallq-sat-');
const line1 = new SocatPair();
const ledPair = new SocatPair();
const printerPair = new SocatPair();
const keypads = new KeypadLine();
const led = new LedDisplay();
const printer = new Printer();
let primary: AgentProc;
let sat1: AgentProc;
let sat2: AgentProc;
let staff = '';
let manager = '';

const TOKEN1 = 'sat-1-token-0123456789abcdef';
const TOKEN2 = 'sat-2-token-0123456789abcdef';

function primaryYaml(port: number): string {
  return `extends: ${DEMO}
server: { host: 127.0.0.1, port: ${port} }
devices: []
# the test issues dozens of tickets in a second from one kiosk
kiosk: { idleSeconds: 30, printDeadlineSeconds: 20, ticketsPerMinute: 600 }
# the demo's screens, without the demo's ID reader (this primary drives no device of its own)
terminals:
  - { id: kiosk-1, kind: kiosk }
  - { id: display-1, kind: display }
  - { id: pad-1, kind: pad, counter: "1" }
  - { id: counter-1, kind: counter, counter: "1" }
satellites:
  - id: sat-1
    token: ${TOKEN1}
    devices:
      - { id: keypad-1, kind: keypad, counter: "1" }
      - { id: pad-1, kind: ratingPad, counter: "1" }
  - id: sat-2
    token: ${TOKEN2}
    devices:
      - { id: led-1, kind: counterDisplay, counter: "1" }
      - { id: printer-k, kind: ticketPrinter, options: { paperWidth: 80 } }
`;
}

function satelliteYaml(id: string, token: string, url: string, devices: string, batchSize = 100): string {
  return `role: satellite
primary: { url: "${url}", satellite: ${id}, token: ${token}, batchSize: ${batchSize} }
server: { host: 127.0.0.1, port: 0 }
devices:
${devices}`;
}

async function events(after: number): Promise<{ seq: number; type: string; counter?: string; data: Record<string, unknown> }[]> {
  const out = [];
  let from = after;
  for (;;) {
    const page = (await api(primary.url, 'GET', `/api/v1/events?after=${from}&limit=1000`, undefined, manager)).body.events;
    out.push(...page);
    if (page.length < 1000) return out;
    from = page.at(-1).seq;
  }
}

const count = (list: { type: string }[], type: string) => list.filter((e) => e.type === type).length;

async function lastSeq(): Promise<number> {
  return (await api(primary.url, 'GET', '/api/v1/queue', undefined, manager)).body.seq;
}

async function health(p: AgentProc): Promise<{ connected: boolean; buffered: number }> {
  try {
    return (await api(p.url, 'GET', '/healthz')).body;
  } catch {
    return { connected: false, buffered: -1 };
  }
}

async function login(): Promise<void> {
  manager = (await api(primary.url, 'POST', '/api/v1/auth/manager', { pin: '9999' })).body.token;
  staff = (await api(primary.url, 'POST', '/api/v1/auth/staff', { counter: '1', staffId: 'A1001', pin: '1234' })).body.token;
}

async function issue(n: number): Promise<string[]> {
  const numbers = [];
  for (let i = 0; i < n; i++) numbers.push((await api(primary.url, 'POST', '/api/v1/tickets', { service: 'id-card' })).body.ticket.number);
  return numbers;
}

beforeAll(async () => {
  await Promise.all([line1.start(), ledPair.start(), printerPair.start()]);
  await keypads.open(line1.b);
  await led.open(ledPair.b);
  await printer.open(printerPair.b);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  primary = new AgentProc('primary', AgentProc.write(dir, 'primary', primaryYaml(port)), join(dir, 'primary-data'), port);
  sat1 = new AgentProc(
    'sat-1',
    AgentProc.write(
      dir,
      'sat-1',
      // batches of one: a SIGKILL during delivery lands between two round trips, not after the last
      satelliteYaml(
        'sat-1',
        TOKEN1,
        url,
        `  - { id: keypad-1, kind: keypad, protocol: rs485-keypad, address: 1, transport: { type: serial, path: "${line1.a}", baudRate: 9600 } }
  - { id: pad-1, kind: ratingPad, protocol: rs485-keypad, address: 11, transport: { type: serial, path: "${line1.a}", baudRate: 9600 } }`,
        1,
      ),
    ),
    join(dir, 'sat-1-data'),
    0,
  );
  sat2 = new AgentProc(
    'sat-2',
    AgentProc.write(
      dir,
      'sat-2',
      satelliteYaml(
        'sat-2',
        TOKEN2,
        url,
        `  - { id: led-1, kind: counterDisplay, protocol: led-framed, address: 1, transport: { type: serial, path: "${ledPair.a}", baudRate: 9600 } }
  - { id: printer-k, kind: ticketPrinter, protocol: escpos, transport: { type: serial, path: "${printerPair.a}", baudRate: 115200 } }`,
      ),
    ),
    join(dir, 'sat-2-data'),
    0,
  );
  await Promise.all([primary.start(), sat1.start(), sat2.start()]);
  await login();
  expect(await until(async () => (await health(sat1)).connected && (await health(sat2)).connected, 30_000)).toBe(true);
  // the printer's first status poll answered: the kiosk sees a printer that can print
  expect(
    await until(
      async () =>
        (await api(primary.url, 'GET', '/api/v1/devices', undefined, manager)).body.devices.find(
          (d: { id: string }) => d.id === 'printer-k',
        )?.status === 'online',
      30_000,
    ),
  ).toBe(true);
}, 240_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), sat1?.stop(), sat2?.stop()]);
  await Promise.all([keypads.port, led.port, printer.port].map((p) => (p?.isOpen ? new Promise((r) => p.close(r)) : undefined)));
  await Promise.all([line1.dispose(), ledPair.dispose(), printerPair.dispose()]);
});

describe('a primary and two satellite PCs', () => {
  it("prints the kiosk's ticket on satellite 2; a key press on satellite 1 calls it and satellite 2's LED shows it; the rating reaches the primary", async () => {
    const res = await api(primary.url, 'POST', '/api/v1/tickets', { service: 'id-card' });
    expect(res.status).toBe(201);
    expect(res.body.print.status).toBe('queued');
    const number: string = res.body.ticket.number;
    const bytes = [...Buffer.from(number, 'ascii')];
    expect(await until(() => printer.has(bytes) && printer.has([0x1d, 0x56]), 20_000), `printer on satellite 2 prints ${number}`).toBe(
      true,
    );
    expect(printer.has([0x1b, 0x40]), 'ESC @ init').toBe(true);

    expect((await api(primary.url, 'POST', '/api/v1/counters/1/open', undefined, staff)).status).toBeLessThan(300);
    const before = await lastSeq();
    await keypads.press(1, 'call');
    expect(
      await until(
        async () => (await api(primary.url, 'GET', '/api/v1/counters/1', undefined, staff)).body.current?.number === number,
        20_000,
      ),
      'counter 1 called the ticket',
    ).toBe(true);
    expect(await until(() => led.showed(number), 20_000), `satellite 2's LED shows ${number}`).toBe(true);

    await keypads.press(1, 'finish');
    await keypads.rate(11, 4);
    expect(await until(async () => count(await events(before), 'rating.recorded') === 1, 20_000), 'rating recorded on the primary').toBe(
      true,
    );
    const rating = (await events(before)).find((e) => e.type === 'rating.recorded')!;
    expect(rating.data.level).toBe(4);
    expect(rating.counter).toBe('1');
  }, 120_000);

  it('primary SIGKILLed: presses and ratings wait on satellite 1, act exactly once after the restart; satellites are back within 2 s', async () => {
    await issue(3);
    const before = await lastSeq();
    await primary.crash();
    for (let i = 0; i < 3; i++) {
      await keypads.press(1, 'call');
      await keypads.press(1, 'finish');
      await keypads.rate(11, 5 - i);
    }
    expect((await health(sat1)).buffered).toBe(9);
    await primary.start();
    const back = primary.readyAt;
    const ok = await until(async () => (await health(sat1)).connected && (await health(sat2)).connected, 10_000, 20);
    const reconnectMs = Date.now() - back;
    expect(ok).toBe(true);
    expect(reconnectMs, `both satellites registered ${reconnectMs} ms after the primary listened`).toBeLessThanOrEqual(2000);
    await login();
    expect(await until(async () => (await health(sat1)).buffered === 0, 20_000)).toBe(true);
    await sleep(500); // a doubled delivery would show up now
    const after = await events(before);
    expect(count(after, 'ticket.called')).toBe(3);
    expect(count(after, 'ticket.finished')).toBe(3);
    expect(after.filter((e) => e.type === 'rating.recorded').map((e) => e.data.level)).toEqual([5, 4, 3]);
  }, 180_000);

  it('satellite 1 SIGKILLed mid-delivery and restarted: nothing lost, nothing doubled', async () => {
    const N = 20;
    await issue(N);
    const before = await lastSeq();
    await primary.crash();
    for (let i = 0; i < N; i++) {
      await keypads.press(1, 'call');
      await keypads.press(1, 'finish');
      await keypads.rate(11, (i % 5) + 1);
    }
    expect((await health(sat1)).buffered).toBe(3 * N);
    await primary.start();
    await login();
    // kill the satellite as soon as the primary has acted on part of the buffer
    let seen = 0;
    await until(
      async () => {
        seen = (await events(before)).length;
        return seen > 0;
      },
      20_000,
      5,
    );
    await sat1.crash();
    const atKill = (await events(before)).length;
    // three queue events per cycle: fewer means the satellite died with part of its buffer undelivered
    expect(atKill, 'the satellite was killed mid-delivery').toBeLessThan(3 * N);
    await sat1.start();
    expect(await until(async () => (await health(sat1)).connected && (await health(sat1)).buffered === 0, 30_000)).toBe(true);
    await sleep(500);
    const after = await events(before);
    expect(count(after, 'ticket.called'), `killed after ${atKill} of ${3 * N} queue events`).toBe(N);
    expect(count(after, 'ticket.finished')).toBe(N);
    expect(after.filter((e) => e.type === 'rating.recorded').map((e) => e.data.level)).toEqual(
      Array.from({ length: N }, (_, i) => (i % 5) + 1),
    );
  }, 240_000);

  it('a satellite process with a wrong token is refused and says why; the primary is untouched', async () => {
    const rogue = new AgentProc(
      'rogue',
      AgentProc.write(
        dir,
        'rogue',
        satelliteYaml(
          'sat-2',
          'not-the-right-token-0123456789',
          primary.url,
          '  - { id: led-9, kind: counterDisplay, protocol: led-framed, transport: { type: sim } }',
        ),
      ),
      join(dir, 'rogue-data'),
      0,
    );
    await rogue.start();
    try {
      expect(
        await until(() => /primary refused this satellite/.test(rogue.out) && /satellite id or token not accepted/.test(rogue.out), 20_000),
        rogue.out,
      ).toBe(true);
      expect((await health(rogue)).connected).toBe(false);
      expect((await health(sat2)).connected, 'the real sat-2 keeps its connection').toBe(true);
    } finally {
      await rogue.stop();
    }
  }, 120_000);

  it('the primary recorded every buffered sequence of satellite 1 once, in order, with both clocks', async () => {
    await primary.stop();
    const db = new BetterSqlite3(join(dir, 'primary-data', 'hall.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT seq, type, outcome, at, received_at FROM satellite_events WHERE satellite = 'sat-1' ORDER BY seq")
        .all() as {
        seq: number;
        type: string;
        outcome: string;
        at: number;
        received_at: number;
      }[];
      // 2 keys + 1 rating, then 9, then 60
      expect(rows).toHaveLength(3 + 9 + 60);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.every((r) => r.outcome === 'delivered')).toBe(true);
      // buffered events keep the satellite's time of the press, earlier than the primary's receipt
      expect(rows.slice(3, 12).every((r) => r.at < r.received_at)).toBe(true);
    } finally {
      db.close();
    }
  }, 60_000);
});
