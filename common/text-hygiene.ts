// Text a citizen or a file can put into the hall that must not travel further as is:
//  - NUL and lone UTF-16 surrogates: SQLite stores them, PostgreSQL refuses them in JSON, so a record
//    holding one would be parked by the hub for ever (the report never reaches the supervisors);
//  - bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C): they reorder what the board,
//    a CSV or a supervisor's page shows ("‮gnp.exe") and carry no meaning in a hall's text.

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const BAD = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const BAD_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function hasBadText(s: string): boolean {
  return BAD.test(s);
}

export function stripBidi(s: string): string {
  return s.replace(BIDI, '');
}

/** The path of the first string (or key) with NUL or a lone surrogate in a parsed body, or undefined. */
export function badTextPath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return hasBadText(value) ? path || '(body)' : undefined;
  if (depth > 8 || value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (hasBadText(k)) return here;
    const bad = badTextPath(v, here, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** Bidi controls removed from every string of a parsed body, in place. */
export function stripBidiIn<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (typeof v === 'string') obj[k] = stripBidi(v);
    else if (v && typeof v === 'object') stripBidiIn(v, depth + 1);
  }
  return value;
}

/**
 * A copy whose strings carry no NUL (dropped) and no lone surrogate (U+FFFD): for records written
 * before the API refused them, so the upward sync never parks one.
 */
export function scrubText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replace(BAD_ALL, (m) => (m === '\u0000' ? '' : '\uFFFD')) as T;
  if (depth > 16 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubText(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[scrubText(k)] = scrubText(v, depth + 1);
  return out as T;
}
