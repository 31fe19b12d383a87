import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../../agent/queue/rules.js';
import type { CounterDef } from '../../../agent/queue/types.js';
import { serviceLevel } from '../../../common/forecast/erlang.js';
import { HallSimulator, type SimArrival } from '../../../common/forecast/simulate.js';
import { planStaffing } from '../../../common/forecast/staffing.js';
import { rng } from '../../../common/forecast/synthetic.js';

const MIN = 60_000;
const counter = (id: string, services: string[], extra: Partial<CounterDef> = {}): CounterDef => ({
  id,
  name: { zh: `${id}号窗口`, en: id },
  services,
  senior: false,
  green: false,
  ...extra,
});

describe('simulation of the real calling order', () => {
  it('matches Erlang C where both apply (M/M/4, one FIFO line, every counter serves everything)', () => {
    const r = rng(11);
    const lambda = 0.35; // per minute
    const h = 8; // minutes, exponential
    const arrivals: SimArrival[] = [];
    for (let t = 0; ; ) {
      t += (-Math.log(r()) / lambda) * MIN;
      if (t > 400_000 * MIN) break;
      arrivals.push({ at: t, service: 's', channel: 'normal', duration: -Math.log(r()) * h * MIN });
    }
    const counters = ['1', '2', '3', '4'].map((id) => counter(id, ['s']));
    const sim = new HallSimulator({ counters, rules: DEFAULT_RULES }, arrivals);
    const st = sim.start();
    sim.run(st, { slotMs: Number.MAX_SAFE_INTEGER, sets: [['1', '2', '3', '4']] }, Number.MAX_SAFE_INTEGER);
    let within = 0;
    const skip = 1000; // warm-up from an empty hall
    for (let i = skip; i < arrivals.length; i++) {
      const w = st.calledAt[i]! - arrivals[i]!.at;
      if (w <= 4 * MIN) within++;
    }
    const n = arrivals.length - skip;
    const load = lambda * h;
    expect(within / n).toBeGreaterThan(serviceLevel(4, load, 4, h) - 0.015);
    expect(within / n).toBeLessThan(serviceLevel(4, load, 4, h) + 0.015);
  });

  it('calls a green ticket before the normals ahead of it, and seniors first at the 老年人专窗', () => {
    const a = (at: number, channel: SimArrival['channel']): SimArrival => ({ at: at * MIN, service: 's', channel, duration: 10 * MIN });
    // counter 1 is busy until minute 10; a normal, another normal, then a green ticket arrive meanwhile
    const arrivals = [a(0, 'normal'), a(1, 'normal'), a(2, 'normal'), a(3, 'green')];
    const sim = new HallSimulator({ counters: [counter('1', ['s'])], rules: DEFAULT_RULES }, arrivals);
    const st = sim.start();
    sim.run(st, { slotMs: 60 * MIN, sets: [['1']] }, 100 * MIN);
    expect(st.calledAt[3]).toBe(10 * MIN);
    expect(st.calledAt[1]).toBe(20 * MIN);

    const b = [a(0, 'normal'), a(1, 'normal'), a(2, 'senior')];
    const sim2 = new HallSimulator({ counters: [counter('7', ['s'], { senior: true })], rules: DEFAULT_RULES }, b);
    const st2 = sim2.start();
    sim2.run(st2, { slotMs: 60 * MIN, sets: [['7']] }, 100 * MIN);
    expect(st2.calledAt[2]).toBe(10 * MIN);
  });

  it('AB岗: the backup counter calls the line of a closed counter', () => {
    const arrivals: SimArrival[] = [{ at: MIN, service: 'move', channel: 'normal', duration: 5 * MIN }];
    const counters = [counter('1', ['id']), counter('2', ['move'], { backupCounter: '1' })];
    const sim = new HallSimulator({ counters, rules: DEFAULT_RULES }, arrivals);
    const st = sim.start();
    sim.run(st, { slotMs: 60 * MIN, sets: [['1']] }, 60 * MIN);
    expect(st.calledAt[0]).toBe(MIN);
    // without the AB岗 link nobody calls it
    const lone = new HallSimulator({ counters: [counter('1', ['id']), counter('2', ['move'])], rules: DEFAULT_RULES }, arrivals);
    const st2 = lone.start();
    lone.run(st2, { slotMs: 60 * MIN, sets: [['1']] }, 60 * MIN);
    expect(st2.calledAt[0]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('counters to open', () => {
  const open = Array.from({ length: 48 }, (_, i) => i >= 17 && i < 24);
  const flat = (perSlot: number) => Array.from({ length: 48 }, (_, i) => (open[i] ? perSlot : 0));

  it('uses Erlang C where it holds, and the simulation agrees with it there', () => {
    const counters = ['1', '2', '3', '4', '5', '6', '7', '8'].map((id) => counter(id, ['s']));
    const base = {
      counters,
      rules: DEFAULT_RULES,
      handling: { s: { meanMinutes: 8, cv: 1 } },
      walkIns: { s: flat(12) },
      open,
      channelMix: { senior: 0, green: 0 },
    };
    const erlang = planStaffing(base);
    expect(erlang.every((r) => r.method === 'erlang')).toBe(true);
    // 12 per half hour × 8 min = 3.2 Erlang; 90 % within 20 min needs 4 counters
    expect(erlang.map((r) => r.needed)).toEqual(new Array(7).fill(4));
    const sim = planStaffing({ ...base, method: 'simulate', replications: 60 });
    for (const r of sim) expect(Math.abs(r.needed - 4)).toBeLessThanOrEqual(1);
  });

  it('single-skill counters need more than the pooled Erlang figure; the plan names counters that serve the demand', () => {
    const counters = [counter('1', ['a']), counter('2', ['a']), counter('3', ['b']), counter('4', ['b']), counter('5', ['c'])];
    const plan = planStaffing({
      counters,
      rules: DEFAULT_RULES,
      handling: { a: { meanMinutes: 10, cv: 0.6 }, b: { meanMinutes: 10, cv: 0.6 } },
      walkIns: { a: flat(4), b: flat(4) },
      open,
      channelMix: { senior: 0.15, green: 0.02 },
      replications: 40,
    });
    for (const r of plan) {
      expect(r.method).toBe('simulate');
      expect(r.needed).toBeGreaterThanOrEqual(r.erlang);
      expect(r.counters).not.toContain('5');
      expect(r.counters.some((c) => c === '1' || c === '2')).toBe(true);
      expect(r.counters.some((c) => c === '3' || c === '4')).toBe(true);
      expect(r.attained).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('more arrivals never mean fewer counters', () => {
    const counters = ['1', '2', '3', '4', '5', '6'].map((id) => counter(id, ['s']));
    let last = 0;
    for (const n of [2, 6, 12, 20, 30]) {
      const plan = planStaffing({
        counters,
        rules: DEFAULT_RULES,
        handling: { s: { meanMinutes: 6, cv: 1 } },
        walkIns: { s: flat(n) },
        open,
        channelMix: { senior: 0, green: 0 },
      });
      const k = Math.max(...plan.map((r) => r.needed));
      expect(k).toBeGreaterThanOrEqual(last);
      last = k;
    }
    expect(last).toBe(6);
  });
});
