// 分流 / 就近办 as a citizen reads it: a hall shows its queue only while it is open. A hall that closed
// its day (its last live-wait post said open: false), or that has posted nothing today, is 已闭厅; one
// silent for longer than the hub's setting today is 暂停服务. Neither shows the last numbers it sent:
// yesterday's 24 waiting at a hall nobody is in sends citizens the wrong way.
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
  opts: { city?: string; service?: string; silentMinutes?: number } = {},
): Promise<LiveHallService[]> {
  // halls.live_open is null for halls that never said (agents before the day lifecycle): they count as
  // open while they keep posting today.
  const r = await pool.query(
    `WITH l AS (
       SELECT h.id, h.name, h.city, w.service, w.name AS service_name, w.waiting, w.estimate_minutes, w.open_counters,
              greatest(w.at, h.live_at) AS at,
              CASE
                WHEN h.live_open IS FALSE THEN 'closed'
                WHEN (greatest(w.at, h.live_at) AT TIME ZONE 'Asia/Shanghai')::date < (now() AT TIME ZONE 'Asia/Shanghai')::date THEN 'closed'
                WHEN greatest(w.at, h.live_at) < now() - make_interval(mins => $3) THEN 'paused'
                ELSE 'open'
              END AS state
       FROM live_wait w JOIN halls h ON h.id = w.hall_id
       WHERE ($1::text IS NULL OR h.city = $1) AND ($2::text IS NULL OR w.service = $2)
     )
     SELECT * FROM l
     ORDER BY city, service, state = 'open' DESC, CASE WHEN state = 'open' THEN estimate_minutes END NULLS LAST, id`,
    [opts.city ?? null, opts.service ?? null, opts.silentMinutes ?? 15],
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
