// A real agent's campaign cases and 容缺, sent by its own outbox and sender, reach the hub's case
// lists and monthly figures: the hub reads what the hall really sends (agent/sync/map.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleMonthOf, todayIn } from '../../hub/reports.js';
import type { TestAgent } from '../helpers/agent.js';
import { startSyncAgent, waitFor } from '../sync/fixtures.js';
import { type HubHarness, loginCookie, registerHalls, startHubHarness } from './harness.js';

let h: HubHarness;
let agent: TestAgent;
beforeAll(async () => {
  h = await startHubHarness();
  await registerHalls(h.hub);
  agent = await startSyncAgent(h.hub.url);
});
afterAll(async () => {
  await agent?.stop();
  await h?.stop();
});

describe('campaign cases from a real hall', () => {
  it('a petition escalated, called back and closed, an open 上门服务 and 自查, 容缺 accepted and completed', async () => {
    const e = agent.hall.ctx.engine;
    const today = e.today();
    const petition = e.openCampaignCase({
      kind: 'petition',
      title: '迁户口材料要求不一致',
      by: '所长张三',
      source: '12345',
      contactPhone: '13812345678',
      consent: true,
    });
    e.discussPetition(petition.id, { by: '所长张三', text: '一事一议：报县局', escalateTo: 'county' });
    e.campaignCallback(petition.id, { by: '所长张三', note: '群众仍不满意', satisfied: false });
    e.closeCampaignCase(petition.id, { by: '所长张三', result: '已答复' });
    const visit = e.openCampaignCase({
      kind: 'homeVisit',
      title: '卧床老人办身份证',
      by: '所长张三',
      address: '幸福路1号',
      scheduledAt: `${today} 15:00`,
    });
    const check = e.openCampaignCase({
      kind: 'selfCheck',
      title: '材料清单未更新',
      by: '所长张三',
      measure: '更新清单',
      assignedTo: 'A1002',
      dueDay: today,
    });
    e.open('1', 'A1001');
    const accepted: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { ticket } = e.issue({ service: 'id-card' });
      e.callNumber('1', ticket.number);
      e.start('1');
      accepted.push(
        e.acceptWithMissing({ counter: '1', ticketId: ticket.id, missingMaterialIds: ['old-id-card'], followUpDate: today }).id,
      );
      e.finish('1', {});
    }
    e.completeFollowUp(accepted[0]!, '王芳');

    const cookie = await loginCookie(h.hub.url, 'province', 'province-pass');
    const month = cycleMonthOf(todayIn());
    const report = await waitFor('the hall to sync its cases', async () => {
      const r = await (await fetch(`${h.hub.url}/reports/monthly?month=${month}&format=json`, { headers: { cookie } })).json();
      const row = r.rows.find((x: { hallId: string }) => x.hallId === 'HALL-A');
      return row?.cases.acceptedCompleted === 1 && row.cases.petitionClosed === 1 && row.cases.selfCheckOpened === 1 ? row : undefined;
    });
    expect(report.acceptedWithMissing).toBe(2);
    expect(report.cases).toMatchObject({
      petitionOpened: 1,
      petitionClosed: 1,
      petitionEscalated: 1,
      callbackUnsatisfied: 1,
      callbackSatisfied: 0,
      callbackNotReached: 0,
      homeVisitOpened: 1,
      homeVisitClosed: 0,
      selfCheckOpened: 1,
      acceptedCompleted: 1,
      acceptedOverdue: 0,
    });
    const lists = await (await fetch(`${h.hub.url}/cases?hall=HALL-A&format=json`, { headers: { cookie } })).json();
    expect(lists.openCampaign.map((c: { caseId: string }) => c.caseId).sort()).toEqual([check.id, visit.id].sort());
    // due today, not before: nothing is overdue yet
    expect(lists.openCampaign.every((c: { overdue: boolean }) => !c.overdue)).toBe(true);
    expect(lists.overdueAccepted).toEqual([]);
    const open = await h.hub.pool.query("SELECT case_id FROM cases WHERE kind = 'acceptedWithMissing' AND state = 'open'");
    expect(open.rows.map((r) => r.case_id)).toEqual([accepted[1]]);
    // The citizen's phone stays in the hall.
    const stored = await h.hub.pool.query("SELECT data::text AS d FROM records WHERE kind = 'campaignCase'");
    for (const r of stored.rows) expect(r.d).not.toContain('13812345678');
  });
});
