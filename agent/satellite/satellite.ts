// role: satellite. Drives only this PC's devices through a DeviceHost, registers them with the
// primary over socket.io /device, runs the primary's commands on them, and sends their events up.
// Key presses and ratings go through the EventBuffer first: while the primary is away they wait
// there, and they leave in order, one batch in flight, each batch removed only once acknowledged.
// No queue, no screens: a /healthz only.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { DeviceEvent, DeviceHost } from '../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../drivers/host/local.js';
import { ROOT } from '../cli/paths.js';
import { EventBuffer } from './buffer.js';
import type { SatelliteConfig } from './config.js';
import { checkCommand, DEVICE_NAMESPACE, type EventsAck, type HelloAck, type HelloMsg } from './wire.js';

export interface SatelliteLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SatelliteOptions {
  logger: SatelliteLog;
  dataDir?: string;
  host?: string;
  port?: number;
  /** another host than this PC's configured devices (tests) */
  deviceHost?: DeviceHost;
  now?: () => number;
}

export interface RunningSatellite {
  url: string;
  host: DeviceHost;
  state(): { connected: boolean; buffered: number; lastAcked: number; refusedDevices: string[] };
  close(): Promise<void>;
}

export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** Buffered: a citizen's or an officer's act. Live only: states (re-sent on every hello) and ID reads (never stored). */
const BUFFERED = new Set<DeviceEvent['type']>(['key', 'rating']);
const CLOCK_EVERY_MS = 5000;
const EVENTS_TIMEOUT_MS = 10_000;

