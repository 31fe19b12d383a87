import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt N=2^14, r=8, p=1 (~16 MB, tens of ms): slow enough that a stolen hall.db cannot be swept
// through all 10^6 six-digit PINs per account in a coffee break, fast enough for a sign-in on a hall PC.
const N = 16384;
const KEYLEN = 32;

function derive(pin: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEYLEN, { N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$salt$hash` (base64url); the format names its cost so it can be raised later. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt);
  return `scrypt$${N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || Number(n) !== N || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(pin, Buffer.from(salt, 'base64url'));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const HASH_SHAPE = new RegExp(`^scrypt\\$${N}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`);

/** a stored-form PIN as `hallq hash-pin` prints it, so a config file need not carry PINs in clear */
export function isPinHash(s: string): boolean {
  return HASH_SHAPE.test(s);
}

/** a config PIN (digits, or already hashed by `hallq hash-pin`) as it is stored */
export function storedPin(pinOrHash: string): Promise<string> {
  return isPinHash(pinOrHash) ? Promise.resolve(pinOrHash) : hashPin(pinOrHash);
}

/** A hash that no PIN matches: unknown accounts cost the same time as known ones. */
export const DUMMY_HASH = `scrypt$${N}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEYLEN).toString('base64url')}`;
