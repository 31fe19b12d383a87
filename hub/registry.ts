// Halls with their upstream secrets, and supervisor accounts (scrypt-hashed passwords, sessions
// stored as a hash of the cookie token so a database read does not hand out logins).
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';

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

// scrypt is memory-hard: N=2^15, r=8 takes 32 MB and ~0.1 s per guess, so a copied supervisors table
// cannot be swept on a GPU. The cost is stored with each hash; older hashes (Node's defaults, N=2^14,
// `scrypt$salt$hash`) still verify and are rewritten at the next successful login.
const KDF = { N: 2 ** 15, r: 8, p: 1 };
const MAXMEM = 96 * 1024 * 1024;

function derive(password: string, salt: Buffer, len: number, k: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, len, { ...k, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, 32, KDF);
  return `scrypt$${KDF.N}$${KDF.r}$${KDF.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parseHash(stored: string): { k: { N: number; r: number; p: number }; salt: string; hash: string; current: boolean } | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 3) return { k: { N: 16384, r: 8, p: 1 }, salt: parts[1] ?? '', hash: parts[2] ?? '', current: false };
  if (parts.length !== 6) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!(N >= 1024 && N <= 2 ** 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4)) return null;
  return { k: { N, r, p }, salt: parts[4] ?? '', hash: parts[5] ?? '', current: N === KDF.N && r === KDF.r && p === KDF.p };
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h?.salt || !h.hash) return false;
  const want = Buffer.from(h.hash, 'base64');
  const got = await derive(password, Buffer.from(h.salt, 'base64'), want.length, h.k);
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

/** no password matches it; an unknown username costs the same hash */
const DUMMY_HASH = `scrypt$${KDF.N}$${KDF.r}$${KDF.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function login(pool: pg.Pool, username: string, password: string): Promise<string | null> {
  const r = await pool.query('SELECT password_hash FROM supervisors WHERE username = $1', [username]);
  // Hash anyway for an unknown user, so timing does not tell which usernames exist.
  const stored: string | undefined = r.rows[0]?.password_hash;
  const ok = await checkPassword(password, stored ?? DUMMY_HASH);
  if (!r.rowCount || !ok) return null;
  if (stored && !parseHash(stored)?.current)
    await pool.query('UPDATE supervisors SET password_hash = $2 WHERE username = $1', [username, await hashPassword(password)]);
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
