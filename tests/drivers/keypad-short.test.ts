// The short keypad framing (docs/protocols/rs485-keypad-short.md) against a peer written here from that
// document, not from the project's encoder: two pads (keypad 3, rating pad 12) on the far end of a socat
// pty, opened with serialport like a USB adapter. The peer finds frames with a silence timer, as a pad's
// MCU does, checks every byte of them and answers with bytes it builds itself.
import { until } from '../helpers/until.js';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../../drivers/bytes.js';
import type { DeviceConfig } from '../../drivers/config.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../drivers/host/local.js';
import {
  encodeShortEvent,
  encodeShortIdle,
  encodeShortPoll,
  encodeShortText,
  encodeShortTextAck,
} from '../../drivers/protocols/rs485-keypad-short/writer.js';
import { SocatPair } from '../../drivers/sim/socat.js';

describe('rs485-keypad-short bytes: the examples of the document', () => {
  it('encodes every example exactly', () => {
    expect(hex(encodeShortPoll(3, 0))).toBe('a5 03 00 a8');
    expect(hex(encodeShortIdle(3))).toBe('fc');
    expect(hex(encodeShortEvent(3, 1, { type: 'key', key: 'call' }))).toBe('7e 03 03 01 01 86');
    expect(hex(encodeShortPoll(3, 1))).toBe('a5 03 01 a9');
    expect(hex(encodeShortEvent(12, 7, { type: 'rating', level: 5 }))).toBe('7e 03 0c 07 25 b9');
    expect(hex(encodeShortEvent(3, 2, { type: 'key', key: 'transfer', digits: '12' }))).toBe('7e 05 03 02 04 31 32 ef');
    const text = encodeShortText(1, 'A023');
    expect(hex(text)).toBe('a6 05 01 41 30 32 33 82');
    expect(hex(encodeShortTextAck(1, text))).toBe('fe 82');
  });
});

// ---- the peer: two pads on one line, from the document only ----
type Ev = { code: number; digits?: string };
const sum = (xs: number[]) => xs.reduce((s, x) => (s + x) & 0xff, 0);
const inv = (a: number) => a ^ 0xff;

class PeerPads {
  readonly queues = new Map<number, { seq: number; ev: Ev }[]>([
    [3, []],
    [12, []],
  ]);
  private readonly next = new Map<number, number>();
  readonly texts = new Map<number, string>();
  /** every poll seen: address and ack */
  readonly polls: { addr: number; ack: number }[] = [];
  /** invalid frames ignored (bad start, length or CS) */
  ignored = 0;
  /** the next answer of address → these bytes instead (noise) */
  readonly tear = new Map<number, number[]>();
  private buf: number[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.buf.push(...chunk);
      // end of frame = 1.5 characters of silence (a timer a little longer, as a Node timer can be)
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.frame(), 2);
    });
  }

  push(addr: number, ev: Ev): void {
    const seq = this.next.get(addr) ?? 1;
    this.next.set(addr, seq === 255 ? 1 : seq + 1);
    this.queues.get(addr)!.push({ seq, ev });
  }

  private frame(): void {
    const f = this.buf;
    this.buf = [];
    const out = this.answer(f);
    if (out) this.port.write(Buffer.from(out));
  }

  /** the answer to one frame from the line, or undefined (not ours, or invalid) */
  private answer(f: number[]): number[] | undefined {
    const ok = (len: number) => f.length === len && f[len - 1] === sum(f.slice(0, len - 1));
    if (f[0] === 0xa5 && ok(4)) {
      const [, addr, ack] = f as [number, number, number];
      const q = this.queues.get(addr);
      if (!q) return undefined; // not one of ours
      this.polls.push({ addr, ack });
      if (q[0] && q[0].seq === ack) q.shift();
      const torn = this.tear.get(addr);
      if (torn) {
        this.tear.delete(addr);
        return torn;
      }
      const head = q[0];
      if (!head) return [inv(addr)];
      const digits = [...(head.ev.digits ?? '')].map((c) => c.charCodeAt(0));
      const body = [addr, head.seq, head.ev.code, ...digits];
      const frame = [0x7e, body.length, ...body];
      return [...frame, sum(frame)];
    }
    if (f[0] === 0xa6 && f.length >= 4 && ok((f[1] ?? 0) + 3)) {
      const addr = f[2]!;
      if (!this.queues.has(addr)) return undefined;
      this.texts.set(addr, String.fromCharCode(...f.slice(3, f.length - 1)));
      return [inv(addr), f[f.length - 1]!];
    }
    this.ignored++;
    return undefined;
  }
}

