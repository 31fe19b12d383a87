// Cross-checks of the `calendar` section that a per-key spec cannot express.
import type { RawHallConfig } from './schema.js';
import type { Issue } from './spec.js';

type RawCalendar = NonNullable<RawHallConfig['calendar']>;

function validDay(s: string): boolean {
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

export function checkCalendar(cal: RawCalendar, counterIds: Set<string>, issues: Issue[]): void {
  const ranges = (list: { from: string; to: string }[] | undefined, path: string) =>
    (list ?? []).forEach((r, i) => {
      if (r.from >= r.to) issues.push({ path: `${path}[${i}].to`, expected: `a time after "from" (${r.from})`, got: r.to });
    });
  for (const [day, list] of Object.entries(cal.hours ?? {})) ranges(list, `calendar.hours.${day}`);
  (cal.flexible ?? []).forEach((f, i) => {
    ranges(f.ranges, `calendar.flexible[${i}].ranges`);
  });
  (cal.weekendDuty ?? []).forEach((d, i) => {
    ranges(d.ranges, `calendar.weekendDuty[${i}].ranges`);
  });
  (cal.appointmentOnly ?? []).forEach((d, i) => {
    ranges(d.ranges, `calendar.appointmentOnly[${i}].ranges`);
  });
  ranges(cal.makeUpHours, 'calendar.makeUpHours');
  if (cal.idPickup) ranges(cal.idPickup.ranges, 'calendar.idPickup.ranges');
  const counters = (list: string[] | undefined, path: string) =>
    (list ?? []).forEach((c, i) => {
      if (!counterIds.has(c))
        issues.push({ path: `${path}[${i}]`, expected: `a counter id from counters[] (${[...counterIds].join(', ')})`, got: c });
    });
  (cal.flexible ?? []).forEach((f, i) => {
    counters(f.counters, `calendar.flexible[${i}].counters`);
  });
  (cal.weekendDuty ?? []).forEach((d, i) => {
    counters(d.counters, `calendar.weekendDuty[${i}].counters`);
  });
  (cal.appointmentOnly ?? []).forEach((d, i) => {
    counters(d.counters, `calendar.appointmentOnly[${i}].counters`);
    if (!validDay(d.day)) issues.push({ path: `calendar.appointmentOnly[${i}].day`, expected: 'a real calendar day', got: d.day });
  });
  (cal.holidays ?? []).forEach((y, i) => {
    const inYear = (d: string) => validDay(d) && d.startsWith(`${y.year}-`);
    y.off.forEach((o, j) => {
      const p = `calendar.holidays[${i}].off[${j}]`;
      if (!inYear(o.from)) issues.push({ path: `${p}.from`, expected: `a real day of ${y.year}`, got: o.from });
      // A holiday may run over New Year (e.g. 2026-12-31 … 2027-01-02); it must only not run backwards.
      if (!validDay(o.to) || o.to < o.from) issues.push({ path: `${p}.to`, expected: `a real day not before ${o.from}`, got: o.to });
    });
    (y.workdays ?? []).forEach((d, j) => {
      if (!inYear(d)) issues.push({ path: `calendar.holidays[${i}].workdays[${j}]`, expected: `a real day of ${y.year}`, got: d });
    });
  });
}
