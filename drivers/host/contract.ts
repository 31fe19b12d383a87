// The device host contract: commands in, events out, all plain serialisable data.
// A host is the seam between the agent's policy (what a display shows, which printer serves which
// kiosk) and the drivers. The same contract is served by the in-process host (drivers/host/local.ts)
// and by a satellite PC reached over socket.io (agent/satellite/), so nothing here may hold a
// function, a Buffer or a class instance.
import type { DeviceKind } from '../config.js';

export type { DeviceKind };

export type DeviceStatus = 'online' | 'offline' | 'paperOut' | 'paperNearEnd' | 'coverOpen' | 'cutterError' | 'degraded';

/** Keys of a counter caller keypad (呼叫器). */
export type CounterKey = 'call' | 'recall' | 'skip' | 'transfer' | 'pause' | 'resume' | 'start' | 'finish' | 'confirm' | 'digit';

export type Align = 'left' | 'center' | 'right';

/**
 * A vendor-neutral print layout (ticket, notice slip, test page). The host turns it into the
 * printer's bytes (ESC/POS today) with the printer's own code page and paper width.
 */
export type PrintBlock =
  /**
   * `size` scales width and height alike; `height` (added) overrides the height alone, for a
   * double-height line at normal width (a long service name that must still fit a 58 mm line)
   */
  | { op: 'text'; text: string; size?: 1 | 2 | 3 | 4; height?: 1 | 2 | 3 | 4; bold?: boolean; align?: Align }
  | { op: 'feed'; lines: number }
  | { op: 'qr'; data: string; moduleSize?: number; align?: Align }
  | { op: 'rule' }
  | { op: 'cut' };

export type DeviceCommand =
  /** print a layout; the result resolves once the printer confirmed (or the write completed, for write-only printers) */
  | { type: 'print'; jobId: string; blocks: PrintBlock[]; deadlineMs?: number }
  /** LED counter or hall display: one string per line */
  | { type: 'show'; lines: string[] }
  /** the small display on an RS-485 caller keypad */
  | { type: 'keypadText'; text: string }
  /** a rating pad: its counter awaits a rating (polled at full rate) or not (a slow heartbeat) */
  | { type: 'awaitRating'; awaiting: boolean }
  | { type: 'beep' };

export type CommandResult = { ok: true } | { ok: false; reason: string };

export type DeviceEvent =
  | { type: 'key'; deviceId: string; key: CounterKey; digits?: string }
  | { type: 'rating'; deviceId: string; level: 1 | 2 | 3 | 4 | 5 }
  /** an ID card read: the number crosses only host → agent, is never logged, and is hashed by the agent */
  | { type: 'idcard'; deviceId: string; idNumber: string; name?: string }
  /** a card read that failed (no number in it) */
  | { type: 'idcard.error'; deviceId: string; reason: string }
  | { type: 'status'; deviceId: string; status: DeviceStatus; detail?: string };

export interface HostDeviceInfo {
  id: string;
  kind: DeviceKind;
  protocol: string;
  /** human description of the transport, e.g. "serial /dev/ttyUSB0 9600 8E1" */
  transport: string;
  counter?: string;
  status: DeviceStatus;
  detail?: string;
  /** ms epoch of the last status change */
  since: number;
  /** displays: how many text lines the hall may show on it (added: the policy sizes its texts) */
  lines?: number;
}

export interface DeviceHost {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** every device this host drives */
  list(): HostDeviceInfo[];
  /** runs a command on one device; never throws: a failure is { ok: false, reason } */
  execute(deviceId: string, command: DeviceCommand): Promise<CommandResult>;
  /** subscribes to device events; returns the unsubscribe function */
  onEvent(listener: (event: DeviceEvent) => void): () => void;
}
