// Online backups, restore and the upgrade guard of the hall's SQLite file.
// A backup is taken with SQLite's online backup API (better-sqlite3 `backup()`), which copies a
// consistent snapshot while the agent keeps writing, then checked with `PRAGMA integrity_check`
// before it gets its final name: a file named hall-*.db is always a whole, readable database.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

const STAMPED = /^hall-(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)Z\.db$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the database has schema version ${found}, newer than this hallq knows (${known}): it was upgraded by a newer hallq. Install that version again or restore a backup taken before the upgrade (hallq restore)`,
    );
  }
}

export function stampName(now: number, prefix = 'hall'): string {
  return `${prefix}-${new Date(now).toISOString().slice(0, 19).replaceAll(':', '-')}Z.db`;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** 'ok', or SQLite's list of problems */
export function integrityCheck(file: string): string[] | 'ok' {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const msgs = rows.map((r) => r.integrity_check);
    return msgs.length === 1 && msgs[0] === 'ok' ? 'ok' : msgs;
  } finally {
    db.close();
  }
}

/** Row count of every table (schema_migrations included): what a round trip must keep. */
export function tableCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[];
    const out: Record<string, number> = {};
    for (const { name } of tables)
      out[name] = (db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n;
    return out;
  } finally {
    db.close();
  }
}

/** Backs `dbPath` up to `dest` (online, safe while the agent runs); the copy is checked before it is named. */
export async function backupDatabase(dbPath: string, dest: string): Promise<void> {
  if (!existsSync(dbPath)) throw new Error(`no database at ${dbPath}`);
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.partial`;
  rmSync(tmp, { force: true });
  const src = new Database(dbPath, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(tmp);
  } finally {
    src.close();
  }
  // one self-contained file (no -wal/-shm beside it), checked before it gets its name
  const copy = new Database(tmp, { fileMustExist: true });
  let check: string[] | 'ok';
  try {
    copy.pragma('journal_mode = DELETE');
    const msgs = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    check = msgs.length === 1 && msgs[0] === 'ok' ? 'ok' : msgs;
  } finally {
    copy.close();
  }
  if (check !== 'ok') {
    rmSync(tmp, { force: true });
    throw new Error(`the backup failed its integrity check: ${check.slice(0, 5).join('; ')}`);
  }
  fsyncPath(tmp);
  renameSync(tmp, dest);
  fsyncPath(dirname(dest));
}

/** Removes daily backups (hall-<time>Z.db) older than keepDays; returns the removed names. */
export function pruneBackups(dir: string, keepDays: number, now = Date.now()): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = STAMPED.exec(name);
    if (!m) continue;
    const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    if (now - at > keepDays * DAY_MS) {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed.sort();
}

export interface RestoreResult {
  /** where the database that was replaced now is (undefined when there was none) */
  previous?: string;
}

/**
 * Puts a checked backup in place of dbPath. The current file (with its -wal and -shm, which belong
 * to it) is renamed aside, never deleted. The agent must be stopped: an open connection would
 * keep writing to the renamed file.
 */
export function restoreDatabase(backup: string, dbPath: string, now = Date.now()): RestoreResult {
  if (!existsSync(backup)) throw new Error(`no backup file at ${backup}`);
  const check = integrityCheck(backup);
  if (check !== 'ok') throw new Error(`${backup} failed its integrity check, nothing was changed: ${check.slice(0, 5).join('; ')}`);
  const probe = new Database(backup, { readonly: true, fileMustExist: true });
  const isHall = probe.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  probe.close();
  if (!isHall) throw new Error(`${backup} is not a hallq database (no schema_migrations table), nothing was changed`);

  mkdirSync(dirname(dbPath), { recursive: true });
  const tmp = `${dbPath}.restoring`;
  copyFileSync(backup, tmp);
  fsyncPath(tmp);
  const result: RestoreResult = {};
  if (existsSync(dbPath)) {
    const aside = `${dbPath}.before-restore-${new Date(now).toISOString().replaceAll(':', '-')}`;
    renameSync(dbPath, aside);
    for (const ext of ['-wal', '-shm']) if (existsSync(dbPath + ext)) renameSync(dbPath + ext, aside + ext);
    result.previous = aside;
  } else {
    for (const ext of ['-wal', '-shm']) rmSync(dbPath + ext, { force: true });
  }
  renameSync(tmp, dbPath);
  fsyncPath(dirname(dbPath));
  return result;
}

export interface SchemaState {
  applied: number[];
  pending: number[];
}

export function schemaState(dbPath: string): SchemaState {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = has
      ? (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version)
      : [];
    const known = MIGRATIONS.map((m) => m.version);
    const newest = Math.max(...known);
    const found = Math.max(0, ...applied);
    if (found > newest) throw new SchemaTooNewError(found, newest);
    return { applied, pending: known.filter((v) => !applied.includes(v)) };
  } finally {
    db.close();
  }
}

/**
 * Before the store applies migrations: refuses a database from a newer hallq (forward-only), and
 * backs the file up when migrations are pending on a database that already holds a schema.
 */
export async function prepareUpgrade(dbPath: string, dataDir: string, now = Date.now()): Promise<SchemaState & { backup?: string }> {
  const state = schemaState(dbPath);
  if (state.pending.length === 0 || state.applied.length === 0) return state;
  const from = Math.max(...state.applied);
  const dest = join(dataDir, 'backups', stampName(now, `pre-migrate-v${from}`));
  await backupDatabase(dbPath, dest);
  return { ...state, backup: dest };
}
