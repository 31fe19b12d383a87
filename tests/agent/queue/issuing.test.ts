import { describe, expect, it } from 'vitest';
import { QueueError } from '../../../agent/queue/engine.js';
import { isValidIdNumber, maskIdNumber } from '../../../agent/queue/idnumber.js';
import { SECRET, T0, counter, idNumber, makeEngine, service } from './fixtures.js';

function refusal(fn: () => unknown): QueueError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QueueError) return e;
    throw e;
  }
  throw new Error('expected a QueueError');
}

describe('numbering', () => {
  it('prefix + zero-padded daily sequence per service', () => {
    const { engine } = makeEngine();
    expect(engine.issue({ service: 'idcard' }).ticket.number).toBe('A001');
    expect(engine.issue({ service: 'idcard' }).ticket.number).toBe('A002');
    expect(engine.issue({ service: 'move' }).ticket.number).toBe('B001');
  });

  it('width is configurable', () => {
    const { engine } = makeEngine({ rules: { numberWidth: 4 } });
    expect(engine.issue({ service: 'idcard' }).ticket.number).toBe('A0001');
  });

  it('resets at hall-local midnight, not UTC midnight', () => {
    const { engine, clock } = makeEngine();
    clock.t = Date.parse('2025-03-03T23:59:00+08:00');
    const a = engine.issue({ service: 'idcard' }).ticket;
    expect(a.day).toBe('2025-03-03');
    clock.t = Date.parse('2025-03-04T00:01:00+08:00'); // still 2025-03-03 in UTC
    const b = engine.issue({ service: 'idcard' }).ticket;
    expect(b.day).toBe('2025-03-04');
    expect(b.number).toBe('A001');
  });

  it('another timezone moves the reset', () => {
    const { engine, clock } = makeEngine({ rules: { timezone: 'UTC' } });
    clock.t = Date.parse('2025-03-04T00:01:00+08:00');
    expect(engine.issue({ service: 'idcard' }).ticket.day).toBe('2025-03-03');
  });

  it('a new day expires yesterday’s waiting and no-show tickets with an event', () => {
    const { engine, clock } = makeEngine();
    const a = engine.issue({ service: 'idcard' }).ticket;
    clock.t += 24 * 3600_000;
    engine.issue({ service: 'idcard' });
    expect(engine.getTicket(a.id)).toMatchObject({ state: 'cancelled', cancelReason: 'dayEnd' });
    expect(engine.waitingTickets().map((t) => t.id)).not.toContain(a.id);
    const hist = engine.ticketHistory(a.id);
    expect(hist.map((e) => e.type)).toEqual(['ticket.issued', 'ticket.expired']);
    expect(engine.eventsAfter(0, 100).some((e) => e.type === 'ticket.expired' && e.ticketId === a.id)).toBe(true);
  });

  it('daily cap per service gives a clear refusal and does not burn a number', () => {
    const { engine } = makeEngine();
    for (let i = 0; i < 3; i++) engine.issue({ service: 'birth' });
    const e = refusal(() => engine.issue({ service: 'birth' }));
    expect(e.code).toBe('DAILY_CAP_REACHED');
    expect(e.status).toBe(409);
    expect(e.message).toContain('号源已发完');
    expect(engine.snapshot().services.find((s) => s.id === 'birth')?.waiting).toBe(3);
  });

  it('the width caps the sequence too (A9 with width 1)', () => {
    const { engine } = makeEngine({ rules: { numberWidth: 1 } });
    for (let i = 0; i < 9; i++) engine.issue({ service: 'idcard' });
    expect(refusal(() => engine.issue({ service: 'idcard' })).code).toBe('DAILY_CAP_REACHED');
  });

  it('unknown service → 404', () => {
    const { engine } = makeEngine();
    expect(refusal(() => engine.issue({ service: 'nope' })).status).toBe(404);
  });

  it('rejects duplicate prefixes in config', () => {
    expect(() => makeEngine({ services: [service('x', 'A'), service('y', 'A')], counters: [counter('1', ['x'])] })).toThrow(/prefix/);
  });
});

