// The calendar's word on issuing: the kiosk refuses tickets outside opening hours (after the grace
// period); staff and guide staff may still issue (a citizen let in at closing time, 绿色通道).
import type { CalendarStatus } from './calendar.js';
import type { EngineCore, Tx } from './core.js';
import { QueueError } from './errors.js';
import type { IssuedBy } from './types.js';

/** "12月7日 08:30": an opening time as the kiosk and the ticket page say it */
export function hm(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: tz,
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(ms)
    .replace(/\//g, '月')
    .replace(' ', '日 ');
}

export function closedMessage(s: CalendarStatus, tz: string): { zh: string; en: string } {
  const next = s.nextOpening;
  const why = s.holidayName ? `${s.holidayName}放假` : '现在不是办公时间';
  return {
    zh: next === undefined ? `${why}，暂停取号` : `${why}，暂停取号。下次开放：${hm(next, tz)}`,
    en: next === undefined ? 'The hall is closed' : `The hall is closed; next opening ${new Date(next).toISOString()}`,
  };
}

/**
 * Refuses a kiosk ticket when the calendar says closed, or on an appointment-only day without an
 * appointment, or for a service no duty counter handles (周末轮岗). Staff and guides are exempt.
 */
export function requireOpen(core: EngineCore, tx: Tx, req: { service: string; issuedBy: IssuedBy; appointment: boolean }): void {
  if (!core.calendar || req.issuedBy !== 'kiosk') return;
  const s = core.calendar.status(tx.now);
  if (s.alwaysOpen) return;
  const tz = core.rules.timezone;
  if (!s.calendarOpen) {
    const m = closedMessage(s, tz);
    throw new QueueError('HALL_CLOSED', 409, m.zh, m.en);
  }
  if (s.appointmentOnly && !req.appointment) {
    throw new QueueError('APPOINTMENT_ONLY', 409, '今日仅办理网上预约业务，请使用预约码签到', 'Today the hall serves appointments only');
  }
  if (s.counters) {
    const open = new Set(s.counters);
    const served = [...core.counterDefs.values()].some((c) => open.has(c.id) && c.services.includes(req.service));
    if (!served) {
      const name = core.service(req.service).name.zh;
      throw new QueueError(
        'SERVICE_NOT_ON_DUTY',
        409,
        `「${name}」今日值班窗口不办理，请工作日前来`,
        `${req.service} is not served by today's duty counters`,
      );
    }
  }
}
