// The bus scheduler over an in-process wire: one request in flight, user-visible requests before
// polls, round-robin between devices, silence between frames, and a late reply never taken for the
// next request's answer.
import { afterEach, describe, expect, it } from 'vitest';
import { Bus, type BusRequest } from '../../../drivers/bus/bus.js';
import { Link } from '../../../drivers/link.js';
import { VirtualDevice } from '../../../drivers/sim/base.js';
import { SimTransport } from '../../../drivers/transports/sim.js';

/** answers each 2-byte frame [owner, n] with [owner, n | 0x80] after `delayMs` (or not at all for owner 9) */
class Echo extends VirtualDevice {
  readonly seen: { bytes: number[]; at: number }[] = [];
  inFlightMax = 0;
  private open = 0;
  constructor(private readonly delayMs: number) {
    super('echo');
  }
  protected receive(bytes: Uint8Array): void {
    this.seen.push({ bytes: [...bytes], at: performance.now() });
    this.open++;
    this.inFlightMax = Math.max(this.inFlightMax, this.open);
    const [owner = 0, n = 0] = bytes;
    setTimeout(
      () => {
        this.open--;
        if (owner !== 9) this.send(Uint8Array.of(owner, n | 0x80));
      },
      owner === 8 ? 120 : this.delayMs,
    ); // owner 8 answers late
  }
  state() {
    return {};
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(delayMs = 2) {
  const dev = new Echo(delayMs);
  const link = new Link(new SimTransport(dev));
  const bus = new Bus(link, { charMs: 1, gapChars: 3.5, timeoutMs: 50 });
  link.start();
  cleanups.push(async () => {
    bus.stop();
    await link.stop();
  });
  while (!link.up) await new Promise((r) => setTimeout(r, 1));
  const req = (owner: number, n: number, priority: 'user' | 'background' = 'background'): BusRequest<number[]> => ({
    owner: `d${owner}`,
    priority,
    frame: Uint8Array.of(owner, n),
    reply: () => (chunk) => (chunk[0] === owner && chunk[1] === (n | 0x80) ? [...chunk] : undefined),
  });
  return { dev, bus, req };
}

describe('bus', () => {
  it('one request at a time; a user-visible command jumps the polls; devices take turns', async () => {
    const { dev, bus, req } = await setup();
    const all = [
      bus.request(req(1, 1)),
      bus.request(req(1, 2)),
      bus.request(req(1, 3)),
      bus.request(req(2, 1)),
      bus.request(req(2, 2)),
      bus.request(req(3, 1, 'user')),
    ];
    const results = await Promise.all(all);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(dev.seen.map((s) => s.bytes.join(':'))).toEqual(['1:1', '3:1', '2:1', '1:2', '2:2', '1:3']);
    expect(dev.inFlightMax).toBe(1);
    // ≥ 3.5 characters (3.5 ms here) between a reply and the next frame, give or take the timer's 1 ms
    for (let i = 1; i < dev.seen.length; i++) expect(dev.seen[i]!.at - dev.seen[i - 1]!.at).toBeGreaterThanOrEqual(2 + 3.5 - 1);
  });

  it('no answer: a timeout, then the next request; a late answer from another device is not taken for it', async () => {
    const { dev, bus, req } = await setup(90);
    // nothing at all came while they waited: not garbled, just silent
    expect(await bus.request(req(9, 1))).toEqual({ ok: false, reason: 'timeout', garbled: false });
    expect(await bus.request(req(8, 1))).toEqual({ ok: false, reason: 'timeout', garbled: false }); // answers after 120 ms
    // device 7 answers after 90 ms: device 8's late answer (at 120 ms) arrives while 7's request is in flight
    const r = await bus.request({ ...req(7, 1), timeoutMs: 200 });
    expect(r).toMatchObject({ ok: true, reply: [7, 0x81] });
    expect(dev.seen.map((s) => s.bytes.join(':'))).toEqual(['9:1', '8:1', '7:1']);
    expect(bus.stats.timeouts).toBe(2);
  });

  it('a request while the link is down fails at once; stop fails what is queued', async () => {
    const { bus, req } = await setup(30);
    const first = bus.request(req(1, 1));
    const queued = bus.request(req(2, 1));
    bus.stop();
    expect(await first).toEqual({ ok: false, reason: 'stopped' });
    expect(await queued).toEqual({ ok: false, reason: 'stopped' });
    expect(await bus.request(req(3, 1))).toEqual({ ok: false, reason: 'stopped' });
  });
});
