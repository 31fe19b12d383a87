import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../../agent/store/index.js';
import { QueueError } from '../../../agent/queue/engine.js';
import { code, makeEngine, T0 } from './fixtures.js';

const DAY = 24 * 60 * 60 * 1000;

/** A finished ticket at counter 1 (staff p1) rated `level`. */
function rated(level: 1 | 2 | 3 | 4 | 5 = 1, h = makeEngine()) {
  h.engine.open('1', 'p1');
  h.engine.issue({ service: 'idcard' });
  h.engine.callNext('1');
  h.engine.start('1');
  const done = h.engine.finish('1');
  const rating = h.engine.rate({ counter: '1', level, reasons: level <= 2 ? ['attitude'] : [], comment: '态度生硬', source: 'pad' });
  return { ...h, done, rating };
}

const caseOutbox = (store: ReturnType<typeof makeEngine>['store']) =>
  (
    store.db.prepare(`SELECT idempotency_key, payload FROM outbox WHERE kind = 'caseUpdate' ORDER BY id`).all() as {
      idempotency_key: string;
      payload: string;
    }[]
  ).map((r) => ({ key: r.idempotency_key, payload: JSON.parse(r.payload) }));

/** Everything a refused action must leave alone. */
function fingerprint(h: ReturnType<typeof makeEngine>) {
  const rows = (t: string) => h.store.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
  return JSON.stringify([h.store.lastSeq(), rows('rectifications'), rows('unresolved_reports'), rows('outbox'), h.commits.length]);
}

