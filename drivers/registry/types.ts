// What a protocol's registry entry provides. Config validation, device binding, the local device
// host and the /sim page all read these entries; nothing else lists protocols.
import type { Bus } from '../bus/bus.js';
import type { DeviceConfig, DeviceKind, LineSettings, TransportConfig } from '../config.js';
import type { StatusCell } from '../devices/status.js';
import type { CommandResult, DeviceCommand, DeviceEvent } from '../host/contract.js';
import type { Link } from '../link.js';
import type { VirtualDevice } from '../sim/base.js';

/** One config mistake, same shape as agent/config/spec.ts Issue (drivers do not import the agent). */
export interface OptionIssue {
  path: string;
  expected: string;
  got: unknown;
}

/** Timing knobs the host passes to every device (tests and the bench shorten them). */
export interface HostTuning {
  /** statusPolling here applies to every printer of the host (`hallq print-test --no-status`) */
  printer?: {
    pollMs?: number;
    replyTimeoutMs?: number;
    missedPolls?: number;
    settleMs?: number;
    statusPolling?: 'auto' | 'full' | 'basic' | 'none';
  };
  /** pads: poll period and reply timeout */
  pad?: { pollMs?: number; timeoutMs?: number; missedPolls?: number; restPollMs?: number; deadPollMs?: number; deadTimeoutMs?: number };
  display?: { timeoutMs?: number; backoffMs?: number; maxBackoffMs?: number; lateMs?: number };
}

export interface BindContext {
  cfg: DeviceConfig;
  /** the port's bus: every device on the same path shares it */
  bus: Bus;
  link: Link;
  tuning: HostTuning;
  /** events from the device (key, rating, idcard, idcard.error); the host adds status events */
  emit(e: DeviceEvent): void;
  log(level: 'debug' | 'info' | 'warn', msg: string): void;
}

export interface BoundDriver {
  cell: StatusCell;
  start(): void;
  stop(): void | Promise<void>;
  /** runs a host command; absent = the device takes no commands (input-only) */
  execute?(cmd: DeviceCommand): Promise<CommandResult>;
  /** display lines the hall may use on this device */
  lines?: number;
  /** the driver object, for tests and the bench (printer, display, keypad) */
  driver?: unknown;
}

export interface SimAction {
  type: string;
  /** what the /sim page shows on the button */
  label: string;
}

export interface ProtocolEntry {
  name: string;
  kinds: readonly DeviceKind[];
  transports: readonly TransportConfig['type'][];
  /** the port's framing when the config leaves it open (Modbus RTU: 8E1) */
  line?: Partial<LineSettings>;
  /** inter-frame silence on the bus, in characters (default 3.5) */
  gapChars?: number;
  /** false: the device needs its port to itself (a printer streams long jobs) */
  sharesPort: boolean;
  /** bus addresses the protocol accepts, when it uses one */
  address?: { min: number; max: number; label?: string; why?: string };
  /** checks `options` (never undefined here) and pushes one issue per mistake */
  checkOptions(options: Record<string, unknown>, path: string, issues: OptionIssue[], cfg: DeviceConfig): void;
  bind(ctx: BindContext): BoundDriver;
  createSim(cfg: DeviceConfig): VirtualDevice;
  /** buttons of the /sim page for this protocol's simulator (power is always there) */
  simActions: readonly SimAction[];
}
