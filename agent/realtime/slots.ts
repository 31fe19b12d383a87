// Live-connection capacity. An anonymous LAN client must not be able to take the slots the board, the
// counters and the registered screens need. A connection is `pending` until it joins a namespace (socket.io
// drops it after connectTimeout, 5 s), then `anon` (a public screen without a session or terminal token) or
// `authed`. Pending and anonymous connections have their own ceilings, in all and per address; what they
// cannot reach stays reserved for signed-in people and registered screens.

export const MAX_CONNECTIONS = 1000;
export const MAX_CONNECTIONS_PER_ADDRESS = 50;
export const MAX_PENDING = 200;
export const MAX_PENDING_PER_ADDRESS = MAX_CONNECTIONS_PER_ADDRESS;
export const MAX_ANONYMOUS = 500;
export const MAX_ANONYMOUS_PER_ADDRESS = 30;
/** never reachable by pending and anonymous connections */
export const RESERVED = MAX_CONNECTIONS - MAX_PENDING - MAX_ANONYMOUS;

type State = 'pending' | 'anon' | 'authed';

class Pool {
  total = 0;
  readonly per = new Map<string, number>();
  add(addr: string, d: number): void {
    this.total += d;
    const n = (this.per.get(addr) ?? 0) + d;
    if (n <= 0) this.per.delete(addr);
    else this.per.set(addr, n);
  }
  at(addr: string): number {
    return this.per.get(addr) ?? 0;
  }
}

export class ConnectionSlots {
  private readonly all = new Pool();
  private readonly pending = new Pool();
  private readonly anon = new Pool();
  private readonly conns = new WeakMap<object, { addr: string; state: State }>();

  /** before the handshake */
  admit(addr: string): boolean {
    return (
      this.all.total < MAX_CONNECTIONS &&
      this.all.at(addr) < MAX_CONNECTIONS_PER_ADDRESS &&
      this.pending.total < MAX_PENDING &&
      this.pending.at(addr) < MAX_PENDING_PER_ADDRESS
    );
  }

  open(conn: object, addr: string): void {
    this.conns.set(conn, { addr, state: 'pending' });
    this.all.add(addr, 1);
    this.pending.add(addr, 1);
  }

  /** a namespace join: false = an anonymous one that does not fit (refuse it) */
  settle(conn: object, authed: boolean): boolean {
    const c = this.conns.get(conn);
    if (!c) return true;
    if (authed) {
      if (c.state !== 'authed') this.pool(c.state)?.add(c.addr, -1);
      c.state = 'authed';
      return true;
    }
    if (c.state !== 'pending') return true;
    if (this.anon.total >= MAX_ANONYMOUS || this.anon.at(c.addr) >= MAX_ANONYMOUS_PER_ADDRESS) return false;
    this.pending.add(c.addr, -1);
    this.anon.add(c.addr, 1);
    c.state = 'anon';
    return true;
  }

  close(conn: object): void {
    const c = this.conns.get(conn);
    if (!c) return;
    this.conns.delete(conn);
    this.all.add(c.addr, -1);
    this.pool(c.state)?.add(c.addr, -1);
  }

  private pool(state: State): Pool | undefined {
    return state === 'pending' ? this.pending : state === 'anon' ? this.anon : undefined;
  }
}
