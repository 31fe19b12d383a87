import { createHmac } from 'node:crypto';

import { isValidIdNumber as isValidGb11643 } from '../../common/gb11643.js';

// 居民身份证 number (GB 11643-1999). The check itself is common/gb11643.ts, shared with the card readers
// (pure code, no I/O); the engine adds normalising, hashing and masking.
export function normalizeIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

export function isValidIdNumber(raw: string): boolean {
  return isValidGb11643(normalizeIdNumber(raw));
}

/** The only form of the number that is persisted: keyed so a stolen DB cannot be brute-forced offline. */
export function hashIdNumber(secret: string, raw: string): string {
  return createHmac('sha256', secret).update(normalizeIdNumber(raw)).digest('hex');
}

/** **************1234 */
export function maskIdNumber(raw: string): string {
  const id = normalizeIdNumber(raw);
  // Only the last four characters: the first four name the county, which with a birth date narrows a person down.
  return `${'*'.repeat(Math.max(0, id.length - 4))}${id.slice(-4)}`;
}

/** 王* / 欧** : the name a card reader gives, as the kiosk may show it (first character only). */
export function maskName(raw: string): string {
  const chars = Array.from(raw.trim());
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
