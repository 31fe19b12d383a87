import type { Database } from 'better-sqlite3';
import { SECURITY_MIGRATION_SQL } from '../security/migration.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Append only: a shipped migration is never edited, a change is a new version.
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'queue core',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        ticket_id TEXT,
        counter TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX events_ticket ON events(ticket_id) WHERE ticket_id IS NOT NULL;
      CREATE INDEX events_type ON events(type, seq);

      CREATE TABLE sequences (
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (day, service)
      ) WITHOUT ROWID;

      CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        number TEXT NOT NULL,
        state TEXT NOT NULL,
        id_hash TEXT,
        first_entry INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      -- Defence in depth for "never issued twice": only first entries (not transfers) are unique.
      CREATE UNIQUE INDEX tickets_number ON tickets(day, number) WHERE first_entry = 1;
      CREATE INDEX tickets_day ON tickets(day);
      CREATE INDEX tickets_open ON tickets(state) WHERE state IN ('waiting', 'called', 'serving', 'noShow');

      CREATE TABLE counters (id TEXT PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE service_stats (service TEXT PRIMARY KEY, ewma_ms REAL NOT NULL, samples INTEGER NOT NULL);

      CREATE TABLE appointments (
        code TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        state TEXT NOT NULL,
        data TEXT NOT NULL
      );

      CREATE TABLE ratings (
        ticket_id TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        day TEXT NOT NULL,
        counter TEXT NOT NULL,
        staff_id TEXT,
        level INTEGER,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX ratings_day ON ratings(day);

      CREATE TABLE rectifications (
        id TEXT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        counter TEXT NOT NULL,
        staff_id TEXT,
        level INTEGER NOT NULL,
        opened_at INTEGER NOT NULL,
        due_day TEXT NOT NULL,
        state TEXT NOT NULL,
        callback TEXT,
        data TEXT NOT NULL
      );

      CREATE TABLE notices (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        at INTEGER NOT NULL,
        counter TEXT NOT NULL,
        service TEXT NOT NULL,
        ticket_id TEXT,
        data TEXT NOT NULL
      );

      CREATE TABLE accepted_missing (
        id TEXT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        day TEXT NOT NULL,
        follow_up_date TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX accepted_missing_ticket ON accepted_missing(ticket_id);

      CREATE TABLE unresolved_reports (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        data TEXT NOT NULL
      );
      CREATE INDEX unresolved_open ON unresolved_reports(state);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        sent_at INTEGER,
        parked_reason TEXT
      );
      CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL AND parked_reason IS NULL;
    `,
  },
  {
    version: 2,
    name: 'case tracking',
    // 整改 / 办不成事 are now listed by state and closed; closed_at lets reports ask "closed within the
    // deadline" without parsing the JSON. Existing rows keep NULL until they are closed.
    sql: `
      CREATE INDEX rectifications_state ON rectifications(state, due_day);
      ALTER TABLE rectifications ADD COLUMN closed_at INTEGER;
      ALTER TABLE unresolved_reports ADD COLUMN closed_at INTEGER;
    `,
  },
  { version: 3, name: 'security: accounts, sessions, terminals, audit, public ticket ids', sql: SECURITY_MIGRATION_SQL },
  {
    version: 4,
    name: 'campaign cases, notice returns, settings',
    // 上门服务 / 信访 / 自查 / 回访 cases; notice slips found by their return code; 容缺 follow-ups
    // listed by due date until completed; hall notices edited at run time.
    sql: `
      CREATE TABLE campaign_cases (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        day TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        due_day TEXT NOT NULL,
        assigned_to TEXT,
        closed_at INTEGER,
        data TEXT NOT NULL
      );
      CREATE INDEX campaign_cases_state ON campaign_cases(state, due_day);
      CREATE INDEX campaign_cases_day ON campaign_cases(day);
      ALTER TABLE notices ADD COLUMN return_code TEXT;
      CREATE UNIQUE INDEX notices_return_code ON notices(return_code) WHERE return_code IS NOT NULL;
      ALTER TABLE accepted_missing ADD COLUMN completed_at INTEGER;
      CREATE INDEX accepted_missing_open ON accepted_missing(follow_up_date) WHERE completed_at IS NULL;
      CREATE TABLE hall_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
  {
    version: 5,
    name: 'upward sync state',
    // The sender's bookkeeping: a small key/value table for "last success" and the last daily summary
    // written, and indexes that find unsent rows in order (and parked ones) without scanning the sent.
    sql: `
      CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL AND parked_reason IS NULL;
      CREATE INDEX outbox_parked ON outbox(id) WHERE parked_reason IS NOT NULL;
      CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'satellite events',
    // One row per buffered event a satellite delivered, written in the same transaction as its effect:
    // the primary acts on (satellite, stream, seq) at most once, and the satellite resends until acked.
    // No payload is kept (a rating or key press is already in the events table; ID reads are never buffered).
    sql: `
      CREATE TABLE satellite_events (
        satellite TEXT NOT NULL,
        stream TEXT NOT NULL,
        seq INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        PRIMARY KEY (satellite, stream, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'sign-in lockout counters',
    // The sign-in throttle (agent/security/lockout.ts) kept its counters in memory: a restart of the
    // agent gave a PIN guesser a fresh start. Keys are 'a:<account>', 'as:<account>|<source>', 's:<source>'.
    sql: `
      CREATE TABLE lockout_counters (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER NOT NULL,
        last_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE lockout_trusted (
        account TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (account, source)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 40,
    name: 'security alerts kept',
    // Lockout, storage and satellite alerts were kept in memory: a restart (or a crash an attacker
    // provoked) erased the evidence the manager needs. The newest 500 are kept.
    sql: `
      CREATE TABLE security_alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
    `,
  },
  {
    version: 70,
    name: 'appointment slots: bookings with an ID hash, capacity overrides, booking settings',
    // Bookings made in the hall are appointments (kiosk check-in by code, as imported ones); id_hash is
    // the HMAC of the 身份证 number with the hall secret (the per-person limit), never the number.
    sql: `
      ALTER TABLE appointments ADD COLUMN id_hash TEXT;
      ALTER TABLE appointments ADD COLUMN source TEXT;
      ALTER TABLE appointments ADD COLUMN booked_at INTEGER;
      CREATE INDEX appointments_day ON appointments(day, service);
      CREATE INDEX appointments_id_hash ON appointments(id_hash) WHERE id_hash IS NOT NULL;
      CREATE TABLE booking_capacity (
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        slot INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 47),
        capacity INTEGER NOT NULL CHECK (capacity >= 0),
        set_at INTEGER NOT NULL,
        PRIMARY KEY (day, service, slot)
      ) WITHOUT ROWID;
      CREATE TABLE booking_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 90,
    name: 'pairing codes: wrong guesses counted per live code',
    // Wrong pairing codes were counted per address only: guesses spread over many addresses were not
    // bounded. Every wrong guess now counts against each live code (it could have been aimed at any of
    // them); a code past its budget is retired (agent/api/pairing.ts).
    sql: `
      ALTER TABLE pair_codes ADD COLUMN wrong_guesses INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE pair_codes ADD COLUMN retired_at INTEGER;
    `,
  },
  {
    version: 100,
    name: 'online booking: places of each slot granted to the hub (agent/forecast/hub-quota.ts)',
    // reserved = the most the hub may hold; local bookings + reserved <= capacity is what keeps a slot
    // from being overbooked while the hub is unreachable. The hub's feed cursor is in booking_settings.
    sql: `
      CREATE TABLE hub_quota (
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        slot INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 47),
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        granted INTEGER NOT NULL CHECK (granted >= 0),
        reserved INTEGER NOT NULL CHECK (reserved >= 0),
        seq INTEGER NOT NULL,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        hub_booked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, service, slot)
      ) WITHOUT ROWID;
      CREATE INDEX hub_quota_pending ON hub_quota(start) WHERE seq > acked_seq;
    `,
  },
];

/** Applies missing migrations, each in its own transaction with its version row; safe to call on every start. */
export function migrate(db: Database, migrations: Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const done: number[] = [];
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    // IMMEDIATE: a second process starting at the same time waits instead of applying it twice.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (again) return;
      db.exec(m.sql);
      insert.run(m.version, m.name, Date.now());
      done.push(m.version);
    }).immediate();
  }
  return done;
}
