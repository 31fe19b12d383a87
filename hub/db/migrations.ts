// Forward-only schema migrations of the hub: a shipped migration is never edited; a change is a new
// version. Applied under an advisory lock so two hub processes starting together apply each once.
import type pg from 'pg';
import { HALL_DAYS_SQL } from '../hall-days.js';

export interface HubMigration {
  version: number;
  name: string;
  sql: string;
}

export const HUB_MIGRATIONS: HubMigration[] = [
  {
    version: 1,
    name: 'halls, records by month, cases, live wait',
    sql: `
      CREATE TABLE halls (
        id text PRIMARY KEY,
        name text NOT NULL,
        city text NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz,
        last_record_at timestamptz
      );
      CREATE TABLE supervisors (
        username text PRIMARY KEY,
        password_hash text NOT NULL,
        city text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        username text NOT NULL REFERENCES supervisors(username) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
      );
      -- Every record exactly once: the idempotency key is unique per hall (and per its time, the
      -- partition key, which a record never changes).
      CREATE TABLE records (
        hall_id text NOT NULL,
        key text NOT NULL,
        kind text NOT NULL,
        v int NOT NULL,
        at timestamptz NOT NULL,
        day date NOT NULL,
        data jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall_id, key, at)
      ) PARTITION BY RANGE (at);
      CREATE TABLE records_default PARTITION OF records DEFAULT;
      CREATE INDEX records_kind_day ON records (kind, day, hall_id);
      CREATE TABLE cases (
        hall_id text NOT NULL,
        case_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('rectification', 'unresolved')),
        opened_at timestamptz NOT NULL,
        opened_day date NOT NULL,
        due_day date NOT NULL,
        state text NOT NULL,
        closed_at timestamptz,
        closed_day date,
        counter text,
        staff_id text,
        service text,
        level int,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (hall_id, case_id)
      );
      CREATE INDEX cases_open ON cases (state, due_day);
      CREATE TABLE live_wait (
        hall_id text NOT NULL REFERENCES halls(id),
        service text NOT NULL,
        name text NOT NULL,
        waiting int NOT NULL,
        estimate_minutes int,
        open_counters int NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (hall_id, service)
      );
      CREATE TABLE seen_batches (
        hall_id text NOT NULL,
        batch_id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall_id, batch_id)
      );
      CREATE TABLE rejections (
        hall_id text NOT NULL,
        reason text NOT NULL,
        count bigint NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (hall_id, reason)
      );
    `,
  },
  {
    version: 2,
    name: 'campaign cases (上门服务, 信访, 自查, 回访) and 容缺 in cases',
    sql: `
      ALTER TABLE cases DROP CONSTRAINT cases_kind_check;
      ALTER TABLE cases ADD CONSTRAINT cases_kind_check
        CHECK (kind IN ('rectification', 'unresolved', 'homeVisit', 'petition', 'selfCheck', 'revisit', 'acceptedWithMissing'));
      -- A 容缺 follow-up may arrive before the acceptance it completes: the row then knows only its
      -- closing until the acceptance fills in when it was opened and when it was due.
      ALTER TABLE cases ALTER COLUMN opened_at DROP NOT NULL, ALTER COLUMN opened_day DROP NOT NULL,
        ALTER COLUMN due_day DROP NOT NULL;
      ALTER TABLE cases
        ADD COLUMN ticket_id text,
        ADD COLUMN source text,
        ADD COLUMN escalation text,
        ADD COLUMN escalated_day date,
        ADD COLUMN satisfied boolean,
        ADD COLUMN callback_at timestamptz,
        ADD COLUMN callback_day date;
      CREATE INDEX cases_hall_kind ON cases (hall_id, kind, state);
    `,
  },
  {
    version: 10,
    name: 'live wait: whether the hall said it is open, and when it last posted',
    sql: `
      -- null: the hall never said (an agent before the day lifecycle); false: it closed its day
      ALTER TABLE halls ADD COLUMN live_open boolean, ADD COLUMN live_at timestamptz;
    `,
  },
  // 20–29: figures (issue 18). Versions 3–19 are left to the other changes of the same round.
  {
    version: 20,
    name: "hall_days: each hall day's figures in columns, from its daily summary (highest revision kept)",
    sql: `${HALL_DAYS_SQL}
      -- a city's report reads only its halls
      CREATE INDEX halls_city ON halls (city);`,
  },
  {
    version: 30,
    name: 'supervisor login failures per username (lockout that holds across restarts and parallel requests)',
    sql: `
      CREATE TABLE login_failures (
        username text PRIMARY KEY,
        failures int NOT NULL,
        locked_until timestamptz,
        last_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 50,
    name: 'online booking (quotas granted by halls, bookings, the per-hall feed down) and the nightly forecast',
    sql: `
      CREATE TABLE hub_settings (key text PRIMARY KEY, value text NOT NULL);
      -- booked <= quota is the hub's half of "never overbooked": the hall keeps quota places free for it
      CREATE TABLE booking_slots (
        hall_id text NOT NULL REFERENCES halls(id) ON DELETE CASCADE,
        day date NOT NULL,
        service text NOT NULL,
        slot int NOT NULL CHECK (slot BETWEEN 0 AND 47),
        service_name text NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        quota int NOT NULL CHECK (quota >= 0),
        booked int NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= quota),
        seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall_id, day, service, slot)
      );
      CREATE INDEX booking_slots_start ON booking_slots (start_at, service);
      -- the 身份证 number only as an HMAC with the hub's own key; cancel_hash binds code + last 4 characters
      CREATE TABLE hub_bookings (
        id text PRIMARY KEY,
        hall_id text NOT NULL REFERENCES halls(id) ON DELETE CASCADE,
        code text NOT NULL UNIQUE,
        day date NOT NULL,
        service text NOT NULL,
        slot int NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('booked', 'cancelled')),
        id_hash text NOT NULL,
        cancel_hash text NOT NULL,
        failed_cancels int NOT NULL DEFAULT 0,
        name_masked text,
        created_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz
      );
      CREATE INDEX hub_bookings_person ON hub_bookings (id_hash) WHERE state = 'booked';
      -- seq per hall, taken under the hall's booking_halls row lock: numbers commit in order
      CREATE TABLE booking_halls (
        hall_id text PRIMARY KEY REFERENCES halls(id) ON DELETE CASCADE,
        seq bigint NOT NULL DEFAULT 0,
        cursor bigint NOT NULL DEFAULT 0,
        sync_at timestamptz
      );
      CREATE TABLE booking_feed (
        hall_id text NOT NULL REFERENCES halls(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        booking_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('booked', 'cancelled')),
        data jsonb NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall_id, seq)
      );
      -- the nightly forecast (hub/forecast-run.ts): hall total per open half hour, counters by Erlang C
      CREATE TABLE hub_forecast (
        hall_id text NOT NULL REFERENCES halls(id) ON DELETE CASCADE,
        day date NOT NULL,
        slot int NOT NULL CHECK (slot BETWEEN 0 AND 47),
        arrivals float8 NOT NULL,
        lo float8 NOT NULL,
        hi float8 NOT NULL,
        counters int NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall_id, day, slot)
      );
      CREATE TABLE hub_forecast_runs (
        run_day date PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        halls int,
        slots int
      );
    `,
  },
  {
    version: 60,
    name: 'hall_days: served_at_close (办结于闭厅: being served when the day closed, counted as served)',
    sql: `ALTER TABLE hall_days ADD COLUMN served_at_close int NOT NULL DEFAULT 0 CHECK (served_at_close >= 0);`,
  },
];

export async function migrateHub(client: pg.ClientBase, migrations = HUB_MIGRATIONS): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock(804211)');
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
        done.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock(804211)');
  }
}
