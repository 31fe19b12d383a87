// The simulated month's hall: one engine over a real SQLite file, with the month's calendar. Shared by
// the test and the worker that is killed in the middle of a day close.
import { HallCalendar } from '../../agent/queue/calendar.js';
import { QueueEngine } from '../../agent/queue/engine.js';
import { DEFAULT_RULES } from '../../agent/queue/rules.js';
import { openHallStore } from '../../agent/store/index.js';
import { COUNTERS, SERVICES } from '../agent/queue/fixtures.js';

export const TZ = 'Asia/Shanghai';
export const HOLIDAY = '2026-11-02'; // a Monday off …
export const MAKE_UP = '2026-11-07'; // … worked on the Saturday after (调休)

export const calendar = new HallCalendar(
  {
    alwaysOpen: false,
    graceMinutes: 30,
    hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]])),
    flexible: [],
    weekendDuty: [],
    holidays: [{ year: 2026, off: [{ from: HOLIDAY, to: HOLIDAY, name: '测试假日' }], workdays: [MAKE_UP] }],
    appointmentOnly: [],
  },
  TZ,
);

export function openHall(path: string, hallId: string, clock: { now(): number }) {
  const store = openHallStore(path);
  const engine = new QueueEngine({
    store,
    services: SERVICES,
    counters: COUNTERS,
    rules: { ...DEFAULT_RULES, timezone: TZ },
    clock,
    secret: `${hallId}-secret`,
    calendar,
    campaign: { callbackSampleRate: 1 },
    staff: [{ id: 'S1', name: '王芳' }],
  });
  return { store, engine };
}
