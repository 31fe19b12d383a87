import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../contracts/records.js';
import { writeDailySummaries } from '../../agent/sync/daily.js';
import { toRecord } from '../../agent/sync/map.js';
import { OutboxTable } from '../../agent/sync/outbox.js';
import { emptyDay, waitBucket } from '../../common/figures.js';
import { makeEngine, T0 } from '../agent/queue/fixtures.js';

describe('daily summary (日汇总)', () => {
  const build = () => {
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
      if (i < 2) engine.rate({ counter: '1', level: i === 0 ? 1 : 5, reasons: i === 0 ? ['efficiency'] : [], source: 'pad' });
      else engine.recordNotRated('1');
    }
    engine.issue({ service: 'idcard' }); // still waiting at closing time
    const outbox = new OutboxTable(store.db);
    const write = (today: string) => writeDailySummaries(store.db, outbox, (d) => engine.periodReport('daily', d).sums, today, clock.now());
    const sent = () =>
      (store.db.prepare("SELECT * FROM outbox WHERE kind = 'dailySummary' ORDER BY id").all() as never[]).map((r) =>
        toRecord(r, 'Asia/Shanghai'),
      );
    return { engine, store, clock, outbox, write, sent, day: engine.today(), next: new Date(T0 + 86400_000).toISOString().slice(0, 10) };
  };

  it('writes one summary per finished day with that day’s figures, once', () => {
    const { write, sent, day, next } = build();
    expect(write(day)).toEqual([]); // today is not finished
    expect(write(next)).toEqual([`daily:${day}`]);
    expect(write(next)).toEqual([]);

    const [rec] = sent();
    expect(rec!.key).toBe(`daily:${day}`);
    expect(rec!.v).toBe(2);
    const want = emptyDay();
    Object.assign(want, {
      issued: 5,
      served: 4,
      unservedAtClose: 1,
      waitCount: 4,
      waitSumMs: 4 * 5 * 60_000,
      waitMaxMs: 5 * 60_000,
      handlingCount: 4,
      handlingSumMs: 4 * 10 * 60_000,
      chNormal: 5,
      l1: 1,
      l5: 1,
      notRated: 2,
      rectOpened: 1,
    });
    want.waitHist[waitBucket(5 * 60_000)] = 4;
    expect(rec!.data).toEqual({ day, revision: 1, figures: want });
    expect(Compile(CONTRACTS.dailySummary.schema).Check(rec!.data)).toBe(true);
  });

  it('a rating given after midnight counts on the service’s day and goes up as a visible revision', () => {
    const { engine, clock, write, sent, day, next } = build();
    write(next);
    const before = engine.periodReport('daily', day).totals.ratings;
    clock.advance(15 * 3600_000); // the next morning
    const last = sent()[0]!;
    expect(before.notRated).toBe(2);
    engine.rate({ counter: '1', level: 4, source: 'pad' }); // replaces the 未评价 of the last service
    const after = engine.periodReport('daily', day).totals.ratings;
    expect(after.byLevel[4]).toBe(before.byLevel[4] + 1);
    expect(after.notRated).toBe(before.notRated - 1);
    expect(engine.periodReport('daily', next).totals.ratings.rated).toBe(0);

    expect(write(next)).toEqual([`daily:${day}:r2`]);
    expect(write(next)).toEqual([]); // nothing changed since
    const r2 = sent()[1]!;
    expect(r2.data).toMatchObject({ day, revision: 2 });
    const f1 = (last.data as unknown as { figures: Record<string, number> }).figures;
    const f2 = (r2.data as unknown as { figures: Record<string, number> }).figures;
    expect([f2.l4! - f1.l4!, f2.notRated! - f1.notRated!]).toEqual([1, -1]);
  });
});
