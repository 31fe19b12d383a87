import { idCheckChar } from '../../../drivers/protocols/idcard.js';
import { openHallStore } from '../../../agent/store/index.js';
import { QueueEngine, QueueError } from '../../../agent/queue/engine.js';
import type { HallCalendar } from '../../../agent/queue/calendar.js';
import type { CampaignRules, StaffRef } from '../../../agent/queue/core.js';
import { DEFAULT_RULES, type QueueRules } from '../../../agent/queue/rules.js';
import type { CounterDef, QueueEvent, ServiceDef, Ticket, CounterState } from '../../../agent/queue/types.js';

export const T0 = Date.parse('2025-03-03T09:00:00+08:00'); // a Monday, 09:00 in the hall

export function service(id: string, prefix: string, extra: Partial<ServiceDef> = {}): ServiceDef {
  return {
    id,
    prefix,
    name: { zh: id, en: id },
    description: { zh: '', en: '' },
    materials: [
      { id: 'hukou', name: { zh: '户口簿', en: 'Household register' }, required: true },
      { id: 'photo', name: { zh: '照片回执', en: 'Photo receipt' }, required: false },
    ],
    conditions: [],
    process: [],
    fee: { zh: '免费', en: 'free' },
    expectedMinutes: 10,
    ...extra,
  };
}

export function counter(id: string, services: string[], extra: Partial<CounterDef> = {}): CounterDef {
  return { id, name: { zh: `${id}号窗口`, en: `Counter ${id}` }, services, senior: false, green: false, ...extra };
}

export const SERVICES: ServiceDef[] = [service('idcard', 'A'), service('move', 'B'), service('birth', 'C', { dailyCap: 3 })];
export const COUNTERS: CounterDef[] = [
  counter('1', ['idcard', 'move']),
  counter('2', ['move', 'idcard']),
  counter('3', ['idcard'], { senior: true }),
  counter('4', ['birth'], { backupCounter: '2' }),
];

export class FakeClock {
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const SECRET = 'test-hall-secret';

export function makeEngine(
  opts: {
    path?: string;
    services?: ServiceDef[];
    counters?: CounterDef[];
    rules?: Partial<QueueRules>;
    clock?: FakeClock;
    calendar?: HallCalendar;
    staff?: StaffRef[];
    campaign?: Partial<CampaignRules>;
  } = {},
) {
  const store = openHallStore(opts.path ?? ':memory:');
  const clock = opts.clock ?? new FakeClock();
  const commits: { event: QueueEvent; ticket?: Ticket; counter?: CounterState }[] = [];
  const engine = new QueueEngine({
    store,
    services: opts.services ?? SERVICES,
    counters: opts.counters ?? COUNTERS,
    rules: { ...DEFAULT_RULES, ...opts.rules },
    clock,
    secret: SECRET,
    onCommit: (c) => commits.push(c),
    calendar: opts.calendar,
    staff: opts.staff,
    campaign: opts.campaign,
  });
  return { engine, store, clock, commits };
}

/** valid GB 11643 numbers for tests (check digits computed) */
export function idNumber(seed: number): string {
  const body = `340104199001${String(10 + (seed % 18)).padStart(2, '0')}${String(seed % 1000).padStart(3, '0')}`;
  return body + idCheckChar(body);
}

/** "status CODE" of the QueueError a refused action throws; fails the test if it was not refused. */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof QueueError) return `${e.status} ${e.code}`;
    throw e;
  }
  throw new Error('expected a refusal');
}
