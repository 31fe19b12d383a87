import { prepared } from '../store/statements.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Counter } from './lockout.js';
import type { AuditAction } from '../../common/vocabulary.js';

export type AccountRole = 'staff' | 'guide' | 'manager';
export type TerminalKind = 'kiosk' | 'pad' | 'display' | 'counter';

export interface Account {
  id: string;
  role: AccountRole;
  name: string;
  pinHash: string;
  counters?: string[];
  photo?: string;
  disabled: boolean;
}

export interface SessionRow {
  tokenHash: string;
  accountId: string;
  role: AccountRole;
  counter?: string;
  createdAt: number;
  expiresAt: number;
}

export interface Terminal {
  id: string;
  kind: TerminalKind;
  counter?: string;
  /** ID-card reader device ids whose reads go to this kiosk */
  readers: string[];
  name?: string;
  disabled: boolean;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  source: string | null;
}

/** Tokens and codes are stored as SHA-256: they are long random strings, a slow hash adds nothing. */
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

type Row = Record<string, unknown>;
const toAccount = (r: Row): Account => ({
  id: r.id as string,
  role: r.role as AccountRole,
  name: r.name as string,
  pinHash: r.pin_hash as string,
  counters: r.counters ? (JSON.parse(r.counters as string) as string[]) : undefined,
  photo: (r.photo as string | null) ?? undefined,
  disabled: r.disabled === 1,
});
const toTerminal = (r: Row): Terminal => ({
  id: r.id as string,
  kind: r.kind as TerminalKind,
  counter: (r.counter as string | null) ?? undefined,
  readers: JSON.parse(r.readers as string) as string[],
  name: (r.name as string | null) ?? undefined,
  disabled: r.disabled === 1,
});
const toSession = (r: Row): SessionRow => ({
  tokenHash: r.token_hash as string,
  accountId: r.account_id as string,
  role: r.role as AccountRole,
  counter: (r.counter as string | null) ?? undefined,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
});

/** The security tables of hall.db (migration 3). Synchronous like the rest of the store. */
export class SecurityStore {
  constructor(readonly db: Database) {}

  seeded(): boolean {
    return prepared(this.db, `SELECT 1 FROM security_meta WHERE key = 'seeded'`).get() !== undefined;
  }
  markSeeded(at: number): void {
    prepared(this.db, `INSERT OR REPLACE INTO security_meta (key, value) VALUES ('seeded', ?)`).run(String(at));
  }

