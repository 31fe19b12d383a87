import type { Server as HttpServer } from 'node:http';
import { type Namespace, Server, type Socket } from 'socket.io';
import type { HallContext } from '../context.js';
import { bindIdCardReaders } from '../idcard-sessions.js';
import type { QueueEvent } from '../queue/types.js';
import { attachDeviceNamespace } from './device-namespace.js';

/** Past this many missed events a screen gets a fresh snapshot instead of a replay. */
const MAX_REPLAY = 500;

type Access = 'public' | 'staff' | 'manager';
const NAMESPACES: Record<string, Access> = {
  '/board': 'manager',
  '/display': 'public',
  '/kiosk': 'public',
  '/pad': 'public',
  '/counter': 'staff',
};

/**
 * One socket.io server, a namespace per screen kind. Every queue event carries its event-table
 * seq so a screen that reconnects asks for what it missed (`resync`) and never shows a stale queue.
 */
export function attachRealtime(httpServer: HttpServer, ctx: HallContext): { io: Server; close(): Promise<void> } {
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, cors: { origin: false } });
  const namespaces: Namespace[] = [];

  for (const [name, access] of Object.entries(NAMESPACES)) {
    const nsp = io.of(name);
    namespaces.push(nsp);
    nsp.use((socket, next) => {
      if (access === 'public') return next();
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
      const session = ctx.auth.session(token);
      const counter = typeof socket.handshake.query.counter === 'string' ? socket.handshake.query.counter : undefined;
      const ok =
        session !== undefined &&
        (session.role === 'manager' ||
          (access === 'staff' && session.role === 'staff' && (counter === undefined || counter === session.counter)));
      if (!ok) {
        const err = new Error('unauthorized') as Error & { data: unknown };
        err.data = { code: 'not_signed_in', message: '请先登录', messageEn: 'Sign in first' };
        return next(err);
      }
      return next();
    });
    nsp.on('connection', (socket) => onConnection(socket, ctx));
  }

  attachDeviceNamespace(io, ctx);
  const unsubscribe = [
    bindIdCardReaders(ctx.bus, ctx.idCards, (msg) => io.of('/kiosk').emit('idcard', msg)),
    ctx.bus.on('queue', ({ event, ticket, counter }) => {
      const payload = { seq: event.seq, event, ticket, counter };
      for (const nsp of namespaces) nsp.emit('queue', payload);
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
  ];

  return {
    io,
    async close() {
      for (const off of unsubscribe) off();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

function snapshot(ctx: HallContext) {
  const queue = ctx.engine.snapshot();
  return { seq: queue.seq, queue, devices: ctx.devices.list() };
}

function onConnection(socket: Socket, ctx: HallContext): void {
  socket.emit('snapshot', snapshot(ctx));
  socket.on('resync', (msg: unknown) => {
    const after = typeof msg === 'object' && msg !== null ? (msg as { after?: unknown }).after : undefined;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < 0) {
      socket.emit('snapshot', snapshot(ctx));
      return;
    }
    const missed: QueueEvent[] = ctx.engine.eventsAfter(after, MAX_REPLAY + 1);
    if (missed.length > MAX_REPLAY) {
      socket.emit('snapshot', snapshot(ctx));
      return;
    }
    for (const event of missed) {
      socket.emit('queue', {
        seq: event.seq,
        event,
        ticket: event.ticketId ? ctx.engine.getTicket(event.ticketId) : undefined,
        replay: true,
      });
    }
  });
}
