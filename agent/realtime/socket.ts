import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { type Namespace, Server, type Socket } from 'socket.io';
import type { Session } from '../api/auth.js';
import type { HallContext } from '../context.js';
import { bindIdCardReaders } from '../idcard-sessions.js';
import type { QueueEvent } from '../queue/types.js';
import { attachDeviceNamespace } from './device-namespace.js';
import { type Audience, projectQueueMessage, projectSnapshot, type QueueMessage } from '../security/projection.js';
import { TokenBucket } from '../security/rate.js';
import { ConnectionSlots } from './slots.js';
import { HostCheck } from '../security/host-check.js';
import type { Terminal } from '../security/store.js';

/** Past this many missed events a screen gets a fresh snapshot instead of a replay. */
const MAX_REPLAY = 500;
/** resync/snapshot requests per connection: a burst of 10, then one every 2 s */
const RESYNC_BURST = 10;
const RESYNC_EVERY_MS = 2000;
export { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS } from './slots.js';

type Access = 'public' | 'staff' | 'manager';
export const NAMESPACES: Record<string, Access> = {
  '/board': 'manager',
  '/display': 'public',
  '/kiosk': 'public',
  '/pad': 'public',
  '/counter': 'staff',
};

interface SocketData {
  audience: Audience;
  session?: Session;
  terminal?: Terminal;
  resync: TokenBucket;
}

/** A browser's Origin must be this hall's own address (the Host it asked); non-browser clients send none. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * One socket.io server, a namespace per screen kind. Every queue event carries its event-table
 * seq so a screen that reconnects asks for what it missed (`resync`) and never shows a stale queue.
 * What a socket receives is projected for its audience (agent/security/projection.ts).
 */
