// GET /api/v1/stats is read defensively: the screen shows what is there and never crashes on a
// field it does not know, so the engine can grow the report without breaking the board.
export interface BadRating {
  at?: number;
  level: number;
  reasons: string[];
  comment?: string;
  counter?: string;
  staffId?: string;
  staffName?: string;
  ticketNumber?: string;
  /** 整改 due day (15 working days) */
  dueDay?: string;
}

export interface BoardStats {
  /** index 0..4 = level 1..5 */
  distribution: number[];
  notRated: number;
  bad: BadRating[];
  staff: { id: string; name?: string; served: number; avgHandlingMs?: number }[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function distribution(v: unknown): number[] {
  const out = [0, 0, 0, 0, 0];
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (typeof x === 'number')
        out[i] = x; // [n1..n5]
      else {
        const o = obj(x);
        const level = num(o.level);
        if (level >= 1 && level <= 5) out[level - 1] = num(o.count ?? o.n);
      }
    });
  } else {
    for (const [k, n] of Object.entries(obj(v))) {
      const level = Number(k);
      if (level >= 1 && level <= 5) out[level - 1] = num(n);
    }
  }
  return out;
}

export function readStats(raw: unknown): BoardStats {
  const r = obj(raw);
  const ratings = obj(r.ratings ?? r.ratingsToday);
  const dist = distribution(ratings.distribution ?? r.distribution ?? ratings.byLevel ?? ratings);
  const bad = arr(r.badRatings ?? ratings.bad ?? r.bad).map((b) => ({
    at: num(b.at) || undefined,
    level: num(b.level),
    reasons: Array.isArray(b.reasons) ? (b.reasons as string[]) : [],
    comment: typeof b.comment === 'string' ? b.comment : undefined,
    counter: b.counter != null ? String(b.counter) : undefined,
    staffId: typeof b.staffId === 'string' ? b.staffId : undefined,
    staffName: typeof b.staffName === 'string' ? b.staffName : undefined,
    ticketNumber: typeof b.ticketNumber === 'string' ? b.ticketNumber : typeof b.number === 'string' ? b.number : undefined,
    dueDay: typeof obj(b.rectification).dueDay === 'string' ? String(obj(b.rectification).dueDay) : undefined,
  }));
  // byStaff is a record { staffId: { served, avgHandlingMs } } (agent/queue/types.ts HallStats)
  const byStaff = Object.entries(obj(r.byStaff)).map(([id, v]): Obj => ({ ...obj(v), id }));
  const staff = [...arr(r.staff ?? r.perStaff), ...byStaff].map((s) => ({
    id: String(s.staffId ?? s.id ?? ''),
    name: typeof s.name === 'string' ? s.name : undefined,
    served: num(s.served),
    avgHandlingMs: num(s.avgHandlingMs) || undefined,
  }));
  return { distribution: dist, notRated: num(ratings.notRated ?? r.notRated), bad, staff };
}

/** reason code → [zh, en]: DESIGN's five, then the hall's own list (config rating.reasons) once the hall info is read */
export const REASONS: Record<string, [string, string]> = {
  attitude: ['态度', 'Attitude'],
  efficiency: ['效率', 'Efficiency'],
  unfamiliar: ['业务不熟', 'Unfamiliar with the work'],
  process: ['流程繁琐', 'Cumbersome process'],
  cumbersome: ['流程繁琐', 'Cumbersome process'],
  other: ['其他', 'Other'],
};

export function learnReasons(list: { code: string; zh: string; en: string }[] | undefined): void {
  for (const r of list ?? []) REASONS[r.code] = [r.zh, r.en];
}

export const LEVELS: [string, string][] = [
  ['非常不满意', 'Very dissatisfied'],
  ['不满意', 'Dissatisfied'],
  ['基本满意', 'Fairly satisfied'],
  ['满意', 'Satisfied'],
  ['非常满意', 'Very satisfied'],
];
