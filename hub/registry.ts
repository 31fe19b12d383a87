// Halls with their upstream secrets, and supervisor accounts (scrypt-hashed passwords, sessions
// stored as a hash of the cookie token so a database read does not hand out logins).
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type pg from 'pg';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;
export const SESSION_HOURS = 12;

export interface Hall {
  id: string;
  name: string;
  city: string;
  secret: string;
}

export interface Supervisor {
  username: string;
  /** null = every city (province level) */
  city: string | null;
}

const HALL_ID = /^[A-Za-z0-9_.-]{1,40}$/;

export async function addHall(pool: pg.Pool, h: { id: string; name: string; city: string; secret?: string }): Promise<Hall> {
  if (!HALL_ID.test(h.id)) throw new Error('--id: 1–40 letters, digits, - _ . (the hall.code of its config)');
  if (!h.name?.trim() || !h.city?.trim()) throw new Error('--name and --city are required');
  const secret = h.secret ?? randomBytes(24).toString('base64url');
  if (secret.length < 16) throw new Error('--secret: at least 16 characters');
  await pool.query(
    `INSERT INTO halls (id, name, city, secret) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city, secret = excluded.secret`,
    [h.id, h.name.trim(), h.city.trim(), secret],
  );
  return { id: h.id, name: h.name.trim(), city: h.city.trim(), secret };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(got, want);
}

export async function addSupervisor(pool: pg.Pool, s: { username: string; password: string; city?: string | null }): Promise<void> {
  if (!/^[A-Za-z0-9_.@-]{2,60}$/.test(s.username ?? '')) throw new Error('--user: 2–60 letters, digits, _ . @ -');
  if ((s.password ?? '').length < 8) throw new Error('--password: at least 8 characters');
  await pool.query(
    `INSERT INTO supervisors (username, password_hash, city) VALUES ($1, $2, $3)
     ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, city = excluded.city`,
    [s.username, await hashPassword(s.password), s.city ?? null],
  );
}

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function login(pool: pg.Pool, username: string, password: string): Promise<string | null> {
  const r = await pool.query('SELECT password_hash FROM supervisors WHERE username = $1', [username]);
  // Hash anyway for an unknown user, so timing does not tell which usernames exist.
  const ok = await checkPassword(
    password,
    r.rows[0]?.password_hash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  );
  if (!r.rowCount || !ok) return null;
  const token = randomBytes(32).toString('base64url');
  await pool.query(`INSERT INTO sessions (token_hash, username, expires_at) VALUES ($1, $2, now() + interval '${SESSION_HOURS} hours')`, [
    tokenHash(token),
    username,
  ]);
  return token;
}

export async function sessionUser(pool: pg.Pool, token: string | undefined): Promise<Supervisor | null> {
  if (!token) return null;
  const r = await pool.query(
    `SELECT s.username, s.city FROM sessions x JOIN supervisors s USING (username)
     WHERE x.token_hash = $1 AND x.expires_at > now()`,
    [tokenHash(token)],
  );
  return r.rows[0] ? { username: r.rows[0].username, city: r.rows[0].city } : null;
}

export async function logout(pool: pg.Pool, token: string | undefined): Promise<void> {
  if (token) await pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
}
