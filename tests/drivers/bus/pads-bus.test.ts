// 8 caller keypads and 8 rating pads on one RS-485 bus (a socat pty). The simulator on the far end
// models the half-duplex line: a pad's answer takes its wire time, and a host frame that arrives
// while a pad is still transmitting garbles both. 1,000 random presses and ratings must arrive
// exactly once each, in order per pad, with no collision.
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../drivers/config.js';
import type { DeviceEvent } from '../../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../../drivers/host/local.js';
import { encodePoll } from '../../../drivers/protocols/rs485-keypad.js';
import { VirtualKeypadBus } from '../../../drivers/sim/keypad.js';
import { type PtyAttachment, attachToPty } from '../../../drivers/sim/pty.js';
import { SocatPair } from '../../../drivers/sim/socat.js';

const BAUD = 38400; // 8N1: 10 bits a character
const charMs = 10_000 / BAUD;
const pair = new SocatPair();
const sim = new VirtualKeypadBus('bus', { charMs, turnaroundMs: 1 });
let att: PtyAttachment;
let host: LocalDeviceHost;
const got: DeviceEvent[] = [];

const serial = { type: 'serial' as const, path: pair.a, baudRate: BAUD as 38400 };
const devices: DeviceConfig[] = [
  ...Array.from({ length: 8 }, (_, i) => ({
    id: `kp${i + 1}`,
    kind: 'keypad' as const,
    protocol: 'rs485-keypad',
    transport: serial,
    counter: String(i + 1),
    address: i + 1,
  })),
  ...Array.from({ length: 8 }, (_, i) => ({
    id: `rp${i + 1}`,
    kind: 'ratingPad' as const,
    protocol: 'rs485-keypad',
    transport: serial,
    counter: String(i + 1),
    address: 11 + i,
  })),
];

// a seeded generator, so a failure can be replayed
let seed = Number(process.env.BUS_SEED ?? 20261128);
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

