// The device manager over in-process simulated devices (the demo hall's setup).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceManagerImpl } from '../../../agent/devices/manager.js';
import type { DeviceConfig } from '../../../drivers/config.js';
import type { VirtualPrinter } from '../../../drivers/sim/printer.js';
import { HallBus, call, hall, issue, logger, logs, recorder, services, ticket, waitFor } from './helpers.js';
import { deviceManager } from './helpers.js';

const devices: DeviceConfig[] = [
  { id: 'printer1', kind: 'ticketPrinter', protocol: 'escpos', transport: { type: 'sim' }, options: { paperWidth: 80 } },
  { id: 'led3', kind: 'counterDisplay', protocol: 'led-framed', transport: { type: 'sim' }, counter: '3', address: 3 },
  { id: 'mb4', kind: 'counterDisplay', protocol: 'modbus-display', transport: { type: 'sim' }, counter: '4', address: 4 },
  { id: 'hall', kind: 'hallDisplay', protocol: 'led-framed', transport: { type: 'sim' }, address: 1 },
  { id: 'kp3', kind: 'keypad', protocol: 'rs485-keypad', transport: { type: 'sim' }, counter: '3', address: 3 },
  { id: 'pad3', kind: 'ratingPad', protocol: 'hid-keymap', transport: { type: 'sim' }, counter: '3' },
  { id: 'id1', kind: 'idReader', protocol: 'idcard-serial', transport: { type: 'sim' } },
  { id: 'id2', kind: 'idReader', protocol: 'idcard-hid', transport: { type: 'sim' } },
];

let m: DeviceManagerImpl | undefined;
afterEach(async () => {
  await m?.stop();
  m = undefined;
});

async function setup(printDeadlineMs = 5000) {
  const bus = new HallBus();
  const rec = recorder(bus);
  m = deviceManager({ devices, bus, hall, services, logger, printDeadlineMs, printer: { pollMs: 100, replyTimeoutMs: 200 } });
  await m.start();
  await waitFor(() => m!.list().every((d) => d.status === 'online'), 2000, 'all devices online');
  const printer = m.bound.find((d) => d.cfg.id === 'printer1')!.sim as VirtualPrinter;
  return { bus, rec, m, printer };
}

const simOf = (m: DeviceManagerImpl, id: string) =>
  (m.simState() as Array<{ id: string; state: Record<string, unknown> }>).find((d) => d.id === id)!.state;

