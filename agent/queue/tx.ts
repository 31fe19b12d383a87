// One action's staged changes (tickets, counters, statistics, events, and the uncached store writes in
// order). EngineCore.run creates it, commits it in one store transaction and only then applies it to
// memory: a Tx reads through to the committed state and never changes it.
import { notFound } from './errors.js';
import type { ServiceStat, StoredCounter, StoredTicket } from './store.js';
import type { QueueEvent, QueueEventData, QueueEventOf, QueueEventType } from './types.js';

/** what a Tx reads of the committed state (EngineCore) */
export interface TxBase {
  readonly tickets: ReadonlyMap<string, StoredTicket>;
  readonly counterStates: ReadonlyMap<string, StoredCounter>;
  readonly seq: number;
}

export class Tx {
  readonly tickets = new Map<string, StoredTicket>();
  readonly counters = new Map<string, StoredCounter>();
  readonly stats = new Map<string, ServiceStat>();
  readonly events: QueueEvent[] = [];
  readonly sideEffects: (() => void)[] = [];
  /** runs once the transaction has committed and memory is updated (e.g. tell sockets a session ended) */
  readonly afterCommit: (() => void)[] = [];

  constructor(
    private readonly core: TxBase,
    readonly now: number,
    readonly day: string,
  ) {}

  ticket(id: string): StoredTicket | undefined {
    return this.tickets.get(id) ?? this.core.tickets.get(id);
  }

  counter(id: string): StoredCounter {
    const c = this.counters.get(id) ?? this.core.counterStates.get(id);
    if (!c) throw notFound('COUNTER_UNKNOWN', `没有${id}号窗口`, `Unknown counter ${id}`);
    return c;
  }

  putTicket(t: StoredTicket): StoredTicket {
    this.tickets.set(t.id, t);
    return t;
  }

  putCounter(c: StoredCounter): StoredCounter {
    this.counters.set(c.id, c);
    return c;
  }

  /** seq the next event will get: gap-free because the engine is the only writer */
  nextSeq(): number {
    return this.core.seq + this.events.length + 1;
  }

  emit<K extends QueueEventType>(type: K, data: QueueEventData[K], ticketId?: string, counter?: string): QueueEventOf<K> {
    const e: QueueEventOf<K> = { seq: this.nextSeq(), at: this.now, type, data };
    if (ticketId !== undefined) e.ticketId = ticketId;
    if (counter !== undefined) e.counter = counter;
    this.events.push(e as QueueEvent);
    return e;
  }

  /** A store write that is not cached (ratings, outbox…); runs inside the transaction. */
  write(fn: () => void): void {
    this.sideEffects.push(fn);
  }
}
