// What a dead pad costs the keypads beside it on the bus: its probes are rare, short and not in step
// with another dead pad's. The bus here is a stand-in that records each poll and answers it at once
// (unit test: the pty bus is in tests/drivers/bus/pads-bus.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bus, BusRequest, BusResult } from '../../../drivers/bus/bus.js';
import { KeypadDevice } from '../../../drivers/devices/keypad.js';

const CHAR_MS = 10_000 / 9600;

interface Poll {
  owner: string;
  at: number;
  timeoutMs?: number;
}

/** every pad in `dead` never answers; the others answer idle. `replug()` calls the link-up listeners. */
function fakeBus(dead: Set<string>, polls: Poll[]): Bus & { replug(): void } {
  const ups: Array<() => void> = [];
  return {
    charMs: CHAR_MS,
    link: { up: true, onUp: (fn: () => void) => ups.push(fn), onDown() {} },
    replug: () => {
      for (const fn of ups) fn();
    },
    request<R>(req: BusRequest<R>): Promise<BusResult<R>> {
      polls.push({ owner: req.owner, at: Date.now(), timeoutMs: req.timeoutMs });
      return Promise.resolve(
        dead.has(req.owner)
          ? { ok: false, reason: 'timeout', garbled: false }
          : ({ ok: true, reply: { type: 'idle' } as R, rtt: 12 } as BusResult<R>),
      );
    },
  } as unknown as Bus & { replug(): void };
}

beforeEach(() => {
  vi.useFakeTimers();
  // the spread is random: a seeded sequence makes every run of these tests the same run
  let seed = 20261207;
  vi.spyOn(Math, 'random').mockImplementation(() => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('a dead pad on a shared bus', () => {
  it('is probed about every 2 s with a short probe timeout once it is offline, and reported offline once', async () => {
    const polls: Poll[] = [];
    const bus = fakeBus(new Set(['rp7']), polls);
    const pad = new KeypadDevice(bus, 17, 'rp7', () => {}, { pollMs: 100, timeoutMs: 100, restPollMs: 1000 });
    const statuses: string[] = [];
    pad.cell.onChange((s) => statuses.push(s));
    pad.start();
    await vi.advanceTimersByTimeAsync(60_000);
    pad.stop();
    // three misses at the full reply timeout (a live pad late under load is not given up too soon) …
    expect(polls.slice(0, 3).map((p) => p.timeoutMs)).toEqual([100, 100, 100]);
    // … then probes that wait only for a live pad's answer: 3.5 + 9 characters on the wire + 20 ms
    const probes = polls.slice(3);
    expect(new Set(probes.map((p) => p.timeoutMs))).toEqual(new Set([20 + 12.5 * CHAR_MS]));
    const gaps = probes.slice(1).map((p, i) => p.at - probes[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2500);
    expect(gaps.length).toBeGreaterThan(20);
    expect(statuses).toEqual(['offline']); // once, at the third miss, not at every probe
    expect(pad.cell.detail).toBe('no reply to poll');
  });

  it('after a replug a dead pad is asked with the full reply timeout again: its first answer may be slow', async () => {
    const polls: Poll[] = [];
    const dead = new Set(['rp7']);
    const bus = fakeBus(dead, polls);
    const pad = new KeypadDevice(bus, 17, 'rp7', () => {}, { pollMs: 100, timeoutMs: 100 });
    pad.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(polls.at(-1)?.timeoutMs).toBeLessThan(40);
    const before = polls.length;
    bus.replug();
    await vi.advanceTimersByTimeAsync(1);
    expect(polls.length).toBe(before + 1); // at once, not at the next probe
    expect(polls.at(-1)?.timeoutMs).toBe(100);
    dead.delete('rp7'); // it answers now
    await vi.advanceTimersByTimeAsync(1_000);
    pad.stop();
    expect(pad.cell.status).toBe('online');
  });

  it('two pads cut off together do not stay in step: their probes rarely fall into the same cycle', async () => {
    const polls: Poll[] = [];
    const bus = fakeBus(new Set(['rp7', 'rp8']), polls);
    const pads = ['rp7', 'rp8'].map((id, i) => new KeypadDevice(bus, 17 + i, id, () => {}, { pollMs: 100, timeoutMs: 100 }));
    for (const p of pads) p.start();
    await vi.advanceTimersByTimeAsync(120_000);
    for (const p of pads) p.stop();
    const at = (owner: string) =>
      polls
        .filter((p) => p.owner === owner)
        .slice(3)
        .map((p) => p.at);
    const a = at('rp7');
    const b = at('rp8');
    // without the spread both are probed in the same millisecond every 2 s, for ever
    const together = a.filter((t) => b.some((u) => Math.abs(u - t) < 150)).length;
    expect(a.length).toBeGreaterThan(40);
    expect(together / a.length).toBeLessThan(0.35);
  });

  it('a resting rating pad keeps its heartbeat near restPollMs, spread so resting pads drift apart', async () => {
    const polls: Poll[] = [];
    const bus = fakeBus(new Set(), polls);
    const pads = Array.from(
      { length: 6 },
      (_, i) => new KeypadDevice(bus, 11 + i, `rp${i + 1}`, () => {}, { pollMs: 100, restPollMs: 1000 }),
    );
    for (const p of pads) p.start();
    await vi.advanceTimersByTimeAsync(60_000);
    for (const p of pads) p.stop();
    const mine = polls.filter((p) => p.owner === 'rp1').slice(1);
    const gaps = mine.slice(1).map((p, i) => p.at - mine[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(750);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1250);
    // all six started in the same millisecond; a minute later their polls are spread over the second
    const last = pads.map((_, i) => polls.filter((p) => p.owner === `rp${i + 1}`).at(-1)!.at);
    expect(Math.max(...last) - Math.min(...last)).toBeGreaterThan(200);
  });
});
