/**
 * One CSV cell. A text starting with = + - @, a TAB or a CR would be run as a formula (or shift into one)
 * by a spreadsheet: it gets a leading apostrophe. Numbers are written as numbers.
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
