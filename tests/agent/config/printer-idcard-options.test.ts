// The options devices2 brought, as the config loader sees them through the registry: ESC/POS
// statusPolling and codePage, the SAM ID-card reader (idcard-sam) with its period and 115200 Bd
// default, and the warning (not an error) about configured text a GBK printer cannot print.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/config/load.js';
import { problems } from './problems.js';
import { lineSettings } from '../../../drivers/config.js';
import { LocalDeviceHost } from '../../../drivers/host/local.js';
import { protocolEntry, protocolsForKind } from '../../../drivers/registry/index.js';

const demo = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'config/demo-hall.yaml'), 'utf8');
const PRINTER = '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: sim }, options: { paperWidth: 80 } }';
const READER = '{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: sim } }';

const withPrinter = (options: string) => demo.replace(PRINTER, PRINTER.replace('{ paperWidth: 80 }', options));
const withReader = (line: string) => demo.replace(READER, line);

describe('escpos options', () => {
  it('accepts statusPolling and codePage and passes statusPolling to the printer', async () => {
    expect(demo).toContain(PRINTER);
    const cfg = parseConfig(withPrinter('{ paperWidth: 80, statusPolling: basic, codePage: gb18030 }'), 'config/hall.yaml', {});
    expect(cfg.devices.find((d) => d.id === 'printer-1')?.options).toEqual({ paperWidth: 80, statusPolling: 'basic', codePage: 'gb18030' });
    // a write-only printer says so on the board: the driver got the option
    const host = new LocalDeviceHost(
      cfg.devices.filter((d) => d.id === 'printer-1').map((d) => ({ ...d, options: { statusPolling: 'none' } })),
    );
    await host.start();
    try {
      const t0 = Date.now();
      while (host.list()[0]?.status !== 'online' && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(host.list()[0]?.detail).toMatch(/write-only/);
    } finally {
      await host.stop();
    }
  });

  it('a wrong statusPolling or codePage names the key path and the values allowed', () => {
    expect(problems(withPrinter('{ statusPolling: partial, codePage: big5 }'))).toEqual([
      'devices[0].options.statusPolling: expected one of "auto", "full", "basic", "none", got "partial"',
      'devices[0].options.codePage: expected one of "gbk", "gb18030", got "big5"',
    ]);
  });
});

describe('idcard-sam', () => {
  it('is an ID-reader protocol beside the keyboard-wedge ones, serial at 115200 Bd unless the config says otherwise', () => {
    expect(protocolsForKind('idReader')).toEqual(['idcard-serial', 'idcard-hid', 'idcard-sam']);
    const cfg = parseConfig(
      withReader(
        '{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: serial, path: /dev/ttyUSB3 }, options: { periodMs: 300 } }',
      ),
      'config/hall.yaml',
      {},
    );
    const d = cfg.devices.find((x) => x.id === 'id-reader-1')!;
    expect(lineSettings(d.transport, protocolEntry('idcard-sam')?.line).baudRate).toBe(115200);
    expect(d.options).toEqual({ periodMs: 300 });
    // a serial device of another protocol keeps 9600 when the rate is left out
    expect(lineSettings({ type: 'serial', path: '/dev/ttyUSB0' }, protocolEntry('rs485-keypad')?.line).baudRate).toBe(9600);
  });

  it('a bad period, an unknown option or a transport the reader cannot use is an error with the fix', () => {
    expect(
      problems(
        withReader(
          '{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: sim }, options: { periodMs: 5, beep: true } }',
        ),
      ),
    ).toEqual([
      'devices[2].options.beep: expected one of the known keys periodMs (unknown key), got true',
      'devices[2].options.periodMs: expected a whole number from 100 to 5000 (ms between find-card commands; the reader answers one in a few ms), got 5',
    ]);
    expect(
      problems(
        withReader('{ id: id-reader-1, kind: idReader, protocol: idcard-sam, transport: { type: hid, vendorId: 1, productId: 2 } }'),
      ),
    ).toEqual(['devices[2].transport.type: expected a serial or sim transport for protocol idcard-sam, got "hid"']);
  });
});

describe('text outside the printer code page', () => {
  const RARE = '𠮷'; // CJK extension B (the 吉 of some surnames): in GB18030, not in GBK
  const hallName = (text: string, name: string) => text.replace(/^( {2}name: ).*$/m, `$1${name}`);

  it('warns, naming the file, the key path and the characters, and still loads', () => {
    expect(hallName(demo, 'x')).not.toBe(demo);
    const text = hallName(demo, `刘${RARE}户政服务大厅`).replace('身份证', `身份证${RARE}😀`);
    const cfg = parseConfig(text, 'config/hall.yaml', {});
    expect(cfg.warnings.length).toBeGreaterThanOrEqual(2);
    expect(cfg.warnings[0]).toMatch(
      /^config\/hall\.yaml: hall\.name: the characters "𠮷" \(U\+20BB7\) are outside the GBK code page of devices\[0\] "printer-1"/,
    );
    expect(cfg.warnings[0]).toContain('codePage: gb18030');
    expect(
      cfg.warnings.some((w) =>
        /services\[\d+\]\.(name|materials\[\d+\]\.name)\.zh: the characters "𠮷" \(U\+20BB7\), "😀" \(U\+1F600\)/.test(w),
      ),
    ).toBe(true);
  });

  it('is quiet when every printer has a GB18030 font, and for the demo hall as shipped', () => {
    const text = withPrinter('{ paperWidth: 80, codePage: gb18030 }').replace(/^( {2}name: ).*$/m, `$1刘${RARE}大厅`);
    expect(parseConfig(text, 'config/hall.yaml', {}).warnings).toEqual([]);
    expect(parseConfig(demo, 'config/hall.yaml', {}).warnings).toEqual([]);
  });
});
