// Migration 3 (security): accounts with hashed PINs, sessions and terminal tokens (hashed), one-time
// pairing codes, the staff-administration audit log, and the 身份证
// mask cut to the last four characters in rows written before it.
export const SECURITY_MIGRATION_SQL = `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('staff', 'guide', 'manager')),
    name TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    counters TEXT,
    photo TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    role TEXT NOT NULL,
    counter TEXT,
    source TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_reason TEXT
  );
  CREATE INDEX sessions_live ON sessions(account_id) WHERE ended_at IS NULL;
  CREATE INDEX sessions_counter ON sessions(counter) WHERE ended_at IS NULL;
  CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'pad', 'display', 'counter')),
    counter TEXT,
    readers TEXT NOT NULL DEFAULT '[]',
    name TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE terminal_tokens (
    token_hash TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE pair_codes (
    code_hash TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_by TEXT NOT NULL
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    source TEXT
  );
  CREATE TABLE security_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  UPDATE tickets SET data = json_set(data, '$.idMasked', '**************' || substr(json_extract(data, '$.idMasked'), -4))
    WHERE json_extract(data, '$.idMasked') IS NOT NULL;
  UPDATE events SET data = json_set(data, '$.idMasked', '**************' || substr(json_extract(data, '$.idMasked'), -4))
    WHERE json_extract(data, '$.idMasked') IS NOT NULL;
`;
