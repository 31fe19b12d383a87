import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../agent/config/load.js';
import { loadSatelliteConfigFile, parseSatelliteConfig } from '../../agent/satellite/config.js';
import { agentEntry } from '../helpers/agent-process.js';
import { DEMO, ROOT } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'hallq-satcfg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function problems(parse: () => unknown): string[] {
  try {
    parse();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const primary = (satellites: string, devices = '') => `extends: ${DEMO}\n${devices}satellites:\n${satellites}`;

describe('primary config: satellites', () => {
  it('loads the demo hall with its satellite through extends', () => {
    const c = loadConfigFile(join(ROOT, 'config/demo-hall-satellites.yaml'), {});
    expect(c.counters).toHaveLength(8);
    expect(c.satellites).toEqual([
      expect.objectContaining({
        id: 'demo-entrance-pc',
        revoked: false,
        maxClockSkewSeconds: 5,
        devices: expect.arrayContaining([expect.objectContaining({ id: 'printer-2' })]),
      }),
    ]);
  });

  it('names the key path and the fix for each mistake', () => {
    const text = primary(`  - id: a
    token: short
    devices: [{ id: led-1, kind: counterDisplay, counter: "1" }]
  - id: b
    devices:
      - { id: x-1, kind: keypad }
      - { id: x-2, kind: ratingPad, counter: "99" }
  - id: c
    token: cccccccccccccccccccccc
    devices: [{ id: x-1, kind: hallDisplay }]
`);
    expect(problems(() => parseConfig(text, 'hall.yaml', {}))).toEqual([
      'satellites[0].token: expected a token of at least 16 characters, got "short"',
    ]);
    const fixed = text.replace('token: short', 'token: aaaaaaaaaaaaaaaaaaaaaa');
    expect(problems(() => parseConfig(fixed, 'hall.yaml', {}))).toEqual([
      'satellites[0].devices[0].id: expected a device id not also in devices[] (a device has one owner), got "led-1"',
      'satellites[1]: expected exactly one of token or tokenSha256, got nothing',
      'satellites[1].devices[0].counter: expected the counter id this keypad belongs to, got nothing',
      'satellites[1].devices[1].counter: expected a counter id from counters[] (1, 2, 3, 4, 5, 6, 7, 8), got "99"',
      'satellites[2].devices[0].id: expected a device id not already assigned to satellite b, got "x-1"',
    ]);
  });

  it('refuses a satellite config given as a hall config, and a bad extends', () => {
    expect(problems(() => parseConfig(`extends: ${DEMO}\nrole: satellite\n`, 'hall.yaml', {}))).toEqual([
      'role: expected "primary" in a hall config (a satellite config has only role, primary, server and devices), got "satellite"',
    ]);
    expect(problems(() => parseConfig('extends: nowhere.yaml\n', join(tmp, 'hall.yaml'), {}))[0]).toMatch(
      /^extends: cannot read .*nowhere\.yaml \(ENOENT\)/,
    );
  });
});

describe('satellite config', () => {
  const ok = `role: satellite
primary: { url: "http://192.0.2.10:8080", satellite: kiosk-pc, token: kiosk-pc-token-0123456789 }
devices:
  - { id: printer-k, kind: ticketPrinter, protocol: escpos, transport: { type: serial, path: /dev/ttyUSB0, baudRate: 115200 } }
`;

  it('loads the demo satellite; HALLQ_SATELLITE_TOKEN overrides the file', () => {
    const c = loadSatelliteConfigFile(join(ROOT, 'config/demo-satellite.yaml'), {});
    expect(c.primary).toMatchObject({ url: 'http://127.0.0.1:8080', satellite: 'demo-entrance-pc', batchSize: 100 });
    expect(c.devices.map((d) => d.id)).toEqual(['printer-2', 'hall-display-2']);
    expect(parseSatelliteConfig(ok, 's.yaml', { HALLQ_SATELLITE_TOKEN: 'from-the-environment-123' }).primary.token).toBe(
      'from-the-environment-123',
    );
  });

  it('names the key path for a bad primary URL, a missing token and a protocol that cannot drive the kind', () => {
    const bad = ok
      .replace('"http://192.0.2.10:8080"', '"192.0.2.10:8080"')
      .replace(', token: kiosk-pc-token-0123456789', '')
      .replace('protocol: escpos', 'protocol: led-framed');
    expect(problems(() => parseSatelliteConfig(bad, 's.yaml', {}))).toEqual([
      'primary.url: expected the primary agent URL such as http://192.0.2.10:8080, got "192.0.2.10:8080"',
      'primary.token: expected this satellite token (at least 16 characters), as set in the primary config, got nothing',
    ]);
    expect(problems(() => parseSatelliteConfig(ok.replace('protocol: escpos', 'protocol: led-framed'), 's.yaml', {}))).toEqual([
      'devices[0].protocol: expected a protocol that can drive a ticketPrinter (escpos), got "led-framed"',
    ]);
  });

  it("checks the devices against the protocol registry like a hall's devices[]: options, shared ports; counters are the primary's", () => {
    const wrongOption = ok.replace('baudRate: 115200 }', 'baudRate: 115200 }, options: { paperWidth: 70 }');
    expect(problems(() => parseSatelliteConfig(wrongOption, 's.yaml', {}))).toEqual([
      expect.stringMatching(/^devices\[0\]\.options\.paperWidth: expected .*58.*80.*got 70$/),
    ]);
    const sharedPrinterPort = `${ok}  - { id: pad-k, kind: ratingPad, protocol: rs485-keypad, address: 11, transport: { type: serial, path: /dev/ttyUSB0, baudRate: 115200 } }\n`;
    expect(problems(() => parseSatelliteConfig(sharedPrinterPort, 's.yaml', {})).join('\n')).toMatch(
      /devices\[0\]\.transport\.path: expected a port of its own/,
    );
    // no counter here: the primary's satellites[].devices says which counter the pad serves
    const pad =
      ok.replace('/dev/ttyUSB0', '/dev/ttyUSB1') +
      '  - { id: pad-k, kind: ratingPad, protocol: rs485-keypad, address: 11, transport: { type: serial, path: /dev/ttyUSB0, baudRate: 9600 } }\n';
    expect(problems(() => parseSatelliteConfig(pad, 's.yaml', {}))).toEqual([]);
  });

  it('a satellite config started as the program refuses to start with the reason, touching nothing', async () => {
    const file = join(tmp, 'bad-satellite.yaml');
    writeFileSync(file, ok.replace('kiosk-pc-token-0123456789', 'short'));
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [...agentEntry(), '--config', file, '--data', join(tmp, 'data')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: primary.token: expected this satellite token`);
  }, 70_000);
});
