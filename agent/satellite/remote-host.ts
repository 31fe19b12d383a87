// The primary's DeviceHost for one satellite PC: lists the devices the primary's config assigns to
// that satellite (with the states the satellite reports), sends commands over its /device socket,
// and hands on the events the hub accepted from it. A command while the satellite is away fails at
// once with the reason, so the caller can fall back (the kiosk shows the number and QR on screen).
// Like a local display driver (which re-sends after its port comes back), it keeps what each display
// and keypad should show and sends it again when the satellite registers: a satellite PC that
// restarted, or was away while the primary started, shows the hall's current text, not a blank.
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceHost, DeviceStatus, HostDeviceInfo } from '../../drivers/host/contract.js';
import type { RemoteDeviceConfig } from '../config/load.js';
import { checkResult } from './wire.js';

/** the part of a socket.io server socket the host needs (a fake in unit tests) */
export interface CommandChannel {
  timeout(ms: number): { emit(ev: 'command', msg: unknown, cb: (err: Error | null, res: unknown) => void): void };
}

interface Reported {
  status: DeviceStatus;
  detail?: string;
  since: number;
  protocol: string;
  transport: string;
  lines?: number;
}

const COMMAND_TIMEOUT_MS = 5000;

export class RemoteHost implements DeviceHost {
  private readonly listeners = new Set<(e: DeviceEvent) => void>();
  private readonly reported = new Map<string, Reported>();
  /** the newest show / keypadText per device, delivered or not */
  private readonly shown = new Map<string, DeviceCommand>();
  private channel?: CommandChannel;
  private awaySince: number;

  constructor(
    readonly satelliteId: string,
    readonly devices: readonly RemoteDeviceConfig[],
    private readonly now: () => number = Date.now,
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {
    this.awaySince = now();
  }

  get online(): boolean {
    return this.channel !== undefined;
  }

  owns(deviceId: string): boolean {
    return this.devices.some((d) => d.id === deviceId);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.channel = undefined;
  }

  list(): HostDeviceInfo[] {
    return this.devices.map((d) => {
      const r = this.reported.get(d.id);
      const info: HostDeviceInfo = {
        id: d.id,
        kind: d.kind,
        protocol: r?.protocol ?? '?',
        transport: `satellite ${this.satelliteId}${r ? `: ${r.transport}` : ''}`,
        status: this.online && r ? r.status : 'offline',
        since: this.online && r ? r.since : this.awaySince,
      };
      if (d.counter !== undefined) info.counter = d.counter;
      if (r?.lines !== undefined) info.lines = r.lines;
      const detail = !this.online ? `satellite ${this.satelliteId} away` : !r ? `not reported by satellite ${this.satelliteId}` : r.detail;
      if (detail !== undefined) info.detail = detail;
      return info;
    });
  }

  execute(deviceId: string, command: DeviceCommand): Promise<CommandResult> {
    if (!this.owns(deviceId)) return Promise.resolve({ ok: false, reason: `device ${deviceId} is not on satellite ${this.satelliteId}` });
    if (command.type === 'show' || command.type === 'keypadText') this.shown.set(deviceId, command);
    const ch = this.channel;
    if (!ch)
      return Promise.resolve({ ok: false, reason: `satellite ${this.satelliteId} is away (its PC is not connected to the primary)` });
    const ms = command.type === 'print' ? (command.deadlineMs ?? 20_000) + COMMAND_TIMEOUT_MS : COMMAND_TIMEOUT_MS;
    return this.send(ch, deviceId, command, ms);
  }

  private send(ch: CommandChannel, deviceId: string, command: DeviceCommand, ms: number): Promise<CommandResult> {
    return new Promise((resolve) => {
      ch.timeout(ms).emit('command', { deviceId, command }, (err, res) =>
        resolve(err ? { ok: false, reason: `satellite ${this.satelliteId} did not answer within ${ms} ms` } : checkResult(res)),
      );
    });
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- driven by the hub

  /** the satellite registered: its reported devices (already filtered to the assigned ones) */
  connected(channel: CommandChannel, reported: HostDeviceInfo[]): void {
    this.channel = channel;
    this.reported.clear();
    for (const d of reported) {
      const r: Reported = { status: d.status, since: d.since, protocol: d.protocol, transport: d.transport };
      if (d.detail !== undefined) r.detail = d.detail;
      if (d.lines !== undefined) r.lines = d.lines;
      this.reported.set(d.id, r);
    }
    this.announceAll();
    // the newest text again, in case the satellite's devices lost it (a restart) or never got it (away)
    for (const [deviceId, command] of this.shown) void this.send(channel, deviceId, command, COMMAND_TIMEOUT_MS);
  }

  disconnected(channel: CommandChannel): void {
    if (this.channel !== channel) return; // an older socket closing after its replacement registered
    this.channel = undefined;
    this.awaySince = this.now();
    this.announceAll();
  }

  /** a status change the satellite reported live */
  status(e: Extract<DeviceEvent, { type: 'status' }>): void {
    const r = this.reported.get(e.deviceId);
    const next: Reported = { status: e.status, since: this.now(), protocol: r?.protocol ?? '?', transport: r?.transport ?? '?' };
    if (e.detail !== undefined) next.detail = e.detail;
    if (r?.lines !== undefined) next.lines = r.lines;
    this.reported.set(e.deviceId, next);
    this.deliver(e);
  }

  /** hands an accepted event to the listeners; a throwing listener never undoes the delivery */
  deliver(e: DeviceEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  private announceAll(): void {
    for (const d of this.list()) {
      const e: DeviceEvent = { type: 'status', deviceId: d.id, status: d.status };
      if (d.detail !== undefined) e.detail = d.detail;
      this.deliver(e);
    }
  }
}
