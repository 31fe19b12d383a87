// 分流 / 就近办 as a citizen reads it: a hall shows its queue only while it is open. A hall that closed
// its day (its last live-wait post said open: false), or that has posted nothing today, is 已闭厅; one
// silent for longer than the hub's setting today is 暂停服务. Neither shows the last numbers it sent:
// yesterday's 24 waiting at a hall nobody is in sends citizens the wrong way. "Today" and "now" are the
// hub's clock (HubOptions.now), not the database server's, as for every other figure of the hub.
import type pg from 'pg';

export const LIVE_STATE = {
  open: { zh: '正常办理', en: 'Open' },
  closed: { zh: '已闭厅', en: 'Closed' },
  paused: { zh: '暂停服务', en: 'Not reporting' },
} as const;
export type LiveState = keyof typeof LIVE_STATE;

export interface LiveHallService {
  hallId: string;
  hallName: string;
  city: string;
  service: string;
  serviceName: string;
  state: LiveState;
  /** null unless open */
  waiting: number | null;
  estimateMinutes: number | null;
  openCounters: number;
  /** the hall's last live-wait post */
  at: string;
}

export async function liveWaitNow(
  pool: pg.Pool,
  opts: { city?: string; service?: string; silentMinutes?: number; now?: number } = {},
): Promise<LiveHallService[]> {
  // halls.live_open is null for halls that never said (agents before the day lifecycle): they count as
  // open while they keep posting today.
  const r = await pool.query(
    `WITH l AS (
       SELECT h.id, h.name, h.city, w.service, w.name AS service_name, w.waiting, w.estimate_minutes, w.open_counters,
              greatest(w.at, h.live_at) AS at,
              CASE
                WHEN h.live_open IS FALSE THEN 'closed'
                WHEN (greatest(w.at, h.live_at) AT TIME ZONE 'Asia/Shanghai')::date < ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date THEN 'closed'
                WHEN greatest(w.at, h.live_at) < $4::timestamptz - make_interval(mins => $3) THEN 'paused'
                ELSE 'open'
              END AS state
       FROM live_wait w JOIN halls h ON h.id = w.hall_id
       WHERE ($1::text IS NULL OR h.city = $1) AND ($2::text IS NULL OR w.service = $2)
     )
     SELECT * FROM l
     ORDER BY city, service, state = 'open' DESC, CASE WHEN state = 'open' THEN estimate_minutes END NULLS LAST, id`,
    [opts.city ?? null, opts.service ?? null, opts.silentMinutes ?? 15, new Date(opts.now ?? Date.now())],
  );
  return r.rows.map((x) => {
    const open = x.state === 'open';
    return {
      hallId: x.id,
      hallName: x.name,
      city: x.city,
      service: x.service,
      serviceName: x.service_name,
      state: x.state as LiveState,
      waiting: open ? x.waiting : null,
      estimateMinutes: open ? x.estimate_minutes : null,
      openCounters: open ? x.open_counters : 0,
      at: new Date(x.at).toISOString(),
    };
  });
}

/** 分流: a wait this long (minutes) gets suggestions of nearby halls */
export const DIVERT_MINUTES = 30;
/** a suggested hall's wait is at least this much shorter */
export const DIVERT_GAIN_MINUTES = 10;

export interface Suggestion {
  hallId: string;
  hallName: string;
  /** its current wait for the service, when it is shorter */
  estimateMinutes: number | null;
  /** its first online slot of today with a free place (HH:MM), when it has one */
  freeSlot: string | null;
}

/**
 * Beside a long wait, the halls of the same city with a shorter one for the same service, or with a
 * free online slot later today (Asia/Shanghai), shortest wait first, then earliest slot; at most 3.
 */
export async function divertSuggestions(
  pool: pg.Pool,
  rows: LiveHallService[],
  opts: { minutes?: number; now?: number } = {},
): Promise<Map<LiveHallService, Suggestion[]>> {
  const minutes = opts.minutes ?? DIVERT_MINUTES;
  const long = rows.filter((r) => r.state === 'open' && r.estimateMinutes !== null && r.estimateMinutes >= minutes);
  const out = new Map<LiveHallService, Suggestion[]>();
  if (long.length === 0) return out;
  const free = await pool.query(
    `SELECT DISTINCT ON (s.hall_id, s.service) s.hall_id, h.name, h.city, s.service, s.slot
     FROM booking_slots s JOIN halls h ON h.id = s.hall_id
     WHERE s.day = ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AND s.start_at > $3::timestamptz AND s.booked < s.quota
       AND h.city = ANY($1) AND s.service = ANY($2)
     ORDER BY s.hall_id, s.service, s.start_at`,
    [[...new Set(long.map((r) => r.city))], [...new Set(long.map((r) => r.service))], new Date(opts.now ?? Date.now())],
  );
  for (const r of long) {
    const byHall = new Map<string, Suggestion>();
    for (const o of rows) {
      if (o.hallId === r.hallId || o.city !== r.city || o.service !== r.service || o.state !== 'open') continue;
      if (o.estimateMinutes === null || o.estimateMinutes > r.estimateMinutes! - DIVERT_GAIN_MINUTES) continue;
      byHall.set(o.hallId, { hallId: o.hallId, hallName: o.hallName, estimateMinutes: o.estimateMinutes, freeSlot: null });
    }
    for (const f of free.rows) {
      if (f.hall_id === r.hallId || f.city !== r.city || f.service !== r.service) continue;
      const time = `${String(Math.floor(f.slot / 2)).padStart(2, '0')}:${f.slot % 2 ? '30' : '00'}`;
      const s = byHall.get(f.hall_id);
      if (s) s.freeSlot = time;
      else byHall.set(f.hall_id, { hallId: f.hall_id, hallName: f.name, estimateMinutes: null, freeSlot: time });
    }
    const list = [...byHall.values()]
      .sort(
        (a, b) =>
          (a.estimateMinutes ?? Number.POSITIVE_INFINITY) - (b.estimateMinutes ?? Number.POSITIVE_INFINITY) ||
          (a.freeSlot ?? '99').localeCompare(b.freeSlot ?? '99') ||
          a.hallId.localeCompare(b.hallId),
      )
      .slice(0, 3);
    if (list.length) out.set(r, list);
  }
  return out;
}
