// The whole hall in five browsers, nobody reloads: kiosk → counter → hall display (with its
// announcement audio) → finish → rating pad → manager board.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hall, shot, signInBoard, signInCounter, startHall, pressKey } from './support.js';

let hall: Hall;
beforeAll(async () => {
  hall = await startHall();
});
afterAll(async () => {
  await hall?.close();
});

describe('hall flow across five browser contexts', () => {
  it('senior ticket → call → display + voice → finish → 不满意 with reason → board', async () => {
    const board = await hall.open('/board', { width: 1600, height: 1000 });
    await signInBoard(board.page);
    const display = await hall.open('/display', { width: 1920, height: 1080 });
    await display.page.getByTestId('latest-call').waitFor();
    const pad = await hall.open('/pad?counter=7', { width: 1280, height: 800 });
    const counter = await hall.open('/counter?counter=7', { width: 1366, height: 768 });
    await signInCounter(counter.page, 'A1007');
    await pad.page.getByTestId('staff-name').filter({ hasText: '赵敏' }).waitFor();
    await pad.page.locator('[data-live=true]').waitFor();
    const kiosk = await hall.open('/kiosk', { width: 1080, height: 1920 });

    // 1. kiosk: senior channel
    await kiosk.page.getByRole('button', { name: /老年人 \/ 爱心通道/ }).click();
    await kiosk.page.click('button[data-service=id-card]');
    const number = (await kiosk.page.getByTestId('ticket-number').textContent())!.trim();
    expect(number).toMatch(/^A\d{3}$/);
    await board.page.locator('[data-service=id-card] [data-testid=waiting]').filter({ hasText: '1' }).waitFor();

    // 2. counter calls (F1); the display must fetch the announcement audio
    const voice = display.page.waitForResponse((r) => /\/api\/v1\/voice\/call\/\d+\.wav$/.test(r.url()));
    await pressKey(counter.page, 'F1');
    await counter.page.getByTestId('current-number').filter({ hasText: number }).waitFor();

    // 3. display shows it, highlighted, and got a non-empty WAV
    await display.page.getByTestId('latest-number').filter({ hasText: number }).waitFor();
    expect(await display.page.getByTestId('latest-counter').textContent()).toContain('7号窗口');
    await display.page.locator('[data-counter="7"] [data-testid=counter-now]').filter({ hasText: number }).waitFor();
    await shot(display.page, 'flow-display');

    // 4. counter starts and finishes
    await pressKey(counter.page, 'F3');
    await counter.page.getByTestId('current-state').filter({ hasText: '办理中' }).waitFor();
    await board.page.locator('[data-counter="7"] [data-testid=counter-state]').filter({ hasText: '办理中' }).waitFor();
    await shot(board.page, 'flow-board-serving');
    await pressKey(counter.page, 'F4');
    await counter.page.getByText('暂无号票').waitFor();

    // 5. rating pad: 不满意 → reason 态度 → thanks
    await pad.page.locator('button[data-level="2"]').click();
    await pad.page.locator('button[data-reason=attitude]').click();
    await pad.page.fill('#pad-comment', '等候时无人解释');
    await shot(pad.page, 'flow-pad-reasons');
    await pad.page.getByRole('button', { name: '提交评价' }).click();
    await pad.page.getByText('感谢您的评价').waitFor();

    // 6. board: the rating, the bad-rating entry and the counter state, without reload
    await board.page.getByTestId('ratings-total').filter({ hasText: '1' }).waitFor();
    await board.page.getByTestId('bad-ratings').filter({ hasText: '不满意' }).waitFor();
    expect(await board.page.getByTestId('bad-ratings').textContent()).toContain('态度');
    await board.page.locator('[data-counter="7"] [data-testid=counter-state]').filter({ hasText: '空闲' }).waitFor();
    await board.page.locator('[data-counter="7"] [data-testid=served]').filter({ hasText: '1' }).waitFor();
    await shot(board.page, 'flow-board');

    // the announcement the display fetched when the call arrived (checked last so a voice
    // failure does not hide the state of the other screens)
    const res = await voice;
    expect(res.status()).toBe(200);
    const wav = await res.body();
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.length).toBeGreaterThan(44 + 22050); // more than half a second of audio
  }, 120_000); // five Chromium contexts, three of them pairing first, on a shared 2-core machine
});
