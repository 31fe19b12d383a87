// Unplug/replug of every serial device kind on socat ptys (unplug = kill socat; replug = start it
// again at the same paths). Each cycle: offline must be seen at once; during the outage a ticket is
// printed, a text shown, a key pressed and a rating given; after the replug every device is back
// online, the ticket is printed exactly once, the pads' events arrive exactly once, the display
// shows the newest text, and an ID card read afterwards arrives once. Recovery times (port back →
// device online) are printed per kind; the 1 s p99 target is reported, not asserted (2 shared cores).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../drivers/config.js';
import type { DeviceEvent } from '../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../drivers/host/local.js';
import { VirtualDisplay } from '../../drivers/sim/display.js';
import { VirtualIdReader } from '../../drivers/sim/idreader.js';
import { VirtualKeypadBus } from '../../drivers/sim/keypad.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { type PtyAttachment, attachToPty } from '../../drivers/sim/pty.js';
import { SocatPair } from '../../drivers/sim/socat.js';

// 30 keeps the file near 20 s on a shared machine; REPLUG_CYCLES=50 runs the count
const CYCLES = Number(process.env.REPLUG_CYCLES ?? 30);
const pairs = { printer: new SocatPair(), led: new SocatPair(), modbus: new SocatPair(), pads: new SocatPair(), id: new SocatPair() };
const vPrinter = new VirtualPrinter('printer');
const vLed = new VirtualDisplay('led', 'led-framed');
const vModbus = new VirtualDisplay('modbus', 'modbus-display');
const vPads = new VirtualKeypadBus('pads');
const vId = new VirtualIdReader('id', 'serial');
const attachments: PtyAttachment[] = [];
const events: DeviceEvent[] = [];
let host: LocalDeviceHost;

const serial = (p: SocatPair, baudRate: 9600 | 115200 = 9600) => ({ type: 'serial' as const, path: p.a, baudRate });
const devices: DeviceConfig[] = [
  { id: 'printer', kind: 'ticketPrinter', protocol: 'escpos', transport: serial(pairs.printer, 115200), options: { paperWidth: 58 } },
  { id: 'led', kind: 'counterDisplay', protocol: 'led-framed', transport: serial(pairs.led), counter: '1', address: 1 },
  { id: 'modbus', kind: 'hallDisplay', protocol: 'modbus-display', transport: serial(pairs.modbus), address: 1 },
  { id: 'kp', kind: 'keypad', protocol: 'rs485-keypad', transport: serial(pairs.pads), counter: '1', address: 1 },
  { id: 'rp', kind: 'ratingPad', protocol: 'rs485-keypad', transport: serial(pairs.pads), counter: '1', address: 11 },
  { id: 'id', kind: 'idReader', protocol: 'idcard-serial', transport: serial(pairs.id) },
];
const kindOf: Record<string, string> = {
  printer: 'printer',
  led: 'LED (framed)',
  modbus: 'LED (Modbus)',
  kp: 'keypad',
  rp: 'rating pad',
  id: 'ID reader',
};

const statusOf = (id: string) => host.list().find((d) => d.id === id)?.status;
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms)
      throw new Error(
        `timed out after ${ms} ms: ${what} ${JSON.stringify(host.list().map((d) => [d.id, d.status, d.detail]))} ` +
          `sim ends open: ${attachments.map((a) => a.isOpen).join(',')} pads: ${JSON.stringify(vPads.state())}`,
      );
    await new Promise((r) => setTimeout(r, 5));
  }
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

beforeAll(async () => {
  await Promise.all(Object.values(pairs).map((p) => p.start()));
  attachments.push(
    attachToPty(vPrinter, pairs.printer.b, 115200),
    attachToPty(vLed, pairs.led.b),
    attachToPty(vModbus, pairs.modbus.b),
    attachToPty(vPads, pairs.pads.b),
    attachToPty(vId, pairs.id.b),
  );
  host = new LocalDeviceHost(devices, {
    printer: { pollMs: 200, replyTimeoutMs: 300 },
    pad: { pollMs: 50, timeoutMs: 150 },
    display: { timeoutMs: 200, backoffMs: 50, maxBackoffMs: 200 },
  });
  host.onEvent((e) => {
    if (e.type !== 'status') events.push(e);
  });
  await host.start();
  await waitFor(() => host.list().every((d) => d.status === 'online'), 5000, 'all online');
}, 20_000);

afterAll(async () => {
  await host?.stop();
  await Promise.all(attachments.map((a) => a.close()));
  await Promise.all(Object.values(pairs).map((p) => p.dispose()));
});

