import { describe, expect, it } from 'vitest';
import { code, makeEngine } from './fixtures.js';

function hall() {
  const h = makeEngine();
  h.engine.open('1', 'police-007');
  return h;
}

describe('open / close', () => {
  it('open sets staff, emits, refuses twice; close refuses when closed or busy', () => {
    const { engine, commits } = makeEngine();
    const c = engine.open('1', 's1');
    expect(c).toMatchObject({ open: true, paused: false, staffId: 's1' });
    expect(commits.at(-1)?.event).toMatchObject({ type: 'counter.opened', counter: '1' });
    expect(commits.at(-1)?.counter?.open).toBe(true);
    expect(code(() => engine.open('1'))).toBe('409 ALREADY_OPEN');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(code(() => engine.close('1'))).toBe('409 COUNTER_BUSY');
    engine.finish('1');
    expect(engine.close('1')).toMatchObject({ open: false });
    expect(code(() => engine.close('1'))).toBe('409 ALREADY_CLOSED');
    expect(code(() => engine.open('99'))).toBe('404 COUNTER_UNKNOWN');
  });

  it('a closed counter cannot call', () => {
    const { engine } = makeEngine();
    engine.issue({ service: 'idcard' });
    expect(code(() => engine.callNext('1'))).toBe('409 COUNTER_CLOSED');
    expect(code(() => engine.callNumber('1', 'A001'))).toBe('409 COUNTER_CLOSED');
  });
});

describe('call next / call number', () => {
  it('call next sets called, counter, staff; null when nothing waits (no event)', () => {
    const { engine, commits } = hall();
    expect(engine.callNext('1')).toBeNull();
    const before = commits.length;
    engine.issue({ service: 'idcard' });
    const t = engine.callNext('1');
    expect(t).toMatchObject({ number: 'A001', state: 'called', counter: '1', staffId: 'police-007' });
    expect(commits.length).toBe(before + 2);
    expect(engine.snapshot().counters.find((c) => c.id === '1')?.current?.number).toBe('A001');
    expect(engine.snapshot().recentCalls[0]).toMatchObject({ number: 'A001', counter: '1', recall: false });
  });

  it('refuses while the counter still holds a ticket', () => {
    const { engine } = hall();
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(code(() => engine.callNext('1'))).toBe('409 COUNTER_BUSY');
    expect(code(() => engine.callNumber('1', 'A002'))).toBe('409 COUNTER_BUSY');
  });

  it('叫指定号 calls out of order; refuses unknown, not waiting, or another counter’s service', () => {
    const { engine } = hall();
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'birth' });
    expect(engine.callNumber('1', 'a002')).toMatchObject({ number: 'A002', state: 'called' });
    engine.finish('1');
    expect(code(() => engine.callNumber('1', 'A002'))).toBe('409 TICKET_NOT_WAITING');
    expect(code(() => engine.callNumber('1', 'A999'))).toBe('404 NUMBER_UNKNOWN');
    expect(code(() => engine.callNumber('1', 'C001'))).toBe('409 NOT_THIS_COUNTER');
    expect(engine.callNext('1')?.number).toBe('A001');
  });

  it('two counters calling back to back never get the same ticket', () => {
    const { engine } = hall();
    engine.open('2');
    engine.issue({ service: 'idcard' });
    const a = engine.callNext('1');
    const b = engine.callNext('2');
    expect(a?.number).toBe('A001');
    expect(b).toBeNull();
  });
});

