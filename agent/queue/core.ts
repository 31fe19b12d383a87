// In-memory view of the hall + the one way to change it: `run`, which stages every change in a
// Tx, writes state rows, events and outbox rows in one store transaction, and only after the
// commit applies the staged changes to memory and notifies. A throw anywhere leaves both the
// database and the cache untouched.
import { HallCalendar, DEFAULT_CALENDAR } from './calendar.js';
import { QueueError, conflict, notFound } from './errors.js';
import type { CounterView } from './ordering.js';
import { type QueueRules, resolveRules } from './rules.js';
import type { QueueStore, ServiceStat, StoredCounter, StoredTicket } from './store.js';
import { addWorkingDays, dayOf } from './time.js';
import { BUSINESS_DAY_KEY, type DayCloseHook, type DayCloseSummary, closeDayInTx } from './day-close.js';
import type { DayCloseTrigger } from '../../common/vocabulary.js';
import { type CampaignRules, DEFAULT_CAMPAIGN, type EngineOptions, type StaffRef } from './engine-options.js';
import { Tx } from './tx.js';
import { DEFAULT_RATING_REASONS, type RatingReasonDef } from '../../common/rating-reasons.js';
import type { Clock, CounterDef, CounterState, QueueEvent, RecentCall, ServiceDef, Ticket } from './types.js';

// the options and the Tx live in their own files; importers of core.js keep their imports
export { type CampaignRules, DEFAULT_CAMPAIGN, type EngineOptions, type StaffRef } from './engine-options.js';
export { Tx, type TxBase } from './tx.js';

const OPEN_STATES = new Set(['waiting', 'called', 'serving', 'noShow']);
const RECENT_CALLS = 20;

export class EngineCore {
  readonly store: QueueStore;
  readonly rules: QueueRules;
  readonly clock: Clock;
  readonly secret: string;
  readonly calendar: HallCalendar | undefined;
  private readonly staffList: () => StaffRef[];
  readonly campaign: CampaignRules;
  readonly ratingReasons: readonly RatingReasonDef[];
  readonly services = new Map<string, ServiceDef>();
  readonly counterDefs = new Map<string, CounterDef>();
  readonly counterStates = new Map<string, StoredCounter>();
  /** today's tickets plus still-open ones of earlier days */
  readonly tickets = new Map<string, StoredTicket>();
  readonly waiting = new Set<string>();
  readonly stats = new Map<string, ServiceStat>();
  recentCalls: RecentCall[] = [];
  /** what else ends with the day (staff sessions): run inside the close's transaction */
  readonly dayCloseHooks: DayCloseHook[] = [];
  seq: number;
  /** the business day the engine is in: stored, so a start after a night off still closes yesterday */
  day: string;
  /** the stored day was already over when the engine started (the PC was off overnight) */
  private staleAtStart: boolean;
  private readonly onCommit: EngineOptions['onCommit'];

