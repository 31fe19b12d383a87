// Key press → call shown on an LED, on ONE polled RS-485 bus at 9600 Bd: 8 caller keypads, 8 rating
// pads and the counter's LED display share the line. The far end of the pty models the wire for
// the pads (each reply takes turnaround + bytes × character time); the host keeps the inter-frame
// silence. A press waits for its pad's next poll, then the LED text goes out before further polls.
// Printed beside the poll cycle computed from the frame sizes, for both keypad framings:
// rs485-keypad (FF 68 …, docs/protocols/rs485-keypad.md) and rs485-keypad-short (docs/protocols/rs485-keypad-short.md).
import { HallBus } from '../agent/bus.js';
import { createDeviceManager } from '../agent/devices/manager.js';
import type { DeviceConfig } from '../drivers/config.js';
import { LocalDeviceHost } from '../drivers/host/local.js';
import { VirtualDevice } from '../drivers/sim/base.js';
import { VirtualDisplay } from '../drivers/sim/display.js';
import { shortPadFraming } from '../drivers/protocols/rs485-keypad-short/index.js';
import { VirtualKeypadBus } from '../drivers/sim/keypad.js';
import { attachToPty } from '../drivers/sim/pty.js';
import { SocatPair } from '../drivers/sim/socat.js';

const CHAR_MS = 10_000 / 9600; // 8N1
const GAP = 3.5 * CHAR_MS;

export type Framing = 'full' | 'short';

/**
 * Frame sizes from the docs: FF 68 poll 10 bytes + idle reply 9; short poll 4 + idle 1. An offline pad's
 * probe waits 20 ms + 12.5 characters for its answer (drivers/devices/keypad.ts, deadTimeoutMs).
 */
const FRAMES = {
  full: { protocol: 'rs485-keypad', poll: 10, idle: 9 },
  short: { protocol: 'rs485-keypad-short', poll: 4, idle: 1 },
} as const;

const DEAD_TIMEOUT_MS = 20 + 12.5 * CHAR_MS;

const pollMs = (f: Framing) => (FRAMES[f].poll + FRAMES[f].idle) * CHAR_MS + 2 * GAP;

export function computedCycleMs(pads = 16, framing: Framing = 'full'): number {
  return pads * pollMs(framing);
}

/**
 * The scheduled cycle (docs/protocols/rs485-keypad.md): keypads and the rating pads awaiting a rating at
 * full rate; the other pads at their heartbeat (restMs) and dead ones every deadMs add their share.
 */
export function scheduledCycleMs(o: {
  keypads: number;
  awaiting: number;
  resting: number;
  dead: number;
  restMs: number;
  deadMs: number;
  framing?: Framing;
}): number {
  const framing = o.framing ?? 'full';
  const poll = pollMs(framing);
  const full = (o.keypads + o.awaiting) * poll;
  // a fraction f of the bus goes to slow polls: the full-rate devices get the rest
  const f = (o.resting * poll) / o.restMs + (o.dead * (FRAMES[framing].poll * CHAR_MS + DEAD_TIMEOUT_MS + GAP)) / o.deadMs;
  return full / (1 - f);
}

