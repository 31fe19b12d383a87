import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../contracts/records.js';
import { writeDailySummaries } from '../../agent/sync/daily.js';
import { toRecord } from '../../agent/sync/map.js';
import { OutboxTable } from '../../agent/sync/outbox.js';
import { makeEngine, T0 } from '../agent/queue/fixtures.js';

describe('daily summary (日汇总)', () => {
  it('writes one summary per finished day with that day’s totals, once', () => {
    const { engine, store, clock } = makeEngine();
    engine.open('1', 'S1');
    for (let i = 0; i < 4; i++) {
      const { ticket } = engine.issue({ service: 'idcard' });
      clock.advance(5 * 60_000);
      engine.callNumber('1', ticket.number);
      clock.advance(60_000);
      engine.start('1');
      clock.advance(10 * 60_000);
      engine.finish('1');
      if (i < 3) engine.rate({ counter: '1', level: i === 0 ? 1 : 5, reasons: i === 0 ? ['efficiency'] : [], source: 'pad' });
      else engine.recordNotRated('1');
    }
    engine.issue({ service: 'idcard' }); // still waiting at closing time
    const day = engine.today();
    const outbox = new OutboxTable(store.db);

    expect(writeDailySummaries(store.db, outbox, day, clock.now())).toEqual([]); // today is not finished
    const next = new Date(T0 + 86400_000).toISOString().slice(0, 10);
    expect(writeDailySummaries(store.db, outbox, next, clock.now())).toEqual([day]);
    expect(writeDailySummaries(store.db, outbox, next, clock.now())).toEqual([]);

    const row = store.db.prepare("SELECT * FROM outbox WHERE kind = 'dailySummary'").get() as never;
    const rec = toRecord(row, 'Asia/Shanghai');
    expect(rec.key).toBe(`daily:${day}`);
    expect(rec.data).toEqual({
      day,
      tickets: 5,
      served: 4,
      noShow: 0,
      cancelled: 0,
      avgWaitMs: 5 * 60_000,
      avgHandlingMs: 10 * 60_000,
      ratings: { l1: 1, l2: 0, l3: 0, l4: 0, l5: 2, notRated: 1 },
      notices: 0,
      acceptedWithMissing: 0,
      unresolvedOpened: 0,
    });
    expect(Compile(CONTRACTS.dailySummary.schema).Check(rec.data)).toBe(true);
  });
});
