// role: primary with satellites configured — what agent/hall.ts wires in: the hub (auth, intake,
// board state), the policy for satellite devices, a bus view for the local device manager that
// leaves satellite-printed tickets alone, and a DeviceManager view listing both PCs' devices.
import type { Database } from 'better-sqlite3';
import { HallBus, type HallEvents } from '../bus.js';
import type { HallConfig } from '../config/load.js';
import type { HallInfo } from '../devices/layouts.js';
import type { DeviceInfo, DeviceManager } from '../devices/manager-contract.js';
import { type HubLog, SatelliteHub } from './hub.js';
import { createRemotePolicy, type RemotePolicy } from './remote-policy.js';

export interface SatellitePrimary {
  hub: SatelliteHub;
  policy: RemotePolicy;
  /** the bus the local DeviceManager gets */
  localBus: HallBus;
  /** the DeviceManager the API and realtime see: both PCs' devices */
  devices(local: DeviceManager): DeviceManager;
  start(): void;
  stop(): void;
}

/** The real bus, except that a ticket printed on a satellite is not also printed (or failed) locally. */
class PrintRoutingBus extends HallBus {
  constructor(
    private readonly inner: HallBus,
    private readonly remote: (p: HallEvents['queue']) => boolean,
  ) {
    super();
  }

  override on<K extends keyof HallEvents>(name: K, listener: (payload: HallEvents[K]) => void): () => void {
    if (name !== 'queue') return this.inner.on(name, listener);
    return this.inner.on('queue', (p) => {
      if (!this.remote(p)) (listener as (p: HallEvents['queue']) => void)(p);
    });
  }

  override onListenerError(listener: (e: { name: string; err: unknown }) => void): void {
    this.inner.onListenerError(listener);
  }

  override emit<K extends keyof HallEvents>(name: K, payload: HallEvents[K]): void {
    this.inner.emit(name, payload);
  }
}

export function createSatellitePrimary(o: {
  config: HallConfig;
  store: { db: Database; transaction<T>(fn: () => T): T };
  bus: HallBus;
  hall: HallInfo;
  logger: HubLog & { debug(obj: object, msg?: string): void };
  now?: () => number;
}): SatellitePrimary {
  const hub = new SatelliteHub(o.config.satellites, o.store.db, (fn) => o.store.transaction(fn), o.logger, o.now);
  const devices = o.config.satellites.flatMap((s) => s.devices);
  const policy = createRemotePolicy({
    bus: o.bus,
    host: hub.host,
    devices,
    localPrinters: o.config.devices.filter((d) => d.kind === 'ticketPrinter').map((d) => d.id),
    services: o.config.services,
    hall: o.hall,
    printDeadlineMs: o.config.kiosk.printDeadlineSeconds * 1000,
    logger: o.logger,
  });
  const localBus = new PrintRoutingBus(o.bus, (p) => policy.takesPrint(p));

  return {
    hub,
    policy,
    localBus,
    devices(local) {
      const remote = (): DeviceInfo[] =>
        hub.host.list().map((d) => {
          const info: DeviceInfo = {
            id: d.id,
            kind: d.kind,
            protocol: d.protocol,
            transport: d.transport,
            status: d.status,
            since: d.since,
          };
          if (d.counter !== undefined) info.counter = d.counter;
          if (d.detail !== undefined) info.detail = d.detail;
          return info;
        });
      // the local manager stays the prototype: tests and the bench still reach its drivers (bound, printTicket)
      const view = Object.create(local) as DeviceManager;
      view.list = () => [...local.list(), ...remote()];
      view.printNotice = async (slip) => {
        const hasLocal = local.list().some((d) => d.kind === 'ticketPrinter');
        return (!hasLocal && policy.printNotice(slip)) || local.printNotice(slip);
      };
      return view;
    },
    start() {
      policy.start();
    },
    stop() {
      policy.stop();
      hub.close();
    },
  };
}
