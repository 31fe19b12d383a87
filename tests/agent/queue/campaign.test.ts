// Queue fixes and campaign cases at the engine: seniors at the 老年人专窗, school batches, the notice
// slip's return code, 容缺 per material, staff ownership, 未评价 sweep, 回访 phones and samples.
import { describe, expect, it } from 'vitest';
import { code, counter, makeEngine, service } from './fixtures.js';

const MIN = 60_000;
const SERVICES = [
  service('idcard', 'A', {
    materials: [
      { id: 'hukou', name: { zh: '户口簿', en: 'Household register' }, required: true },
      { id: 'house', name: { zh: '房产证', en: 'House proof' }, required: true, acceptLate: true },
      { id: 'photo', name: { zh: '照片回执', en: 'Photo receipt' }, required: false },
      { id: 'guardian', name: { zh: '监护人证件', en: 'Guardian ID' }, required: false, acceptLate: false },
    ],
  }),
  service('move', 'B'),
];
const COUNTERS = [
  counter('1', ['idcard', 'move'], { backupCounter: '2' }),
  counter('2', ['move', 'idcard']),
  counter('3', ['idcard'], { senior: true }),
  counter('4', ['idcard'], { schoolBatch: true }),
];
const STAFF = [
  { id: 'A1', name: '王芳', backupStaff: 'A2' },
  { id: 'A2', name: '李明', backupStaff: 'A1' },
  { id: 'A3', name: '张伟' },
];

function hall(campaign = {}) {
  return makeEngine({ services: SERVICES, counters: COUNTERS, staff: STAFF, campaign });
}

function serve(h: ReturnType<typeof hall>, c: string) {
  const t = h.engine.callNext(c)!;
  h.engine.start(c);
  return t;
}

describe('老年人专窗 and school batches', () => {
  it('at the senior counter seniors come right after green, before started appointments and a school batch', () => {
    const h = hall();
    const { engine, clock } = h;
    engine.importAppointments([
      { code: 'SCH', service: 'idcard', slotStart: clock.t - 5 * MIN, slotEnd: clock.t + 60 * MIN, batchSize: 12 },
      { code: 'ONE', service: 'idcard', slotStart: clock.t - 5 * MIN, slotEnd: clock.t + 60 * MIN },
    ]);
    engine.checkInAppointment('SCH'); // A001–A012
    engine.checkInAppointment('ONE'); // A013
    engine.issue({ service: 'idcard', channel: 'senior' }); // A014
    engine.issue({ service: 'idcard', channel: 'green', issuedBy: 'guide' }); // A015
    engine.issue({ service: 'idcard', channel: 'senior' }); // A016
    engine.open('3', 'A3');
    const calls: string[] = [];
    for (let i = 0; i < 4; i++) {
      calls.push(engine.callNext('3')!.number);
      engine.finish('3');
    }
    expect(calls).toEqual(['A015', 'A014', 'A016', 'A013']);
  });

  it('a school batch never floods a public counter: public tickets first, batch only at the reserved counter or when nobody else waits', () => {
    const h = hall();
    const { engine, clock } = h;
    engine.importAppointments([
      { code: 'SCH', service: 'idcard', slotStart: clock.t - 5 * MIN, slotEnd: clock.t + 60 * MIN, batchSize: 5 },
    ]);
    engine.checkInAppointment('SCH'); // A001–A005
    engine.issue({ service: 'idcard' }); // A006
    engine.issue({ service: 'idcard' }); // A007
    engine.open('1', 'A1');
    engine.open('4', 'A3');
    const pub: string[] = [];
    for (let i = 0; i < 3; i++) {
      pub.push(engine.callNext('1')!.number);
      engine.finish('1');
    }
    expect(pub).toEqual(['A006', 'A007', 'A001']); // the batch only once the public line is empty
    expect(engine.callNext('4')!.number).toBe('A002'); // the reserved counter takes the batch in order
  });

  it('a batch checked in before its slot waits for the slot', () => {
    const h = hall();
    const { engine, clock } = h;
    engine.importAppointments([
      { code: 'SCH', service: 'idcard', slotStart: clock.t + 30 * MIN, slotEnd: clock.t + 90 * MIN, batchSize: 2 },
    ]);
    engine.checkInAppointment('SCH');
    engine.open('4', 'A3');
    expect(engine.callNext('4')).toBeNull();
    clock.advance(30 * MIN);
    expect(engine.callNext('4')!.number).toBe('A001');
  });
});