  constructor(opts: EngineOptions) {
    if (!opts.secret) throw new Error('QueueEngine needs the hall secret (HMAC of 身份证 numbers)');
    this.store = opts.store;
    this.rules = resolveRules(opts.rules);
    this.clock = opts.clock;
    this.secret = opts.secret;
    this.onCommit = opts.onCommit;
    this.calendar = opts.calendar;
    const given = opts.staff ?? [];
    this.staffList = typeof given === 'function' ? given : () => given;
    this.campaign = { ...DEFAULT_CAMPAIGN, ...opts.campaign };
    this.ratingReasons = opts.ratingReasons ?? DEFAULT_RATING_REASONS;
    const prefixes = new Map<string, string>();
    for (const s of opts.services) {
      // Ticket ids and 叫指定号 key on the number, so two services may not share a prefix.
      const other = prefixes.get(s.prefix);
      if (other !== undefined) throw new Error(`services ${other} and ${s.id} share ticket prefix ${s.prefix}`);
      prefixes.set(s.prefix, s.id);
      this.services.set(s.id, s);
    }
    for (const c of opts.counters) {
      for (const s of c.services) if (!this.services.has(s)) throw new Error(`counter ${c.id} lists unknown service ${s}`);
      this.counterDefs.set(c.id, c);
    }
    for (const c of opts.counters) {
      if (c.backupCounter !== undefined && !this.counterDefs.has(c.backupCounter)) {
        throw new Error(`counter ${c.id} has unknown backupCounter ${c.backupCounter}`);
      }
    }
    this.seq = this.store.lastSeq();
    const today = dayOf(this.clock.now(), this.rules.timezone);
    const persisted = new Map(this.store.loadCounters().map((c) => [c.id, c]));
    for (const c of opts.counters) {
      this.counterStates.set(c.id, persisted.get(c.id) ?? { id: c.id, open: false, paused: false, servedToday: 0, mixPos: 0 });
    }
    const openTickets = this.store.loadOpenTickets();
    this.day = this.storedDay(today, openTickets);
    this.staleAtStart = this.day < today;
    const days = this.staleAtStart ? [this.day, today] : [today];
    for (const t of [...openTickets, ...days.flatMap((d) => this.store.loadTickets(d))]) this.cacheTicket(t);
    for (const s of this.store.loadServiceStats()) this.stats.set(s.service, s);
    for (const e of this.store.recentEvents(['ticket.called', 'ticket.recalled'], RECENT_CALLS)) {
      const call = recentCallOf(e);
      if (call) this.recentCalls.push(call);
    }
  }

  private cacheTicket(t: StoredTicket): void {
    this.tickets.set(t.id, t);
    if (t.state === 'waiting') this.waiting.add(t.id);
    else this.waiting.delete(t.id);
  }

  /** A transaction-less view for read-only helpers that share code with actions. */
  readView(): Tx {
    return new Tx(this, this.clock.now(), this.day);
  }

  /** Runs one engine action atomically. */
  run<T>(fn: (tx: Tx) => T): T {
    const now = this.clock.now();
    this.ensureDay(now);
    const tx = new Tx(this, now, this.day);
    const value = this.store.transaction(() => {
      const v = fn(tx);
      this.flush(tx);
      return v;
    });
    this.apply(tx);
    return value;
  }

  private flush(tx: Tx): void {
    for (const t of tx.tickets.values()) this.store.putTicket(t);
    for (const c of tx.counters.values()) this.store.putCounter(c);
    for (const s of tx.stats.values()) this.store.putServiceStat(s);
    for (const w of tx.sideEffects) w();
    for (const e of tx.events) this.store.appendEvent(e);
  }

  /** The business day stored by the last close or roll; before the first one, the oldest open day. */
  private storedDay(today: string, open: StoredTicket[]): string {
    const stored = this.store.getSetting(BUSINESS_DAY_KEY);
    if (typeof stored === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(stored)) return stored < today ? stored : today;
    let day = today;
    for (const t of open) if (t.day < day) day = t.day;
    for (const c of this.counterStates.values()) {
      const opened = c.open && c.openedAt !== undefined ? dayOf(c.openedAt, this.rules.timezone) : today;
      if (opened < day) day = opened;
    }
    return day;
  }

  /**
   * The first thing after the business day is over (midnight passed, or the PC was off overnight):
   * closes it in one transaction and moves to today. Idempotent; a no-op while the day is current.
   */
  ensureDay(now = this.clock.now(), trigger?: DayCloseTrigger): DayCloseSummary | undefined {
    const today = dayOf(now, this.rules.timezone);
    if (today <= this.day) return undefined;
    const why = trigger ?? (this.staleAtStart ? 'startup' : 'midnight');
    this.staleAtStart = false;
    return this.closeDay(now, why, today);
  }

