// The month's satellite: counter 3 of one hall has its caller keypad and rating pad on a satellite PC.
// Every press goes the real way from the satellite's buffer file to the queue engine — EventBuffer
// (its own SQLite file) → the primary's SatelliteHub intake (exactly once, recorded in
// satellite_events in the same transaction as the effect) → RemoteHost → DeviceManager (the device's
// counter from the primary's config) → HallBus → bindKeypads → QueueEngine. Only socket.io is left
// out: a socket pair in memory carries the same messages synchronously, so the month stays on its
// injected clock. Once a day an acknowledgement is lost and the satellite sends the batch again;
// the primary must act on it once (a double rating would show in the figures).
import { join } from 'node:path';
import pino from 'pino';
import { HallBus } from '../../agent/bus.js';
import type { CounterKey } from '../../agent/bus.js';
import { createDeviceManager, type DeviceManagerImpl } from '../../agent/devices/manager.js';
import { bindKeypads } from '../../agent/keypad-actions.js';
import type { QueueEngine } from '../../agent/queue/engine.js';
import { EventBuffer } from '../../agent/satellite/buffer.js';
import { SatelliteHub, type SatelliteSocket } from '../../agent/satellite/hub.js';
import type { EventsAck, HelloAck } from '../../agent/satellite/wire.js';
import type { openHallStore } from '../../agent/store/index.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import { SERVICES } from '../agent/queue/fixtures.js';

export const SATELLITE_COUNTER = '3';
const TOKEN = 'counter-3-pc-token-0123456789';
const DEVICES = [
  { id: 'kp3', kind: 'keypad' as const, counter: SATELLITE_COUNTER },
  { id: 'pad3', kind: 'ratingPad' as const, counter: SATELLITE_COUNTER },
];
/** the pad rates its counter's last service within this (agent/keypad-actions.ts) */
export const PAD_WINDOW_MS = 120_000;
const silent = pino({ level: 'silent' });

/** a socket.io server socket in memory: handlers registered by the hub, called by the satellite side */
class MemorySocket implements SatelliteSocket {
  readonly id = 'mem-1';
  connected = true;
  readonly handshake = { address: '192.0.2.13' };
  readonly handlers = new Map<string, (...args: any[]) => void>();
  on(ev: string, fn: (...args: any[]) => void): unknown {
    this.handlers.set(ev, fn);
    return this;
  }
  disconnect(): unknown {
    this.connected = false;
    this.handlers.get('disconnect')?.();
    return this;
  }
  timeout(): { emit(ev: 'command', msg: unknown, cb: (err: Error | null, res: unknown) => void): void } {
    // the satellite's devices show what they are told (LED texts, keypad display)
    return { emit: (_ev, _msg, cb) => cb(null, { ok: true }) };
  }
  call<T>(ev: string, msg: unknown): T {
    let answer: T | undefined;
    this.handlers.get(ev)!(msg, (a: T) => {
      answer = a;
    });
    if (answer === undefined) throw new Error(`the primary did not answer ${ev}`);
    return answer;
  }
}

/** The satellite PC of counter 3: its buffer lives across the primary's restarts, as its own file does. */
export class SatelliteLink {
  private readonly buffer: EventBuffer;
  private primary?: { hub: SatelliteHub; socket: MemorySocket; devices: DeviceManagerImpl; off: () => void };
  private lastAcked = 0;
  /** lose the next acknowledgement: the satellite sends the same items again */
  loseNextAck = false;
  redelivered = 0;
  /** events the satellite's devices produced */
  sent = 0;

  constructor(
    dir: string,
    private readonly clock: { now(): number },
  ) {
    this.buffer = new EventBuffer(join(dir, 'satellite-counter-3.db'));
  }

  /** the primary (re)started: a new hub over its store, and the satellite registers again */
  attach(engine: QueueEngine, store: ReturnType<typeof openHallStore>): void {
    this.detach();
    const entry = { id: 'counter3-pc', token: TOKEN, revoked: false, maxClockSkewSeconds: 5, devices: DEVICES };
    const hub = new SatelliteHub(
      [entry],
      store.db,
      (fn) => store.transaction(fn),
      silent,
      () => this.clock.now(),
    );
    const bus = new HallBus();
    const devices = createDeviceManager({
      host: hub.host,
      devices: DEVICES,
      bus,
      hall: { name: '月度大厅', phones: { consult: '0551-1', complaint: '0551-2' }, ticketUrlBase: 'http://hall/t/' },
      services: SERVICES,
      logger: silent,
    });
    void devices.start();
    const off = bindKeypads(bus, engine, silent, PAD_WINDOW_MS);
    this.primary = { hub, socket: this.connect(hub), devices, off };
    this.pump();
  }

  /**
   * a socket.io connection and the satellite's hello. The hub drops a satellite silent for 15 s of its
   * clock; the month's clock jumps minutes between presses, so, as the real satellite does after an
   * 'io server disconnect', the link connects again before it sends.
   */
  private connect(hub: SatelliteHub): MemorySocket {
    const auth = hub.authenticate({ satellite: 'counter3-pc', token: TOKEN });
    if (!auth.ok) throw new Error(`satellite refused: ${auth.reason}`);
    const socket = new MemorySocket();
    hub.attach(auth.id, socket);
    const hello = socket.call<HelloAck>('hello', {
      version: 'test',
      clock: this.clock.now(),
      stream: this.buffer.stream,
      devices: DEVICES.map((d) => ({ ...d, protocol: 'hallq-485', transport: 'serial /dev/ttyUSB0', status: 'online', since: 0 })),
    });
    if (!hello.ok) throw new Error(`hello refused: ${hello.reason}`);
    if (hello.lastSeq > this.lastAcked) {
      this.lastAcked = hello.lastSeq;
      this.buffer.ackUpTo(this.lastAcked);
    }
    return socket;
  }

  /** the primary's PC was switched off */
  detach(): void {
    if (!this.primary) return;
    this.primary.off();
    void this.primary.devices.stop();
    this.primary.hub.close();
    this.primary = undefined;
  }

  press(key: CounterKey): void {
    this.send({ type: 'key', deviceId: 'kp3', key });
  }

  rate(level: 1 | 2 | 3 | 4 | 5): void {
    this.send({ type: 'rating', deviceId: 'pad3', level });
  }

  private send(e: DeviceEvent): void {
    this.buffer.append(e, this.clock.now());
    this.sent++;
    this.pump();
  }

  private pump(): void {
    const p = this.primary;
    if (!p) return;
    if (!p.socket.connected) p.socket = this.connect(p.hub);
    for (;;) {
      const items = this.buffer.after(this.lastAcked, 100);
      if (items.length === 0) return;
      p.socket.handlers.get('clock')?.({ at: this.clock.now() }); // the 5-second clock message
      const ack = p.socket.call<EventsAck>('events', { stream: this.buffer.stream, items });
      if (!ack.ok) throw new Error(`primary refused the batch: ${ack.reason}`);
      if (this.loseNextAck) {
        // the answer never reached the satellite: it still holds the items and sends them again
        this.loseNextAck = false;
        this.redelivered += items.length;
        continue;
      }
      this.lastAcked = ack.upTo;
      this.buffer.ackUpTo(ack.upTo);
    }
  }

  pending(): number {
    return this.buffer.count();
  }

  close(): void {
    this.detach();
    this.buffer.close();
  }
}
