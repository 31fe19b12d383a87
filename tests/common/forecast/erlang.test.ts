import { describe, expect, it } from 'vitest';
import { erlangB, erlangC, meanWait, serversNeeded, serviceLevel } from '../../../common/forecast/erlang.js';

describe('Erlang C against published values', () => {
  it('Erlang B table: 10 Erlang on 10 servers blocks 21.46 %', () => {
    // Any Erlang B table (e.g. the ITU-T traffic tables): B(N=10, A=10) = 0.2146, B(5, 2) = 0.0367
    expect(erlangB(10, 10)).toBeCloseTo(0.2146, 4);
    expect(erlangB(5, 2)).toBeCloseTo(0.0367, 4);
  });

  it("Mitan's worked example: 360 calls per half hour, 4 minutes each, 55 agents, 15 s target", () => {
    // A = 360/30 × 4 = 48 Erlang; published: probability of waiting 0.2387, ASA 8.2 s, service level 84.6 %
    const load = (360 / 30) * 4;
    expect(load).toBe(48);
    expect(erlangC(55, load)).toBeCloseTo(0.2387, 4);
    expect(meanWait(55, load, 240)).toBeCloseTo(8.2, 1);
    expect(serviceLevel(55, load, 15, 240)).toBeCloseTo(0.846, 3);
  });

  it('closed forms: one server waits with probability ρ, two servers at A = 1 with 1/3', () => {
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    // M/M/1 service level 1 − ρ·e^{−(1−ρ)t/h}
    expect(serviceLevel(1, 0.5, 10, 10)).toBeCloseTo(1 - 0.5 * Math.exp(-0.5), 12);
  });

  it('an overloaded hall never meets a target, an idle one always does', () => {
    expect(erlangC(3, 3)).toBe(1);
    expect(serviceLevel(3, 3.5, 20, 8)).toBe(0);
    expect(serviceLevel(3, 0, 20, 8)).toBe(1);
    expect(serversNeeded(0, 20, 8, 0.9)).toBe(0);
  });

  it('servers needed is the fewest that meet the target', () => {
    for (const load of [0.3, 1.7, 4.2, 9.9, 23]) {
      const n = serversNeeded(load, 20, 8, 0.9);
      expect(serviceLevel(n, load, 20, 8)).toBeGreaterThanOrEqual(0.9);
      if (n > 1) expect(serviceLevel(n - 1, load, 20, 8)).toBeLessThan(0.9);
    }
    expect(() => serversNeeded(2, 20, 8, 1.5)).toThrow(/target share/);
  });
});