  /**
   * Closes the business day (see day-close.ts) and opens `openDay`: at closing time + grace the
   * two are the same day, after midnight or a night off the next one.
   */
  closeDay(now: number, trigger: DayCloseTrigger, openDay = this.day): DayCloseSummary | undefined {
    const closing = this.day;
    const tx = new Tx(this, now, openDay);
    const summary = this.store.transaction(() => {
      const s = closeDayInTx(this, tx, closing, trigger, this.dayCloseHooks);
      if (openDay !== closing) tx.write(() => this.store.putSetting(BUSINESS_DAY_KEY, openDay, now));
      this.flush(tx);
      return s;
    });
    this.day = openDay;
    if (summary) this.recentCalls = [];
    this.apply(tx);
    // Earlier days leave the cache once nothing of them is open (the ticket page reads the store).
    for (const t of [...this.tickets.values()]) {
      if (t.day < openDay && !OPEN_STATES.has(t.state)) this.tickets.delete(t.id);
    }
    return summary;
  }

  private apply(tx: Tx): void {
    for (const t of tx.tickets.values()) this.cacheTicket(t);
    for (const c of tx.counters.values()) this.counterStates.set(c.id, c);
    for (const s of tx.stats.values()) this.stats.set(s.service, s);
    if (tx.events.length > 0) this.seq = tx.events[tx.events.length - 1]!.seq;
    for (const e of tx.events) {
      const call = recentCallOf(e);
      if (call) this.recentCalls.unshift(call);
    }
    if (this.recentCalls.length > RECENT_CALLS) this.recentCalls.length = RECENT_CALLS;
    this.notify(tx);
    for (const f of tx.afterCommit) {
      try {
        f();
      } catch {
        /* the close is committed; a hook's own logging reports its failure */
      }
    }
  }

  private notify(tx: Tx): void {
    if (!this.onCommit) return;
    for (const event of tx.events) {
      const t = event.ticketId ? this.tickets.get(event.ticketId) : undefined;
      const c = event.counter ? this.counterStates.get(event.counter) : undefined;
      const payload: { event: QueueEvent; ticket?: Ticket; counter?: CounterState } = { event };
      if (t) payload.ticket = publicTicket(t);
      if (c) payload.counter = publicCounter(c, this.day);
      // A subscriber's failure must not look like a failed action: the event is already committed.
      try {
        this.onCommit(payload);
      } catch {
        /* reported by the subscriber's own error handling */
      }
    }
  }

  // ---- lookups shared by the action modules

  /** `n` working days after `day`: the hall calendar's (holidays, 调休) when there is one, else Mon–Fri. */
  workingDaysAfter(day: string, n: number): string {
    return this.calendar ? this.calendar.addWorkingDays(day, n) : addWorkingDays(day, n);
  }

  /** The calendar in force; a hall without one is always open. */
  hallCalendar(): HallCalendar {
    return this.calendar ?? new HallCalendar(DEFAULT_CALENDAR, this.rules.timezone);
  }

  /**
   * Why a counter is not on duty on `day` by the calendar (holiday, weekend off its 周末轮岗 turn, an
   * appointment-only day's other counters); undefined when it is, or when no calendar is in force.
   */
  offDuty(counterId: string, day: string): { zh: string; en: string } | undefined {
    if (!this.calendar || this.calendar.data.alwaysOpen) return undefined;
    const plan = this.calendar.plan(day);
    if (plan.ranges.length === 0) {
      return plan.kind === 'holiday'
        ? { zh: `${plan.holidayName ?? '节假日'}放假`, en: `${plan.holidayName ?? 'holiday'}: the hall is closed` }
        : { zh: '今日大厅不开放', en: 'the hall does not open today' };
    }
    if (plan.counters && !plan.counters.includes(counterId)) {
      return plan.kind === 'weekend'
        ? { zh: '本周末不轮值', en: 'not on this weekend’s duty rota' }
        : { zh: '今日仅部分窗口开放', en: 'only some counters open today' };
    }
    return undefined;
  }

