import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { AuthService } from './api/auth.js';
import { buildServer, type TypedApp } from './api/server.js';
import { startHttpRedirect } from './api/http-redirect.js';
import { HostCheck } from './security/host-check.js';
import { HallBus } from './bus.js';
import type { HallConfig } from './config/load.js';
import type { HallContext } from './context.js';
import { createDeviceManager } from './devices/manager.js';
import { LocalDeviceHost } from '../drivers/host/local.js';
import { IdCardSessions } from './idcard-sessions.js';
import { bindAutoCall } from './auto-call.js';
import { bindKeypads } from './keypad-actions.js';
import { QueueEngine } from './queue/engine.js';
import { campaignOptions } from './campaign-config.js';
import { RATING_MARGIN_S, startRatingSweep } from './rating-sweep.js';
import { rulesFromConfig } from './queue-rules.js';
import { CompositeHost } from './satellite/composite-host.js';
import { SatelliteHub } from './satellite/hub.js';
import type { Clock } from './queue/types.js';
import { attachRealtime } from './realtime/socket.js';
import { startHousekeeping } from './store/housekeeping.js';
import { openHallStore } from './store/index.js';
import { handlingReport } from './store/reports.js';
import { SecurityStore } from './security/store.js';
import { probeStorage } from './security/storage.js';
import { publicTicketId } from './security/ticket-ids.js';
import { createVoice } from './voice/index.js';
import { startSync } from './sync/index.js';
import { DayCloser } from './day-closer.js';
import { HallParts, part } from './lifecycle.js';
import { BOOKING_DAYS } from '../common/bookings.js';
import { createForecast } from './forecast/index.js';

export interface HallOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  uiDir?: string;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningHall {
  url: string;
  app: TypedApp;
  ctx: HallContext;
  /** the running parts, in start order (they stop in reverse) */
  parts: string[];
  close(): Promise<void>;
}

