import type { Logger } from 'pino';
import type { AuthService } from './api/auth.js';
import type { HallBus } from './bus.js';
import type { HallConfig } from './config/load.js';
import type { DeviceManager } from './devices/manager-contract.js';
import type { IdCardSessions } from './idcard-sessions.js';
import type { QueueEngine } from './queue/engine.js';
import type { SatelliteHub } from './satellite/hub.js';
import type { StorageProbe } from './security/storage.js';
import type { HandlingFilter, HandlingRow } from './store/reports.js';
import type { HallPlanner } from './forecast/planner.js';
import type { HallBookings } from './forecast/bookings.js';

export interface VoiceAnnouncer {
  /** a WAV file announcing the call, e.g. “请A023号到3号窗口办理” */
  announce(call: { number: string; counter: string; recall?: boolean }): Promise<Buffer>;
  /** spoken calls or chime only, as last checked (agent/voice) */
  health?(): { mode: 'speech' | 'chime'; source?: string; checkedAt: number; detail?: string };
}

/** What route and realtime modules receive; built once in hall.ts. */
export interface HallContext {
  config: HallConfig;
  bus: HallBus;
  engine: QueueEngine;
  devices: DeviceManager;
  auth: AuthService;
  /** 身份证 reads held for the kiosk behind opaque tokens */
  idCards: IdCardSessions;
  voice: VoiceAnnouncer;
  /** read-only reports over the hall's SQLite file */
  reports: { handling(f: HandlingFilter): HandlingRow[] };
  /** base URL printed in QR codes and logs */
  publicUrl: string;
  logger: Logger;
  /** role: primary with satellites configured (agent/satellite/) */
  satellites?: SatelliteHub;
  /** a test write to hall.db (GET /healthz) */
  storage: { probe(): StorageProbe };
  /** arrivals forecast and counters to open (agent/forecast) */
  forecast?: HallPlanner;
  /** 预约 slots booked in the hall (agent/forecast/bookings.ts) */
  bookings?: HallBookings;
}