describe('整改 cases', () => {
  it('a level 1–2 rating opens a case listed with its rating, ticket, counter, staff and due day', () => {
    const { engine, done, rating } = rated(1);
    const list = engine.listCases();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: rating.rectificationId,
      kind: 'rectification',
      state: 'open',
      dueDay: '2025-03-24', // Monday + 15 working days
      overdue: false,
      closedLate: false,
      ticketId: done.id,
      number: done.number,
      service: 'idcard',
      counter: '1',
      staffId: 'p1',
      rating: { id: rating.id, level: 1, reasons: ['attitude'], comment: '态度生硬' },
      history: [{ at: T0, action: 'opened' }],
    });
    expect(list[0]?.callback).toBeUndefined();
    expect(engine.stats().cases).toEqual({ open: 1, overdue: 0 });
  });

  it('a good rating opens nothing', () => {
    const { engine } = rated(4);
    expect(engine.listCases({ state: 'all' })).toEqual([]);
    expect(engine.stats().cases).toEqual({ open: 0, overdue: 0 });
  });

  it('回访 then close: state, history, one event and one outbox row per step', () => {
    const h = rated(2);
    const id = h.rating.rectificationId!;
    h.clock.advance(DAY);
    h.engine.ensureDay(); // yesterday's close (counter closed, hall.dayClosed) is not the case's
    const seq0 = h.store.lastSeq();
    const first = h.engine.recordCallback(id, { by: '张所长', note: '电话未接通', satisfied: null });
    expect(first.callback).toMatchObject({ by: '张所长', note: '电话未接通', satisfied: null });
    h.clock.advance(60_000);
    const second = h.engine.recordCallback(id, { by: '张所长', note: ' 已致歉，群众表示理解 ', satisfied: true });
    // The latest callback is the case's; every attempt stays in the history.
    expect(second.callback).toMatchObject({ note: '已致歉，群众表示理解', satisfied: true, at: T0 + DAY + 60_000 });
    expect(second.history.map((e) => e.action)).toEqual(['opened', 'callback', 'callback']);

    h.clock.advance(60_000);
    const closed = h.engine.closeRectification(id, { by: '张所长', measures: '对窗口民警进行服务规范培训' });
    expect(closed).toMatchObject({ state: 'closed', closedBy: '张所长', closingText: '对窗口民警进行服务规范培训', overdue: false });
    expect(closed.closedAt).toBe(T0 + DAY + 120_000);
    expect(closed.history.at(-1)).toMatchObject({ action: 'closed', by: '张所长', text: '对窗口民警进行服务规范培训' });
    expect(h.store.getRectification(id)).toMatchObject({ state: 'closed', measures: '对窗口民警进行服务规范培训' });
    expect(h.store.db.prepare('SELECT closed_at FROM rectifications WHERE id = ?').get(id)).toEqual({ closed_at: T0 + DAY + 120_000 });

    const events = h.engine.eventsAfter(seq0, 100);
    expect(events.map((e) => [e.type, 'caseId' in e.data && e.data.caseId, e.ticketId, e.counter])).toEqual([
      ['case.callback', id, h.done.id, '1'],
      ['case.callback', id, h.done.id, '1'],
      ['case.closed', id, h.done.id, '1'],
    ]);
    expect(events[1]?.data).toMatchObject({ kind: 'rectification', by: '张所长', satisfied: true });
    // Notes and measures stay out of events: they reach every screen, the public display too.
    expect(JSON.stringify(events)).not.toContain('致歉');
    expect(h.commits.slice(-3).map((c) => c.event.type)).toEqual(['case.callback', 'case.callback', 'case.closed']);

    const ob = caseOutbox(h.store);
    expect(ob.map((o) => o.key)).toEqual(events.map((e) => `case:${id}:${e.seq}`));
    expect(ob[2]?.payload).toMatchObject({ caseKind: 'rectification', caseId: id, action: 'closed', case: { state: 'closed' } });

    expect(h.engine.listCases()).toEqual([]);
    expect(h.engine.listCases({ state: 'closed' }).map((c) => c.id)).toEqual([id]);
    expect(h.engine.stats().cases).toEqual({ open: 0, overdue: 0 });
    // The rated ticket's history now shows the case steps.
    expect(h.engine.ticketHistory(h.done.id).map((e) => e.type)).toContain('case.closed');
  });

  it('refuses closing without a 回访, and changes nothing', () => {
    const h = rated(1);
    const id = h.rating.rectificationId!;
    const before = fingerprint(h);
    let err: QueueError | undefined;
    try {
      h.engine.closeRectification(id, { by: 'm', measures: '已整改' });
    } catch (e) {
      err = e as QueueError;
    }
    expect(err).toBeInstanceOf(QueueError);
    expect(err).toMatchObject({ status: 409, code: 'CALLBACK_REQUIRED' });
    expect(err?.message).toContain('回访');
    expect(err?.messageEn).toContain('callback');
    expect(fingerprint(h)).toBe(before);
    expect(h.engine.listCases()[0]?.state).toBe('open');
  });

  it('refusals: unknown id 404, empty texts 400, closed 409, wrong kind 404 — none writes anything', () => {
    const h = rated(1);
    const id = h.rating.rectificationId!;
    const u = h.engine.reportUnresolved({ description: '外省户口迁入无法网上办理' });
    const cb = { by: 'm', note: '已回访', satisfied: true };
    const before = fingerprint(h);
    expect(code(() => h.engine.recordCallback('Z-999', cb))).toBe('404 CASE_UNKNOWN');
    expect(code(() => h.engine.closeRectification('nope', { by: 'm', measures: 'x' }))).toBe('404 CASE_UNKNOWN');
    expect(code(() => h.engine.closeUnresolved('nope', { by: 'm', resolution: 'x' }))).toBe('404 CASE_UNKNOWN');
    expect(code(() => h.engine.closeRectification(u.id, { by: 'm', measures: 'x' }))).toBe('404 CASE_UNKNOWN');
    expect(code(() => h.engine.closeUnresolved(id, { by: 'm', resolution: 'x' }))).toBe('404 CASE_UNKNOWN');
    expect(code(() => h.engine.recordCallback(id, { ...cb, note: '   ' }))).toBe('400 NOTE_REQUIRED');
    expect(code(() => h.engine.recordCallback(id, { ...cb, by: '' }))).toBe('400 BY_REQUIRED');
    expect(code(() => h.engine.recordCallback(id, { ...cb, note: 'x'.repeat(1001) }))).toBe('400 NOTE_TOO_LONG');
    expect(code(() => h.engine.recordCallback(id, { ...cb, satisfied: 'yes' as never }))).toBe('400 SATISFIED_INVALID');
    expect(code(() => h.engine.closeRectification(id, { by: 'm', measures: ' ' }))).toBe('400 MEASURES_REQUIRED');
    expect(code(() => h.engine.closeUnresolved(u.id, { by: 'm', resolution: '' }))).toBe('400 RESOLUTION_REQUIRED');
    expect(code(() => h.engine.assignUnresolved(u.id, { to: '', by: 'm' }))).toBe('400 ASSIGNEE_REQUIRED');
    expect(code(() => h.engine.listCases({ state: 'done' as never }))).toBe('400 CASE_STATE_INVALID');
    expect(code(() => h.engine.listCases({ kind: 'x' as never }))).toBe('400 CASE_KIND_INVALID');
    expect(fingerprint(h)).toBe(before);

    h.engine.recordCallback(id, cb);
    h.engine.closeRectification(id, { by: 'm', measures: '已整改' });
    h.engine.closeUnresolved(u.id, { by: 'm', resolution: '已协调迁出地' });
    const closed = fingerprint(h);
    expect(code(() => h.engine.recordCallback(id, cb))).toBe('409 CASE_CLOSED');
    expect(code(() => h.engine.closeRectification(id, { by: 'm', measures: 'again' }))).toBe('409 CASE_CLOSED');
    expect(code(() => h.engine.closeUnresolved(u.id, { by: 'm', resolution: 'again' }))).toBe('409 CASE_CLOSED');
    expect(code(() => h.engine.assignUnresolved(u.id, { to: 'A1001', by: 'm' }))).toBe('409 CASE_CLOSED');
    expect(fingerprint(h)).toBe(closed);
  });

  it('is overdue once its due day has passed (15 working days, hall time), and closing late is marked', () => {
    const h = rated(1);
    const id = h.rating.rectificationId!;
    // Due Monday 2025-03-24: still on time that whole day, in hall time.
    h.clock.t = Date.parse('2025-03-24T23:59:00+08:00');
    expect(h.engine.listCases()[0]).toMatchObject({ dueDay: '2025-03-24', overdue: false });
    // 2025-03-25 00:01 in Shanghai is still the 24th in UTC: the hall's day counts.
    h.clock.t = Date.parse('2025-03-25T00:01:00+08:00');
    expect(h.engine.listCases()[0]).toMatchObject({ overdue: true, closedLate: false });
    expect(h.engine.stats().cases).toEqual({ open: 1, overdue: 1 });

    h.engine.recordCallback(id, { by: 'm', note: '已回访', satisfied: false });
    const closed = h.engine.closeRectification(id, { by: 'm', measures: '批评教育' });
    expect(closed).toMatchObject({ state: 'closed', overdue: false, closedLate: true });
    expect(h.engine.eventsAfter(0, 1000).at(-1)).toMatchObject({ type: 'case.closed', data: { overdue: true } });
    expect(h.engine.stats().cases).toEqual({ open: 0, overdue: 0 });
  });

  it('survives a restart: cases live in the SQLite file, not in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-cases-'));
    try {
      const path = join(dir, 'hall.db');
      const h = rated(1, makeEngine({ path }));
      const id = h.rating.rectificationId!;
      h.engine.recordCallback(id, { by: 'm', note: '已回访', satisfied: true });
      h.store.close();
      const again = makeEngine({ path, clock: h.clock });
      expect(again.engine.listCases()[0]).toMatchObject({ id, callback: { satisfied: true } });
      expect(again.engine.closeRectification(id, { by: 'm', measures: '已整改' }).state).toBe('closed');
      again.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 2 (case tracking)', () => {
  it('a hall file from before case tracking upgrades and its open cases can be closed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-cases-'));
    try {
      const path = join(dir, 'hall.db');
      const db = new BetterSqlite3(path);
      migrate(db, MIGRATIONS.slice(0, 1));
      const old = {
        id: 'Z-7',
        ticketId: 't1',
        counter: '1',
        level: 2,
        reasons: ['efficiency'],
        openedAt: T0,
        dueDay: '2025-03-24',
        state: 'open',
      };
      db.prepare(
        `INSERT INTO rectifications (id, ticket_id, counter, level, opened_at, due_day, state, data) VALUES ('Z-7', 't1', '1', 2, ?, '2025-03-24', 'open', ?)`,
      ).run(T0, JSON.stringify(old));
      db.close();
      const h = makeEngine({ path });
      // Version 2 applied (later migrations of other features may follow it).
      expect(h.store.db.prepare('SELECT version AS v FROM schema_migrations WHERE version = 2').get()).toEqual({ v: 2 });
      expect(h.engine.listCases()).toEqual([
        expect.objectContaining({ id: 'Z-7', state: 'open', history: [{ at: T0, action: 'opened' }] }),
      ]);
      h.engine.recordCallback('Z-7', { by: 'm', note: '已回访', satisfied: true });
      expect(h.engine.closeRectification('Z-7', { by: 'm', measures: '已整改' }).state).toBe('closed');
      h.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('办不成事 cases', () => {
  it('report → assign → close, with events, outbox rows and history', () => {
    const h = makeEngine();
    const u = h.engine.reportUnresolved({ service: 'move', description: '跨省迁移材料要求不一致', contact: '138****0000' });
    expect(u.dueDay).toBe('2025-03-24');
    const [open] = h.engine.listCases({ kind: 'unresolved' });
    expect(open).toMatchObject({
      id: u.id,
      kind: 'unresolved',
      state: 'open',
      dueDay: '2025-03-24',
      overdue: false,
      service: 'move',
      description: '跨省迁移材料要求不一致',
      contact: '138****0000',
    });
    expect(h.engine.listCases({ kind: 'rectification' })).toEqual([]);

    const seq0 = h.store.lastSeq();
    h.clock.advance(60_000);
    expect(h.engine.assignUnresolved(u.id, { to: 'A1002', by: '张所长' })).toMatchObject({ assignedTo: 'A1002', state: 'open' });
    h.clock.advance(60_000);
    const closed = h.engine.closeUnresolved(u.id, { by: '张所长', resolution: '已与迁出地沟通，群众次日办结' });
    expect(closed).toMatchObject({ state: 'closed', closingText: '已与迁出地沟通，群众次日办结', closedAt: T0 + 120_000 });
    expect(closed.history.map((e) => e.action)).toEqual(['opened', 'assigned', 'closed']);
    expect(h.store.getUnresolved(u.id)).toMatchObject({ state: 'closed', resolution: '已与迁出地沟通，群众次日办结' });
    expect(h.engine.stats().openUnresolved).toEqual([]);

    const events = h.engine.eventsAfter(seq0, 100);
    expect(events.map((e) => [e.type, 'caseId' in e.data && e.data.caseId, 'kind' in e.data && e.data.kind])).toEqual([
      ['case.assigned', u.id, 'unresolved'],
      ['case.closed', u.id, 'unresolved'],
    ]);
    expect(events[0]?.ticketId).toBeUndefined();
    expect(JSON.stringify(events)).not.toContain('138');
    expect(caseOutbox(h.store).map((o) => [o.key, o.payload.action, o.payload.caseKind])).toEqual([
      [`case:${u.id}:${events[0]!.seq}`, 'assigned', 'unresolved'],
      [`case:${u.id}:${events[1]!.seq}`, 'closed', 'unresolved'],
    ]);
  });

  it('closing needs no 回访, but one may be recorded; reports older than case tracking get a derived due day', () => {
    const h = makeEngine();
    const u = h.engine.reportUnresolved({ description: '老系统的反映' });
    // As written before the migration: no dueDay, no history.
    const { dueDay: _d, ...legacy } = h.store.getUnresolved(u.id)!;
    h.store.putUnresolved(legacy);
    expect(h.engine.listCases()[0]).toMatchObject({ id: u.id, dueDay: '2025-03-24' });
    expect(h.engine.recordCallback(u.id, { by: 'm', note: '已告知办理渠道', satisfied: true }).callback?.satisfied).toBe(true);
    expect(h.engine.closeUnresolved(u.id, { by: 'm', resolution: '已答复' }).state).toBe('closed');
  });

  it('lists both kinds, most urgent first; state filter all/closed/open', () => {
    const h = rated(1);
    h.clock.advance(3 * DAY); // Thursday: due a few days later than the rectification
    const u = h.engine.reportUnresolved({ description: '无法办理' });
    const all = h.engine.listCases({ state: 'all' });
    expect(all.map((c) => c.kind)).toEqual(['rectification', 'unresolved']);
    expect(all[1]).toMatchObject({ id: u.id, dueDay: '2025-03-27' });
    expect(h.engine.listCases({ state: 'closed' })).toEqual([]);
    expect(h.engine.stats().cases).toEqual({ open: 2, overdue: 0 });
  });
});