export function attachRealtime(httpServer: HttpServer, ctx: HallContext): { io: Server; close(): Promise<void> } {
  const slots = new ConnectionSlots();
  const hosts = new HostCheck(ctx.config);
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    // a connection that joins no namespace is an idle anonymous one: dropped
    connectTimeout: 5_000,
    pingTimeout: 20_000,
    allowRequest: (req, callback) => {
      if (!sameOrigin(req) || !hosts.allows(req.headers.host)) return callback('origin not allowed', false);
      const addr = req.socket.remoteAddress ?? '?';
      if (!slots.admit(addr)) return callback('too many connections', false);
      callback(null, true);
    },
  });
  io.engine.on('connection', (raw: { request: IncomingMessage; once(ev: 'close', l: () => void): void }) => {
    const addr = raw.request.socket.remoteAddress ?? '?';
    slots.open(raw, addr);
    raw.once('close', () => slots.close(raw));
  });
  const namespaces: Namespace[] = [];

  for (const [name, access] of Object.entries(NAMESPACES)) {
    const nsp = io.of(name);
    namespaces.push(nsp);
    nsp.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      const session = ctx.auth.session(typeof auth.token === 'string' ? auth.token : undefined);
      const terminal = ctx.auth.terminal(typeof auth.terminal === 'string' ? auth.terminal : undefined);
      const counter = typeof socket.handshake.query.counter === 'string' ? socket.handshake.query.counter : undefined;
      const data = socket.data as SocketData;
      data.session = session;
      data.terminal = terminal;
      data.resync = new TokenBucket(RESYNC_BURST, RESYNC_EVERY_MS, () => Date.now());
      if (!slots.settle(socket.conn, session !== undefined || terminal !== undefined)) {
        const err = new Error('too many connections') as Error & { data: unknown };
        err.data = { code: 'too_many_connections', message: '连接过多', messageEn: 'Too many anonymous connections' };
        return next(err);
      }
      if (access === 'public') {
        // A signed-in manager or staff member looking at a public screen still gets the public view there.
        data.audience = 'public';
        return next();
      }
      const ok =
        session !== undefined &&
        (session.role === 'manager' ||
          (access === 'staff' && session.role === 'staff' && (counter === undefined || counter === session.counter)));
      if (!ok) {
        const err = new Error('unauthorized') as Error & { data: unknown };
        err.data = { code: 'not_signed_in', message: '请先登录', messageEn: 'Sign in first' };
        return next(err);
      }
      data.audience = access === 'manager' ? 'manager' : session.role === 'manager' ? 'manager' : 'staff';
      return next();
    });
    nsp.on('connection', (socket) => onConnection(socket, ctx));
  }

  const toAudience = (fn: (audience: Audience) => [string, unknown] | undefined) => {
    for (const nsp of namespaces) {
      const audience: Audience = NAMESPACES[nsp.name] === 'public' ? 'public' : NAMESPACES[nsp.name] === 'manager' ? 'manager' : 'staff';
      if (audience === 'staff') {
        // /counter also carries managers (full view) — send per socket
        for (const s of nsp.sockets.values()) {
          const msg = fn((s.data as SocketData).audience);
          if (msg) s.emit(msg[0], msg[1]);
        }
        continue;
      }
      const msg = fn(audience);
      if (msg) nsp.emit(msg[0], msg[1]);
    }
  };

  attachDeviceNamespace(io, ctx, (conn) => slots.settle(conn, true));
  const unsubscribe = [
    // A card read goes only to the kiosk whose terminal owns the reader (config terminals[].readers).
    bindIdCardReaders(
      ctx.bus,
      ctx.idCards,
      (msg) => {
        for (const s of io.of('/kiosk').sockets.values()) {
          const t = (s.data as SocketData).terminal;
          if (t?.kind === 'kiosk' && t.readers.includes(msg.deviceId)) s.emit('idcard', msg);
        }
      },
      (deviceId) => ctx.auth.store.terminals().find((t) => t.kind === 'kiosk' && !t.disabled && t.readers.includes(deviceId))?.id,
    ),
    ctx.bus.on('queue', ({ event, ticket, counter }) => {
      const payload: QueueMessage = { seq: event.seq, event, ticket, counter };
      toAudience((a) => {
        const m = projectQueueMessage(payload, a);
        return m ? ['queue', m] : undefined;
      });
    }),
    ctx.bus.on('device.status', (status) => {
      for (const nsp of namespaces) nsp.emit('device', status);
    }),
    ctx.bus.on('print.done', (p) => {
      for (const nsp of namespaces) nsp.emit('print', { ...p, ok: true });
    }),
    ctx.bus.on('print.failed', (p) => {
      for (const nsp of namespaces) nsp.emit('print', { ...p, ok: false });
    }),
    ctx.auth.onSessionEnded((tokenHash) => {
      for (const nsp of namespaces)
        for (const s of nsp.sockets.values()) {
          const sd = s.data as SocketData;
          if (sd.session?.tokenHash === tokenHash && sd.audience !== 'public') s.disconnect(true);
        }
    }),
  ];
  const onAlert = (a: unknown) => io.of('/board').emit('alert', a);
  ctx.auth.alerts.on('alert', onAlert);

  return {
    io,
    async close() {
      for (const off of unsubscribe) off();
      ctx.auth.alerts.off('alert', onAlert);
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

function snapshot(ctx: HallContext, audience: Audience) {
  const queue = projectSnapshot(ctx.engine.snapshot(), audience);
  return { seq: queue.seq, queue, devices: ctx.devices.list() };
}

function onConnection(socket: Socket, ctx: HallContext): void {
  const data = socket.data as SocketData;
  socket.emit('snapshot', snapshot(ctx, data.audience));
  socket.on('resync', (msg: unknown) => {
    if (!data.resync.take()) {
      socket.emit('refused', { code: 'too_many_resyncs', message: '请求过于频繁', messageEn: 'Too many resync requests; wait a moment' });
      return;
    }
    const after = typeof msg === 'object' && msg !== null ? (msg as { after?: unknown }).after : undefined;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < 0) {
      socket.emit('snapshot', snapshot(ctx, data.audience));
      return;
    }
    const missed: QueueEvent[] = ctx.engine.eventsAfter(after, MAX_REPLAY + 1);
    if (missed.length > MAX_REPLAY) {
      socket.emit('snapshot', snapshot(ctx, data.audience));
      return;
    }
    for (const event of missed) {
      const m = projectQueueMessage(
        { seq: event.seq, event, ticket: event.ticketId ? ctx.engine.getTicket(event.ticketId) : undefined, replay: true },
        data.audience,
      );
      if (m) socket.emit('queue', m);
    }
  });
}
