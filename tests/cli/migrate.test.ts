// Upgrades: a database made by the first released schema (migration 1 only) is migrated by
// `hallq migrate` — after a backup — and keeps every row; a database from a newer hallq is refused.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaState, tableCounts } from '../../agent/store/backup.js';
import { MIGRATIONS, migrate, openHallStore } from '../../agent/store/index.js';
import { hallq } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** three rows in every table of the first schema, values from each column's declared type */
function firstSchemaDb(path: string): Record<string, unknown[]> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version === 1),
  );
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'")
      .all() as { name: string }[]
  ).map((t) => t.name);
  const rows: Record<string, unknown[]> = {};
  for (const t of tables) {
    const cols = db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string; type: string; pk: number }[];
    for (let i = 1; i <= 3; i++) {
      const values = cols.map((c) => {
        if (c.name === 'state') return t === 'unresolved_reports' ? 'open' : 'waiting';
        if (c.name === 'data' || c.name === 'payload') return JSON.stringify({ row: i, table: t });
        if (c.name === 'first_entry') return 1;
        if (c.type === 'INTEGER' || c.type === 'REAL') return i * 1000 + c.name.length;
        return `${t}-${c.name}-${i}`;
      });
      db.prepare(`INSERT INTO "${t}" (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
        ...values,
      );
    }
    rows[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all();
  }
  db.close();
  return rows;
}

describe('hallq migrate', () => {
  it('migrates a first-schema database after a backup, and keeps every row and value', async () => {
    const data = join(dir, 'v1');
    const path = join(data, 'hall.db');
    requireDir(data);
    const before = firstSchemaDb(path);
    expect(schemaState(path).applied).toEqual([1]);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(12);

    const r = await hallq(['migrate', '--data', data]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const later = MIGRATIONS.map((m) => m.version).filter((v) => v > 1);
    expect(r.out).toContain(`applied migrations ${later.join(', ')}`);
    expect(schemaState(path)).toEqual({ applied: MIGRATIONS.map((m) => m.version).sort((a, b) => a - b), pending: [] });

    const db = new Database(path, { readonly: true });
    for (const [t, rows] of Object.entries(before)) {
      const now = db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all() as Record<string, unknown>[];
      expect(now, t).toHaveLength(rows.length);
      // later migrations may add columns; every old column keeps its value
      for (const [i, row] of now.entries()) expect(row, t).toMatchObject(rows[i] as object);
    }
    db.close();

    // the backup holds the first-schema file as it was
    const backups = readdirSync(join(data, 'backups'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^pre-migrate-v1-.*Z\.db$/);
    expect(schemaState(join(data, 'backups', backups[0]!)).applied).toEqual([1]);
    expect(tableCounts(join(data, 'backups', backups[0]!))).toEqual({
      ...Object.fromEntries(Object.entries(before).map(([t, r]) => [t, r.length])),
      schema_migrations: 1,
    });

    // the agent's store opens it as it is, and a second migrate has nothing to do
    openHallStore(path).close();
    const again = await hallq(['migrate', '--data', data]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('up to date');
    expect(readdirSync(join(data, 'backups'))).toHaveLength(1);
  });

  it('refuses a database from a newer hallq (forward only), in migrate and in start', async () => {
    const data = join(dir, 'newer');
    const path = join(data, 'hall.db');
    requireDir(data);
    const s = openHallStore(path);
    s.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(9999, 'from the future', Date.now());
    s.close();
    const m = await hallq(['migrate', '--data', data]);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/schema version 9999, newer than this hallq knows/);
    const st = await hallq(['start', '--data', data, '--port', '0']);
    expect(st.code).toBe(1);
    expect(st.err).toMatch(/newer than this hallq knows/);
  });
});

function requireDir(d: string) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}