  /** Known staff by id, as of now. */
  get staff(): ReadonlyMap<string, StaffRef> {
    return new Map(this.staffList().map((s) => [s.id, s]));
  }

  /** A known, enabled staff id, or a refusal naming it (cases go only to known staff). */
  knownStaff(id: string): StaffRef {
    const all = this.staff;
    const s = all.get(id);
    if (s && !s.disabled) return s;
    if (all.size === 0) return { id, name: id };
    throw notFound('STAFF_UNKNOWN', `没有该工作人员：${id}`, `Unknown staff member ${id}`);
  }

  service(id: string): ServiceDef {
    const s = this.services.get(id);
    if (!s) throw notFound('SERVICE_UNKNOWN', `没有该业务：${id}`, `Unknown service ${id}`);
    return s;
  }

  counterDef(id: string): CounterDef {
    const c = this.counterDefs.get(id);
    if (!c) throw notFound('COUNTER_UNKNOWN', `没有${id}号窗口`, `Unknown counter ${id}`);
    return c;
  }

  counterViews(tx?: Tx): Map<string, CounterView> {
    const m = new Map<string, CounterView>();
    for (const def of this.counterDefs.values()) {
      const state = tx ? tx.counter(def.id) : this.counterStates.get(def.id)!;
      m.set(def.id, { def, state });
    }
    return m;
  }

  ticketOrThrow(id: string, tx?: Tx): StoredTicket {
    const t = tx ? tx.ticket(id) : this.tickets.get(id);
    if (!t) throw notFound('TICKET_UNKNOWN', '没有该号票', `Unknown ticket ${id}`);
    return t;
  }

  /** Latest entry of a number today (a transferred number has several entries). */
  ticketByNumber(number: string, tx: Tx): StoredTicket {
    let best: StoredTicket | undefined;
    const wanted = number.trim().toUpperCase();
    for (const t of this.tickets.values()) {
      const cur = tx.ticket(t.id)!;
      if (cur.day !== tx.day || cur.number !== wanted) continue;
      // Each transfer ends the old entry (transferredTo set); exactly one entry is live.
      if (!best || cur.transferredTo === undefined) best = cur;
    }
    if (!best) throw notFound('NUMBER_UNKNOWN', `今日没有${wanted}号`, `No ticket ${wanted} today`);
    return best;
  }

  /** The counter's active ticket, or a refusal naming what is missing. */
  currentTicket(counterId: string, tx: Tx): StoredTicket {
    const c = tx.counter(counterId);
    const t = c.currentTicketId ? tx.ticket(c.currentTicketId) : undefined;
    if (!t || (t.state !== 'called' && t.state !== 'serving')) {
      throw conflict('NO_CURRENT_TICKET', `${counterId}号窗口当前没有正在办理的号`, `Counter ${counterId} has no current ticket`);
    }
    return t;
  }

  stat(service: string, tx?: Tx): ServiceStat {
    const s = tx?.stats.get(service) ?? this.stats.get(service);
    if (s) return s;
    return { service, ewmaMs: this.service(service).expectedMinutes * 60_000, samples: 0 };
  }
}

export function publicTicket(t: StoredTicket): Ticket {
  const { idHash: _hash, ...rest } = t;
  return { ...rest };
}

/** A call or recall event as the hall display's recent-calls list holds it. */
function recentCallOf(e: QueueEvent): RecentCall | undefined {
  if ((e.type !== 'ticket.called' && e.type !== 'ticket.recalled') || !e.ticketId || !e.counter) return undefined;
  return {
    ticketId: e.ticketId,
    number: String(e.data.number ?? ''),
    counter: e.counter,
    at: e.at,
    recall: e.type === 'ticket.recalled',
    seq: e.seq,
  };
}

export function publicCounter(c: StoredCounter, day: string): CounterState {
  const { mixPos: _m, servedDay, lastCall: _l, ...rest } = c;
  return { ...rest, servedToday: servedDay === day ? c.servedToday : 0 };
}

export { QueueError };