describe('channels', () => {
  it('green only from guide or counter', () => {
    const { engine } = makeEngine();
    const e = refusal(() => engine.issue({ service: 'idcard', channel: 'green' }));
    expect(e.code).toBe('GREEN_NOT_ALLOWED');
    expect(refusal(() => engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'kiosk' })).status).toBe(400);
    expect(engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'guide' }).ticket.channel).toBe('green');
    expect(engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'counter' }).ticket.channel).toBe('green');
  });

  it('appointment channel only by check-in', () => {
    const { engine } = makeEngine();
    expect(refusal(() => engine.issue({ service: 'idcard', channel: 'appointment' })).code).toBe('APPOINTMENT_CHECKIN_REQUIRED');
  });

  it('unknown channel → 400', () => {
    const { engine } = makeEngine();
    expect(refusal(() => engine.issue({ service: 'idcard', channel: 'vip' as never })).status).toBe(400);
  });
});

describe('身份证 number', () => {
  it('validates GB 11643 check digit and birth date', () => {
    expect(isValidIdNumber(idNumber(7))).toBe(true);
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false); // wrong check char
    expect(isValidIdNumber('11010519491331002X')).toBe(false); // month 13
    expect(isValidIdNumber('1101051949123100')).toBe(false);
    expect(maskIdNumber('340104199001120018')).toBe('**************0018');
  });

  it('refuses a malformed number without echoing it', () => {
    const { engine } = makeEngine();
    const bad = '340104199001120019';
    const e = refusal(() => engine.issue({ service: 'idcard', idNumber: bad }));
    expect(e.code).toBe('ID_INVALID');
    expect(e.message + e.messageEn).not.toContain(bad);
  });

  it('stores only HMAC and mask; never the clear number in events, tickets or the DB', () => {
    const { engine, store } = makeEngine();
    const id = idNumber(3);
    const r = engine.issue({ service: 'idcard', idNumber: id });
    expect(r.ticket.idMasked).toBe(`**************${id.slice(-4)}`);
    expect(JSON.stringify(r)).not.toContain(id);
    expect(JSON.stringify(engine.eventsAfter(0, 100))).not.toContain(id);
    const dump =
      JSON.stringify(store.db.prepare('SELECT * FROM tickets').all()) + JSON.stringify(store.db.prepare('SELECT * FROM events').all());
    expect(dump).not.toContain(id);
    expect(dump).not.toContain(SECRET);
    expect(dump).toMatch(/[0-9a-f]{64}/);
  });

  it('per-ID daily limit per service → 429, other services unaffected', () => {
    const { engine } = makeEngine();
    const id = idNumber(5);
    engine.issue({ service: 'idcard', idNumber: id });
    engine.issue({ service: 'idcard', idNumber: id.toLowerCase() });
    const e = refusal(() => engine.issue({ service: 'idcard', idNumber: id }));
    expect(e.status).toBe(429);
    expect(e.code).toBe('ID_DAILY_LIMIT');
    expect(e.message + e.messageEn).not.toContain(id);
    expect(engine.issue({ service: 'move', idNumber: id }).ticket.number).toBe('B001');
    expect(engine.issue({ service: 'idcard', idNumber: idNumber(6) }).ticket.number).toBe('A003');
  });

  it('the limit is configurable and resets the next day', () => {
    const { engine, clock } = makeEngine({ rules: { idDailyLimitPerService: 1 } });
    const id = idNumber(9);
    engine.issue({ service: 'idcard', idNumber: id });
    expect(refusal(() => engine.issue({ service: 'idcard', idNumber: id })).status).toBe(429);
    clock.t += 24 * 3600_000;
    expect(engine.issue({ service: 'idcard', idNumber: id }).ticket.number).toBe('A001');
  });
});

