import { describe, expect, it } from 'vitest';
import { writeDailySummaries } from '../../agent/sync/daily.js';
import { toRecord } from '../../agent/sync/map.js';
import { OutboxTable } from '../../agent/sync/outbox.js';
import { makeEngine } from '../agent/queue/fixtures.js';

describe('daily summary: 过号 (no-show)', () => {
  it('counts a ticket skipped and never served, also after the day ended it, as the hall report does', () => {
    const { engine, store, clock } = makeEngine();
    engine.open('1', 'S1');
    const a = engine.issue({ service: 'idcard' }).ticket;
    const b = engine.issue({ service: 'idcard' }).ticket;
    engine.callNumber('1', a.number);
    clock.advance(60_000);
    engine.skip('1'); // A001 never comes back
    engine.callNumber('1', b.number);
    engine.start('1');
    clock.advance(5 * 60_000);
    engine.finish('1');
    const day = engine.today();
    // the next morning's first action ends the day: the skipped ticket leaves as not served
    clock.advance(24 * 3600_000);
    engine.issue({ service: 'idcard' });
    expect(engine.getTicket(a.id)?.state).not.toBe('noShow');

    const hall = engine.periodReport('daily', day).totals;
    expect(hall.noShows).toBe(1);
    const outbox = new OutboxTable(store.db);
    writeDailySummaries(store.db, outbox, (d) => engine.periodReport('daily', d).sums, engine.today(), clock.now());
    const row = store.db.prepare("SELECT * FROM outbox WHERE kind = 'dailySummary'").get() as never;
    const sent = toRecord(row, 'Asia/Shanghai').data as { day: string; figures: { noShow: number } };
    expect(sent.day).toBe(day);
    expect(sent.figures.noShow).toBe(hall.noShows);
  });
});
