// The hub's public /live page (分流: which hall has the shortest wait) on a 360 px phone, where a
// citizen reads it before leaving home: one card per hall and service, no sideways scrolling, hall
// names on one line, searchable by city and service, axe clean. Real PostgreSQL, real Chromium.
// Then every page a supervisor opens (overview, a city's overview, a hall, the monthly report, cases,
// 拒收记录, the login form and its error, a hall outside the supervisor's city): axe clean and usable on
// a 360 px phone as on a desk (viewport meta, no sideways scroll of the page), over records that went
// through the hub's ingest. One PostgreSQL and one browser for both.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../common/gb11643.js';
import type { SyncRecord } from '../../contracts/records.js';
import { signedHeaders } from '../../contracts/sign.js';
import { addHall } from '../../hub/registry.js';
import { todayIn } from '../../hub/reports.js';
import { axeViolations, pageScrolls, shot } from '../e2e/support.js';
import { type Browsers, launchBrowser } from '../helpers/browser.js';
import { type HubHarness, loginCookie, registerHalls, SECRET_A, SECRET_B, serviceRecord, startHubHarness } from './harness.js';

let h: HubHarness;
let browsers: Browsers;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function ingest(hallId: string, secret: string, records: SyncRecord[]): Promise<number> {
  const body = JSON.stringify({ batchId: `batch-${hallId}-${records[0]!.key}`, records });
  const res = await fetch(`${h.hub.url}/api/v1/ingest`, { method: 'POST', headers: signedHeaders(secret, hallId, body), body });
  return res.status;
}

beforeAll(async () => {
  h = await startHubHarness();
  browsers = await launchBrowser();
  const halls = [
    ['HF-1', '合肥市公安局蜀山分局户政服务大厅', '合肥市'],
    ['HF-2', '合肥市公安局包河分局户政服务大厅', '合肥市'],
    ['WH-1', '芜湖市公安局镜湖分局户政服务大厅', '芜湖市'],
  ];
  for (const [id, name, city] of halls) await addHall(h.hub.pool, { id: id!, name: name!, city: city!, secret: `${id}-secret-0123456789` });
  const services = [
    ['id-card', '身份证办理'],
    ['hukou-move', '户口迁移'],
  ];
  for (const [i, [id]] of halls.entries()) {
    for (const [j, [svc, name]] of services.entries()) {
      await h.hub.pool.query(
        'INSERT INTO live_wait (hall_id, service, name, waiting, estimate_minutes, open_counters, at) VALUES ($1, $2, $3, $4, $5, $6, now())',
        [id, svc, name, 3 * i + j, i === 2 ? null : 5 * i + j, i === 2 ? 0 : 2],
      );
    }
  }
  // the supervision pages' halls (HALL-A 合肥, HALL-B 芜湖) and what they sent
  await registerHalls(h.hub);
  const today = todayIn();
  const at = Date.parse(`${today}T02:00:00Z`);
  const bad = (key: string, dueDay: string): SyncRecord => ({
    key,
    kind: 'rating',
    v: 2,
    at,
    day: today,
    data: {
      ticketId: `${today}:${key}`,
      number: 'A001',
      day: today,
      at,
      service: 'id-card',
      counter: '1',
      staffId: 'A1001',
      level: 1,
      reasons: ['waiting'],
      reasonNames: ['等候时间长'],
      channel: 'pad',
      caseNumber: null,
      comment: null,
      rectification: { id: `Z-${key}`, dueDay },
    },
  });
  const unresolved: SyncRecord = {
    key: 'u1',
    kind: 'unresolvedReport',
    v: 1,
    at,
    day: today,
    data: {
      id: 'U-1',
      day: today,
      at,
      service: 'id-card',
      description: '户口迁移材料不清楚',
      contactMasked: '138****5678',
      dueDay: addDays(today, 5),
    },
  };
  expect(
    await ingest('HALL-A', SECRET_A, [
      serviceRecord('s1', today, at),
      bad('r1', addDays(today, -1)),
      bad('r2', addDays(today, 9)),
      unresolved,
    ]),
  ).toBe(200);
  expect(await ingest('HALL-B', SECRET_B, [serviceRecord('s2', today, at)])).toBe(200);
  // a batch the hub refuses (wrong secret): 拒收记录 on the overview
  expect(await ingest('HALL-B', 'not-the-secret-of-hall-b', [serviceRecord('s3', today, at)])).toBe(401);
}, 120_000);
afterAll(async () => {
  await browsers?.close();
  await h?.stop();
});

