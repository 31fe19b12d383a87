// Supervisor sign-in lockout, per username, in the database. The attempt is counted before the password
// is hashed, in one statement that also refuses a locked name, so parallel requests (or several hub
// processes) cannot slip past the count: PostgreSQL serialises the upserts of one row. Unknown usernames
// are counted the same way. A success clears the name.
import type pg from 'pg';

export const LOGIN_FREE_FAILURES = 5;
const BASE_DELAY_S = 30;
const MAX_DELAY_S = 3600;

/** the lock the n-th consecutive failure imposes, in seconds (0 = none) */
export function loginDelayS(n: number): number {
  if (n <= LOGIN_FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_S, BASE_DELAY_S * 2 ** Math.min(20, n - LOGIN_FREE_FAILURES - 1));
}

const RESERVE = `
  INSERT INTO login_failures AS f (username, failures, locked_until, last_at)
  VALUES ($1, 1, NULL, now())
  ON CONFLICT (username) DO UPDATE SET
    failures = f.failures + 1,
    locked_until = CASE WHEN f.failures + 1 <= ${LOGIN_FREE_FAILURES} THEN NULL
      ELSE now() + least(${MAX_DELAY_S}, ${BASE_DELAY_S} * power(2, least(20, f.failures + 1 - ${LOGIN_FREE_FAILURES} - 1))) * interval '1 second' END,
    last_at = now()
  WHERE f.locked_until IS NULL OR f.locked_until <= now()
  RETURNING failures`;

/** Counts one attempt; `locked` with the seconds left when the name is locked (nothing counted then). */
export async function reserveLogin(pool: pg.Pool, username: string): Promise<{ locked: false } | { locked: true; retryAfterS: number }> {
  const r = await pool.query(RESERVE, [username]);
  if (r.rowCount) return { locked: false };
  const left = await pool.query('SELECT ceil(extract(epoch FROM locked_until - now()))::int AS s FROM login_failures WHERE username = $1', [
    username,
  ]);
  return { locked: true, retryAfterS: Math.max(1, Number(left.rows[0]?.s ?? 1)) };
}

export async function clearLogin(pool: pg.Pool, username: string): Promise<void> {
  await pool.query('DELETE FROM login_failures WHERE username = $1', [username]);
}

/**
 * `next` after a login: only a path on this hub. Parsed as a URL against a placeholder origin, so
 * `//evil`, `/\\evil`, `/%5Cevil` and tabs or newlines inside cannot leave it.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 500) return '/';
  const base = 'http://hub.invalid';
  try {
    const u = new URL(next, base);
    if (u.origin !== base) return '/';
    const path = `${u.pathname}${u.search}`;
    return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') ? path : '/';
  } catch {
    return '/';
  }
}
