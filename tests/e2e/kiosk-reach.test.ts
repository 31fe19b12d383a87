// Every step of every kiosk flow, in the four ways a kiosk is seen (standard / elderly × portrait
// 1080×1920 / landscape 1920×1080): each button, field and message must be on the screen as it is,
// not below the fold of a scrolling region (outOfView in support.ts). A senior who cannot see
// 确认取号 or 返回 cannot finish or leave. One browser, one agent, one page per mode.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { type Hall, outOfView, pageScrolls, SHOTS, startHall } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

const MODES = [
  { name: 'portrait-standard', viewport: { width: 1080, height: 1920 }, elderly: false },
  { name: 'portrait-elderly', viewport: { width: 1080, height: 1920 }, elderly: true },
  { name: 'landscape-standard', viewport: { width: 1920, height: 1080 }, elderly: false },
  { name: 'landscape-elderly', viewport: { width: 1920, height: 1080 }, elderly: true },
];

/** an appointment for later today (hall time, UTC+8): checking in now says 您来早了 */
async function earlyAppointment(code: string): Promise<void> {
  const guide = await hall.api('POST', '/api/v1/auth/guide', { pin: '8888' });
  const now = Date.now();
  const H8 = 8 * 3600_000;
  const endOfDay = Math.floor((now + H8) / 86_400_000) * 86_400_000 + 86_400_000 - H8 - 1;
  const start = Math.min(now + 10 * 60_000, endOfDay - 1000);
  const r = await hall.api(
    'POST',
    '/api/v1/appointments/import',
    [{ code, service: 'hukou-certificate', slotStart: new Date(start).toISOString(), slotEnd: new Date(endOfDay).toISOString() }],
    guide.body.token,
  );
  expect(r.body.imported, JSON.stringify(r.body)).toBe(1);
}

async function typeOnPad(page: Page, text: string): Promise<void> {
  for (const ch of text) await page.locator('.pad button, .letters button', { hasText: new RegExp(`^${ch}$`) }).click();
}

describe.each(MODES)('kiosk $name', ({ name, viewport, elderly }) => {
  it('keeps every button and message of every flow on the screen', async () => {
    const { page } = await hall.open('/kiosk', viewport);
    const problems: string[] = [];
    /** records what is out of view on this step (and a screenshot); the test fails at the end with all of them */
    const check = async (step: string) => {
      // two frames: a container query or a font swap has been laid out
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const bad = await outOfView(page);
      const scroll = await pageScrolls(page);
      if (scroll.x || scroll.y) bad.push(`page scrolls ${scroll.width}×${scroll.height}`);
      problems.push(...bad.map((b) => `${step}: ${b}`));
      // a picture of each step that has a problem (HALLQ_KIOSK_SHOTS=1: of every step, to look at them);
      // sixty full-screen pictures of passing steps cost more than the walk itself
      if (bad.length > 0 || process.env.HALLQ_KIOSK_SHOTS === '1')
        await page.screenshot({ path: resolve(SHOTS, `kiosk-reach-${name}-${step}.jpg`), type: 'jpeg', quality: 60 });
    };
    /** a timed screen says when it goes back by itself */
    const countdown = async (step: string) => {
      const text = (await page.getByTestId('countdown').count()) ? await page.getByTestId('countdown').textContent() : '';
      if (!/\d+ 秒后自动返回首页/.test(text ?? '')) problems.push(`${step}: no countdown to the home screen`);
    };
    const large = async () => {
      if (elderly && !(await page.evaluate(() => document.documentElement.classList.contains('elderly')))) {
        await page.getByRole('button', { name: '长辈模式（大字）' }).click();
      }
    };
    const backHome = async () => {
      await page.locator('button[data-service]').first().waitFor();
      await large();
    };

    await page.locator('button[data-service]').first().waitFor();
    await large();
    await check('home');

    // 信息公开
    await page.getByRole('button', { name: /信息公开 户口迁移/ }).click();
    await page.getByText('所需材料').waitFor();
    await check('info');
    await page.getByRole('button', { name: '返回', exact: true }).click();
    await backHome();

    // a normal ticket: the result names the counters, shows the QR and its countdown
    await page.click('button[data-service=id-card]');
    await page.getByTestId('ticket-number').waitFor();
    await countdown('result');
    await check('result');
    await page.getByRole('button', { name: '完成，返回首页' }).click();
    await backHome();

    // 爱心通道 (turns the large text on by itself)
    await page.getByRole('button', { name: /老年人 \/ 爱心通道/ }).click();
    await page.getByText('爱心通道：请选择业务').waitFor();
    await check('senior-home');
    await page.click('button[data-service=consultation]');
    await page.getByTestId('ticket-number').waitFor();
    await check('senior-result');
    await page.getByRole('button', { name: '完成，返回首页' }).click();
    await backHome();

    // 预约取号 on the keypad: an unknown code, then an early one
    await page.getByRole('button', { name: /预约取号/ }).click();
    await page.locator('#appt-code').waitFor();
    await check('appointment');
    await typeOnPad(page, '99999');
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.getByRole('alert').waitFor();
    await check('appointment-error');
    await page.getByRole('button', { name: '清空' }).click();
    // letters from across the alphabet an import accepts (common/appointment-code.ts): all on the keypad
    const code = `QW-${viewport.width}${elderly ? 'OLD' : 'STD'}Z${Date.now() % 1000}`;
    await earlyAppointment(code);
    await typeOnPad(page, code);
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.getByText('您来早了', { exact: false }).waitFor();
    await check('appointment-early-result');
    await page.getByRole('button', { name: '完成，返回首页' }).click();
    await backHome();

    // 绿色通道: a wrong PIN, then the guide's
    await page.getByRole('button', { name: /绿色通道/ }).click();
    await page.locator('#guide-pin').waitFor();
    await check('green-pin');
    await typeOnPad(page, '1111');
    await page.getByRole('button', { name: '确认', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await check('green-pin-error');
    await typeOnPad(page, '8888');
    await page.getByRole('button', { name: '确认', exact: true }).click();
    await page.getByText('绿色通道：请选择业务').waitFor();
    await large();
    await check('green-home');
    await page.click('button[data-service=id-card]');
    await page.getByTestId('ticket-number').waitFor();
    await check('green-result');
    await page.getByRole('button', { name: '完成，返回首页' }).click();
    await backHome();

    // 办不成事: an empty submit is refused by the disabled button; a quick choice is sent
    await page.getByRole('button', { name: /办不成事反映/ }).click();
    await page.locator('#rep-desc').waitFor();
    await check('report');
    await page.getByRole('button', { name: '等待时间过长' }).click();
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('已收到您的反映').waitFor();
    await countdown('report-sent');
    await check('report-sent');
    await page.getByRole('button', { name: '返回首页' }).click();
    await backHome();

    expect(problems).toEqual([]);
  });
});
