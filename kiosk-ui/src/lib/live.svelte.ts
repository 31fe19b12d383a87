// One live connection per screen. Keeps the last event seq: on reconnect it sends
// `resync { after }` so the server replays what was missed (or sends a fresh snapshot);
// duplicates and stale messages (seq ≤ last) are dropped, so events apply exactly once, in order.
import { io, type Socket } from 'socket.io-client';
import { get } from './api.ts';
import { applyQueueMsg, type Known } from './queue-apply.ts';
import { terminalToken } from './terminal.ts';
import type { CallInfo, DeviceInfo, DeviceMsg, PrintMsg, QueueBody, QueueMsg, Snapshot } from './types.ts';

export interface LiveOptions {
  auth?: Record<string, unknown>;
  query?: Record<string, string>;
  onQueue?: (m: QueueMsg, call?: CallInfo) => void;
  onSnapshot?: (s: Snapshot) => void;
  onPrint?: (p: PrintMsg) => void;
  onDevice?: (d: DeviceInfo) => void;
  /** handshake refused (bad or expired token) */
  onAuthError?: (message: string) => void;
  /** re-read GET /api/v1/queue after a burst of events for server-side aggregates */
  reconcile?: boolean;
}

export interface Live {
  /** offline: the connection has been down for more than a moment (a blip of a reconnect is not shown) */
  readonly state: { connected: boolean; offline: boolean; seq: number; queue: QueueBody | null; devices: DeviceInfo[] };
  socket: Socket;
  close(): void;
}

const OFFLINE_AFTER_MS = 1500;

export function createLive(ns: string, opts: LiveOptions = {}): Live {
  const state = $state({
    connected: false,
    offline: false,
    seq: -1,
    queue: null as QueueBody | null,
    devices: [] as DeviceInfo[],
  });
  const known = new Map<string, Known>();
  let everConnected = false;
  let reconcileTimer: ReturnType<typeof setTimeout> | undefined;

  // the terminal token is read at every (re)connect: a screen paired later does not need a reload
  // Reconnect within a second on the hall LAN: with socket.io's default back-off (up to 5 s, ±50 %)
  // a screen said "disconnected" for up to 8 s after the agent was back.
  const socket = io(ns, {
    auth: (cb) => cb({ ...opts.auth, terminal: terminalToken() ?? undefined }),
    query: opts.query,
    reconnectionDelay: 300,
    reconnectionDelayMax: 1000,
  });
  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  // started once per outage: each failed retry (every second) must not push the moment back
  const goingDown = () => {
    if (state.offline || offlineTimer !== undefined) return;
    offlineTimer = setTimeout(() => {
      offlineTimer = undefined;
      if (!state.connected) state.offline = true;
    }, OFFLINE_AFTER_MS);
  };
  // the network came back (cable, Wi-Fi): try now rather than at the next back-off step
  const online = () => {
    if (!socket.connected) socket.connect();
  };
  window.addEventListener('online', online);
  // reachable from the devtools console of a hall PC (and from tests): __hallqSockets[0].disconnect()
  const w = window as unknown as { __hallqSockets?: Socket[] };
  w.__hallqSockets ??= [];
  w.__hallqSockets.push(socket);

  socket.on('connect', () => {
    clearTimeout(offlineTimer);
    offlineTimer = undefined;
    state.connected = true;
    state.offline = false;
    if (everConnected && state.seq >= 0) socket.emit('resync', { after: state.seq });
    everConnected = true;
  });
  socket.on('disconnect', () => {
    state.connected = false;
    goingDown();
  });
  socket.on('connect_error', (err: Error) => {
    state.connected = false;
    goingDown();
    if (/auth|token|unauthori[sz]ed|forbidden/i.test(err.message)) opts.onAuthError?.(err.message);
  });

  socket.on('snapshot', (s: Snapshot) => {
    if (s.seq < state.seq) return;
    state.seq = s.seq;
    known.clear();
    state.queue = s.queue;
    if (s.devices) state.devices = s.devices;
    opts.onSnapshot?.(s);
  });

  socket.on('queue', (m: QueueMsg) => {
    if (m.seq <= state.seq) return; // already applied (resync overlap)
    state.seq = m.seq;
    const call = state.queue ? applyQueueMsg(state.queue, m, known) : undefined;
    opts.onQueue?.(m, call);
    if (opts.reconcile) scheduleReconcile();
  });

  socket.on('device', (d: DeviceMsg) => {
    const i = state.devices.findIndex((x) => x.id === d.deviceId);
    const merged: DeviceInfo = { ...state.devices[i], ...d, id: d.deviceId, since: Date.now() };
    if (i >= 0) state.devices[i] = merged;
    else state.devices.push(merged);
    opts.onDevice?.(merged);
  });

  socket.on('print', (p: PrintMsg) => opts.onPrint?.(p));

  function scheduleReconcile(): void {
    clearTimeout(reconcileTimer);
    reconcileTimer = setTimeout(async () => {
      try {
        const q = await get<QueueBody>('/api/v1/queue');
        // only replace when the server has seen at least what we applied
        if (q.seq >= state.seq) {
          state.queue = q;
          known.clear();
        }
      } catch {
        /* next event retries */
      }
    }, 400);
  }

  return {
    state,
    socket,
    close() {
      clearTimeout(reconcileTimer);
      clearTimeout(offlineTimer);
      window.removeEventListener('online', online);
      socket.close();
    },
  };
}
