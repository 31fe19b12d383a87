// `hallq devices` and `hallq print-test` against real serial ports (socat pty pairs): the command
// opens the pty through serialport like a USB adapter; a virtual printer on the other end decodes
// the page with the ESC/POS decoder and answers the status polls.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscPosPrinterDecoder, type PrinterEvent } from '../../drivers/protocols/escpos-decode.js';
import { VirtualPrinter } from '../../drivers/sim/printer.js';
import { attachToPty, type PtyAttachment } from '../../drivers/sim/pty.js';
import { SocatPair } from '../../drivers/sim/socat.js';
import { hallq, ROOT } from './helpers.js';

const printerPair = new SocatPair();
const silentPair = new SocatPair();
const printer = new VirtualPrinter('cli-printer');
let attachment: PtyAttachment;
const dir = mkdtempSync(join(tmpdir(), 'hallq-cli-dev-'));

beforeAll(async () => {
  await printerPair.start();
  await silentPair.start();
  attachment = attachToPty(printer, printerPair.b);
});
afterAll(async () => {
  await attachment?.close();
  await printerPair.dispose();
  await silentPair.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('hallq devices', () => {
  it('lists a pty passed by path as opening, with the config line, and node-hid’s list without crashing', async () => {
    const r = await hallq(['devices', '--json', printerPair.a]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.probed).toEqual([
      { path: printerPair.a, opens: true, config: `transport: { type: serial, path: ${printerPair.a}, baudRate: 9600 }` },
    ]);
    expect(Array.isArray(report.serial)).toBe(true);
    // an empty list is fine; a failure to load node-hid must name libusb, not crash
    if (Array.isArray(report.hid)) {
      for (const h of report.hid)
        expect(h.config).toMatch(/^transport: \{ type: hid, vendorId: 0x[0-9a-f]{4}, productId: 0x[0-9a-f]{4} \}$/);
    } else expect(report.hid.error).toMatch(/libusb-1\.0-0/);
  });

  it('prints the same in words, and a path that does not open fails with exit 1', async () => {
    const missing = join(dir, 'no-such-tty');
    const r = await hallq(['devices', silentPair.a, missing]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('串口 serial ports:');
    expect(r.out).toContain('HID 设备 HID devices:');
    expect(r.out).toContain(`${silentPair.a}: 可以打开 opens`);
    expect(r.out).toMatch(new RegExp(`${missing}: 无法打开 does not open: .+`));
  });
});

describe('hallq print-test', () => {
  it('prints a test page on a pty printer that the decoder reads, confirmed by its status reply', async () => {
    const before = printer.pages.length;
    const r = await hallq(['print-test', printerPair.a]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`test page printed on serial ${printerPair.a} 9600`);
    const page = printer.pages[before];
    expect(page).toBeDefined();
    const text = page!.lines.map((l) => l.text);
    expect(text[0]).toBe('打印测试 PRINT TEST');
    // the host wraps by width: the title is double height at normal width, so it stays one line on 58 mm
    expect(page!.lines[0]!.size).toBe('1x2');
    // the host wraps each line to the paper (58 mm: 32 columns, a Chinese character takes two): a long
    // line comes out as consecutive lines with nothing lost, and none runs off the paper
    const columns = (t: string) => [...t].reduce((n, ch) => n + ((ch.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);
    expect(page!.lines.filter((l) => l.size === '1x1' && columns(l.text) > 32)).toEqual([]);
    const printed = text.join('');
    expect(printed).toContain('中文：户政服务大厅 身份证 户口迁移');
    expect(printed).toContain(`接口 port: serial ${printerPair.a} 9600`);
    expect(page!.qr).toEqual(['hallq print test']);
    expect(page!.cut).toBe(true);
  });

  it('finds the printer by its device id in the hall config, with its paper width', async () => {
    const cfg = join(dir, 'hall.yaml');
    const demo = readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8');
    writeFileSync(
      cfg,
      demo.replace(
        /^devices:\n/m,
        `devices:\n  - { id: printer-80, kind: ticketPrinter, protocol: escpos, options: { paperWidth: 80 }, transport: { type: serial, path: ${printerPair.a}, baudRate: 9600 } }\n`,
      ),
    );
    const before = printer.pages.length;
    const r = await hallq(['print-test', 'printer-80', '--config', cfg]);
    expect(r.code).toBe(0);
    const text = printer.pages[before]!.lines.map((l) => l.text);
    expect(text).toContain('纸宽 paper: 48 列 columns');
    expect(text).toContain('-'.repeat(48));
    // the demo's own printer is simulated: nothing to print on, said plainly (usage error)
    const sim = await hallq(['print-test', 'printer-1', '--config', join(ROOT, 'config/demo-hall.yaml')]);
    expect(sim.code).toBe(2);
    expect(sim.err).toMatch(/simulated/);
    const unknown = await hallq(['print-test', 'nope', '--config', cfg]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('printer-80');
  });

  it('a printer that answers no status fails with a hint; --no-status still sends the page', async () => {
    const silent = await hallq(['print-test', silentPair.a, '--timeout', '2']);
    expect(silent.code).toBe(1);
    expect(silent.err).toMatch(/print failed on serial .* --no-status/);

    // a raw reader on the far end: the bytes decode into the page
    const events: PrinterEvent[] = [];
    const decoder = createEscPosPrinterDecoder((e) => events.push(e));
    const port = new SerialPort({ path: silentPair.b, baudRate: 9600 });
    port.on('data', (d: Buffer) => decoder.push(new Uint8Array(d)));
    await new Promise((r) => port.once('open', r));
    try {
      const r = await hallq(['print-test', silentPair.a, '--no-status']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/test page sent to .*not confirmed/);
      const t0 = Date.now();
      while (!events.some((e) => e.type === 'cut') && Date.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 20));
      expect(events.some((e) => e.type === 'line' && e.text === '打印测试 PRINT TEST')).toBe(true);
      expect(events.some((e) => e.type === 'qr' && e.data === 'hallq print test')).toBe(true);
      expect(events.some((e) => e.type === 'cut')).toBe(true);
    } finally {
      await new Promise((r) => port.close(() => r(undefined)));
    }
  });

  it('a missing device argument or a bad baud rate is a usage error', async () => {
    expect((await hallq(['print-test'])).code).toBe(2);
    const r = await hallq(['print-test', printerPair.a, '--baud', '12345']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--baud');
  });
});
