// The local DeviceHost over simulated devices: commands by device id, events as plain data, and
// failures as { ok: false } — never a throw (drivers/host/contract.ts).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../drivers/config.js';
import type { DeviceEvent } from '../../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../../drivers/host/local.js';
import type { VirtualDisplay } from '../../../drivers/sim/display.js';
import type { VirtualPrinter } from '../../../drivers/sim/printer.js';

const devices: DeviceConfig[] = [
  { id: 'p', kind: 'ticketPrinter', protocol: 'escpos', transport: { type: 'sim' }, options: { paperWidth: 58 } },
  { id: 'crc', kind: 'counterDisplay', protocol: 'led-crc16', transport: { type: 'sim' }, counter: '6', address: 6 },
  { id: 'hall', kind: 'hallDisplay', protocol: 'modbus-display', transport: { type: 'sim' }, address: 1, options: { lines: 3 } },
  { id: 'kp', kind: 'keypad', protocol: 'rs485-keypad', transport: { type: 'sim' }, counter: '6', address: 6 },
];

let host: LocalDeviceHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function until(check: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > 3000) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LocalDeviceHost', () => {
  it('prints a vendor-neutral layout as ESC/POS wrapped to the paper, and answers once confirmed', async () => {
    host = new LocalDeviceHost(devices, { printer: { pollMs: 100, replyTimeoutMs: 300 } });
    await host.start();
    await until(() => host!.list().every((d) => d.status === 'online'), 'online');
    const r = await host.execute('p', {
      type: 'print',
      jobId: 'j1',
      blocks: [
        { op: 'text', text: 'A023', size: 2, align: 'center', bold: true },
        { op: 'rule' },
        { op: 'text', text: '身份证办理身份证办理身份证办理身份证办理' }, // 40 columns: wraps at 32 on 58 mm
        { op: 'qr', data: 'https://hall.example/t/1' },
        { op: 'feed', lines: 2 },
        { op: 'cut' },
      ],
    });
    expect(r).toEqual({ ok: true });
    const page = (host.bound.find((b) => b.cfg.id === 'p')!.sim as VirtualPrinter).pages.at(-1)!;
    // (the empty line is the LF that ends the QR code)
    expect(page.lines.filter((l) => l.text !== '').map((l) => [l.text, l.size])).toEqual([
      ['A023', '2x2'],
      ['-'.repeat(32), '1x1'],
      ['身份证办理身份证办理身份证办理身', '1x1'],
      ['份证办理', '1x1'],
    ]);
    expect(page.qr).toEqual(['https://hall.example/t/1']);
  });

  it('shows lines on any display vendor, limited to the lines the hall configured', async () => {
    host = new LocalDeviceHost(devices);
    await host.start();
    expect(host.list().find((d) => d.id === 'hall')?.lines).toBe(3);
    await host.execute('crc', { type: 'show', lines: ['A023', '请到6号窗口'] });
    await host.execute('hall', { type: 'show', lines: ['一', '二', '三', '四'] });
    const sim = (id: string) => host!.bound.find((b) => b.cfg.id === id)!.sim as VirtualDisplay;
    await until(() => sim('crc').screen(6).lines[0] === 'A023', 'crc display');
    await until(() => sim('hall').screen(1).lines.length === 3, 'hall display');
    expect(sim('hall').screen(1).lines).toEqual(['一', '二', '三']);
    await until(() => host!.list().find((d) => d.id === 'crc')?.status === 'online', 'crc acked');
  });

  it('bad commands are { ok: false } with the reason, never a throw; events are plain data', async () => {
    host = new LocalDeviceHost(devices, { pad: { pollMs: 30 } });
    const events: DeviceEvent[] = [];
    host.onEvent((e) => events.push(e));
    await host.start();
    expect(await host.execute('nope', { type: 'beep' })).toEqual({ ok: false, reason: 'no device "nope"' });
    expect(await host.execute('kp', { type: 'show', lines: ['x'] })).toEqual({ ok: false, reason: 'a keypad does not take "show"' });
    expect(await host.execute('crc', { type: 'beep' })).toEqual({ ok: false, reason: 'a display does not take "beep"' });
    host.simAction('kp', { type: 'press', key: 'transfer', digits: '5' });
    await until(() => events.some((e) => e.type === 'key'), 'key event');
    expect(events.find((e) => e.type === 'key')).toEqual({ type: 'key', deviceId: 'kp', key: 'transfer', digits: '5' });
    // serialisable as is: what a satellite would send over socket.io
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    expect(events.some((e) => e.type === 'status' && e.deviceId === 'kp' && e.status === 'online')).toBe(true);
  });
});