/** Composition root: config → store → engine → devices → HTTP + socket.io. */
export async function startHall(config: HallConfig, opts: HallOptions = {}): Promise<RunningHall> {
  const logger = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const clock = opts.clock ?? { now: () => Date.now() };
  const dataDir = resolve(opts.dataDir ?? config.server.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const bus = new HallBus();
  bus.onListenerError(({ name, err }) => logger.error({ err, event: name }, 'event subscriber failed'));
  const dbFile = resolve(dataDir, 'hall.db');
  // hall.db holds hashed PINs, session hashes and 身份证 HMACs: readable by the agent's user only.
  closeSync(openSync(dbFile, 'a', 0o600));
  chmodSync(dbFile, 0o600);
  const store = openHallStore(dbFile);
  for (const f of [`${dbFile}-wal`, `${dbFile}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const security = new SecurityStore(store.db);
  const engine = new QueueEngine({
    store,
    services: config.services,
    counters: config.counters,
    rules: rulesFromConfig(config),
    clock,
    secret: config.hall.secret,
    onCommit: (c) => bus.emit('queue', c),
    ...campaignOptions(config, security),
  });

  const host = opts.host ?? config.server.host;
  const port = opts.port ?? config.server.port;
  // publicUrl is fixed once listening; devices read it lazily for QR codes.
  let publicUrl = config.server.publicUrl ?? '';
  // satellite PCs (agent/satellite/): the hub authenticates them and hands on their devices as one more host
  const satellites =
    config.satellites.length > 0
      ? new SatelliteHub(config.satellites, store.db, (fn) => store.transaction(fn), logger.child({ module: 'satellites' }))
      : undefined;
  // the device host: this PC's devices, and each satellite's behind the same contract
  const deviceLogger = logger.child({ module: 'devices' });
  const localHost = new LocalDeviceHost(config.devices, {
    log: (level, msg, deviceId) => deviceLogger[level]({ deviceId }, msg),
  });
  // one policy for every device of the hall, wherever it is wired
  const devices = createDeviceManager({
    host: satellites ? new CompositeHost([localHost, satellites.host]) : localHost,
    devices: [...config.devices, ...config.satellites.flatMap((s) => s.devices)],
    counterState: (id) => engine.counterSnapshot(id),
    bus,
    services: config.services,
    printDeadlineMs: config.kiosk.printDeadlineSeconds * 1000,
    logger: deviceLogger,
    hall: {
      name: config.hall.name,
      phones: config.hall.phones,
      timezone: config.hall.timezone,
      get ticketUrlBase() {
        return `${publicUrl}/t/`;
      },
      // the QR code opens the ticket by its random public id, never by date + number
      ticketUrl: (ticket: { id: string }) => `${publicUrl}/t/${publicTicketId(config.hall.secret, ticket.id)}`,
    },
  });
  const voice = createVoice({
    cacheDir: resolve(dataDir, 'voice'),
    repeat: config.voice.repeat,
    chime: config.voice.chime,
    leadIn: config.voice.leadIn,
    logger: logger.child({ module: 'voice' }),
    // where espeak-ng is, if not on PATH (tests point it at a missing file to hear the chime-only hall)
    espeak: process.env.HALLQ_ESPEAK || undefined,
  });
  // the voice is checked at start-up and every few minutes: installing espeak-ng or copying a
  // recorded clip pack takes effect without a restart; chime-only shows as an alert on the board
  const offVoice = voice.onChange((h) =>
    bus.emit('device.status', {
      deviceId: 'voice',
      kind: 'voice',
      status: h.mode === 'speech' ? 'online' : 'degraded',
      // public screens hear this too: a fixed hint, no paths of the hall PC
      detail: h.mode === 'speech' ? h.source : 'chime only: install espeak-ng or copy a recorded clip pack',
    }),
  );
  const auth = new AuthService(config, security, () => clock.now());
  await auth.seed();
  const ctx: HallContext = {
    config,
    bus,
    engine,
    devices,
    auth,
    voice,
    logger,
    publicUrl,
    idCards: new IdCardSessions(() => clock.now()),
    reports: { handling: (f) => handlingReport(store.db, f, config.hall.timezone) },
    satellites,
    storage: { probe: () => probeStorage(() => security.probeWrite(clock.now())) },
    ...createForecast(
      store.db,
      config,
      () => clock.now(),
      () => engine.today(),
    ),
  };
  const app = await buildServer(ctx, { uiDir: opts.uiDir });
  // sync's routes are registered now; its workers start once the server listens (agent/sync/index.ts)
  const sync = startSync(app, store.db, ctx);
  const realtime = attachRealtime(app.server, ctx);
  try {
    await app.listen({ host, port });
  } catch (err) {
    offVoice();
    satellites?.close();
    await realtime.close();
    store.close();
    throw err;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const tls = config.server.tls;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  // server.tls.httpPort: a plain port that only sends browsers to https (agent/api/http-redirect.ts)
  let redirect: import('node:http').Server | undefined;
  if (tls?.httpPort !== undefined) {
    try {
      redirect = await startHttpRedirect({
        host,
        port: tls.httpPort,
        httpsPort: boundPort,
        hosts: new HostCheck(config),
        logger: logger.child({ module: 'http-redirect' }),
      });
    } catch (err) {
      offVoice();
      satellites?.close();
      await realtime.close();
      await app.close();
      store.close();
      throw err;
    }
  }
  const closeRedirect = () =>
    new Promise<void>((r) => {
      if (!redirect) return r();
      redirect.close(() => r());
      redirect.closeAllConnections();
    });
  if (tls && tls.validTo - Date.now() < 30 * 24 * 3600_000)
    logger.warn(
      { cert: tls.certFile, validTo: new Date(tls.validTo).toISOString() },
      "the agent's certificate expires within 30 days: run deploy/install.sh --tls again to renew it",
    );
  if (!publicUrl && (host === '0.0.0.0' || host === '::')) {
    logger.warn(
      { host },
      'server.publicUrl is not set: ticket QR codes will carry a wildcard address; set it to the URL phones and screens use, e.g. http://192.0.2.10:8080',
    );
  }
  publicUrl ||= url;
  ctx.publicUrl = publicUrl;

  // The hall's running parts, once each: started in this order, stopped in reverse (agent/lifecycle.ts).
  // The day closer comes first: no request is served before yesterday is closed (no await before it).
  const parts = new HallParts(
    [
      new DayCloser({
        engine,
        clock,
        timezone: config.hall.timezone,
        logger: logger.child({ module: 'day' }),
        // the day's end signs every counter out; their sockets are told once the close has committed
        hooks: [
          () => {
            const r = auth.endStaffSessions('dayEnd');
            return { sessionsEnded: r.count, after: r.notify };
          },
        ],
      }),
      part('keypads', () =>
        bindKeypads(bus, engine, logger.child({ module: 'keypads' }), (config.rating.timeoutSeconds + RATING_MARGIN_S) * 1000),
      ),
      part('autoCall', () => bindAutoCall(bus, engine, config.counters, logger.child({ module: 'auto-call' }))),
      part('ratingSweep', () => startRatingSweep(engine, config.rating.timeoutSeconds, logger.child({ module: 'ratings' }))),
      part('voice', () => {
        void voice.check();
        const timer = setInterval(() => void voice.check(), config.voice.checkMinutes * 60_000);
        timer.unref();
        return () => {
          clearInterval(timer);
          offVoice();
        };
      }),
      part('satellites', () => () => satellites?.close()),
      { name: 'devices', start: () => devices.start(), stop: () => devices.stop() },
      part('housekeeping', () => startHousekeeping(store.db, () => clock.now(), logger.child({ module: 'housekeeping' }))),
      // Reading the forecast's 16 weeks of history holds the event loop for 150–400 ms in a busy hall
      // (once a day, agent/forecast/planner.ts): paid a few seconds after start, before the doors open,
      // not by the first citizen's kiosk press that meets a booking page or the quota round.
      part('forecast', () => {
        const timer = setTimeout(() => {
          void ctx.forecast?.capacityBasis(engine.today(), BOOKING_DAYS + 1).catch((err: Error) => {
            logger.warn({ error: err.message }, 'forecast warm-up failed; the first booking request computes it');
          });
        }, 3000);
        timer.unref();
        return () => clearTimeout(timer);
      }),
      part('sync', () => () => sync.stop()),
    ],
    logger.child({ module: 'hall' }),
  );
  try {
    await parts.start();
  } catch (err) {
    await closeRedirect();
    await realtime.close();
    await app.close();
    store.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    ctx,
    parts: parts.names,
    close() {
      closing ??= (async () => {
        await parts.stop();
        await closeRedirect();
        await realtime.close();
        await app.close();
        // lockout counters gathered for the next commit (agent/security/lockout.ts) are written before the file closes
        auth.lockout.flush();
        store.close();
      })();
      return closing;
    },
  };
}