beforeAll(async () => {
  await pair.start();
  att = attachToPty(sim, pair.b, BAUD);
  // a generous reply timeout: the socat hop can lag on a loaded machine, and a poll sent after a timeout
  // while the (late) answer is still on its way is exactly the collision this test must not see
  host = new LocalDeviceHost(devices, { pad: { pollMs: 50, timeoutMs: 300 } });
  host.onEvent((e) => {
    if (e.type === 'key' || e.type === 'rating') got.push(e);
  });
  await host.start();
  const t0 = Date.now();
  while (!host.list().every((d) => d.status === 'online')) {
    if (Date.now() - t0 > 5000) throw new Error(`pads not online: ${JSON.stringify(host.list())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}, 15_000);

afterAll(async () => {
  await host?.stop();
  await att?.close();
  await pair.dispose();
});

describe('a polled RS-485 bus: 8 keypads + 8 rating pads', () => {
  it('1,000 random presses and ratings: none lost, none doubled, no collision', async () => {
    const keys = ['call', 'recall', 'skip', 'pause', 'resume', 'start', 'finish', 'confirm'] as const;
    const want = new Map<string, string[]>();
    const t0 = Date.now();
    for (let n = 0; n < 1000; n++) {
      const pad = Math.floor(rnd() * 16);
      const id = devices[pad]!.id;
      let label: string;
      if (pad < 8) {
        const key = keys[Math.floor(rnd() * keys.length)]!;
        sim.press(pad + 1, key);
        label = key;
      } else {
        const level = 1 + Math.floor(rnd() * 5);
        sim.rate(11 + (pad - 8), level);
        label = `rate:${level}`;
      }
      want.set(id, [...(want.get(id) ?? []), label]);
      // presses arrive while the host polls: bursts and pauses
      if (rnd() < 0.2) await new Promise((r) => setTimeout(r, Math.floor(rnd() * 15)));
    }
    while (got.length < 1000 && Date.now() - t0 < 45_000) await new Promise((r) => setTimeout(r, 50));
    // each pad is acked by its next poll: a cycle over 16 pads, longer on a loaded machine
    const acked = Date.now();
    while (sim.pendingAcks > 0 && Date.now() - acked < 5_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // anything doubled would show up now
    const have = new Map<string, string[]>();
    for (const e of got) {
      const label = e.type === 'key' ? e.key : e.type === 'rating' ? `rate:${e.level}` : '';
      have.set(e.deviceId, [...(have.get(e.deviceId) ?? []), label]);
    }
    for (const d of devices) expect(have.get(d.id) ?? [], d.id).toEqual(want.get(d.id) ?? []);
    expect(got.length).toBe(1000);
    expect(sim.collisions).toBe(0);
    expect(sim.pendingAcks).toBe(0);
    const bus = [...host.buses.values()][0]!;
    expect(bus.stats.strayBytes).toBe(0);
    console.log(`1000 events in ${Date.now() - t0} ms, ${bus.stats.requests} bus requests, ${bus.stats.timeouts} timeouts`);
  }, 60_000);

  it('scheduling: a rating pad awaited runs at full rate, resting pads on a heartbeat, a dead pad rarely and reported once', async () => {
    const polls = new Map<number, number>();
    sim.taps.push((bytes) => {
      // poll frames: FF 68 03 03 68 addr 20 …
      for (let i = 0; i + 6 < bytes.length; i++)
        if (bytes[i] === 0xff && bytes[i + 1] === 0x68 && bytes[i + 6] === 0x20)
          polls.set(bytes[i + 5]!, (polls.get(bytes[i + 5]!) ?? 0) + 1);
    });
    const offline: string[] = [];
    host.onEvent((e) => {
      if (e.type === 'status' && e.status === 'offline') offline.push(e.deviceId);
    });
    await host.execute('rp1', { type: 'awaitRating', awaiting: true });
    sim.absent.add(18); // rp8 unplugged from the bus
    await new Promise((r) => setTimeout(r, 3000));
    polls.clear();
    await new Promise((r) => setTimeout(r, 3000));
    const n = (addr: number) => polls.get(addr) ?? 0;
    // compared with each other, not with the clock (a loaded machine slows them all): the awaited pad is
    // polled like a keypad, more often than any resting pad; the dead one no more often than a resting one
    const resting = Math.max(...[12, 13, 14, 15, 16, 17].map(n));
    expect(resting).toBeGreaterThan(0);
    expect(n(11)).toBeGreaterThan(2 * resting);
    expect(n(1)).toBeGreaterThan(2 * resting);
    expect(n(18)).toBeLessThanOrEqual(resting);
    expect(offline).toEqual(['rp8']);
    // a rating taken ends the full-rate polling of that pad
    sim.rate(11, 5);
    await new Promise((r) => setTimeout(r, 500));
    polls.clear();
    await new Promise((r) => setTimeout(r, 3000));
    expect(n(11)).toBeLessThanOrEqual(Math.max(...[12, 13, 14, 15, 16, 17].map(n)) + 1);
    expect(n(1)).toBeGreaterThan(2 * n(11));
    sim.absent.delete(18);
  }, 20_000);

  it('the simulator does garble a frame sent while a pad is answering (the check above can fail)', async () => {
    await host.stop(); // the host's own bus never does this; a bare port takes its place
    const before = sim.collisions;
    const port = new SerialPort({ path: pair.a, baudRate: BAUD, autoOpen: false, lock: false });
    await new Promise<void>((ok, fail) => port.open((e) => (e ? fail(e) : ok())));
    // a second poll while pad 1 is still answering the first (its reply runs ~3.6–5.9 ms after the
    // first poll starts): what a host without a bus does when two commands come at once
    // (a few tries: on a loaded machine a 3 ms timer may fire late)
    for (let i = 0; i < 10 && sim.collisions === before; i++) {
      port.write(Buffer.from(encodePoll(1, 0)));
      await new Promise((r) => setTimeout(r, 3));
      port.write(Buffer.from(encodePoll(2, 0)));
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => port.close(r));
    expect(sim.collisions).toBeGreaterThan(before);
  });
});