  // ---- accounts
  account(id: string): Account | undefined {
    const r = prepared(this.db, 'SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r ? toAccount(r) : undefined;
  }
  accounts(): Account[] {
    return (prepared(this.db, 'SELECT * FROM accounts ORDER BY role, id').all() as Row[]).map(toAccount);
  }
  putAccount(a: Account, at: number): void {
    prepared(
      this.db,
      `INSERT INTO accounts (id, role, name, pin_hash, counters, photo, disabled, created_at, updated_at)
         VALUES (@id, @role, @name, @pinHash, @counters, @photo, @disabled, @at, @at)
         ON CONFLICT (id) DO UPDATE SET role = excluded.role, name = excluded.name, pin_hash = excluded.pin_hash,
           counters = excluded.counters, photo = excluded.photo, disabled = excluded.disabled, updated_at = excluded.updated_at`,
    ).run({
      id: a.id,
      role: a.role,
      name: a.name,
      pinHash: a.pinHash,
      counters: a.counters ? JSON.stringify(a.counters) : null,
      photo: a.photo ?? null,
      disabled: a.disabled ? 1 : 0,
      at,
    });
  }

  // ---- sessions
  addSession(s: SessionRow & { source: string }): void {
    prepared(
      this.db,
      `INSERT INTO sessions (token_hash, account_id, role, counter, source, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.tokenHash, s.accountId, s.role, s.counter ?? null, s.source, s.createdAt, s.expiresAt);
  }
  liveSession(tokenHash: string, now: number): SessionRow | undefined {
    const r = prepared(this.db, 'SELECT * FROM sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?').get(
      tokenHash,
      now,
    ) as Row | undefined;
    return r ? toSession(r) : undefined;
  }
  /** live staff sessions at this counter or of this account */
  liveStaffSessions(counter: string, accountId: string, now: number): SessionRow[] {
    return (
      prepared(
        this.db,
        `SELECT * FROM sessions WHERE ended_at IS NULL AND expires_at > ? AND role = 'staff' AND (counter = ? OR account_id = ?)`,
      ).all(now, counter, accountId) as Row[]
    ).map(toSession);
  }
  endSession(tokenHash: string, at: number, reason: string): void {
    prepared(this.db, 'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL').run(
      at,
      reason,
      tokenHash,
    );
  }
  /** every live session of a role (the day close signs all counter staff out) */
  endRoleSessions(role: 'staff' | 'guide' | 'manager', at: number, reason: string): string[] {
    const rows = prepared(this.db, 'SELECT token_hash FROM sessions WHERE role = ? AND ended_at IS NULL').all(role) as {
      token_hash: string;
    }[];
    for (const r of rows) this.endSession(r.token_hash, at, reason);
    return rows.map((r) => r.token_hash);
  }
  endSessionsOf(accountId: string, at: number, reason: string): string[] {
    const rows = prepared(this.db, 'SELECT token_hash FROM sessions WHERE account_id = ? AND ended_at IS NULL').all(accountId) as {
      token_hash: string;
    }[];
    for (const r of rows) this.endSession(r.token_hash, at, reason);
    return rows.map((r) => r.token_hash);
  }

  // ---- terminals
  terminal(id: string): Terminal | undefined {
    const r = prepared(this.db, 'SELECT * FROM terminals WHERE id = ?').get(id) as Row | undefined;
    return r ? toTerminal(r) : undefined;
  }
  terminals(): (Terminal & { tokens: number })[] {
    return (
      prepared(
        this.db,
        `SELECT t.*, (SELECT COUNT(*) FROM terminal_tokens k WHERE k.terminal_id = t.id AND k.revoked_at IS NULL) AS tokens
           FROM terminals t ORDER BY t.kind, t.id`,
      ).all() as Row[]
    ).map((r) => ({ ...toTerminal(r), tokens: r.tokens as number }));
  }
  putTerminal(t: Terminal, at: number): void {
    prepared(
      this.db,
      `INSERT INTO terminals (id, kind, counter, readers, name, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, counter = excluded.counter, readers = excluded.readers,
           name = excluded.name, disabled = excluded.disabled`,
    ).run(t.id, t.kind, t.counter ?? null, JSON.stringify(t.readers), t.name ?? null, t.disabled ? 1 : 0, at);
  }
  terminalByToken(tokenHash: string): Terminal | undefined {
    const r = prepared(
      this.db,
      `SELECT t.* FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id
         WHERE k.token_hash = ? AND k.revoked_at IS NULL AND t.disabled = 0`,
    ).get(tokenHash) as Row | undefined;
    return r ? toTerminal(r) : undefined;
  }
  addTerminalToken(tokenHash: string, terminalId: string, at: number): void {
    prepared(this.db, 'INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (?, ?, ?)').run(tokenHash, terminalId, at);
  }
  revokeTerminalTokens(terminalId: string, at: number): number {
    return prepared(this.db, 'UPDATE terminal_tokens SET revoked_at = ? WHERE terminal_id = ? AND revoked_at IS NULL').run(at, terminalId)
      .changes;
  }
  addPairCode(codeHash: string, terminalId: string, expiresAt: number, by: string): void {
    prepared(this.db, 'INSERT OR REPLACE INTO pair_codes (code_hash, terminal_id, expires_at, created_by) VALUES (?, ?, ?, ?)').run(
      codeHash,
      terminalId,
      expiresAt,
      by,
    );
  }
  /** the terminal a code pairs, using the code up; undefined when unknown, used, expired or retired */
  takePairCode(codeHash: string, now: number): string | undefined {
    const r = prepared(
      this.db,
      'UPDATE pair_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND retired_at IS NULL AND expires_at > ? RETURNING terminal_id',
    ).get(now, codeHash, now) as { terminal_id: string } | undefined;
    return r?.terminal_id;
  }
  /** true when this code was retired by wrong guesses (and would otherwise still be valid) */
  pairCodeRetired(codeHash: string, now: number): boolean {
    return (
      prepared(
        this.db,
        'SELECT 1 FROM pair_codes WHERE code_hash = ? AND used_at IS NULL AND retired_at IS NOT NULL AND expires_at > ?',
      ).get(codeHash, now) !== undefined
    );
  }
  /**
   * A wrong guess counts against every live code; those reaching `budget` are retired. Returns the
   * terminals whose codes were retired by this guess.
   */
  countWrongPairGuess(now: number, budget: number): string[] {
    return this.db.transaction(() => {
      prepared(
        this.db,
        'UPDATE pair_codes SET wrong_guesses = wrong_guesses + 1 WHERE used_at IS NULL AND retired_at IS NULL AND expires_at > ?',
      ).run(now);
      return (
        prepared(
          this.db,
          'UPDATE pair_codes SET retired_at = ? WHERE used_at IS NULL AND retired_at IS NULL AND expires_at > ? AND wrong_guesses >= ? RETURNING terminal_id',
        ).all(now, now, budget) as { terminal_id: string }[]
      ).map((r) => r.terminal_id);
    })();
  }

  // ---- audit
  /** the action from the vocabulary (common/vocabulary.ts AUDIT_ACTION), so the screens can label it */
  audit(e: Omit<AuditEntry, 'id' | 'action'> & { action: AuditAction }): void {
    prepared(this.db, 'INSERT INTO audit_log (at, actor, action, target, detail, source) VALUES (?, ?, ?, ?, ?, ?)').run(
      e.at,
      e.actor,
      e.action,
      e.target,
      JSON.stringify(e.detail),
      e.source,
    );
  }
  auditLog(limit: number, before?: number): AuditEntry[] {
    return (
      prepared(this.db, 'SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(
        before ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map((r) => ({
      id: r.id as number,
      at: r.at as number,
      actor: r.actor as string,
      action: r.action as string,
      target: (r.target as string | null) ?? null,
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
      source: (r.source as string | null) ?? null,
    }));
  }

  loadLockout(): { counters: [string, Counter][]; trusted: [string, string][] } {
    const counters = (
      prepared(this.db, 'SELECT key, failures, locked_until AS lockedUntil, last_at AS lastAt FROM lockout_counters').all() as (Counter & {
        key: string;
      })[]
    ).map(({ key, ...c }): [string, Counter] => [key, c]);
    const trusted = (prepared(this.db, 'SELECT account, source FROM lockout_trusted').all() as { account: string; source: string }[]).map(
      (r): [string, string] => [r.account, r.source],
    );
    return { counters, trusted };
  }

  batch(writes: () => void): void {
    this.db.transaction(writes)();
  }

  saveCounters(entries: [string, Counter][]): void {
    const put = prepared(
      this.db,
      `INSERT INTO lockout_counters (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at`,
    );
    this.db.transaction(() => {
      for (const [k, c] of entries) put.run(k, c.failures, c.lockedUntil, c.lastAt);
    })();
  }

  deleteCounters(keys: string[]): void {
    const del = prepared(this.db, 'DELETE FROM lockout_counters WHERE key = ?');
    this.db.transaction(() => {
      for (const k of keys) del.run(k);
    })();
  }

  trustSource(account: string, source: string): void {
    prepared(this.db, 'INSERT OR IGNORE INTO lockout_trusted (account, source) VALUES (?, ?)').run(account, source);
  }

  addAlert(at: number, data: object): void {
    this.db.transaction(() => {
      prepared(this.db, 'INSERT INTO security_alerts (at, data) VALUES (?, ?)').run(at, JSON.stringify(data));
      prepared(this.db, 'DELETE FROM security_alerts WHERE id <= (SELECT max(id) FROM security_alerts) - 500').run();
    })();
  }

  /** newest first */
  alerts(limit: number): Record<string, unknown>[] {
    return (prepared(this.db, 'SELECT data FROM security_alerts ORDER BY id DESC LIMIT ?').all(limit) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as Record<string, unknown>,
    );
  }

  /**
   * A write that proves the file takes writes (healthz): 64 KB that need fresh pages, so a full disk or a
   * full database shows here and not only at the next ticket; removed in the same transaction.
   */
  probeWrite(at: number): void {
    this.db.transaction(() => {
      prepared(this.db, `INSERT OR REPLACE INTO security_meta (key, value) VALUES ('healthz-probe', hex(randomblob(32768)))`).run();
      prepared(this.db, `DELETE FROM security_meta WHERE key = 'healthz-probe'`).run();
      prepared(this.db, `INSERT OR REPLACE INTO security_meta (key, value) VALUES ('healthz', ?)`).run(String(at));
    })();
  }
}