describe('hub /live on a phone', () => {
  it('shows cards without sideways scrolling, filters by city and service', async () => {
    const ctx = await browsers.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(`${h.hub.url}/live`);
    expect(await page.locator('tbody tr').count()).toBe(6);
    expect(await pageScrolls(page)).toMatchObject({ x: false });
    // a card, not a 7-column table: the rows are as wide as the screen allows and stacked
    const boxes = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.getBoundingClientRect().toJSON() as DOMRect));
    for (const b of boxes) expect(b.right).toBeLessThanOrEqual(360);
    expect(boxes[1]!.top).toBeGreaterThan(boxes[0]!.bottom - 1);
    // the hall name on one or two lines, never one character per line
    const hall = await page
      .locator('td.hall')
      .first()
      .evaluate((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
        return { lines, chars: (td.textContent ?? '').length };
      });
    expect(hall.lines).toBeLessThanOrEqual(2);
    expect(await page.locator('meta[name=viewport]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'hub-live-360');

    await page.selectOption('select[name=city]', '芜湖市');
    await page.selectOption('select[name=service]', 'hukou-move');
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL(/city=/);
    const cards = await page.locator('tbody tr').allTextContents();
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain('芜湖市公安局镜湖分局户政服务大厅');
    expect(cards[0]).toContain('户口迁移');
    expect(cards[0]).toContain('暂无窗口办理');
    // the choices still list every city after filtering
    expect(await page.locator('select[name=city] option').allTextContents()).toEqual(['全部城市', '合肥市', '芜湖市']);
    await shot(page, 'hub-live-360-filtered');

    // the same page on a desk screen keeps its table, headers on one line
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${h.hub.url}/live`);
    expect(await page.locator('thead').isVisible()).toBe(true);
    const wrapped = await page.$$eval('th', (ths) =>
      ths.filter((th) => th.getBoundingClientRect().height > 60).map((th) => th.textContent),
    );
    expect(wrapped).toEqual([]);
    await ctx.close();
  });

  it('books a slot on a 360 px phone: hall, service, time, 身份证 → code and QR; cancels with the code and the last 4 characters', async () => {
    // HF-1 grants the hub 2 places at 09:00 and 1 at 09:30 the day after tomorrow (as its booking sync would)
    const day = new Date(Date.now() + 2 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
    for (const [slot, quota] of [
      [18, 2],
      [19, 1],
    ] as const) {
      await h.hub.pool.query(
        `INSERT INTO booking_slots (hall_id, day, service, slot, service_name, start_at, end_at, quota, seq)
         VALUES ('HF-1', $1, 'id-card', $2, '身份证办理', ($1::date + make_interval(mins => $2 * 30)) AT TIME ZONE 'Asia/Shanghai',
                 ($1::date + make_interval(mins => $2 * 30 + 30)) AT TIME ZONE 'Asia/Shanghai', $3, 1)`,
        [day, slot, quota],
      );
    }
    const ctx = await browsers.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
    const page = await ctx.newPage();
    const fits = async () => expect(await pageScrolls(page)).toMatchObject({ x: false });
    await page.goto(`${h.hub.url}/book`);
    expect(await page.locator('meta[name=viewport]').count()).toBe(1);
    await fits();
    await page.getByRole('link', { name: /合肥市公安局蜀山分局户政服务大厅/ }).click();
    await fits();
    await page.getByRole('link', { name: /身份证办理/ }).click();
    await fits();
    expect(await page.locator('input[name=time]:not([disabled])').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel(/09:30/).check();
    const id = '110101199003071234'.slice(0, 17);
    const idNumber = id + idCheckChar(id);
    await page.getByLabel('身份证号码').fill(idNumber);
    await page.getByRole('button', { name: '提交预约' }).click();
    await page.getByText('预约成功').first().waitFor();
    await fits();
    const code = (await page.locator('#code').textContent())!.trim();
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
    expect(await page.locator('.qr svg').count()).toBe(1);
    const html = await page.content();
    expect(html).not.toContain(idNumber);
    expect(html).toContain(`**************${idNumber.slice(-4)}`);
    await shot(page, 'hub-book-360');
    // 09:30 had one place: it is full now
    await page.goto(`${h.hub.url}/book/h/HF-1?service=id-card`);
    expect(await page.locator('input[name=time]:not([disabled])').count()).toBe(1);

    await page.goto(`${h.hub.url}/book/cancel?lang=en`);
    await page.getByLabel('Booking code').fill(code);
    await page.getByLabel('Last 4 characters of the ID number').fill(idNumber.slice(-4));
    await page.getByRole('button', { name: 'Cancel the booking' }).click();
    await page.getByText('The booking is cancelled').waitFor();
    await fits();
    await ctx.close();
    expect((await h.hub.pool.query("SELECT booked FROM booking_slots WHERE hall_id = 'HF-1' AND slot = 19")).rows[0].booked).toBe(0);
  });
});

/** the page at a phone's 360 px and a laptop's 1366 px: viewport meta, no sideways page scroll, axe clean */
async function check(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  if ((await page.locator('meta[name=viewport][content*="width=device-width"]').count()) !== 1) problems.push(`${name}: no viewport meta`);
  for (const width of [360, 1366]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
    if ((await pageScrolls(page)).x) problems.push(`${name}@${width}: the page scrolls sideways`);
    for (const v of await axeViolations(page)) problems.push(`${name}@${width}: ${v}`);
    if (width === 360) await shot(page, `hub-${name}-360`);
  }
  return problems;
}

describe('hub supervision pages', () => {
  it('are axe clean and fit a 360 px phone and a desk screen, for the province and for a city', async () => {
    const problems: string[] = [];
    const anon = await browsers.newContext();
    const page = await anon.newPage();
    await page.goto(`${h.hub.url}/`);
    await page.waitForURL(/\/login/);
    problems.push(...(await check(page, 'login')));
    await page.goto(`${h.hub.url}/login?error=1`);
    await page.getByRole('alert').waitFor();
    problems.push(...(await check(page, 'login-error')));
    await anon.close();

    const as = async (user: string, pass: string) => {
      const ctx = await browsers.newContext();
      const [name, value] = (await loginCookie(h.hub.url, user, pass)).split('=');
      await ctx.addCookies([{ name: name!, value: value!, url: h.hub.url }]);
      return { ctx, page: await ctx.newPage() };
    };
    const province = await as('province', 'province-pass');
    const p = province.page;
    await p.goto(`${h.hub.url}/`);
    // what the checks run over: the late 整改, the 办不成事, the refused batch
    await p.getByRole('heading', { name: /逾期未整改（1）/ }).waitFor();
    await p.getByRole('heading', { name: /办不成事（未办结）（1）/ }).waitFor();
    await p.getByRole('heading', { name: '拒收记录' }).waitFor();
    problems.push(...(await check(p, 'province-overview')));
    for (const [path, label] of [
      ['/halls/HALL-A', 'hall'],
      ['/reports/monthly', 'monthly'],
      ['/cases', 'cases'],
    ] as const) {
      await p.goto(`${h.hub.url}${path}`);
      problems.push(...(await check(p, `province-${label}`)));
    }
    // the wide report scrolls in its own box, which a keyboard reaches
    await p.goto(`${h.hub.url}/reports/monthly`);
    await p.setViewportSize({ width: 360, height: 740 });
    const box = p.getByRole('region', { name: '各大厅考核指标' });
    expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await box.getAttribute('tabindex')).toBe('0');
    await province.ctx.close();

    // a city's supervisor: the city's overview, and a hall of another city (not found for them)
    const hefei = await as('hefei', 'hefei-pass');
    await hefei.page.goto(`${h.hub.url}/`);
    problems.push(...(await check(hefei.page, 'city-overview')));
    await hefei.page.goto(`${h.hub.url}/halls/HALL-B`);
    await hefei.page.getByText('没有该大厅').waitFor();
    problems.push(...(await check(hefei.page, 'city-other-hall')));
    await hefei.ctx.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
