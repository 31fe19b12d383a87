import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../../agent/queue/time.js';
import { code, makeEngine } from './fixtures.js';

function served() {
  const h = makeEngine();
  h.engine.open('1', 'p1');
  h.engine.issue({ service: 'idcard' });
  h.engine.callNext('1');
  h.engine.start('1');
  const done = h.engine.finish('1');
  return { ...h, done };
}

const outbox = (store: ReturnType<typeof makeEngine>['store'], kind: string) =>
  store.db.prepare('SELECT * FROM outbox WHERE kind = ? ORDER BY id').all(kind) as {
    idempotency_key: string;
    payload: string;
    sent_at: null;
    attempts: number;
  }[];

describe('好差评', () => {
  it('rates the counter’s last finished ticket by default; one rating per ticket', () => {
    const { engine, store, done } = served();
    const r = engine.rate({ counter: '1', level: 5, source: 'pad' });
    expect(r).toMatchObject({ ticketId: done.id, level: 5, staffId: 'p1', counter: '1' });
    expect(r.rectificationId).toBeUndefined();
    expect(code(() => engine.rate({ counter: '1', level: 4, source: 'keypad' }))).toBe('409 ALREADY_RATED');
    const ob = outbox(store, 'rating');
    expect(ob).toHaveLength(1);
    expect(ob[0]).toMatchObject({ idempotency_key: `rating:${done.id}`, sent_at: null, attempts: 0 });
    expect(engine.eventsAfter(0, 100).at(-1)).toMatchObject({ type: 'rating.recorded', ticketId: done.id });
  });

  it('level 1–2 opens a 整改 case due in 15 working days with an empty 回访', () => {
    const { engine, store } = served();
    const r = engine.rate({ counter: '1', level: 2, reasons: ['attitude', 'attitude', 'efficiency'], comment: '态度不好', source: 'pad' });
    expect(r.reasons).toEqual(['attitude', 'efficiency']);
    expect(r.rectificationId).toBeDefined();
    const rect = store.getRectification(r.rectificationId!);
    // Monday 2025-03-03 + 15 working days = Monday 2025-03-24
    expect(rect).toMatchObject({ state: 'open', dueDay: '2025-03-24', level: 2, staffId: 'p1' });
    expect(rect?.callback).toBeUndefined();
    const stats = engine.stats();
    expect(stats.ratings.byLevel[2]).toBe(1);
    expect(stats.badRatings[0]?.rectification?.dueDay).toBe('2025-03-24');
    expect(JSON.parse(outbox(store, 'rating')[0]!.payload).rectification.id).toBe(rect?.id);
  });

  it('working days skip weekends', () => {
    expect(addWorkingDays('2025-03-07', 1)).toBe('2025-03-10'); // Fri → Mon
    expect(addWorkingDays('2025-03-08', 1)).toBe('2025-03-10'); // Sat → Mon
    expect(addWorkingDays('2025-03-03', 5)).toBe('2025-03-10');
  });

  it('refusals: nothing to rate, bad level, bad reason, unfinished or other counter’s ticket', () => {
    const h = makeEngine();
    h.engine.open('1');
    h.engine.open('2');
    expect(code(() => h.engine.rate({ counter: '1', level: 5, source: 'pad' }))).toBe('409 NOTHING_TO_RATE');
    const t = h.engine.issue({ service: 'idcard' }).ticket;
    expect(code(() => h.engine.rate({ counter: '1', ticketId: t.id, level: 5, source: 'pad' }))).toBe('409 TICKET_NOT_FINISHED');
    h.engine.callNext('1');
    h.engine.finish('1');
    expect(code(() => h.engine.rate({ counter: '2', ticketId: t.id, level: 5, source: 'pad' }))).toBe('409 WRONG_COUNTER');
    expect(code(() => h.engine.rate({ counter: '1', level: 6 as never, source: 'pad' }))).toBe('400 RATING_LEVEL_INVALID');
    expect(code(() => h.engine.rate({ counter: '1', level: 1, reasons: ['rude' as never], source: 'pad' }))).toBe(
      '400 RATING_REASON_INVALID',
    );
    expect(code(() => h.engine.rate({ counter: '1', level: 1, comment: 'x'.repeat(501), source: 'pad' }))).toBe('400 COMMENT_TOO_LONG');
    expect(code(() => h.engine.rate({ counter: '9', level: 1, source: 'pad' }))).toBe('404 COUNTER_UNKNOWN');
    expect(code(() => h.engine.rate({ counter: '1', ticketId: 'nope', level: 1, source: 'pad' }))).toBe('404 TICKET_UNKNOWN');
  });

  it('not rated is recorded, never satisfied, and final', () => {
    const { engine, store, done } = served();
    engine.recordNotRated('1');
    let s = engine.stats();
    expect(s.ratings).toMatchObject({ total: 0, notRated: 1 });
    expect(s.ratings.byLevel).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 });
    expect(code(() => engine.recordNotRated('1'))).toBe('409 ALREADY_RATED');
    expect(outbox(store, 'notRated')[0]?.idempotency_key).toBe(`notRated:${done.id}`);
    // a 未评价 is final: a late rating (a forged 1-star would open a 整改 case) is refused
    expect(code(() => engine.rate({ counter: '1', level: 1, reasons: ['attitude'], source: 'web' }))).toBe('409 ALREADY_RATED');
    s = engine.stats();
    expect(s.ratings).toMatchObject({ total: 0, notRated: 1 });
  });
});