describe('recall / start / finish', () => {
  it('recall counts and stops at maxRecalls; refused when serving or idle', () => {
    const { engine } = hall();
    expect(code(() => engine.recall('1'))).toBe('409 NO_CURRENT_TICKET');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(engine.recall('1').recalls).toBe(1);
    expect(engine.recall('1').recalls).toBe(2);
    expect(engine.recall('1').recalls).toBe(3);
    expect(code(() => engine.recall('1'))).toBe('409 RECALL_LIMIT');
    expect(engine.snapshot().recentCalls[0]).toMatchObject({ number: 'A001', recall: true });
    engine.start('1');
    expect(code(() => engine.recall('1'))).toBe('409 ALREADY_SERVING');
  });

  it('start sets serving and owner; finish sets done, counts, clears the counter', () => {
    const { engine, clock, store } = hall();
    expect(code(() => engine.start('1'))).toBe('409 NO_CURRENT_TICKET');
    expect(code(() => engine.finish('1'))).toBe('409 NO_CURRENT_TICKET');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(engine.start('1')).toMatchObject({ state: 'serving', owner: '1' });
    expect(code(() => engine.start('1'))).toBe('409 ALREADY_SERVING');
    clock.advance(300_000);
    const done = engine.finish('1');
    expect(done).toMatchObject({ state: 'done', finishedAt: clock.t });
    const c = engine.snapshot().counters.find((x) => x.id === '1');
    expect(c?.current).toBeUndefined();
    expect(c?.servedToday).toBe(1);
    expect(c?.lastFinishedTicketId).toBe(done.id);
    const ob = store.db.prepare(`SELECT * FROM outbox WHERE kind = 'serviceRecord'`).all() as {
      idempotency_key: string;
      payload: string;
    }[];
    expect(ob).toHaveLength(1);
    expect(ob[0]?.idempotency_key).toBe(`service:${done.id}`);
    expect(JSON.parse(ob[0]!.payload)).toMatchObject({ handlingMs: 300_000, counter: '1', owner: '1', staffId: 'police-007' });
  });

  it('finish straight from called counts handling from the call', () => {
    const { engine, clock } = hall();
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    clock.advance(60_000);
    expect(engine.finish('1')).toMatchObject({ state: 'done', owner: '1' });
    expect(engine.stats().byCounter['1']).toEqual({ served: 1, avgHandlingMs: 60_000 });
    expect(engine.stats().byStaff['police-007']).toEqual({ served: 1, avgHandlingMs: 60_000 });
  });
});

describe('skip / rejoin', () => {
  it('过号 then rejoin behind the next N, at most once', () => {
    const { engine } = hall();
    for (let i = 0; i < 6; i++) engine.issue({ service: 'idcard' }); // A001..A006
    engine.callNext('1');
    expect(engine.skip('1')).toMatchObject({ number: 'A001', state: 'noShow' });
    expect(code(() => engine.skip('1'))).toBe('409 NO_CURRENT_TICKET');
    expect(engine.rejoin('A001')).toMatchObject({ state: 'waiting', rejoined: true });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      order.push(engine.callNext('1')!.number);
      if (order.at(-1) === 'A001') engine.skip('1');
      else engine.finish('1');
    }
    expect(order).toEqual(['A002', 'A003', 'A004', 'A001', 'A005', 'A006']);
    expect(code(() => engine.rejoin('A001'))).toBe('409 REJOIN_USED');
    expect(code(() => engine.rejoin('A002'))).toBe('409 NOT_NO_SHOW');
    expect(code(() => engine.rejoin('Z001'))).toBe('404 NUMBER_UNKNOWN');
  });

  it('rejoin with fewer than N waiting goes to the back', () => {
    const { engine } = hall();
    engine.issue({ service: 'idcard' });
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    engine.skip('1');
    engine.rejoin('A001');
    expect(engine.callNext('1')?.number).toBe('A002');
  });

  it('cannot skip a ticket being served', () => {
    const { engine } = hall();
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    engine.start('1');
    expect(code(() => engine.skip('1'))).toBe('409 CANNOT_SKIP_SERVING');
  });
});

describe('transfer (转移, 首接负责制)', () => {
  it('to another service: same number, same owner, old entry transferred, keeps its place', () => {
    const { engine } = hall();
    engine.open('2');
    engine.issue({ service: 'idcard' }); // A001
    engine.issue({ service: 'move' }); // B001
    engine.callNumber('1', 'A001');
    engine.start('1');
    const moved = engine.transfer('1', { service: 'move' });
    expect(moved).toMatchObject({ number: 'A001', service: 'move', state: 'waiting', owner: '1' });
    expect(engine.getTicket('2025-03-03-A001')).toMatchObject({ state: 'transferred', transferredTo: moved.id });
    expect(engine.snapshot().counters.find((c) => c.id === '1')?.current).toBeUndefined();
    // issued before B001, so it keeps its place in the move line
    const next = engine.callNext('2');
    expect(next?.number).toBe('A001');
    engine.start('2');
    expect(engine.finish('2')).toMatchObject({ owner: '1', counter: '2' });
    expect(engine.ticketHistory(moved.id).map((e) => e.type)).toEqual([
      'ticket.issued',
      'ticket.called',
      'ticket.started',
      'ticket.transferred',
      'ticket.requeued',
      'ticket.called',
      'ticket.started',
      'ticket.finished',
    ]);
    expect(engine.ticketHistory('2025-03-03-A001')).toHaveLength(8);
  });

  it('to a counter: only that counter may call it', () => {
    const { engine } = hall();
    engine.open('2');
    engine.open('3');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    const t = engine.transfer('1', { counter: '3' });
    expect(t.targetCounter).toBe('3');
    expect(engine.callNext('2')).toBeNull();
    expect(engine.callNext('1')).toBeNull();
    expect(engine.callNext('3')?.number).toBe('A001');
    engine.finish('3');
    expect(engine.rate({ counter: '3', level: 5, source: 'pad' }).level).toBe(5);
  });

  it('refusals: nothing to transfer, same place, unknown target, target cannot serve', () => {
    const { engine } = hall();
    expect(code(() => engine.transfer('1', { service: 'move' }))).toBe('409 NO_CURRENT_TICKET');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(code(() => engine.transfer('1', {}))).toBe('400 TRANSFER_NOTHING');
    expect(code(() => engine.transfer('1', { counter: '1' }))).toBe('400 TRANSFER_NOTHING');
    expect(code(() => engine.transfer('1', { counter: '9' }))).toBe('404 COUNTER_UNKNOWN');
    expect(code(() => engine.transfer('1', { service: 'nope' }))).toBe('404 SERVICE_UNKNOWN');
    expect(code(() => engine.transfer('1', { counter: '4' }))).toBe('409 TARGET_CANNOT_SERVE');
    expect(engine.transfer('1', { service: 'birth', counter: '4' }).service).toBe('birth');
  });
});