describe('notice slip return code (一次性告知 → 无需重新排队)', () => {
  it('the returning citizen goes to the owner counter and staff member, ahead of the normal queue, once', () => {
    const h = hall();
    const { engine, clock } = h;
    engine.open('1', 'A1');
    engine.open('2', 'A2');
    engine.issue({ service: 'idcard' }); // A001
    const first = serve(h, '1');
    const notice = engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['house'], ticketId: first.id });
    expect(notice).toMatchObject({ ownerCounter: '1', ownerStaff: 'A1' });
    expect(notice.returnCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    engine.finish('1'); // the citizen leaves for the missing document
    for (let i = 0; i < 3; i++) engine.issue({ service: 'idcard' }); // A002–A004 queue normally
    clock.advance(2 * 24 * 60 * MIN); // comes back two days later: the day closed, the code did not
    engine.open('1', 'A1');
    engine.open('2', 'A2');
    for (let i = 0; i < 3; i++) engine.issue({ service: 'idcard' }); // today's A001–A003
    const back = engine.issueReturn(notice.returnCode!.toLowerCase().replace(/(....)/, '$1-'));
    expect(back.ticket).toMatchObject({ number: 'A004', owner: '1', ownerStaff: 'A1', targetCounter: '1', returnOf: notice.id });
    expect(back.waitingAhead).toBe(0);
    expect(engine.callNext('2')?.number).toBe('A001'); // another counter does not take it
    expect(engine.callNext('1')?.number).toBe('A004'); // the owner counter calls it first
    expect(code(() => engine.issueReturn(notice.returnCode!))).toBe('409 RETURN_CODE_USED');
    expect(code(() => engine.issueReturn('ZZZZZZZZ'))).toBe('404 RETURN_CODE_UNKNOWN');
    expect(code(() => engine.issueReturn('x'))).toBe('400 RETURN_CODE_INVALID');
  });

  it('when the owner counter is closed its AB岗 backup serves the return; an old code has expired', () => {
    const h = hall({ returnCodeDays: 5 });
    const { engine, clock } = h;
    engine.open('1', 'A1');
    engine.issue({ service: 'idcard' });
    serve(h, '1');
    const n1 = engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['photo'] });
    const n2 = engine.recordNotice({ counter: '1', service: 'idcard', missingMaterialIds: ['photo'] });
    engine.finish('1');
    engine.close('1');
    engine.open('2', 'A2');
    engine.issueReturn(n1.returnCode!);
    expect(engine.callNext('2')?.returnOf).toBe(n1.id);
    clock.advance(6 * 24 * 60 * MIN);
    expect(code(() => engine.issueReturn(n2.returnCode!))).toBe('409 RETURN_CODE_EXPIRED');
  });
});

