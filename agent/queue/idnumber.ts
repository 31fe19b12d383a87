import { createHmac } from 'node:crypto';

// 居民身份证 number (GB 11643-1999): 17 digits + check character (0-9 or X).
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function normalizeIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

export function isValidIdNumber(raw: string): boolean {
  const id = normalizeIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (WEIGHTS[i] ?? 0);
  if (CHECK[sum % 11] !== id[17]) return false;
  // Birth date YYYYMMDD at positions 7–14 must be a real date.
  const birth = id.slice(6, 14);
  const y = +birth.slice(0, 4);
  const m = +birth.slice(4, 6);
  const d = +birth.slice(6, 8);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** The only form of the number that is persisted: keyed so a stolen DB cannot be brute-forced offline. */
export function hashIdNumber(secret: string, raw: string): string {
  return createHmac('sha256', secret).update(normalizeIdNumber(raw)).digest('hex');
}

/** 3401**********1234 */
export function maskIdNumber(raw: string): string {
  const id = normalizeIdNumber(raw);
  return `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 8))}${id.slice(-4)}`;
}