describe('pause / resume', () => {
  it('needs a reason; refuses when busy, closed, already paused; resume refuses when not paused', () => {
    const { engine, commits } = hall();
    expect(code(() => engine.pause('1', '  '))).toBe('400 PAUSE_REASON_REQUIRED');
    engine.issue({ service: 'idcard' });
    engine.callNext('1');
    expect(code(() => engine.pause('1', '午休'))).toBe('409 COUNTER_BUSY');
    engine.finish('1');
    expect(engine.pause('1', '午休')).toMatchObject({ paused: true, pauseReason: '午休' });
    expect(commits.at(-1)?.event).toMatchObject({ type: 'counter.paused', data: { reason: '午休' } });
    expect(code(() => engine.pause('1', '午休'))).toBe('409 ALREADY_PAUSED');
    expect(code(() => engine.callNext('1'))).toBe('409 COUNTER_PAUSED');
    expect(engine.resume('1')).toMatchObject({ paused: false });
    expect(code(() => engine.resume('1'))).toBe('409 NOT_PAUSED');
    expect(code(() => engine.pause('2', '午休'))).toBe('409 COUNTER_CLOSED');
  });
});

describe('cancel', () => {
  it('cancels waiting, called and no-show; refuses serving and finished', () => {
    const { engine } = hall();
    const a = engine.issue({ service: 'idcard' }).ticket;
    const b = engine.issue({ service: 'idcard' }).ticket;
    const c = engine.issue({ service: 'idcard' }).ticket;
    expect(engine.cancel(a.id).state).toBe('cancelled');
    expect(code(() => engine.cancel(a.id))).toBe('409 TICKET_CLOSED');
    engine.callNext('1'); // b
    expect(engine.cancel(b.id).state).toBe('cancelled');
    expect(engine.snapshot().counters.find((x) => x.id === '1')?.current).toBeUndefined();
    engine.callNext('1'); // c
    engine.start('1');
    expect(code(() => engine.cancel(c.id))).toBe('409 CANNOT_CANCEL_SERVING');
    expect(code(() => engine.cancel('nope'))).toBe('404 TICKET_UNKNOWN');
  });
});

describe('snapshot', () => {
  it('waiting by channel, longest wait, recent calls newest first (≤ 20)', () => {
    const { engine, clock } = hall();
    engine.issue({ service: 'idcard' });
    clock.advance(120_000);
    engine.issue({ service: 'idcard', channel: 'senior' });
    const s = engine.snapshot().services.find((x) => x.id === 'idcard')!;
    expect(s).toMatchObject({ waiting: 2, longestWaitMs: 120_000 });
    expect(s.waitingByChannel).toEqual({ normal: 1, senior: 1, green: 0, appointment: 0 });
    for (let i = 0; i < 25; i++) engine.issue({ service: 'idcard' });
    for (let i = 0; i < 25; i++) {
      engine.callNext('1');
      engine.finish('1');
    }
    const calls = engine.snapshot().recentCalls;
    expect(calls).toHaveLength(20);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(calls[19]!.at);
    expect(engine.snapshot().counters.find((x) => x.id === '1')?.lastCall?.number).toBe(calls[0]?.number);
  });
});