describe('容缺, ownership, 未评价', () => {
  it('容缺 follows the per-material setting: a required one the hall accepts late, not an excluded optional one', () => {
    const h = hall();
    h.engine.open('1', 'A1');
    h.engine.issue({ service: 'idcard' });
    const t = serve(h, '1');
    const day = h.engine.today();
    const rec = h.engine.acceptWithMissing({ counter: '1', ticketId: t.id, missingMaterialIds: ['house', 'photo'], followUpDate: day });
    expect(rec).toMatchObject({ service: 'idcard', staffId: 'A1' });
    expect(code(() => h.engine.acceptWithMissing({ counter: '1', ticketId: t.id, missingMaterialIds: ['hukou'], followUpDate: day }))).toBe(
      '409 MATERIAL_REQUIRED',
    );
    expect(
      code(() => h.engine.acceptWithMissing({ counter: '1', ticketId: t.id, missingMaterialIds: ['guardian'], followUpDate: day })),
    ).toBe('409 MATERIAL_REQUIRED');
    expect(h.engine.followUps()).toEqual([expect.objectContaining({ id: rec.id, number: 'A001', dueSoon: true, overdue: false })]);
    h.clock.advance(24 * 60 * MIN);
    expect(h.engine.followUps()[0]).toMatchObject({ overdue: true });
    h.engine.completeFollowUp(rec.id, 'A1');
    expect(h.engine.followUps()).toEqual([]);
    expect(code(() => h.engine.completeFollowUp(rec.id, 'A1'))).toBe('409 FOLLOW_UP_DONE');
  });

  it('首接 names the staff member and stays through a transfer', () => {
    const h = hall();
    h.engine.open('1', 'A1');
    h.engine.open('2', 'A2');
    h.engine.issue({ service: 'idcard' });
    serve(h, '1');
    const moved = h.engine.transfer('1', { service: 'move', counter: '2' });
    expect(moved).toMatchObject({ owner: '1', ownerStaff: 'A1' });
    h.engine.callNext('2');
    expect(h.engine.finish('2')).toMatchObject({ owner: '1', ownerStaff: 'A1', staffId: 'A2' });
  });

  it('every finished service without a rating gets 未评价 after the timeout, once', () => {
    const h = hall();
    h.engine.open('1', 'A1');
    h.engine.issue({ service: 'idcard' });
    h.engine.issue({ service: 'idcard' });
    serve(h, '1');
    h.engine.finish('1');
    h.engine.rate({ counter: '1', level: 5, source: 'pad' });
    serve(h, '1');
    h.engine.finish('1');
    expect(h.engine.sweepNotRated(35_000)).toBe(0); // not yet
    h.clock.advance(36_000);
    expect(h.engine.sweepNotRated(35_000)).toBe(1);
    expect(h.engine.sweepNotRated(35_000)).toBe(0);
    expect(h.engine.stats().ratings).toMatchObject({ total: 1, notRated: 1 });
  });
});

