import { isValidIdNumber } from '../../drivers/protocols/idcard.js';

// 18 characters, 17 digits and a digit or X, not glued to other digits: a 身份证 number typed into
// free text. Only those whose GB 11643 check character is valid are masked, so order numbers and
// phone numbers stay readable.
const CANDIDATE = /(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])/g;

/** The stored and displayed form of a 身份证 number: only the last four characters survive. */
export function maskIdTail(id: string): string {
  return `${'*'.repeat(14)}${id.slice(-4).toUpperCase()}`;
}

export function maskIdsInText(text: string): string {
  return text.replace(CANDIDATE, (m) => (isValidIdNumber(m.toUpperCase()) ? maskIdTail(m) : m));
}

/** Body keys that carry a number on purpose (it is hashed, never stored) or a secret. */
const KEEP = new Set(['idNumber', 'pin', 'newPin', 'code']);

/** Masks ID numbers in every string of a parsed JSON body, in place; returns the body. */
export function maskIdsInBody<T>(body: T, depth = 0): T {
  if (depth > 8 || body === null || typeof body !== 'object') return body;
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string') {
      if (!KEEP.has(key)) obj[key] = maskIdsInText(v);
    } else if (v && typeof v === 'object') maskIdsInBody(v, depth + 1);
  }
  return body;
}
