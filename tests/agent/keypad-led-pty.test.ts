import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocatPair } from '../../drivers/sim/socat.js';
import { api, DEMO_CONFIG, managerToken, staffToken, startTestAgent, type TestAgent } from '../helpers/agent.js';

/**
 * Counter 3's caller keypad and LED display on real ptys. The far ends are read here with decoders
 * written from docs/protocols/*.md alone (no agent code), as a hall technician with a serial sniffer
 * would: keypad frames `FF 68 L L 68 addr func data CS 16`, LED frames `AA 55 addr cmd lenLo lenHi … CS 0D`.
 * The keypad is polled (func 0x20, data = ack): it answers idle (0x30) or with its oldest event
 * (0x31 key / 0x32 rating, data = seq, code), and echoes display frames (0x81).
 */
const KEYPAD_3 = '{ id: keypad-3, kind: keypad, protocol: rs485-keypad, counter: "3", address: 3, transport: { type: sim } }';
const LED_3 = '{ id: led-3, kind: counterDisplay, protocol: led-framed, counter: "3", address: 3, transport: { type: sim } }';

let keypadPair: SocatPair;
let ledPair: SocatPair;
let keypad: SerialPort;
let led: SerialPort;
let agent: TestAgent;
/** the keypad's queue: [seq, kind, code or level]; an entry leaves when a poll acks its seq */
const pending: [number, 'key' | 'rating', number][] = [];
let acked = 0;
const keypadRx: number[] = [];
const ledRx: number[] = [];

function keypadFrame(addr: number, func: number, data: number[]): Buffer {
  const body = [addr, func, ...data];
  const cs = body.reduce((s, b) => s + b, 0) & 0xff;
  return Buffer.from([0xff, 0x68, body.length, body.length, 0x68, ...body, cs, 0x16]);
}

/** Complete keypad frames in a byte stream (docs/protocols/rs485-keypad.md). */
function keypadFrames(bytes: number[]): { addr: number; func: number; data: number[]; raw: number[] }[] {
  const out = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] !== 0xff || bytes[i + 1] !== 0x68 || bytes[i + 2] !== bytes[i + 3] || bytes[i + 4] !== 0x68) continue;
    const len = bytes[i + 2]!;
    const end = i + 5 + len + 2;
    if (end > bytes.length || bytes[end - 1] !== 0x16) continue;
    const body = bytes.slice(i + 5, i + 5 + len);
    if ((body.reduce((s, b) => s + b, 0) & 0xff) !== bytes[end - 2]) continue;
    out.push({ addr: body[0]!, func: body[1]!, data: body.slice(2), raw: bytes.slice(i, end) });
  }
  return out;
}

/** Text lines of complete LED "show" frames (docs/protocols/led-framed.md). */
function ledShows(bytes: number[]): { addr: number; lines: string[] }[] {
  const out = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] !== 0xaa || bytes[i + 1] !== 0x55) continue;
    const len = bytes[i + 4]! | (bytes[i + 5]! << 8);
    const end = i + 6 + len + 2;
    if (end > bytes.length || bytes[end - 1] !== 0x0d) continue;
    const cs = bytes.slice(i + 2, i + 6 + len).reduce((s, b) => s + b, 0) & 0xff;
    if (cs !== bytes[end - 2] || bytes[i + 3] !== 0x10) continue;
    const payload = bytes.slice(i + 6, i + 6 + len);
    const lines: string[] = [];
    let o = 1;
    for (let n = 0; n < payload[0]!; n++) {
      const size = payload[o]!;
      lines.push(iconv.decode(Buffer.from(payload.slice(o + 1, o + 1 + size)), 'gb18030'));
      o += 1 + size;
    }
    out.push({ addr: bytes[i + 2]!, lines });
  }
  return out;
}

async function open(path: string, rx: number[], onData?: (chunk: Buffer) => void): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600 });
  await new Promise<void>((ok, fail) => port.once('open', ok).once('error', fail));
  port.on('data', (chunk: Buffer) => {
    rx.push(...chunk);
    onData?.(chunk);
  });
  return port;
}

async function until(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
}