describe('device manager (sim devices)', () => {
  it('prints an issued ticket: Chinese service, double-size number, channel mark, QR, cut', async () => {
    const { bus, rec, printer } = await setup();
    const t = ticket({ channel: 'senior' });
    issue(bus, t);
    await waitFor(() => rec.of('print.done').length === 1, 2000, 'print.done');
    expect(rec.of('print.done')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
    const page = printer.pages.at(-1)!;
    expect(page.cut).toBe(true);
    expect(page.qr).toEqual([`https://hall.example/t/${t.id}`]);
    const texts = page.lines.map((l) => l.text);
    expect(texts).toContain('身份证办理');
    expect(texts).toContain('【老年人优先】');
    expect(texts).toContain('您前面还有 3 人等候');
    expect(texts).toContain('咨询电话 0551-12345678');
    expect(page.lines.find((l) => l.text === t.number)).toMatchObject({ size: '3x3', align: 'center' });
  });

  it('a call shows on the counter display, its keypad, and the hall display', async () => {
    const { bus } = await setup();
    const t = ticket();
    call(bus, t, '3');
    await waitFor(() => (simOf(m!, 'led3').lines as string[])[0] === t.number, 2000, 'counter display');
    expect(simOf(m!, 'led3').lines).toEqual([t.number, '请到3号窗口']);
    await waitFor(() => simOf(m!, 'kp3').display === t.number, 2000, 'keypad display');
    await waitFor(() => (simOf(m!, 'hall').lines as string[])[0] === `${t.number} 请到3号窗口`, 2000, 'hall display');
    const t2 = ticket();
    call(bus, t2, '4');
    await waitFor(() => (simOf(m!, 'mb4').lines as string[])[0] === t2.number, 2000, 'modbus display');
    expect(simOf(m!, 'mb4').lines).toEqual([t2.number, '请到4号窗口']);
    await waitFor(() => (simOf(m!, 'hall').lines as string[]).length === 2, 2000, 'hall keeps two calls');
    expect(simOf(m!, 'hall').lines).toEqual([`${t2.number} 请到4号窗口`, `${t.number} 请到3号窗口`]);
  });

  it('keypad keys and ratings reach the bus with the bound counter', async () => {
    const { rec } = await setup();
    m!.simAction('kp3', { type: 'press', key: 'call' });
    m!.simAction('kp3', { type: 'press', key: 'transfer', digits: '5' });
    m!.simAction('kp3', { type: 'rate', level: 2 });
    m!.simAction('pad3', { type: 'rate', level: 5 });
    m!.simAction('pad3', { type: 'press', key: 'recall' });
    await waitFor(() => rec.of('device.key').length === 3 && rec.of('device.rating').length === 2, 2000, 'keys');
    // in order per device; the RS-485 keypad is polled, so its events may come after the HID pad's
    const byDevice = <T extends { deviceId: string }>(list: T[]) => [...list].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    expect(byDevice(rec.of('device.key'))).toEqual([
      { deviceId: 'kp3', counter: '3', key: 'call' },
      { deviceId: 'kp3', counter: '3', key: 'transfer', digits: '5' },
      { deviceId: 'pad3', counter: '3', key: 'recall' },
    ]);
    expect(byDevice(rec.of('device.rating'))).toEqual([
      { deviceId: 'kp3', counter: '3', level: 2 },
      { deviceId: 'pad3', counter: '3', level: 5 },
    ]);
    // every keypad event was acknowledged by the next poll
    await waitFor(() => (simOf(m!, 'kp3').acks as number) === 3, 2000, 'acks');
  });

  it('ID readers: valid numbers reach the bus, invalid ones are dropped, none are logged', async () => {
    const { rec } = await setup();
    logs.length = 0;
    m!.simAction('id1', { type: 'idcard', number: '11010519491231002X' });
    m!.simAction('id2', { type: 'idcard', number: '11010519491231002X' });
    m!.simAction('id1', { type: 'idcard', number: '110105194912310021' });
    await waitFor(() => rec.of('device.idcard').length === 2, 2000, 'idcard');
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.of('device.idcard').map((e) => e.deviceId)).toEqual(['id1', 'id2']);
    expect(logs.join('\n')).not.toMatch(/1101051949123100/);
    expect(logs.some((l) => l.includes('ID card read rejected'))).toBe(true);
  });

  it('paper out reaches list() and device.status within 2 s, and back', async () => {
    const { rec } = await setup();
    const t0 = Date.now();
    m!.simAction('printer1', { type: 'paper', state: 'out' });
    await waitFor(() => m!.list().find((d) => d.id === 'printer1')?.status === 'paperOut', 2000, 'paperOut');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(rec.of('device.status').some((s) => s.deviceId === 'printer1' && s.status === 'paperOut')).toBe(true);
    m!.simAction('printer1', { type: 'cover', open: true });
    await waitFor(() => m!.list().find((d) => d.id === 'printer1')?.status === 'coverOpen', 2000, 'coverOpen');
    m!.simAction('printer1', { type: 'cover', open: false });
    m!.simAction('printer1', { type: 'paper', state: 'nearEnd' });
    await waitFor(() => m!.list().find((d) => d.id === 'printer1')?.status === 'paperNearEnd', 2000, 'nearEnd');
  });

  it('a ticket issued while the printer is off prints exactly once when it returns', async () => {
    const { bus, rec, printer } = await setup();
    m!.simAction('printer1', { type: 'power', on: false });
    await waitFor(() => m!.list().find((d) => d.id === 'printer1')?.status === 'offline', 2000, 'offline');
    const t = ticket();
    issue(bus, t);
    await new Promise((r) => setTimeout(r, 300));
    expect(printer.pages.length).toBe(0);
    m!.simAction('printer1', { type: 'power', on: true });
    await waitFor(() => rec.of('print.done').length === 1, 2000, 'printed after return');
    await new Promise((r) => setTimeout(r, 400));
    expect(printer.pages.filter((p) => p.qr[0]?.endsWith(t.id)).length).toBe(1);
    expect(rec.of('print.failed')).toEqual([]);
  });

  it('a job held past its deadline fails and is never printed later; paper out holds jobs too', async () => {
    const { bus, rec, printer } = await setup(300);
    m!.simAction('printer1', { type: 'paper', state: 'out' });
    await waitFor(() => m!.list()[0]?.status === 'paperOut', 2000, 'paperOut');
    const t = ticket();
    issue(bus, t);
    await waitFor(() => rec.of('print.failed').length === 1, 2000, 'print.failed');
    expect(rec.of('print.failed')[0]).toMatchObject({ deviceId: 'printer1', ticketId: t.id });
    m!.simAction('printer1', { type: 'paper', state: 'ok' });
    await waitFor(() => m!.list()[0]?.status === 'online', 2000, 'online');
    await new Promise((r) => setTimeout(r, 300));
    expect(printer.pages.length).toBe(0);
    expect(rec.of('print.done')).toEqual([]);
  });

  it('prints a one-time notice slip', async () => {
    const { rec, printer } = await setup();
    const { jobId } = await m!.printNotice({ service: 'idcard', missingMaterialIds: ['hukou', 'photo'], counter: '3', staffId: '0231' });
    await waitFor(() => rec.of('print.done').some((e) => e.jobId === jobId), 2000, 'notice printed');
    const texts = printer.pages.at(-1)!.lines.map((l) => l.text);
    expect(texts).toContain('一次性告知单');
    expect(texts).toContain('1. 户口簿');
    expect(texts).toContain('   获取：户籍所在地派出所');
    expect(texts).toContain('2. 照片回执');
    expect(texts).toContain('窗口：3号窗口');
  });

  it('bad sim actions throw clear errors and nothing crashes', async () => {
    await setup();
    expect(() => m!.simAction('nope', { type: 'press', key: 'call' })).toThrow(/no device "nope"/);
    expect(() => m!.simAction('kp3', { type: 'press', key: 'explode' })).toThrow(/unknown key/);
    expect(() => m!.simAction('kp3', { type: 'rate', level: 9 })).toThrow(/1–5/);
    expect(() => m!.simAction('printer1', { type: 'paper', state: 'wet' })).toThrow(/paper state/);
    expect(() => m!.simAction('printer1', { type: 'press', key: 'call' })).toThrow(/not supported/);
    expect(() => m!.simAction('id1', { type: 'idcard', number: 42 })).toThrow(/string "number"/);
    expect(() => m!.simAction('led3', null as unknown as Record<string, unknown>)).toThrow(/object/);
    expect(m!.list().every((d) => d.status === 'online')).toBe(true);
  });

  it('rejects a config that pairs a kind with the wrong protocol', () => {
    expect(() =>
      deviceManager({
        devices: [{ id: 'x', kind: 'ticketPrinter', protocol: 'led-framed', transport: { type: 'sim' } }],
        bus: new HallBus(),
        hall,
        services,
        logger,
      }),
    ).toThrow(/cannot drive a ticketPrinter/);
  });
});
