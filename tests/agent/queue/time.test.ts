import { describe, expect, it } from 'vitest';
import { dayOf } from '../../../agent/queue/time.js';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** the oracle: the formatter's own answer for every instant, nothing kept */
const fresh = (ms: number, tz: string) => {
  if (!formatters.has(tz))
    formatters.set(tz, new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }));
  return formatters.get(tz)!.format(ms);
};

describe('dayOf (kept per quarter hour)', () => {
  it('gives the same hall-local day as a fresh Intl lookup around midnights, DST changes and odd offsets', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];
    // instants a minute apart around each zone's local midnight and its DST changes of 2026, visited
    // back and forth so that a kept answer would be reused across the boundary if it were wrong
    const anchors = [Date.UTC(2026, 2, 29, 0, 0), Date.UTC(2026, 9, 25, 0, 0), Date.UTC(2026, 11, 6, 16, 0), Date.UTC(2026, 8, 26, 14, 0)];
    let checked = 0;
    for (const tz of zones) {
      for (const a of anchors) {
        const times: number[] = [];
        for (let m = -26 * 60; m <= 26 * 60; m += 7) times.push(a + m * 60_000 + (m % 3) * 17_000);
        for (const t of [...times, ...times.reverse()]) {
          expect(dayOf(t, tz), `${tz} ${new Date(t).toISOString()}`).toBe(fresh(t, tz));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('still refuses an instant that is not a time', () => {
    expect(() => dayOf(Number.NaN, 'Asia/Shanghai')).toThrow(RangeError);
  });
});
