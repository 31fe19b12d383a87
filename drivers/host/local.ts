// The in-process device host: builds every configured device from its protocol's registry entry,
// one Link + one Bus per port (devices on the same serial path share them), executes commands by
// device id and emits device events as plain data. The agent's policy sits above it
// (agent/devices/manager.ts) and sees only the DeviceHost contract.
import { Bus } from '../bus/bus.js';
import { type DeviceConfig, charTimeMs, lineSettings, transportKey } from '../config.js';
import { DisplayDevice } from '../devices/display.js';
import { KeypadDevice } from '../devices/keypad.js';
import { EscPosPrinter } from '../devices/printer.js';
import type { StatusCell } from '../devices/status.js';
import { createTransport } from '../factory.js';
import { Link } from '../link.js';
import { protocolEntry } from '../registry/index.js';
import type { BoundDriver, HostTuning, ProtocolEntry } from '../registry/types.js';
import type { VirtualDevice } from '../sim/base.js';
import type { SerialPortFactory } from '../transports/serial.js';
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceHost, HostDeviceInfo } from './contract.js';
import { simAction, simState } from './sim-control.js';

export interface BoundDevice {
  cfg: DeviceConfig;
  entry: ProtocolEntry;
  link: Link;
  bus: Bus;
  cell: StatusCell;
  bound: BoundDriver;
  sim?: VirtualDevice;
  /** the driver objects, for tests and the bench */
  printer?: EscPosPrinter;
  display?: DisplayDevice;
  keypad?: KeypadDevice;
}

export interface LocalHostOptions extends HostTuning {
  serialFactory?: SerialPortFactory;
  log?: (level: 'debug' | 'info' | 'warn', msg: string, deviceId?: string) => void;
  /** bus reply timeout (ms) when a device sets none */
  busTimeoutMs?: number;
  /** wire tap per port (tests, bench) */
  onWire?: (port: string, dir: 'tx' | 'rx', bytes: Uint8Array, at: number) => void;
}

export class LocalDeviceHost implements DeviceHost {
  readonly bound: BoundDevice[] = [];
  /** one bus per port, by transport key */
  readonly buses = new Map<string, Bus>();
  private readonly listeners = new Set<(e: DeviceEvent) => void>();
  private started = false;

  /** throws a clear Error for a config the drivers cannot run (the config validator reports these first) */
  constructor(devices: DeviceConfig[], o: LocalHostOptions = {}) {
    const links = new Map<string, { link: Link; bus: Bus }>();
    const seen = new Set<string>();
    for (const cfg of devices) {
      if (seen.has(cfg.id)) throw new Error(`device id "${cfg.id}" is configured twice`);
      seen.add(cfg.id);
      const entry = protocolEntry(cfg.protocol);
      if (!entry) throw new Error(`device ${cfg.id}: unknown protocol "${cfg.protocol}"`);
      if (!entry.kinds.includes(cfg.kind))
        throw new Error(`device ${cfg.id}: protocol "${cfg.protocol}" cannot drive a ${cfg.kind} (it drives ${entry.kinds.join(', ')})`);
      if (entry.address && cfg.address !== undefined && (cfg.address < entry.address.min || cfg.address > entry.address.max))
        throw new Error(`device ${cfg.id}: address must be ${entry.address.min}–${entry.address.max} (got ${cfg.address})`);
      const key = transportKey(cfg.transport, cfg.id);
      const sim = cfg.transport.type === 'sim' ? entry.createSim(cfg) : undefined;
      let port = links.get(key);
      if (!port) {
        const link = new Link(createTransport(cfg.transport, { sim, serialFactory: o.serialFactory }, entry.line), {
          onLog: (level, msg) => o.log?.(level, msg, cfg.id),
        });
        const line = lineSettings(cfg.transport, entry.line);
        const bus = new Bus(link, {
          charMs: charTimeMs(line),
          gapChars: entry.gapChars ?? 3.5,
          // Modbus over serial line §2.5.1.1: above 19200 Bd a fixed 1.75 ms
          minGapMs: 1.75,
          timeoutMs: o.busTimeoutMs ?? 150,
          onWire: o.onWire ? (dir, bytes, at) => o.onWire?.(key, dir, bytes, at) : undefined,
        });
        port = { link, bus };
        links.set(key, port);
        this.buses.set(key, bus);
      }
      const bound = entry.bind({
        cfg,
        bus: port.bus,
        link: port.link,
        tuning: o,
        emit: (e) => this.emit(e),
        log: (level, msg) => o.log?.(level, msg, cfg.id),
      });
      const b: BoundDevice = { cfg, entry, link: port.link, bus: port.bus, cell: bound.cell, bound, sim };
      const drv = bound.driver;
      if (drv instanceof EscPosPrinter) b.printer = drv;
      if (drv instanceof DisplayDevice) b.display = drv;
      if (drv instanceof KeypadDevice) b.keypad = drv;
      bound.cell.onChange((status, detail) =>
        this.emit(
          detail === undefined ? { type: 'status', deviceId: cfg.id, status } : { type: 'status', deviceId: cfg.id, status, detail },
        ),
      );
      this.bound.push(b);
    }
  }

  private emit(e: DeviceEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        /* one listener must not stop the others */
      }
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const b of this.bound) b.link.start();
    for (const b of this.bound) b.bound.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.bound.map((b) => b.bound.stop()));
    for (const bus of this.buses.values()) bus.stop();
    await Promise.all([...new Set(this.bound.map((b) => b.link))].map((l) => l.stop()));
  }

  list(): HostDeviceInfo[] {
    return this.bound.map((b) => {
      const info: HostDeviceInfo = {
        id: b.cfg.id,
        kind: b.cfg.kind,
        protocol: b.cfg.protocol,
        transport: b.link.transport.describe,
        status: b.cell.status,
        since: b.cell.since,
      };
      if (b.cfg.counter !== undefined) info.counter = b.cfg.counter;
      if (b.cell.detail !== undefined) info.detail = b.cell.detail;
      if (b.bound.lines !== undefined) info.lines = b.bound.lines;
      return info;
    });
  }

  async execute(deviceId: string, command: DeviceCommand): Promise<CommandResult> {
    const b = this.bound.find((x) => x.cfg.id === deviceId);
    if (!b) return { ok: false, reason: `no device "${deviceId}"` };
    if (!b.bound.execute) return { ok: false, reason: `${b.cfg.kind} "${deviceId}" takes no commands` };
    try {
      return await b.bound.execute(command);
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** the /sim page: state of every simulated device */
  simState(): unknown {
    return simState(this.bound);
  }

  /** the /sim page: an action on a simulated device; throws a clear Error on bad input */
  simAction(deviceId: string, action: Record<string, unknown>): unknown {
    return simAction(this.bound, deviceId, action);
  }
}
