// The devices: section, checked from the protocol registry: serial line settings per port, one
// framing per shared path (naming both devices), Modbus display models, pad poll periods.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/config/load.js';
import { problems } from './problems.js';

const demo = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'config/demo-hall.yaml'), 'utf8');

const KP1 = '{ id: keypad-1, kind: keypad, protocol: rs485-keypad, counter: "1", address: 1, transport: { type: sim } }';
const PAD1 = '{ id: pad-1, kind: ratingPad, protocol: rs485-keypad, counter: "1", address: 11, transport: { type: sim } }';
const LED7 = '{ id: led-7, kind: counterDisplay, protocol: modbus-display, counter: "7", address: 7, transport: { type: sim } }';
const on = (line: string, transport: string) => line.replace('{ type: sim }', transport);

describe('devices: serial ports', () => {
  it('accepts line settings per port and loads them', () => {
    const text = demo
      .replace(KP1, on(KP1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 19200, parity: even, stopBits: 1, dataBits: 8, rtscts: true }'))
      .replace(PAD1, on(PAD1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 19200, parity: even, rtscts: true }'));
    const cfg = parseConfig(text, 'config/hall.yaml', {});
    expect(cfg.devices.find((d) => d.id === 'pad-1')?.transport).toMatchObject({ parity: 'even', rtscts: true, baudRate: 19200 });
  });

  it('conflicting settings for one path are an error naming both devices', () => {
    const text = demo
      .replace(KP1, on(KP1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 9600 }'))
      .replace(PAD1, on(PAD1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 19200, stopBits: 2 }'));
    expect(problems(text)).toEqual([
      'devices[19].transport: expected the same line settings as devices[11] "keypad-1" on /dev/ttyUSB0 (9600 8N1); "pad-1" has 19200 8N2 — set baudRate, dataBits, parity, stopBits and flow control alike on both, got "19200 8N2"',
    ]);
  });

  it('Modbus defaults to 8E1: a keypad left at 8N1 on the same path conflicts; saying 8E1 on the keypad fixes it', () => {
    const modbus = on(LED7, '{ type: serial, path: /dev/ttyS1, baudRate: 9600 }');
    const text = demo.replace(LED7, modbus).replace(KP1, on(KP1, '{ type: serial, path: /dev/ttyS1, baudRate: 9600 }'));
    expect(problems(text)).toEqual([
      'devices[11].transport: expected the same line settings as devices[9] "led-7" on /dev/ttyS1 (9600 8E1); "keypad-1" has 9600 8N1 — set baudRate, dataBits, parity, stopBits and flow control alike on both, got "9600 8N1"',
    ]);
    expect(
      problems(
        text.replace(
          on(KP1, '{ type: serial, path: /dev/ttyS1, baudRate: 9600 }'),
          on(KP1, '{ type: serial, path: /dev/ttyS1, baudRate: 9600, parity: even }'),
        ),
      ),
    ).toEqual([]);
  });

  it('a printer cannot share a bus; two devices of one protocol cannot share an address; one flow control', () => {
    const printer = '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: sim }, options: { paperWidth: 80 } }';
    const text = demo
      .replace(printer, printer.replace('{ type: sim }', '{ type: serial, path: /dev/ttyUSB0, baudRate: 9600 }'))
      .replace(KP1, on(KP1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 9600, rtscts: true, xonxoff: true }'));
    const p = problems(text);
    expect(p).toContain('devices[11].transport.xonxoff: expected false when rtscts is true (one flow control per port), got true');
    expect(
      p.some((x) =>
        x.startsWith(
          'devices[0].transport.path: expected a port of its own: a escpos ticketPrinter cannot share /dev/ttyUSB0 (also used by keypad-1)',
        ),
      ),
    ).toBe(true);
    const k2 = '{ id: keypad-2, kind: keypad, protocol: rs485-keypad, counter: "2", address: 2, transport: { type: sim } }';
    const dup = demo
      .replace(KP1, on(KP1, '{ type: serial, path: /dev/ttyUSB0, baudRate: 9600 }'))
      .replace(k2, on(k2, '{ type: serial, path: /dev/ttyUSB0, baudRate: 9600 }').replace('address: 2', 'address: 1'));
    expect(problems(dup)).toEqual([
      'devices[12].address: expected an address not used by devices[11] "keypad-1" on the same bus /dev/ttyUSB0, got 1',
    ]);
  });
});

describe('devices: protocol options from the registry', () => {
  it('more lines than the Modbus display model has is an error, not a silent drop', () => {
    expect(problems(demo.replace(LED7, `${LED7.slice(0, -2)}, options: { lines: 6 } }`))).toEqual([
      'devices[9].options.lines: expected a whole number from 1 to 4 (the display model has 4 lines; set options.model.lines if it has more), got 6',
    ]);
    const model = ', options: { lines: 3, model: { lines: 3, lineRegisters: 8, lineStride: 8, textRegister: 512, encoding: gbk } } }';
    expect(problems(demo.replace(LED7, `${LED7.slice(0, -2)}${model}`))).toEqual([]);
    const bad = ', options: { lines: 2, model: { lineRegisters: 20, lineStride: 16, encoding: utf8, colour: red } } }';
    expect(problems(demo.replace(LED7, `${LED7.slice(0, -2)}${bad}`))).toEqual([
      'devices[9].options.model.colour: expected one of the known keys textRegister, lineStride, lineRegisters, lines, brightnessRegister, commandRegister, clearValue, encoding (unknown key), got "red"',
      'devices[9].options.model.encoding: expected one of "gb18030", "gbk", "utf16be", got "utf8"',
      'devices[9].options.model.lineRegisters: expected at most lineStride (16): lines would overlap, got 20',
    ]);
  });

  it('the second LED vendor (led-crc16) is a protocol the config knows; pads take a poll period', () => {
    const led1 = '{ id: led-1, kind: counterDisplay, protocol: led-framed, counter: "1", address: 1, transport: { type: sim } }';
    expect(problems(demo.replace(led1, led1.replace('led-framed', 'led-crc16')))).toEqual([]);
    expect(problems(demo.replace(KP1, `${KP1.slice(0, -2)}, options: { pollMs: 5 } }`))).toEqual([
      'devices[11].options.pollMs: expected a whole number from 20 to 5000, got 5',
    ]);
    expect(problems(demo.replace(led1, led1.replace('led-framed', 'led-9000')))[0]).toMatch(
      /^devices\[3\]\.protocol: expected one of .*"led-crc16"/,
    );
  });
});