describe('campaign cases', () => {
  it('上门服务: what, where, when, who goes, result; only to known staff', () => {
    const h = hall();
    expect(
      code(() =>
        h.engine.openCampaignCase({
          kind: 'homeVisit',
          title: '卧床老人换证',
          by: 'm',
          assignedTo: 'X9',
          address: 'a',
          scheduledAt: '2025-03-05 15:00',
        }),
      ),
    ).toBe('404 STAFF_UNKNOWN');
    const c = h.engine.openCampaignCase({
      kind: 'homeVisit',
      title: '卧床老人换证',
      by: 'm',
      service: 'idcard',
      assignedTo: 'A1',
      address: '幸福小区3栋',
      scheduledAt: '2025-03-05 15:00',
    });
    expect(c).toMatchObject({ kind: 'homeVisit', dueDay: '2025-03-05', assignedTo: 'A1', state: 'open' });
    expect(h.engine.listCampaignCases({ assignee: 'A2' })).toEqual([expect.objectContaining({ id: c.id, asBackup: true })]);
    expect(h.engine.listCampaignCases({ assignee: 'A3' })).toEqual([]);
    expect(code(() => h.engine.closeCampaignCase(c.id, { by: 'A3', result: 'x', actorStaff: 'A3' }))).toBe('409 NOT_YOUR_CASE');
    expect(h.engine.closeCampaignCase(c.id, { by: 'A1', result: '已上门采集', actorStaff: 'A1' })).toMatchObject({
      state: 'closed',
      result: '已上门采集',
    });
  });

  it('信访: source, 一事一议, 逐级上报, 15 working days, closed only after a 回访; the phone is masked and deleted on closing', () => {
    const h = hall();
    const c = h.engine.openCampaignCase({
      kind: 'petition',
      title: '12345转办：迁户口被拒',
      by: 'm',
      source: '12345',
      assignedTo: 'A3',
      contactPhone: '13812345678',
      consent: true,
    });
    expect(c).toMatchObject({ source: '12345', escalation: 'hall', dueDay: '2025-03-24', contactMasked: '138****5678' });
    expect(JSON.stringify(c)).not.toContain('13812345678');
    expect(
      code(() => h.engine.openCampaignCase({ kind: 'petition', title: 't', by: 'm', source: 'letter', contactPhone: '13812345678' })),
    ).toBe('400 CONSENT_REQUIRED');
    h.engine.discussPetition(c.id, { by: 'A3', text: '约谈当事人，核实材料', actorStaff: 'A3' });
    const up = h.engine.discussPetition(c.id, { by: 'm', text: '报县局', escalateTo: 'county' });
    expect(up.escalation).toBe('county');
    expect(code(() => h.engine.discussPetition(c.id, { by: 'm', text: 'x', escalateTo: 'hall' }))).toBe('409 ESCALATION_NOT_UP');
    expect(code(() => h.engine.closeCampaignCase(c.id, { by: 'm', result: '已答复' }))).toBe('409 CALLBACK_REQUIRED');
    const cb = h.engine.campaignCallback(c.id, { by: 'm', note: '电话未接通', satisfied: null });
    expect(cb.callback?.satisfied).toBeNull();
    const closed = h.engine.closeCampaignCase(c.id, { by: 'm', result: '已答复' });
    expect(closed.contactMasked).toBeUndefined();
    expect(JSON.stringify(h.store.getCampaignCase(c.id))).not.toContain('1381234');
    expect(closed.discussion).toHaveLength(2);
  });

  it('自查 五要件: problem, measure, owner, deadline, result; overdue when the deadline passes', () => {
    const h = hall();
    expect(
      code(() => h.engine.openCampaignCase({ kind: 'selfCheck', title: '告知单未留存', by: 'm', measure: '建台账', dueDay: '2025-03-05' })),
    ).toBe('400 ASSIGNEE_REQUIRED');
    const c = h.engine.openCampaignCase({
      kind: 'selfCheck',
      title: '告知单未留存',
      by: 'm',
      measure: '建台账',
      assignedTo: 'A2',
      dueDay: '2025-03-05',
    });
    expect(c).toMatchObject({ title: '告知单未留存', measure: '建台账', assignedTo: 'A2', dueDay: '2025-03-05', overdue: false });
    h.clock.advance(3 * 24 * 60 * MIN);
    expect(h.engine.listCampaignCases({ kind: 'selfCheck' })[0]).toMatchObject({ overdue: true });
    expect(h.engine.closeCampaignCase(c.id, { by: 'A2', result: '台账已建立', actorStaff: 'A2' })).toMatchObject({
      state: 'closed',
      closedLate: true,
    });
  });

  it('a configured share of satisfied citizens is sampled for 回访; 整改 keeps a masked phone until it closes; not reached stays null', () => {
    const h = hall({ callbackSampleRate: 1 });
    h.engine.open('1', 'A1');
    h.engine.issue({ service: 'idcard' });
    h.engine.issue({ service: 'idcard' });
    serve(h, '1');
    h.engine.finish('1');
    h.engine.rate({ counter: '1', level: 5, source: 'pad' });
    const [sample] = h.engine.listCampaignCases({ kind: 'revisit' });
    expect(sample).toMatchObject({ kind: 'revisit', ratingLevel: 5, counter: '1', staffId: 'A1' });
    serve(h, '1');
    h.engine.finish('1');
    const bad = h.engine.rate({ counter: '1', level: 1, reasons: ['attitude'], source: 'pad' });
    const withPhone = h.engine.setCaseContact(bad.rectificationId!, { phone: '13900001111', consent: true, by: 'm' });
    expect(withPhone.contactMasked).toBe('139****1111');
    expect(h.engine.recordCallback(bad.rectificationId!, { by: 'm', note: '未接通', satisfied: null }).callback?.satisfied).toBeNull();
    const closed = h.engine.closeRectification(bad.rectificationId!, { by: 'm', measures: '批评教育' });
    expect(closed.contactMasked).toBeUndefined();
    expect(h.store.getRectification(bad.rectificationId!)?.contactPhone).toBeUndefined();
    const none = hall({ callbackSampleRate: 0 });
    none.engine.open('1');
    none.engine.issue({ service: 'idcard' });
    none.engine.callNext('1');
    none.engine.finish('1');
    none.engine.rate({ counter: '1', level: 5, source: 'pad' });
    expect(none.engine.listCampaignCases({ kind: 'revisit' })).toEqual([]);
  });
});
