// Hall-local calendar helpers built on Intl only (no tz database dependency).

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const partFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(tz: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(tz);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(tz, f);
  }
  return f;
}

const QUARTER_HOUR = 15 * 60_000;
const lastDay = new Map<string, { quarter: number; day: string }>();

/**
 * Hall-local business day YYYY-MM-DD of an instant. Every engine action asks (100 µs of Intl each); the
 * answer is kept for the quarter hour: every zone's offset and DST change is a multiple of 15 minutes,
 * so all instants of one UTC quarter hour fall on the same local date.
 */
export function dayOf(ms: number, tz: string): string {
  const quarter = Math.floor(ms / QUARTER_HOUR);
  const hit = lastDay.get(tz);
  if (hit && hit.quarter === quarter) return hit.day;
  const day = dayFormatter(tz).format(ms);
  lastDay.set(tz, { quarter, day });
  return day;
}

/** Offset (ms) of the zone at an instant: local wall clock minus UTC. */
export function zoneOffsetMs(ms: number, tz: string): number {
  let f = partFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partFormatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of a hall-local wall-clock time. */
export function localToEpoch(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - zoneOffsetMs(guess, tz);
  // Second pass lands on the right side of a DST change; a no-op for Asia/Shanghai.
  return guess - zoneOffsetMs(first, tz);
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::\d{2})?$/;

/**
 * Parses an appointment time: epoch ms, ISO 8601 with an offset or Z, or a zone-less
 * "YYYY-MM-DD HH:mm" that is read as hall-local (what booking platforms in China export).
 */
export function parseHallTime(v: string | number, tz: string): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = v.trim();
  const m = LOCAL_RE.exec(s);
  if (m) return localToEpoch(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, tz);
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Adds Mon–Fri working days to a YYYY-MM-DD calendar day. Public holidays are not modelled. */
export function addWorkingDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  let left = n;
  while (left > 0) {
    t.setUTCDate(t.getUTCDate() + 1);
    const wd = t.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return t.toISOString().slice(0, 10);
}

export function isValidDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}
