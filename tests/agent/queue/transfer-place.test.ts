// Issue 18, item 7: a transferred citizen keeps their place in the target queue by the original issue
// time — also against tickets of the target service that have waited past the starvation bound.
import { describe, expect, it } from 'vitest';
import { makeEngine } from './fixtures.js';

const MIN = 60_000;

describe('transfer keeps the place by the original issue time', () => {
  it('A001 (issued 09:00) transferred at 09:50 goes before B001 (issued 09:05, starved since 09:35)', () => {
    const { engine, clock } = makeEngine();
    engine.open('1');
    engine.open('2');
    engine.callNext('2'); // nothing yet: counter 2 stays idle
    engine.issue({ service: 'idcard' }); // A001 at 09:00
    clock.advance(5 * MIN);
    engine.issue({ service: 'move' }); // B001 at 09:05
    clock.advance(35 * MIN);
    engine.callNumber('1', 'A001'); // 09:40
    engine.start('1');
    clock.advance(10 * MIN);
    const moved = engine.transfer('1', { service: 'move' }); // 09:50
    expect(moved).toMatchObject({ number: 'A001', service: 'move', issuedAt: Date.parse('2025-03-03T09:00:00+08:00') });
    // waiting list and calling order agree: A001 first
    expect(engine.waitingTickets().map((t) => t.number)).toEqual(['A001', 'B001']);
    expect(engine.position(moved.id)?.waitingAhead).toBe(0);
    expect(engine.callNext('2')?.number).toBe('A001');
    engine.finish('2');
    expect(engine.callNext('2')?.number).toBe('B001');
  });
});
