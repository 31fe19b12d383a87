import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import type { OutboxInput, QueueStore, ServiceStat, StoredCounter, StoredTicket } from '../queue/store.js';
import type {
  AcceptedWithMissing,
  Appointment,
  NoticeRecord,
  QueueEvent,
  Rating,
  Rectification,
  UnresolvedReport,
} from '../queue/types.js';
import type { CampaignCase } from '../queue/campaign-types.js';
import type { PeriodRows } from '../queue/period-report.js';
import { migrate } from './migrations.js';

type Row = Record<string, unknown>;
const parse = <T>(row: unknown): T => JSON.parse((row as { data: string }).data) as T;

function toEvent(r: Row): QueueEvent {
  // Rows were written by the engine from the typed union; the type column is the discriminant.
  const e = { seq: r.seq as number, at: r.at as number, type: r.type, data: JSON.parse(r.data as string) } as QueueEvent;
  if (r.ticket_id != null) e.ticketId = r.ticket_id as string;
  if (r.counter != null) e.counter = r.counter as string;
  return e;
}

export class SqliteHallStore implements QueueStore {
  private readonly s: Record<string, Statement>;
  private readonly tx: ReturnType<Database['transaction']>;

  static open(path: string, opts: { busyTimeoutMs?: number } = {}): SqliteHallStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new BetterSqlite3(path);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so a number printed on a ticket survives a power cut.
      db.pragma('synchronous = FULL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteHallStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  constructor(readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      lastSeq: p('SELECT COALESCE(MAX(seq), 0) AS seq FROM events'),
      appendEvent: p('INSERT INTO events (seq, at, type, ticket_id, counter, data) VALUES (?, ?, ?, ?, ?, ?)'),
      eventsAfter: p('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      nextNumber: p(
        `INSERT INTO sequences (day, service, last) VALUES (?, ?, 1)
         ON CONFLICT (day, service) DO UPDATE SET last = last + 1 RETURNING last`,
      ),
      putTicket: p(
        `INSERT INTO tickets (id, day, service, number, state, id_hash, first_entry, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET service = excluded.service, state = excluded.state, data = excluded.data`,
      ),
      loadTickets: p('SELECT data FROM tickets WHERE day = ? ORDER BY rowid'),
      getTicket: p('SELECT data FROM tickets WHERE id = ?'),
      loadOpen: p(`SELECT data FROM tickets WHERE state IN ('waiting', 'called', 'serving', 'noShow') ORDER BY rowid`),
      putCounter: p('INSERT INTO counters (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data'),
      loadCounters: p('SELECT data FROM counters'),
      putStat: p(
        `INSERT INTO service_stats (service, ewma_ms, samples) VALUES (?, ?, ?)
         ON CONFLICT (service) DO UPDATE SET ewma_ms = excluded.ewma_ms, samples = excluded.samples`,
      ),
      loadStats: p('SELECT service, ewma_ms AS ewmaMs, samples FROM service_stats'),
      putAppointment: p(
        `INSERT INTO appointments (code, day, service, state, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (code) DO UPDATE SET state = excluded.state, data = excluded.data`,
      ),
      getAppointment: p('SELECT data FROM appointments WHERE code = ?'),
      putRating: p(
        `INSERT INTO ratings (ticket_id, id, day, counter, staff_id, level, at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ticket_id) DO UPDATE SET level = excluded.level, at = excluded.at, data = excluded.data`,
      ),
      getRating: p('SELECT data FROM ratings WHERE ticket_id = ?'),
      ratingsOfDay: p('SELECT data FROM ratings WHERE day = ? ORDER BY at, ticket_id'),
      putRect: p(
        `INSERT INTO rectifications (id, ticket_id, counter, staff_id, level, opened_at, due_day, state, callback, closed_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, callback = excluded.callback, closed_at = excluded.closed_at,
           data = excluded.data`,
      ),
      getRect: p('SELECT data FROM rectifications WHERE id = ?'),
      listRects: p('SELECT data FROM rectifications WHERE @state IS NULL OR state = @state ORDER BY opened_at, id'),
      putNotice: p('INSERT INTO notices (id, day, at, counter, service, ticket_id, data, return_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      updateNotice: p('UPDATE notices SET data = ? WHERE id = ?'),
      noticeByCode: p('SELECT data FROM notices WHERE return_code = ?'),
      openAccepted: p('SELECT data FROM accepted_missing WHERE completed_at IS NULL ORDER BY follow_up_date, rowid'),
      getAccepted: p('SELECT data FROM accepted_missing WHERE id = ?'),
      updateAccepted: p('UPDATE accepted_missing SET completed_at = ?, data = ? WHERE id = ?'),
      putCampaign: p(
        `INSERT INTO campaign_cases (id, kind, state, day, opened_at, due_day, assigned_to, closed_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, due_day = excluded.due_day, assigned_to = excluded.assigned_to,
           closed_at = excluded.closed_at, data = excluded.data`,
      ),
      getCampaign: p('SELECT data FROM campaign_cases WHERE id = ?'),
      listCampaign: p('SELECT data FROM campaign_cases WHERE @state IS NULL OR state = @state ORDER BY opened_at, id'),
      getSetting: p('SELECT value FROM hall_settings WHERE key = ?'),
      putSetting: p(
        'INSERT INTO hall_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      putAccepted: p('INSERT INTO accepted_missing (id, ticket_id, day, follow_up_date, data) VALUES (?, ?, ?, ?, ?)'),
      acceptedFor: p('SELECT data FROM accepted_missing WHERE ticket_id = ? ORDER BY rowid'),
      putUnresolved: p(
        `INSERT INTO unresolved_reports (id, day, at, state, closed_at, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at, data = excluded.data`,
      ),
      openUnresolved: p(`SELECT data FROM unresolved_reports WHERE state = 'open' ORDER BY at, id`),
      getUnresolved: p('SELECT data FROM unresolved_reports WHERE id = ?'),
      listUnresolved: p('SELECT data FROM unresolved_reports WHERE @state IS NULL OR state = @state ORDER BY at, id'),
      outbox: p(
        `INSERT INTO outbox (kind, idempotency_key, payload, created_at, attempts, next_attempt_at)
         VALUES (?, ?, ?, ?, 0, ?)`,
      ),
    };
    // IMMEDIATE takes the write lock up front: a reader process (reports, backup) cannot make a
    // deferred transaction fail half-way with SQLITE_BUSY on upgrade.
    this.tx = db.transaction((fn: () => unknown) => fn());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.tx.immediate(fn) as T;
  }

  lastSeq(): number {
    return (this.s.lastSeq!.get() as { seq: number }).seq;
  }

  appendEvent(e: QueueEvent): void {
    this.s.appendEvent!.run(e.seq, e.at, e.type, e.ticketId ?? null, e.counter ?? null, JSON.stringify(e.data));
  }

  eventsAfter(seq: number, limit: number): QueueEvent[] {
    return (this.s.eventsAfter!.all(seq, limit) as Row[]).map(toEvent);
  }

  eventsOfTickets(ticketIds: string[]): QueueEvent[] {
    if (ticketIds.length === 0) return [];
    const marks = ticketIds.map(() => '?').join(',');
    return (this.db.prepare(`SELECT * FROM events WHERE ticket_id IN (${marks}) ORDER BY seq`).all(...ticketIds) as Row[]).map(toEvent);
  }

  recentEvents(types: string[], limit: number): QueueEvent[] {
    if (types.length === 0) return [];
    const marks = types.map(() => '?').join(',');
    return (this.db.prepare(`SELECT * FROM events WHERE type IN (${marks}) ORDER BY seq DESC LIMIT ?`).all(...types, limit) as Row[]).map(
      toEvent,
    );
  }

  nextNumber(day: string, service: string): number {
    return (this.s.nextNumber!.get(day, service) as { last: number }).last;
  }

  putTicket(t: StoredTicket): void {
    this.s.putTicket!.run(
      t.id,
      t.day,
      t.service,
      t.number,
      t.state,
      t.idHash ?? null,
      t.transferredFrom === undefined ? 1 : 0,
      JSON.stringify(t),
    );
  }

  loadTickets(day: string): StoredTicket[] {
    return this.s.loadTickets!.all(day).map((r) => parse<StoredTicket>(r));
  }

  getTicket(id: string): StoredTicket | undefined {
    const r = this.s.getTicket!.get(id);
    return r ? parse<StoredTicket>(r) : undefined;
  }

  loadOpenTickets(): StoredTicket[] {
    return this.s.loadOpen!.all().map((r) => parse<StoredTicket>(r));
  }

  putCounter(c: StoredCounter): void {
    this.s.putCounter!.run(c.id, JSON.stringify(c));
  }

  loadCounters(): StoredCounter[] {
    return this.s.loadCounters!.all().map((r) => parse<StoredCounter>(r));
  }

  putServiceStat(st: ServiceStat): void {
    this.s.putStat!.run(st.service, st.ewmaMs, st.samples);
  }

  loadServiceStats(): ServiceStat[] {
    return this.s.loadStats!.all() as ServiceStat[];
  }

  putAppointment(a: Appointment): void {
    this.s.putAppointment!.run(a.code, a.day, a.service, a.state, JSON.stringify(a));
  }

  getAppointment(code: string): Appointment | undefined {
    const r = this.s.getAppointment!.get(code);
    return r ? parse<Appointment>(r) : undefined;
  }

  putRating(r: Rating): void {
    this.s.putRating!.run(r.ticketId, r.id, r.day, r.counter, r.staffId ?? null, r.level, r.at, JSON.stringify(r));
  }

  getRating(ticketId: string): Rating | undefined {
    const r = this.s.getRating!.get(ticketId);
    return r ? parse<Rating>(r) : undefined;
  }

  ratingsOfDay(day: string): Rating[] {
    return this.s.ratingsOfDay!.all(day).map((r) => parse<Rating>(r));
  }

  putRectification(r: Rectification): void {
    this.s.putRect!.run(
      r.id,
      r.ticketId,
      r.counter,
      r.staffId ?? null,
      r.level,
      r.openedAt,
      r.dueDay,
      r.state,
      r.callback ? JSON.stringify(r.callback) : null,
      r.closedAt ?? null,
      JSON.stringify(r),
    );
  }

  getRectification(id: string): Rectification | undefined {
    const r = this.s.getRect!.get(id);
    return r ? parse<Rectification>(r) : undefined;
  }

  listRectifications(state?: 'open' | 'closed'): Rectification[] {
    return this.s.listRects!.all({ state: state ?? null }).map((r) => parse<Rectification>(r));
  }

  putNotice(n: NoticeRecord): void {
    this.s.putNotice!.run(n.id, n.day, n.at, n.counter, n.service, n.ticketId ?? null, JSON.stringify(n), n.returnCode ?? null);
  }

  updateNotice(n: NoticeRecord): void {
    this.s.updateNotice!.run(JSON.stringify(n), n.id);
  }

  noticeByReturnCode(code: string): NoticeRecord | undefined {
    const r = this.s.noticeByCode!.get(code);
    return r ? parse<NoticeRecord>(r) : undefined;
  }

  openAcceptedWithMissing(): AcceptedWithMissing[] {
    return this.s.openAccepted!.all().map((r) => parse<AcceptedWithMissing>(r));
  }

  getAcceptedWithMissing(id: string): AcceptedWithMissing | undefined {
    const r = this.s.getAccepted!.get(id);
    return r ? parse<AcceptedWithMissing>(r) : undefined;
  }

  updateAcceptedWithMissing(a: AcceptedWithMissing): void {
    this.s.updateAccepted!.run(a.completedAt ?? null, JSON.stringify(a), a.id);
  }

  putCampaignCase(c: CampaignCase): void {
    this.s.putCampaign!.run(
      c.id,
      c.kind,
      c.state,
      c.day,
      c.openedAt,
      c.dueDay,
      c.assignedTo ?? null,
      c.closedAt ?? null,
      JSON.stringify(c),
    );
  }

  getCampaignCase(id: string): CampaignCase | undefined {
    const r = this.s.getCampaign!.get(id);
    return r ? parse<CampaignCase>(r) : undefined;
  }

  listCampaignCases(state?: 'open' | 'closed'): CampaignCase[] {
    return this.s.listCampaign!.all({ state: state ?? null }).map((r) => parse<CampaignCase>(r));
  }

  periodRows(from: string, to: string): PeriodRows {
    const rows = <T>(sql: string) => (this.db.prepare(sql).all({ from, to }) as unknown[]).map((r) => parse<T>(r));
    // Rectifications carry no day column: a day of margin either side, the report filters by hall day.
    const margin = { from: Date.parse(`${from}T00:00:00Z`) - 86_400_000, to: Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000 };
    return {
      tickets: rows<StoredTicket>('SELECT data FROM tickets WHERE day BETWEEN @from AND @to ORDER BY rowid'),
      ratings: rows<Rating>('SELECT data FROM ratings WHERE day BETWEEN @from AND @to ORDER BY at, ticket_id'),
      rectifications: (
        this.db
          .prepare('SELECT data FROM rectifications WHERE opened_at BETWEEN @from AND @to ORDER BY opened_at, id')
          .all(margin) as unknown[]
      ).map((r) => parse<Rectification>(r)),
      notices: rows<NoticeRecord>('SELECT data FROM notices WHERE day BETWEEN @from AND @to ORDER BY at, id'),
      accepted: rows<AcceptedWithMissing>('SELECT data FROM accepted_missing WHERE day BETWEEN @from AND @to ORDER BY rowid'),
      unresolved: rows<UnresolvedReport>('SELECT data FROM unresolved_reports WHERE day BETWEEN @from AND @to ORDER BY at, id'),
      campaign: rows<CampaignCase>('SELECT data FROM campaign_cases WHERE day BETWEEN @from AND @to ORDER BY opened_at, id'),
    };
  }

  getSetting(key: string): unknown {
    const r = this.s.getSetting!.get(key) as { value: string } | undefined;
    return r ? JSON.parse(r.value) : undefined;
  }

  putSetting(key: string, value: unknown, at: number): void {
    this.s.putSetting!.run(key, JSON.stringify(value), at);
  }

  putAcceptedWithMissing(a: AcceptedWithMissing): void {
    this.s.putAccepted!.run(a.id, a.ticketId, a.day, a.followUpDate, JSON.stringify(a));
  }

  acceptedWithMissingFor(ticketId: string): AcceptedWithMissing[] {
    return this.s.acceptedFor!.all(ticketId).map((r) => parse<AcceptedWithMissing>(r));
  }

  putUnresolved(u: UnresolvedReport): void {
    this.s.putUnresolved!.run(u.id, u.day, u.at, u.state, u.closedAt ?? null, JSON.stringify(u));
  }

  openUnresolved(): UnresolvedReport[] {
    return this.s.openUnresolved!.all().map((r) => parse<UnresolvedReport>(r));
  }

  getUnresolved(id: string): UnresolvedReport | undefined {
    const r = this.s.getUnresolved!.get(id);
    return r ? parse<UnresolvedReport>(r) : undefined;
  }

  listUnresolved(state?: 'open' | 'closed'): UnresolvedReport[] {
    return this.s.listUnresolved!.all({ state: state ?? null }).map((r) => parse<UnresolvedReport>(r));
  }

  enqueueOutbox(o: OutboxInput): void {
    this.s.outbox!.run(o.kind, o.idempotencyKey, JSON.stringify(o.payload), o.createdAt, o.createdAt);
  }
}