beforeAll(async () => {
  keypadPair = new SocatPair();
  ledPair = new SocatPair();
  await keypadPair.start();
  await ledPair.start();
  // The keypad answers polls from its queue and echoes display frames; the display acks with cmd|0x80.
  keypad = await open(keypadPair.b, keypadRx, (chunk) => {
    for (const f of keypadFrames([...chunk])) {
      if (f.addr !== 3) continue;
      if (f.func === 0x81) keypad.write(Buffer.from(f.raw));
      if (f.func === 0x20) {
        if (pending[0] && pending[0][0] === f.data[0]) {
          pending.shift();
          acked++;
        }
        const head = pending[0];
        keypad.write(head ? keypadFrame(3, head[1] === 'key' ? 0x31 : 0x32, [head[0], head[2]]) : keypadFrame(3, 0x30, []));
      }
    }
  });
  led = await open(ledPair.b, ledRx, (chunk) => {
    const bytes = [...chunk];
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] === 0xaa && bytes[i + 1] === 0x55 && bytes[i + 3] !== undefined && bytes[i + 3]! < 0x80) {
        const addr = bytes[i + 2]!;
        const cmd = bytes[i + 3]! | 0x80;
        const cs = (addr + cmd + 1 + 0 + 0) & 0xff;
        led.write(Buffer.from([0xaa, 0x55, addr, cmd, 0x01, 0x00, 0x00, cs, 0x0d]));
      }
    }
  });
  const configText = readFileSync(DEMO_CONFIG, 'utf8')
    .replace(KEYPAD_3, KEYPAD_3.replace('{ type: sim }', `{ type: serial, path: "${keypadPair.a}", baudRate: 9600 }`))
    .replace(LED_3, LED_3.replace('{ type: sim }', `{ type: serial, path: "${ledPair.a}", baudRate: 9600 }`));
  agent = await startTestAgent({ configText });
});

afterAll(async () => {
  await agent?.stop();
  for (const p of [keypad, led]) if (p?.isOpen) await new Promise((r) => p.close(r));
  await keypadPair?.dispose();
  await ledPair?.dispose();
});

describe('counter 3 keypad and LED display on real serial ports', () => {
  it('a call key press is acked, calls the next ticket, and both displays show its number', async () => {
    const token = await staffToken(agent.baseUrl, '3', 'A1003');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/3/open', undefined, token);
    const ticket = (await api(agent.baseUrl, 'POST', '/api/v1/tickets', { service: 'hukou-move' })).body.ticket;
    keypadRx.length = 0;
    ledRx.length = 0;

    // address 3 answers the next poll with "call", seq 1: FF 68 04 04 68 03 31 01 01 36 16
    expect([...keypadFrame(3, 0x31, [1, 0x01])]).toEqual([0xff, 0x68, 0x04, 0x04, 0x68, 0x03, 0x31, 0x01, 0x01, 0x36, 0x16]);
    pending.push([1, 'key', 0x01]);
    expect(await until(() => acked === 1), 'the next poll acks seq 1').toBe(true);
    expect(keypadFrames(keypadRx).some((f) => f.func === 0x20 && f.data[0] === 1)).toBe(true);
    let current: string | undefined;
    for (let i = 0; i < 100 && current !== ticket.number; i++) {
      current = (await api(agent.baseUrl, 'GET', '/api/v1/counters/3')).body.current?.number;
      if (current !== ticket.number) await new Promise((r) => setTimeout(r, 20));
    }
    expect(current).toBe(ticket.number);

    // An earlier text (the idle "----") may still be re-sent until acked: look for the frame with the number.
    const keypadDisplay = () =>
      keypadFrames(keypadRx).find((f) => f.addr === 3 && f.func === 0x81 && Buffer.from(f.data).toString('ascii').includes(ticket.number));
    expect(await until(() => keypadDisplay() !== undefined), `keypad display frame with ${ticket.number}`).toBe(true);

    const shown = () => ledShows(ledRx).find((s) => s.addr === 3 && s.lines.join(' ').includes(ticket.number));
    expect(await until(() => shown() !== undefined), 'LED shows the number').toBe(true);
    expect(shown()!.lines.join(' ')).toMatch(/3号窗口|窗口/);
  });

  it('garbage on the keypad line changes nothing; a rating key after 办结 records a rating', async () => {
    const before = (await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq;
    keypad.write(Buffer.from([0x00, 0xff, 0x68, 0x09, 0x02, 0x68, 0x16, 0xaa, 0x55, 0x13, 0x37]));
    keypad.write(keypadFrame(3, 0x31, [2, 0x01]).map((b, i) => (i === 9 ? b ^ 0xff : b))); // bad checksum
    await new Promise((r) => setTimeout(r, 300));
    expect((await api(agent.baseUrl, 'GET', '/api/v1/queue')).body.seq).toBe(before);

    const token = await staffToken(agent.baseUrl, '3', 'A1003');
    await api(agent.baseUrl, 'POST', '/api/v1/counters/3/finish', undefined, token);
    pending.push([2, 'rating', 4]); // rates 4 = 满意 (keypad as the counter's rating key)
    let events: { type: string; data: { level?: number } }[] = [];
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'rating.recorded'); i++) {
      events = (await api(agent.baseUrl, 'GET', `/api/v1/events?after=${before}`, undefined, await managerToken(agent.baseUrl))).body
        .events;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.find((e) => e.type === 'rating.recorded')?.data.level).toBe(4);
  });
});