describe('wait estimate', () => {
  it('people ahead × EWMA handling time / open counters serving the service', () => {
    const { engine, clock } = makeEngine();
    expect(engine.issue({ service: 'idcard' })).toMatchObject({ waitingAhead: 0, estimateMinutes: 0 });
    // no open counter: treated as one, seed = expectedMinutes (10)
    expect(engine.issue({ service: 'idcard' })).toMatchObject({ waitingAhead: 1, estimateMinutes: 10 });
    engine.open('1');
    engine.open('2');
    expect(engine.issue({ service: 'idcard' })).toMatchObject({ waitingAhead: 2, estimateMinutes: 10 });
    // a live 4-minute handling time replaces the seed
    engine.callNext('1');
    engine.start('1');
    clock.advance(4 * 60_000);
    engine.finish('1');
    const r = engine.issue({ service: 'idcard' });
    expect(r.waitingAhead).toBe(2);
    expect(r.estimateMinutes).toBe(4);
    expect(engine.snapshot().services.find((s) => s.id === 'idcard')?.avgHandlingMs).toBe(240_000);
    // EWMA: 0.2 × 2 min + 0.8 × 4 min = 3.6 min
    engine.callNext('1');
    engine.start('1');
    clock.advance(2 * 60_000);
    engine.finish('1');
    expect(engine.snapshot().services.find((s) => s.id === 'idcard')?.avgHandlingMs).toBe(216_000);
  });

  it('green goes ahead of everybody in the estimate', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'idcard', channel: 'senior' });
    expect(engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'guide' }).waitingAhead).toBe(0);
    const t = engine.issue({ service: 'idcard' }).ticket;
    expect(engine.position(t.id)).toEqual({ waitingAhead: 3, estimateMinutes: 30 });
  });
});

describe('events and onCommit', () => {
  it('every issue is one event with a gap-free seq, notified in order after commit', () => {
    const { engine, commits } = makeEngine();
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'move' });
    expect(commits.map((c) => c.event.seq)).toEqual([1, 2]);
    expect(commits[0]?.ticket?.number).toBe('A001');
    expect(engine.eventsAfter(1, 10).map((e) => e.seq)).toEqual([2]);
    expect(engine.snapshot().seq).toBe(2);
  });

  it('a refused action writes no event and notifies nothing', () => {
    const { engine, commits } = makeEngine();
    try {
      engine.issue({ service: 'idcard', channel: 'green' });
    } catch {}
    expect(commits).toHaveLength(0);
    expect(engine.eventsAfter(0, 10)).toHaveLength(0);
  });

  it('a throwing onCommit subscriber does not fail the action', () => {
    const { engine } = makeEngine();
    (engine.core as unknown as { onCommit: () => void }).onCommit = () => {
      throw new Error('boom');
    };
    expect(engine.issue({ service: 'idcard' }).ticket.number).toBe('A001');
  });

  it('clock is only read through the injected Clock', () => {
    const { engine } = makeEngine();
    expect(engine.issue({ service: 'idcard' }).ticket.issuedAt).toBe(T0);
  });
});

describe('event names', () => {
  it('uses only the documented QUEUE_EVENT_TYPES, and ticket.issued carries the position', async () => {
    const { QUEUE_EVENT_TYPES } = await import('../../../agent/queue/types.js');
    const { engine } = makeEngine();
    engine.open('1');
    engine.issue({ service: 'idcard' });
    const e = engine.issue({ service: 'idcard' });
    expect(engine.eventsAfter(0, 10).find((x) => x.ticketId === e.ticket.id)?.data).toMatchObject({ waitingAhead: 1, estimateMinutes: 10 });
    engine.callNext('1');
    engine.finish('1');
    engine.rate({ counter: '1', level: 1, source: 'pad' });
    for (const ev of engine.eventsAfter(0, 100)) expect(QUEUE_EVENT_TYPES).toContain(ev.type);
  });
});
