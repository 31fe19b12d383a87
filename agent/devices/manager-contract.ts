import type { DeviceStatus } from '../bus.js';

/**
 * What the rest of the agent needs from the device layer. Implemented in agent/devices/manager.ts;
 * the API and composition root depend only on this.
 */
export interface DeviceInfo {
  id: string;
  kind: string;
  protocol: string;
  transport: string;
  counter?: string;
  status: DeviceStatus;
  detail?: string;
  /** ms epoch of the last status change */
  since: number;
}

export interface NoticeSlip {
  service: string;
  missingMaterialIds: string[];
  counter: string;
  staffId?: string;
  ticketNumber?: string;
  /** printed on the slip: the returning citizen's ticket goes to the owner counter (issue 12) */
  returnCode?: string;
  /** when the notice was recorded, on the hall's clock: the slip's 日期 (default: now) */
  at?: number;
}

export interface DeviceManager {
  start(): Promise<void>;
  stop(): Promise<void>;
  list(): DeviceInfo[];
  /** prints a one-time notice slip (一次性告知单) on the hall's ticket printer */
  printNotice(slip: NoticeSlip): Promise<{ jobId: string }>;
  /** state of every simulated device for the /sim page */
  simState(): unknown;
  /** acts on a simulated device (press a key, rate, set paper out …); throws a clear Error on bad input */
  simAction(deviceId: string, action: Record<string, unknown>): unknown;
}