export async function startSatellite(cfg: SatelliteConfig, opts: SatelliteOptions): Promise<RunningSatellite> {
  const log = opts.logger;
  const now = opts.now ?? Date.now;
  const dataDir = resolve(opts.dataDir ?? cfg.server.dataDir);
  const buffer = new EventBuffer(resolve(dataDir, 'satellite.db'));
  // the same local host as a primary's own devices: the satellite only carries its contract over the wire
  const host = opts.deviceHost ?? new LocalDeviceHost(cfg.devices, { log: (level, msg, deviceId) => log[level]({ deviceId }, msg) });

  let lastAcked = 0;
  let registered = false;
  let inFlight = false;
  /** bumped on every disconnect: an answer to a batch sent on an older connection is ignored */
  let epoch = 0;
  let refusedDevices: string[] = [];
  let lastUnreachableWarn = 0;
  let closed = false;

  // Reconnect fast: the primary back after a restart should see its satellites within a second or two.
  const socket: Socket = io(cfg.primary.url + DEVICE_NAMESPACE, {
    auth: { satellite: cfg.primary.satellite, token: cfg.primary.token },
    transports: ['websocket'],
    // an https primary is trusted through the hall CA only (agent/satellite/config.ts)
    ...(cfg.primary.ca ? { ca: cfg.primary.ca, rejectUnauthorized: true } : {}),
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    randomizationFactor: 0.3,
    timeout: 5000,
    autoConnect: false,
  });

  const pump = () => {
    if (!registered || inFlight || !socket.connected) return;
    const items = buffer.after(lastAcked, cfg.primary.batchSize);
    if (items.length === 0) return;
    inFlight = true;
    const mine = epoch;
    socket.timeout(EVENTS_TIMEOUT_MS).emit('events', { stream: buffer.stream, items }, (err: Error | null, ack: EventsAck) => {
      if (mine !== epoch) return;
      inFlight = false;
      if (err || typeof ack?.upTo !== 'number') {
        log.warn({ err: err?.message }, 'primary did not acknowledge events; retrying');
        setTimeout(pump, 500);
        return;
      }
      if (!ack.ok) log.warn({ reason: ack.reason }, 'primary refused a batch');
      if (ack.upTo > lastAcked) {
        lastAcked = ack.upTo;
        buffer.ackUpTo(lastAcked);
      }
      if (ack.ok) pump();
      else setTimeout(pump, 2000);
    });
  };

  const hello = () => {
    const msg: HelloMsg = { version: VERSION, clock: now(), stream: buffer.stream, devices: host.list() };
    const mine = epoch;
    socket.timeout(EVENTS_TIMEOUT_MS).emit('hello', msg, (err: Error | null, ack: HelloAck) => {
      if (mine !== epoch) return;
      if (err || !ack?.ok) {
        log.warn({ err: err?.message, reason: ack?.reason }, 'primary did not accept the registration; retrying');
        setTimeout(() => mine === epoch && hello(), 1000);
        return;
      }
      refusedDevices = ack.refused;
      if (ack.refused.length)
        log.warn({ devices: ack.refused }, 'the primary does not assign these devices to this satellite; their events are dropped there');
      // the primary's high-water mark: whatever it already has is not sent again
      if (ack.lastSeq > lastAcked) {
        lastAcked = ack.lastSeq;
        buffer.ackUpTo(lastAcked);
      }
      registered = true;
      log.info({ primary: cfg.primary.url, buffered: buffer.count() }, 'registered with the primary');
      pump();
    });
  };

  socket.on('connect', hello);
  socket.on('disconnect', (reason) => {
    epoch++;
    registered = false;
    inFlight = false;
    log.warn({ reason }, 'primary unreachable; buffering events');
    // socket.io does not reconnect after the server closed the socket (it found this satellite silent, or
    // is shutting down): try again anyway, the primary decides at the handshake
    if (reason === 'io server disconnect' && !closed) setTimeout(() => !closed && socket.connect(), 1000);
  });
  socket.on(
    'connect_error',
    (err: Error & { data?: { reason?: string }; description?: { message?: string; error?: NodeJS.ErrnoException } }) => {
      // the transport's own error says what "websocket error" hides: refused, timed out, or a certificate
      const cause = err.description?.error?.code ?? err.description?.error?.message ?? err.description?.message;
      // a refused token or an untrusted certificate is logged each time: the technician sees why the
      // satellite never comes online
      if (err.data?.reason) log.error({ reason: err.data.reason }, 'primary refused this satellite');
      else if (cause && /CERT|SELF_SIGNED|SIGNATURE|ISSUER|altnames/i.test(cause))
        log.error(
          { primary: cfg.primary.url, cause },
          "the primary's certificate is not trusted: primary.ca must be the hall CA that signed it (/etc/hallq/tls/hall-ca.pem on the hall PC), and primary.url a name or address in it",
        );
      else if (now() - lastUnreachableWarn > 30_000) {
        // retried every second: one line per half minute is enough to see it in the log
        lastUnreachableWarn = now();
        log.warn(
          { primary: cfg.primary.url, err: err.message, cause, buffered: buffer.count() },
          'primary not reachable; retrying, buffering events',
        );
      }
    },
  );
  socket.on('command', async (msg: unknown, reply?: (r: unknown) => void) => {
    if (typeof reply !== 'function') return;
    const m = (typeof msg === 'object' && msg !== null ? msg : {}) as { deviceId?: unknown; command?: unknown };
    const command = checkCommand(m.command);
    if (typeof m.deviceId !== 'string' || typeof command === 'string') {
      reply({ ok: false, reason: typeof command === 'string' ? command : 'command without a deviceId' });
      return;
    }
    reply(await host.execute(m.deviceId, command));
  });

  const offEvents = host.onEvent((event) => {
    if (BUFFERED.has(event.type)) {
      // durable before anything else: a crash after this line loses nothing
      try {
        const seq = buffer.append(event, now());
        log.debug({ seq, deviceId: event.deviceId, type: event.type }, 'event buffered');
      } catch (err) {
        // the disk refused: this one press is lost, loudly, and the satellite keeps running
        log.error({ err, deviceId: event.deviceId, type: event.type }, 'could not store a device event in the buffer file');
        return;
      }
      pump();
      return;
    }
    if (socket.connected && registered) socket.emit('live', { at: now(), event });
    else if (event.type === 'idcard')
      log.warn({ deviceId: event.deviceId }, 'ID card read while the primary is away: not stored, the citizen reads it again');
  });
  const clock = setInterval(() => {
    if (socket.connected && registered) socket.emit('clock', { at: now() });
  }, CLOCK_EVERY_MS);

  const health: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          role: 'satellite',
          id: cfg.primary.satellite,
          version: VERSION,
          primary: cfg.primary.url,
          connected: socket.connected && registered,
          buffered: buffer.count(),
          devices: host.list().map((d) => ({ id: d.id, kind: d.kind, status: d.status })),
        }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found', message: 'a satellite serves /healthz only; screens are on the primary' }));
  });
  const hostName = opts.host ?? cfg.server.host;
  await new Promise<void>((ok, fail) => {
    health.once('error', fail);
    health.listen(opts.port ?? cfg.server.port, hostName, () => ok());
  });
  const address = health.address();
  const url = `http://${hostName}:${typeof address === 'object' && address ? address.port : 0}`;

  await host.start();
  socket.connect();

  return {
    url,
    host,
    state: () => ({ connected: socket.connected && registered, buffered: buffer.count(), lastAcked, refusedDevices }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(clock);
      offEvents();
      socket.close();
      await host.stop();
      await new Promise((r) => health.close(r));
      buffer.close();
    },
  };
}