describe('一次性告知 / 容缺办理', () => {
  it('records a notice with material names, event and outbox', () => {
    const { engine, store, done } = served();
    const n = engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['hukou', 'photo', 'hukou'], ticketId: done.id });
    expect(n.missingMaterials.map((m) => m.name.zh)).toEqual(['户口簿', '照片回执']);
    expect(n.staffId).toBe('p1');
    expect(outbox(store, 'notice')[0]?.idempotency_key).toBe(`notice:${n.id}`);
    expect(engine.ticketHistory(done.id).at(-1)?.type).toBe('notice.recorded');
    expect(code(() => engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: [] }))).toBe('400 NOTICE_EMPTY');
    expect(code(() => engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['x'] }))).toBe('400 MATERIAL_UNKNOWN');
    expect(code(() => engine.recordNotice({ counter: '1', service: 'nope', missingMaterialIds: ['x'] }))).toBe('404 SERVICE_UNKNOWN');
  });

  it('容缺 only for secondary materials, during service; travels in the service record', () => {
    const { engine, store } = makeEngine();
    engine.open('1');
    const t = engine.issue({ service: 'idcard' }).ticket;
    const a = { counter: '1', ticketId: t.id, missingMaterialIds: ['photo'], followUpDate: '2025-03-10' };
    expect(code(() => engine.acceptWithMissing(a))).toBe('409 NOT_SERVING_HERE');
    engine.callNext('1');
    engine.start('1');
    expect(code(() => engine.acceptWithMissing({ ...a, missingMaterialIds: ['hukou'] }))).toBe('409 MATERIAL_REQUIRED');
    expect(code(() => engine.acceptWithMissing({ ...a, followUpDate: '2025-03-01' }))).toBe('400 FOLLOW_UP_DATE_INVALID');
    expect(code(() => engine.acceptWithMissing({ ...a, followUpDate: '2025-02-30' }))).toBe('400 FOLLOW_UP_DATE_INVALID');
    expect(code(() => engine.acceptWithMissing({ ...a, missingMaterialIds: [] }))).toBe('400 MATERIAL_LIST_EMPTY');
    engine.acceptWithMissing(a);
    engine.finish('1');
    const rec = JSON.parse(outbox(store, 'serviceRecord')[0]!.payload);
    expect(rec.acceptedWithMissing[0]).toMatchObject({ missingMaterialIds: ['photo'], followUpDate: '2025-03-10' });
  });
});

describe('办不成事', () => {
  it('opens a report, shows it in stats, keeps the contact out of events', () => {
    const { engine, store } = makeEngine();
    const r = engine.reportUnresolved({ service: 'move', description: '  跨省迁移材料说不清 ', contact: '13800000000' });
    expect(r).toMatchObject({ state: 'open', description: '跨省迁移材料说不清', contact: '13800000000' });
    expect(engine.stats().openUnresolved.map((u) => u.id)).toEqual([r.id]);
    expect(JSON.stringify(engine.eventsAfter(0, 10))).not.toContain('13800000000');
    expect(outbox(store, 'unresolvedReport')[0]?.idempotency_key).toBe(`unresolved:${r.id}`);
    expect(code(() => engine.reportUnresolved({ description: ' ' }))).toBe('400 DESCRIPTION_REQUIRED');
    expect(code(() => engine.reportUnresolved({ description: 'x', service: 'nope' }))).toBe('404 SERVICE_UNKNOWN');
  });
});

describe('outbox', () => {
  it('rows have the sync columns and unique idempotency keys', () => {
    const { store } = served();
    const cols = (store.db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual([
      'id',
      'kind',
      'idempotency_key',
      'payload',
      'created_at',
      'attempts',
      'next_attempt_at',
      'sent_at',
      'parked_reason',
    ]);
    expect(() =>
      store.enqueueOutbox({
        kind: 'serviceRecord',
        idempotencyKey: outbox(store, 'serviceRecord')[0]!.idempotency_key,
        payload: {} as never, // only the key matters here: a second row under it is refused
        createdAt: 0,
      }),
    ).toThrow(/UNIQUE/);
  });
});