const pair = new SocatPair();
let port: SerialPort;
let peer: PeerPads;
let host: LocalDeviceHost;
const got: DeviceEvent[] = [];
const serial = { type: 'serial' as const, path: pair.a, baudRate: 9600 as const };
const devices: DeviceConfig[] = [
  { id: 'kp3', kind: 'keypad', protocol: 'rs485-keypad-short', transport: serial, counter: '3', address: 3 },
  { id: 'rp12', kind: 'ratingPad', protocol: 'rs485-keypad-short', transport: serial, counter: '3', address: 12 },
];

beforeAll(async () => {
  await pair.start();
  port = new SerialPort({ path: pair.b, baudRate: 9600 });
  await new Promise<void>((res, rej) => port.on('open', res).on('error', rej));
  peer = new PeerPads(port);
  // a reply timeout that the socat hop meets on a loaded machine
  host = new LocalDeviceHost(devices, { pad: { pollMs: 30, timeoutMs: 200 } });
  host.onEvent((e) => {
    if (e.type === 'key' || e.type === 'rating') got.push(e);
  });
  await host.start();
  await until(() => host.list().every((d) => d.status === 'online'), 'both pads online');
}, 15_000);

afterAll(async () => {
  await host?.stop();
  await new Promise((r) => port?.close(() => r(undefined)));
  await pair.dispose();
});

describe('rs485-keypad-short host against a peer written from the document (socat pty)', () => {
  it('a press arrives once and the next poll acks it; digits, digit keys and ratings come through', async () => {
    peer.push(3, { code: 0x01 }); // call
    await until(() => got.length === 1 && peer.queues.get(3)!.length === 0, 'call taken and acked');
    expect(got[0]).toEqual({ type: 'key', deviceId: 'kp3', key: 'call' });
    expect(peer.polls.filter((p) => p.addr === 3).at(-1)?.ack).toBe(1);

    peer.push(3, { code: 0x04, digits: '12' }); // transfer to 12
    peer.push(3, { code: 0x17 }); // digit 7
    await host.execute('rp12', { type: 'awaitRating', awaiting: true });
    peer.push(12, { code: 0x25 }); // rating 5
    await until(() => got.length === 4 && peer.queues.get(3)!.length === 0 && peer.queues.get(12)!.length === 0, 'three more events');
    expect(got.filter((e) => e.deviceId === 'kp3').slice(1)).toEqual([
      { type: 'key', deviceId: 'kp3', key: 'transfer', digits: '12' },
      { type: 'key', deviceId: 'kp3', key: 'digit', digits: '7' },
    ]);
    expect(got.filter((e) => e.deviceId === 'rp12')).toEqual([{ type: 'rating', deviceId: 'rp12', level: 5 }]);
    // the host only ever sent frames the peer could read
    expect(peer.ignored).toBe(0);
  });

  it('a text for the keypad is shown and acknowledged', async () => {
    expect((await host.execute('kp3', { type: 'keypadText', text: 'A023' })).ok).toBe(true);
    await until(() => peer.texts.get(3) === 'A023', 'text on keypad 3');
  });

  it('a torn answer (noise, bad CS) is asked again and the event still arrives exactly once', async () => {
    const before = got.length;
    const polls = peer.polls.length;
    // an event frame for seq 9 whose CS is wrong: not an event, and not to be acked
    peer.tear.set(3, [0x7e, 0x03, 0x03, 0x09, 0x02, 0x00]);
    peer.push(3, { code: 0x03 }); // skip
    await until(() => got.length === before + 1 && peer.queues.get(3)!.length === 0, 'skip after a torn answer');
    expect(got.at(-1)).toEqual({ type: 'key', deviceId: 'kp3', key: 'skip' });
    expect(peer.polls.length).toBeGreaterThan(polls + 1);
    await new Promise((r) => setTimeout(r, 150)); // a doubled event would show up now
    expect(got.length).toBe(before + 1);
  });
});
