// The primary's side of the satellites: who may connect (per-satellite tokens, revocation), what
// each may act for (the devices the config assigns to it), exactly-once intake of buffered events
// (satellite_events, migration 6, written in the same transaction as the effect), clock skew and
// the state the board shows.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { DeviceEvent, HostDeviceInfo } from '../../drivers/host/contract.js';
import type { HallConfig } from '../config/load.js';
import { CompositeHost } from './composite-host.js';
import { type CommandChannel, RemoteHost } from './remote-host.js';
import { checkDeviceInfo, checkEvent, type EventsAck, type HelloAck, isTime } from './wire.js';

type SatelliteEntry = HallConfig['satellites'][number];

export interface HubLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the board shows per satellite (manager only). */
export interface SatelliteView {
  id: string;
  online: boolean;
  revoked: boolean;
  lastSeen: number | null;
  version: string | null;
  address: string | null;
  /** satellite clock minus primary clock at the last message, ms */
  skewMs: number | null;
  maxSkewMs: number;
  skewWarning: boolean;
  /** highest buffered-event sequence acted on (current stream) */
  lastSeq: number;
  /** events refused since the primary started (wrong device, malformed) */
  refused: number;
  devices: HostDeviceInfo[];
}

/** the part of a socket.io server socket the hub uses */
export interface SatelliteSocket extends CommandChannel {
  id: string;
  connected?: boolean;
  handshake: { address: string };
  on(ev: string, fn: (...args: any[]) => void): unknown;
  disconnect(close?: boolean): unknown;
}

interface Session {
  socket: SatelliteSocket;
  stream?: string;
}

interface State {
  entry: SatelliteEntry;
  host: RemoteHost;
  assigned: Set<string>;
  session?: Session;
  lastSeen: number | null;
  version: string | null;
  address: string | null;
  skewMs: number | null;
  refused: number;
  lastSeq: number;
}