/** Several virtual devices on one wire: every byte reaches all of them, all of them can answer. */
class SharedWire extends VirtualDevice {
  constructor(private readonly parts: VirtualDevice[]) {
    super('rs485-bus');
    for (const p of parts) p.attach({ send: (b) => this.send(b), unplug: () => {} });
  }
  protected receive(bytes: Uint8Array): void {
    for (const p of this.parts) p.input(bytes);
  }
  state() {
    return this.parts.map((p) => p.state());
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function keyToLed(samples: number, o: { dead?: number[]; awaiting?: number; framing?: Framing } = {}): Promise<void> {
  const framing = o.framing ?? 'full';
  const protocol = FRAMES[framing].protocol;
  const pair = new SocatPair();
  await pair.start();
  // the same wire model for both framings: every answer starts 3.5 characters after the host's frame
  const pads = new VirtualKeypadBus('pads', { charMs: CHAR_MS, turnaroundMs: GAP }, framing === 'short' ? shortPadFraming : undefined);
  for (const a of o.dead ?? []) pads.absent.add(a);
  const led = new VirtualDisplay('led', 'led-framed');
  const wire = new SharedWire([pads, led]);
  const att = attachToPty(wire, pair.b, 9600);
  const serial = { type: 'serial' as const, path: pair.a, baudRate: 9600 as const };
  const devices: DeviceConfig[] = [
    ...Array.from({ length: 8 }, (_, i) => ({
      id: `kp${i + 1}`,
      kind: 'keypad' as const,
      protocol,
      transport: serial,
      counter: String(i + 1),
      address: i + 1,
    })),
    ...Array.from({ length: 8 }, (_, i) => ({
      id: `rp${i + 1}`,
      kind: 'ratingPad' as const,
      protocol,
      transport: serial,
      counter: String(i + 1),
      address: 11 + i,
    })),
    { id: 'led3', kind: 'counterDisplay', protocol: 'led-framed', transport: serial, counter: '3', address: 3 },
  ];
  const bus = new HallBus();
  // when each keypad address was polled (its poll frames on the wire): no keypad may wait long
  const polledAt = new Map<number, number[]>();
  /** every host frame's write time: frame → next frame is what one exchange really costs here */
  const txAt: number[] = [];
  const host = new LocalDeviceHost(devices, {
    pad: { pollMs: 100 },
    onWire: (_port, dir, bytes, at) => {
      // poll: FF 68 03 03 68 addr 20 seq cs 16, or A5 addr ack cs
      if (dir !== 'tx') return;
      txAt.push(at);
      const addr = bytes[0] === 0xff && bytes[6] === 0x20 ? bytes[5] : bytes[0] === 0xa5 && bytes.length === 4 ? bytes[1] : undefined;
      if (addr !== undefined && addr <= 8) {
        const list = polledAt.get(addr) ?? [];
        list.push(at);
        polledAt.set(addr, list);
      }
    },
  });
  const m = createDeviceManager({
    host,
    devices,
    bus,
    hall: { name: '大厅', phones: { consult: '', complaint: '' }, ticketUrlBase: '' },
    services: [],
    logger: { info() {}, warn() {}, error() {} },
  });
  // stands in for the queue engine: a call key calls the next number at that counter
  let n = 0;
  bus.on('device.key', (k) => {
    if (k.key !== 'call') return;
    n++;
    const number = `A${String(n).padStart(3, '0')}`;
    bus.emit('queue', {
      event: { seq: n, at: Date.now(), type: 'ticket.called', ticketId: number, counter: k.counter, data: {} } as never,
      ticket: {
        id: number,
        number,
        service: 's',
        channel: 'normal',
        state: 'called',
        day: '',
        issuedAt: 0,
        recalls: 0,
        counter: k.counter,
      },
    });
  });
  try {
    await m.start();
    const t0 = Date.now();
    const dead = new Set((o.dead ?? []).map((a) => `rp${a - 10}`));
    // the steady state: the dead pads already found offline by their missed polls (which wait the full timeout)
    while (!m.list().every((d) => (dead.has(d.id) ? d.detail === 'no reply to poll' : d.status === 'online'))) {
      if (Date.now() - t0 > 8000) throw new Error(`bus not online: ${JSON.stringify(m.list())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // one or two counters await a rating: their pads are polled at full rate, the others rest
    const awaiting = o.awaiting ?? 2;
    for (let i = 1; i <= awaiting; i++) await host.execute(`rp${i}`, { type: 'awaitRating', awaiting: true });
    polledAt.clear();
    const from = performance.now();
    const lat: number[] = [];
    for (let i = 0; i < samples; i++) {
      // presses land at a random point of the poll cycle
      await new Promise((r) => setTimeout(r, Math.random() * computedCycleMs()));
      const want = `A${String(n + 1).padStart(3, '0')}`;
      const shown = new Promise<number>((resolve) => {
        const check = (addr: number) => {
          if (addr === 3 && led.screen(3).lines[0] === want) resolve(performance.now());
        };
        led.onChange(check);
      });
      const start = performance.now();
      pads.press(3, 'call');
      lat.push((await shown) - start);
    }
    const b = [...host.buses.values()][0]!;
    const gaps: number[] = [];
    for (const times of polledAt.values())
      for (let i = 1; i < times.length; i++) if (times[i - 1]! >= from) gaps.push(times[i]! - times[i - 1]!);
    const nDead = o.dead?.length ?? 0;
    console.log(
      `key press → call on the LED, ${protocol} framing, one RS-485 bus at 9600 Bd (8 keypads + 8 rating pads${nDead ? `, ${nDead} of them dead and already found offline,` : ''} + the LED; ${awaiting} pads awaiting a rating), ${lat.length} presses`,
    );
    console.log(
      `  p50 ${pct(lat, 50).toFixed(1)} ms   p99 ${pct(lat, 99).toFixed(1)} ms   max ${Math.max(...lat).toFixed(1)} ms   (target p50 ≤ 150, p99 ≤ 250)`,
    );
    console.log(
      `  keypad poll interval p50 ${pct(gaps, 50).toFixed(0)} ms, p99 ${pct(gaps, 99).toFixed(0)} ms, max ${Math.max(...gaps).toFixed(0)} ms (target: every keypad at least every 300 ms)`,
    );
    const cycle = scheduledCycleMs({
      keypads: 8,
      awaiting,
      resting: 8 - awaiting - nDead,
      dead: nDead,
      restMs: 1000,
      deadMs: 2000,
      framing,
    });
    console.log(
      `  computed cycle: ${cycle.toFixed(0)} ms scheduled (all 16 at full rate: ${computedCycleMs(16, framing).toFixed(0)} ms); a press reaches the agent within one cycle`,
    );
    const exchange: number[] = [];
    for (let i = 1; i < txAt.length; i++) if (txAt[i - 1]! >= from) exchange.push(txAt[i]! - txAt[i - 1]!);
    console.log(
      `  one exchange (host frame → next host frame) p50 ${pct(exchange, 50).toFixed(1)} ms, idle poll on the modelled wire ${pollMs(framing).toFixed(1)} ms`,
    );
    console.log(`  bus: ${b.stats.requests} requests, ${b.stats.timeouts} timeouts, ${pads.collisions} collisions`);
  } finally {
    await m.stop();
    await att.close();
    await pair.dispose();
  }
}