describe('unplug/replug of every serial device kind', () => {
  it(`${CYCLES} cycles: offline at once, back online, nothing printed twice, no event lost or doubled`, async () => {
    const offline: Record<string, number[]> = {};
    const online: Record<string, number[]> = {};
    const socatStart: number[] = [];
    const t0 = Date.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const pagesBefore = vPrinter.pages.length;
      const keysBefore = events.filter((e) => e.type === 'key').length;
      const ratingsBefore = events.filter((e) => e.type === 'rating').length;
      const idsBefore = events.filter((e) => e.type === 'idcard').length;

      const killed = performance.now();
      await Promise.all(Object.values(pairs).map((p) => p.kill()));
      const seen = new Set<string>();
      await waitFor(
        () => {
          for (const d of devices)
            if (!seen.has(d.id) && statusOf(d.id) === 'offline') {
              seen.add(d.id);
              offline[d.id] = [...(offline[d.id] ?? []), performance.now() - killed];
            }
          return seen.size === devices.length;
        },
        3000,
        `cycle ${cycle}: all offline`,
      );

      // during the outage: a ticket, a text, a key press and a rating
      const job = host.execute('printer', {
        type: 'print',
        jobId: `job-${cycle}`,
        blocks: [{ op: 'text', text: `C${cycle}` }, { op: 'qr', data: `q-${cycle}` }, { op: 'cut' }],
        deadlineMs: 20_000,
      });
      await host.execute('led', { type: 'show', lines: [`A${cycle}`, '请到1号窗口'] });
      await host.execute('modbus', { type: 'show', lines: [`A${cycle} 请到1号窗口`] });
      vPads.press(1, 'call');
      vPads.rate(11, 1 + (cycle % 5));

      const replugged = performance.now();
      await Promise.all(Object.values(pairs).map((p) => p.start()));
      // "after the port returns": counted from when the pty links exist again (start() polls every 10 ms)
      const back = performance.now();
      socatStart.push(back - replugged);
      const up = new Set<string>();
      await waitFor(
        () => {
          for (const d of devices)
            if (!up.has(d.id) && statusOf(d.id) === 'online') {
              up.add(d.id);
              online[d.id] = [...(online[d.id] ?? []), performance.now() - back];
            }
          return up.size === devices.length;
        },
        5000,
        `cycle ${cycle}: all online`,
      );

      expect(await job).toEqual({ ok: true });
      await waitFor(() => vLed.screen(1).lines[0] === `A${cycle}`, 2000, `cycle ${cycle}: LED restored`);
      await waitFor(() => vModbus.screen(1).lines[0] === `A${cycle} 请到1号窗口`, 2000, `cycle ${cycle}: Modbus restored`);
      await waitFor(() => events.filter((e) => e.type === 'key').length === keysBefore + 1, 2000, `cycle ${cycle}: key`);
      await waitFor(() => events.filter((e) => e.type === 'rating').length === ratingsBefore + 1, 2000, `cycle ${cycle}: rating`);
      // the reader's own end of the pty reopens on its own schedule: a card read before it is lost (as with a real reader)
      await waitFor(() => attachments[4]!.isOpen, 2000, `cycle ${cycle}: reader end open`);
      vId.read('11010519491231002X');
      await waitFor(() => events.filter((e) => e.type === 'idcard').length === idsBefore + 1, 2000, `cycle ${cycle}: id read`);
      await new Promise((r) => setTimeout(r, 100)); // a doubled event or page would show up now
      expect(vPrinter.pages.length).toBe(pagesBefore + 1);
      expect(vPrinter.pages.filter((p) => p.qr[0] === `q-${cycle}`)).toHaveLength(1);
      expect(events.filter((e) => e.type === 'key')).toHaveLength(keysBefore + 1);
      expect(events.filter((e) => e.type === 'rating').at(-1)).toMatchObject({ deviceId: 'rp', level: 1 + (cycle % 5) });
      expect(events.filter((e) => e.type === 'rating')).toHaveLength(ratingsBefore + 1);
      expect(events.filter((e) => e.type === 'idcard')).toHaveLength(idsBefore + 1);
    }
    const rows = devices.map(
      (d) =>
        `${kindOf[d.id]!.padEnd(13)} offline seen p50 ${pct(offline[d.id]!, 50).toFixed(0)} ms p99 ${pct(offline[d.id]!, 99).toFixed(0)} ms · ` +
        `back online p50 ${pct(online[d.id]!, 50).toFixed(0)} ms p99 ${pct(online[d.id]!, 99).toFixed(0)} ms`,
    );
    console.log(
      `${CYCLES} replug cycles per kind in ${((Date.now() - t0) / 1000).toFixed(1)} s (socat itself took p50 ${pct(socatStart, 50).toFixed(0)} ms to bring the ports back)\n${rows.join('\n')}`,
    );
    for (const d of devices) expect(pct(offline[d.id]!, 99), `${d.id} offline seen`).toBeLessThan(1500);
  }, 120_000);
});
