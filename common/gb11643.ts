// 居民身份证 number check (GB 11643-1999), shared by the card-reader drivers and the queue engine.
// Pure code with no imports, so agent/queue never depends on drivers/ and the drivers never on the agent.
//
// A number is 17 digits (6 region, 8 birth date YYYYMMDD, 3 sequence) and a check character
// "10X98765432"[Σ dᵢ·wᵢ mod 11] (ISO 7064 MOD 11-2).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[s % 11] ?? '?';
}

/** Latest time zone on Earth (UTC+14): a PC on UTC never rejects a citizen born "today" in Beijing. */
const LATEST_ZONE_MS = 14 * 3600_000;

export type IdNumberProblem = 'format' | 'birthDate' | 'futureBirth' | 'checkChar';

/**
 * Why a number is not a valid 居民身份证 number, or undefined when it is. Expects the number already
 * trimmed and upper-cased. `now` is injectable for tests.
 */
export function idNumberProblem(id: string, now: Date = new Date()): IdNumberProblem | undefined {
  if (!/^[1-9]\d{16}[\dX]$/.test(id)) return 'format';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return 'birthDate';
  const latestToday = new Date(now.getTime() + LATEST_ZONE_MS);
  const today = Date.UTC(latestToday.getUTCFullYear(), latestToday.getUTCMonth(), latestToday.getUTCDate());
  if (birth.getTime() > today) return 'futureBirth';
  if (idCheckChar(id) !== id[17]) return 'checkChar';
  return undefined;
}

export function isValidIdNumber(id: string, now?: Date): boolean {
  return idNumberProblem(id.toUpperCase(), now) === undefined;
}