const STALE_AFTER_MS = 15_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class SatelliteHub {
  private readonly sats = new Map<string, State>();
  private readonly changeListeners = new Set<() => void>();
  private readonly s;
  private readonly staleTimer: NodeJS.Timeout;
  readonly host: CompositeHost;

  constructor(
    satellites: HallConfig['satellites'],
    db: Database,
    /** the hall store's transaction: the dedupe row and the effect commit together */
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly log: HubLog,
    private readonly now: () => number = Date.now,
  ) {
    for (const entry of satellites) {
      const host = new RemoteHost(entry.id, entry.devices, now, (err) =>
        log.error({ err, satellite: entry.id }, 'device event subscriber failed'),
      );
      this.sats.set(entry.id, {
        entry,
        host,
        assigned: new Set(entry.devices.map((d) => d.id)),
        lastSeen: null,
        version: null,
        address: null,
        skewMs: null,
        refused: 0,
        lastSeq: 0,
      });
    }
    this.host = new CompositeHost([...this.sats.values()].map((s) => s.host));
    // A PC that lost power sends no close: socket.io would notice only after its ping timeout (~45 s).
    // Satellites send their clock every 5 s; three missed and the satellite is away, so commands fail at
    // once (the kiosk shows the number on screen) instead of waiting for a print deadline.
    this.staleTimer = setInterval(() => {
      for (const st of this.sats.values()) {
        if (st.session && st.host.online && st.lastSeen !== null && this.now() - st.lastSeen > STALE_AFTER_MS) {
          this.log.warn({ satellite: st.entry.id, lastSeen: st.lastSeen }, 'satellite silent; treating it as away');
          st.session.socket.disconnect(true);
        }
      }
    }, 1000);
    this.staleTimer.unref();
    this.s = {
      last: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM satellite_events WHERE satellite = ? AND stream = ?'),
      insert: db.prepare(
        `INSERT INTO satellite_events (satellite, stream, seq, device_id, type, at, received_at, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** socket.io middleware decision: the handshake's { satellite, token } */
  authenticate(auth: unknown): { ok: true; id: string } | { ok: false; reason: string; id?: string } {
    const a = (typeof auth === 'object' && auth !== null ? auth : {}) as { satellite?: unknown; token?: unknown };
    if (typeof a.satellite !== 'string' || typeof a.token !== 'string' || a.token.length > 500)
      return { ok: false, reason: 'satellite id and token required' };
    const st = this.sats.get(a.satellite);
    // an unknown id costs the same comparison as a known one (no timing tells which ids exist)
    const want = st
      ? st.entry.tokenSha256
        ? Buffer.from(st.entry.tokenSha256, 'hex')
        : sha256(st.entry.token ?? '')
      : sha256(randomUUID());
    const match = timingSafeEqual(sha256(a.token), want);
    if (!st) return { ok: false, reason: 'unknown satellite', id: a.satellite.slice(0, 40) };
    if (st.entry.revoked) return { ok: false, reason: 'satellite revoked in the primary config', id: st.entry.id };
    if (!match) return { ok: false, reason: 'wrong token', id: st.entry.id };
    return { ok: true, id: st.entry.id };
  }

  /** a live connection of this satellite (its socket still connected) */
  live(id: string): boolean {
    return this.sats.get(id)?.session?.socket.connected === true;
  }

  /** a satellite socket that passed authenticate() */
  attach(id: string, socket: SatelliteSocket): void {
    const st = this.sats.get(id);
    if (!st) {
      socket.disconnect(true);
      return;
    }
    const previous = st.session;
    const session: Session = { socket };
    st.session = session;
    if (previous) {
      // the same PC reconnecting before its old socket timed out: the newest wins
      this.log.info({ satellite: id }, 'satellite reconnected; closing its previous connection');
      st.host.disconnected(previous.socket);
      previous.socket.disconnect(true);
    }
    st.address = socket.handshake.address;
    const seen = (at: unknown) => {
      st.lastSeen = this.now();
      if (isTime(at)) st.skewMs = at - st.lastSeen;
    };

    socket.on('hello', (msg: unknown, ack?: (a: HelloAck) => void) => {
      if (typeof ack !== 'function' || st.session !== session) return;
      const m = (typeof msg === 'object' && msg !== null ? msg : {}) as Record<string, unknown>;
      if (typeof m.stream !== 'string' || !/^[0-9a-f-]{36}$/.test(m.stream) || !Array.isArray(m.devices) || m.devices.length > 200) {
        ack({ ok: false, reason: 'hello needs a stream id and a device list', lastSeq: 0, assigned: [], refused: [] });
        return;
      }
      seen(m.clock);
      st.version = typeof m.version === 'string' ? m.version.slice(0, 40) : null;
      const reported = m.devices.map(checkDeviceInfo).filter((d): d is HostDeviceInfo => d !== undefined);
      const refused = reported.filter((d) => !st.assigned.has(d.id)).map((d) => d.id);
      if (refused.length)
        this.log.warn({ satellite: id, devices: refused }, 'satellite reports devices the primary does not assign to it; they are ignored');
      let last: number;
      try {
        last = (this.s.last.get(id, m.stream) as { seq: number }).seq;
      } catch (err) {
        this.log.error({ err, satellite: id }, 'could not read the satellite high-water mark');
        ack({ ok: false, reason: 'the primary cannot read its database; retry later', lastSeq: 0, assigned: [], refused: [] });
        return;
      }
      session.stream = m.stream;
      st.lastSeq = last;
      st.host.connected(
        socket,
        reported.filter((d) => st.assigned.has(d.id)),
      );
      this.log.info({ satellite: id, version: st.version, lastSeq: st.lastSeq }, 'satellite registered');
      ack({ ok: true, lastSeq: st.lastSeq, assigned: [...st.assigned], refused });
      this.changed();
    });

    socket.on('events', (msg: unknown, ack?: (a: EventsAck) => void) => {
      if (typeof ack !== 'function' || st.session !== session) return;
      seen(undefined);
      let result: EventsAck;
      try {
        result = this.intake(st, session, msg);
      } catch (err) {
        // the database refused (disk full, I/O error): nothing of this item committed; the satellite keeps it and retries
        this.log.error({ err, satellite: id }, 'could not record satellite events');
        result = { ok: false, reason: 'the primary could not store the events; retry later', upTo: st.lastSeq };
      }
      ack(result);
      this.changed();
    });

    socket.on('live', (msg: unknown) => {
      if (st.session !== session || !session.stream) return;
      const m = (typeof msg === 'object' && msg !== null ? msg : {}) as { at?: unknown; event?: unknown };
      seen(m.at);
      const e = checkEvent(m.event);
      if (typeof e === 'string' || !st.assigned.has(e.deviceId)) {
        this.refuse(
          st,
          typeof e === 'string' ? e : `device ${e.deviceId} is not assigned to this satellite`,
          typeof e === 'string' ? undefined : e.deviceId,
        );
        return;
      }
      if (e.type === 'status') st.host.status(e);
      else if (e.type === 'idcard' || e.type === 'idcard.error') st.host.deliver(e);
      else this.refuse(st, `${e.type} events must be sent buffered, with a sequence`, e.deviceId);
      this.changed();
    });

    socket.on('clock', (msg: unknown) => {
      if (st.session !== session) return;
      seen((msg as { at?: unknown } | null)?.at);
      this.changed();
    });

    socket.on('disconnect', () => {
      if (st.session !== session) return;
      st.session = undefined;
      st.host.disconnected(socket);
      this.log.warn({ satellite: id }, 'satellite disconnected');
      this.changed();
    });
  }

  /** Acts on a batch in order; each new sequence is recorded in the same transaction as its effect. */
  private intake(st: State, session: Session, msg: unknown): EventsAck {
    const id = st.entry.id;
    const m = (typeof msg === 'object' && msg !== null ? msg : {}) as { stream?: unknown; items?: unknown };
    if (!session.stream || m.stream !== session.stream)
      return { ok: false, reason: 'events for another stream than the registered one', upTo: st.lastSeq };
    if (!Array.isArray(m.items) || m.items.length > 500)
      return { ok: false, reason: 'items must be a list of at most 500', upTo: st.lastSeq };
    for (const raw of m.items) {
      const item = (typeof raw === 'object' && raw !== null ? raw : {}) as { seq?: unknown; at?: unknown; event?: unknown };
      if (typeof item.seq !== 'number' || !Number.isSafeInteger(item.seq) || item.seq < 1 || !isTime(item.at))
        return { ok: false, reason: 'an item without a valid seq and at', upTo: st.lastSeq };
      if (item.seq <= st.lastSeq) continue; // already acted on: a redelivery after a lost ack
      const seq = item.seq;
      const at = item.at;
      const e = checkEvent(item.event);
      let refusal: string | undefined;
      if (typeof e === 'string') refusal = e;
      else if (!st.assigned.has(e.deviceId)) refusal = `device ${e.deviceId} is not assigned to this satellite`;
      else if (e.type !== 'key' && e.type !== 'rating') refusal = `${e.type} events are not buffered`;
      const deviceId = typeof e === 'string' ? '?' : e.deviceId;
      const type = typeof e === 'string' ? '?' : e.type;
      this.transaction(() => {
        this.s.insert.run(
          id,
          session.stream,
          seq,
          deviceId.slice(0, 40),
          type,
          at,
          this.now(),
          refusal ? `refused: ${refusal}` : 'delivered',
        );
        // synchronous listeners (the device policy → queue engine) join this transaction
        if (!refusal) st.host.deliver(e as DeviceEvent);
      });
      st.lastSeq = seq;
      if (refusal) this.refuse(st, refusal, deviceId, seq);
    }
    return { ok: true, upTo: st.lastSeq };
  }

  private refuse(st: State, reason: string, deviceId?: string, seq?: number): void {
    st.refused++;
    this.log.warn({ satellite: st.entry.id, deviceId, seq, reason }, 'satellite event refused');
  }

  views(): SatelliteView[] {
    return [...this.sats.values()].map((st) => {
      const maxSkewMs = st.entry.maxClockSkewSeconds * 1000;
      return {
        id: st.entry.id,
        online: st.host.online,
        revoked: st.entry.revoked,
        lastSeen: st.lastSeen,
        version: st.version,
        address: st.address,
        skewMs: st.skewMs,
        maxSkewMs,
        skewWarning: st.skewMs !== null && Math.abs(st.skewMs) > maxSkewMs,
        lastSeq: st.lastSeq,
        refused: st.refused,
        devices: st.host.list(),
      };
    });
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (err) {
        this.log.error({ err }, 'satellite view subscriber failed');
      }
    }
  }

  /** closes every satellite connection (primary shutting down) */
  close(): void {
    clearInterval(this.staleTimer);
    this.changeListeners.clear();
    for (const st of this.sats.values()) {
      if (st.session) {
        st.host.disconnected(st.session.socket);
        st.session.socket.disconnect(true);
        st.session = undefined;
      }
    }
  }
}
