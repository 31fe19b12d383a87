// The bare service and counter definitions the crash workers and the day-close bench build their halls
// from: defined once here. Plain data and types only (no vitest, no native modules), so the crash
// workers' esbuild bundles take it in whole and the bench runs it under tsx.
import type { CounterDef, ServiceDef } from '../../agent/queue/types.js';

/** a service with a prefix letter and nothing else a queue needs (no materials, no fee) */
export function bareService(id: string, prefix: string, expectedMinutes = 5): ServiceDef {
  return {
    id,
    prefix,
    name: { zh: id, en: id },
    description: { zh: '', en: '' },
    materials: [],
    conditions: [],
    process: [],
    fee: { zh: '', en: '' },
    expectedMinutes,
  };
}

/** a counter for `services`, named by its id unless a name is given; 老年人专窗 when `senior` */
export function bareCounter(id: string, services: string[], opts: { senior?: boolean; name?: CounterDef['name'] } = {}): CounterDef {
  return { id, name: opts.name ?? { zh: id, en: id }, services, senior: opts.senior ?? false, green: false };
}
