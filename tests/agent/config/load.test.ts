import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../../agent/config/load.js';
import { problems } from './problems.js';
import { agentEntry } from '../../helpers/agent-process.js';

const root = resolve(import.meta.dirname, '../../..');
const demoPath = join(root, 'config/demo-hall.yaml');
const demo = readFileSync(demoPath, 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'hallq-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hall config', () => {
  it('loads the demo hall with its services, counters and simulated devices', () => {
    const config = loadConfigFile(demoPath, {});
    expect(config.services.map((s) => s.name.zh)).toEqual(
      expect.arrayContaining(['身份证办理', '户口迁移', '出生登记', '居住证', '户籍证明', '综合咨询']),
    );
    expect(config.counters).toHaveLength(8);
    expect(config.counters.filter((c) => c.senior)).toHaveLength(1);
    expect(config.counters.filter((c) => c.green)).toHaveLength(1);
    const kinds = config.devices.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'ticketPrinter')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'counterDisplay')).toHaveLength(8);
    expect(kinds.filter((k) => k === 'hallDisplay')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'keypad')).toHaveLength(8);
    expect(kinds.filter((k) => k === 'ratingPad')).toHaveLength(8);
    expect(config.devices.every((d) => d.transport.type === 'sim')).toBe(true);
    expect(config.hall.timezone).toBe('Asia/Shanghai');
  });

  it('names the key path and the allowed values for a bad baud rate', () => {
    const bad = demo.replace(
      '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: sim }',
      '{ id: printer-1, kind: ticketPrinter, protocol: escpos, transport: { type: serial, path: /dev/ttyUSB0, baudRate: fast }',
    );
    expect(problems(bad)).toEqual([
      'devices[0].transport.baudRate: expected one of 2400, 4800, 9600, 19200, 38400, 57600, 115200, got "fast"',
    ]);
  });

  it('names an unknown transport type and the ones that exist', () => {
    const bad = demo.replace(
      '{ id: led-3, kind: counterDisplay, protocol: led-framed, counter: "3", address: 3, transport: { type: sim } }',
      '{ id: led-3, kind: counterDisplay, protocol: led-framed, counter: "3", address: 3, transport: { type: usb } }',
    );
    expect(problems(bad)).toEqual(['devices[5].transport.type: expected one of "serial", "hid", "tcp", "sim", got "usb"']);
  });

  it('refuses a counter that serves a service that does not exist', () => {
    const bad = demo.replace('services: [consultation, residence-permit]', 'services: [consultation, passport]');
    expect(problems(bad)[0]).toMatch(/^counters\[5\]\.services\[1\]: expected a service id from services\[\] .*got "passport"$/);
  });

  it('refuses duplicate prefixes, unknown keys, and devices bound to no counter', () => {
    const bad = demo
      .replace('prefix: B', 'prefix: A')
      .replace('voice: { repeat: 1, chime: true }', 'voice: { repeat: 1, chime: true, volume: 5 }')
      .replace(
        '{ id: pad-8, kind: ratingPad, protocol: rs485-keypad, counter: "8",',
        '{ id: pad-8, kind: ratingPad, protocol: rs485-keypad, counter: "9",',
      );
    const p = problems(bad);
    expect(p).toContain(
      'voice.volume: expected one of the known keys repeat, chime, leadIn, replayMaxAgeSeconds, checkMinutes (unknown key), got 5',
    );
    // cross-checks run only once the shape is right, so fix the shape and look again
    const p2 = problems(bad.replace(', volume: 5', ''));
    expect(p2).toContain('services[1].prefix: expected a prefix not used by services[0], got "A"');
    expect(p2.some((x) => x.startsWith('devices[26].counter: expected a counter id from counters[]'))).toBe(true);
  });

  it('checks device protocols against their kind, transport and keymap', () => {
    const pad8 = '{ id: pad-8, kind: ratingPad, protocol: rs485-keypad, counter: "8", address: 18, transport: { type: sim } }';
    expect(problems(demo.replace(pad8, pad8.replace('rs485-keypad', 'escpos')))).toEqual([
      'devices[26].protocol: expected a protocol that can drive a ratingPad (rs485-keypad or rs485-keypad-short or hid-keymap), got "escpos"',
    ]);
    const hidPad =
      '{ id: pad-8, kind: ratingPad, protocol: hid-keymap, counter: "8", transport: { type: hid, vendorId: 6790, productId: 57360 }, options: { keymap: { "0205": "rate:5", "02": "rate:9", "xyz": call } } }';
    expect(problems(demo.replace(pad8, hidPad))).toEqual([
      'devices[26].options.keymap.02: expected a key: call, recall, skip, transfer, pause, resume, start, finish, confirm, rate:1…rate:5 or digit:0…digit:9, got "rate:9"',
      'devices[26].options.keymap.xyz: expected a key that is an even-length hex report prefix such as "0101", got "xyz"',
    ]);
    expect(problems(demo.replace(pad8, hidPad.replace(', "02": "rate:9", "xyz": call', '')))).toEqual([]);
    expect(problems(demo.replace(pad8, pad8.replace('{ type: sim }', '{ type: hid, vendorId: 1, productId: 2 }')))).toEqual([
      'devices[26].transport.type: expected a serial, tcp or sim transport for protocol rs485-keypad, got "hid"',
    ]);
    expect(
      problems(demo.replace('protocol: modbus-display, counter: "7", address: 7', 'protocol: modbus-display, counter: "7", address: 0')),
    ).toEqual(['devices[9].address: expected a Modbus address from 1 to 247 (0 is broadcast and never answers), got 0']);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseConfig('hall: [unclosed', 'config/broken.yaml', {})).toThrow(/config\/broken\.yaml: .*YAML syntax/s);
  });

  it('takes the hall secret from HALLQ_SECRET before the file', () => {
    const config = parseConfig(demo, 'demo.yaml', { HALLQ_SECRET: 'a-very-long-real-hall-secret' });
    expect(config.hall.secret).toBe('a-very-long-real-hall-secret');
  });
});

describe('agent start-up with a bad config', () => {
  it('exits non-zero naming file and key path, and writes no database', () => {
    const file = join(tmp, 'hall.yaml');
    const dataDir = join(tmp, 'data');
    writeFileSync(file, demo.replace('port: 8080', 'port: 99999'));
    const r = spawnSync(process.execPath, [...agentEntry(), '--config', file, '--data', dataDir], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: server.port: expected a whole number from 0 to 65535, got 99999`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('exits non-zero with the path when the file does not exist', () => {
    const r = spawnSync(process.execPath, agentEntry(), {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HALLQ_CONFIG: join(tmp, 'missing.yaml') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('missing.yaml: cannot read the file (ENOENT)');
  });
});
