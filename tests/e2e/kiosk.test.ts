import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, shot, startHall } from './support.js';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const KIOSK = { width: 1080, height: 1920 }; // portrait touch kiosk

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('kiosk (取号机)', () => {
  it('issues a ticket from a service button and shows the number, people ahead and wait', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.waitForSelector('button[data-service=id-card]');
    await shot(page, 'kiosk-home');
    await page.click('button[data-service=id-card]');
    const number = page.getByTestId('ticket-number');
    await number.waitFor();
    expect(await number.textContent()).toMatch(/^A\d{3}$/);
    expect(await page.getByTestId('waiting-ahead').textContent()).toBe('0');
    await shot(page, 'kiosk-result');
    const q = await hall.api('GET', '/api/v1/queue');
    expect(q.body.services.find((s: { id: string }) => s.id === 'id-card').waiting).toBe(1);
  });

  it('shows 信息公开 for a service and the senior channel issues a senior ticket in large type', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.getByRole('button', { name: /信息公开 户口迁移/ }).click();
    await page.getByText('所需材料').waitFor();
    await page.getByText('不动产登记中心', { exact: false }).count();
    await shot(page, 'kiosk-info');
    await page.getByRole('button', { name: '返回' }).click();
    await page.getByRole('button', { name: /老年人 \/ 爱心通道/ }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
    await shot(page, 'kiosk-senior');
    await page.click('button[data-service=hukou-move]');
    await page.getByTestId('ticket-number').waitFor();
    const q = await hall.api('GET', '/api/v1/queue');
    expect(q.body.services.find((s: { id: string }) => s.id === 'hukou-move').waitingByChannel?.senior ?? 1).toBe(1);
  });

  it('green channel needs the guide PIN; a wrong PIN is refused in Chinese', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.getByRole('button', { name: /绿色通道/ }).click();
    await page.fill('#guide-pin', '0000');
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByRole('alert').waitFor();
    await page.fill('#guide-pin', '8888');
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByText('绿色通道：请选择业务').waitFor();
    await page.click('button[data-service=id-card]');
    await page.getByText('绿色通道', { exact: true }).waitFor();
    const number = await page.getByTestId('ticket-number').textContent();
    expect(number).toMatch(/^A\d{3}$/);
  });

  it('files a 办不成事 report', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.getByRole('button', { name: /办不成事反映/ }).click();
    await page.getByRole('button', { name: '多次往返仍未办成' }).click();
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('status').waitFor();
  });

  it('on a printer fault shows the number with a QR and sends the citizen to the guide desk', async () => {
    const sim = await hall.api('GET', '/api/v1/sim');
    const printer = (sim.body as { id: string; kind: string }[]).find((d) => d.kind === 'ticketPrinter');
    expect(printer).toBeDefined();
    await hall.api('POST', `/api/v1/sim/${printer!.id}`, { type: 'paper', state: 'out' });
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.click('button[data-service=residence-permit]');
    await page.getByTestId('print-fault').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('print-fault').textContent()).toContain('请到导办台');
    expect(await page.locator('[data-testid=print-fault] svg').count()).toBe(1);
    await shot(page, 'kiosk-print-fault');
    await hall.api('POST', `/api/v1/sim/${printer!.id}`, { type: 'paper', state: 'ok' });
  });

  it('checks in an appointment by code on the on-screen keypad', async () => {
    const login = await hall.api('POST', '/api/v1/auth/guide', { pin: '8888' });
    const now = Date.now();
    const imported = await hall.api(
      'POST',
      '/api/v1/appointments/import',
      [
        {
          code: '20250618',
          service: 'hukou-certificate',
          slotStart: new Date(now - 5 * 60000).toISOString(),
          slotEnd: new Date(now + 30 * 60000).toISOString(),
        },
      ],
      login.body.token,
    );
    expect(imported.body.imported).toBe(1);
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.getByRole('button', { name: /预约取号/ }).click();
    for (const d of '20250618') await page.locator('.pad button', { hasText: new RegExp(`^${d}$`) }).click();
    await shot(page, 'kiosk-appointment');
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.getByTestId('ticket-number').waitFor();
    await page.getByText('预约', { exact: true }).waitFor();
  });

  it('returns to a clean zh-CN home when left idle', async () => {
    const { page } = await hall.open('/kiosk?idle=2', KIOSK);
    await page.getByRole('button', { name: 'English' }).click();
    await page.click('button[data-service=consultation]');
    await page.getByTestId('ticket-number').waitFor();
    await page.getByText('请选择要办理的业务').waitFor({ timeout: 6000 });
    expect(await page.getByTestId('ticket-number').count()).toBe(0);
  });

  it('switches to English and back', async () => {
    const { page } = await hall.open('/kiosk', KIOSK);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Choose a service').waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByText('请选择要办理的业务').waitFor();
  });

  it('has no serious or critical axe-core violations (normal and elderly mode)', async () => {
    // axe-core is injected as an inline script, which the screens' CSP rightly blocks
    const { page } = await hall.open('/kiosk', KIOSK, { bypassCSP: true });
    await page.waitForSelector('button[data-service=id-card]');
    const run = async () => {
      await page.addScriptTag({ content: AXE });
      return page.evaluate(async () => {
        const r = await (
          window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
        ).axe.run();
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
    };
    const normal = await run();
    await page.getByRole('button', { name: '长辈模式（大字）' }).click();
    const elderly = await run();
    const serious = [...normal, ...elderly].filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious).toEqual([]);
  });
});
