import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HallBus } from '../../agent/bus.js';
import { createDeviceManager, type DeviceManagerImpl } from '../../agent/devices/manager.js';
import { CompositeHost } from '../../agent/satellite/composite-host.js';
import { type CommandChannel, RemoteHost } from '../../agent/satellite/remote-host.js';
import type { DeviceConfig } from '../../drivers/config.js';
import type { DeviceCommand } from '../../drivers/host/contract.js';
import { LocalDeviceHost } from '../../drivers/host/local.js';
import { call, hall, issue, logger, recorder, services, ticket, waitFor } from '../agent/devices/helpers.js';

/**
 * The hall's one device policy over the primary's own devices and a satellite's, as agent/hall.ts
 * composes it: the satellite's printer, display and keypad get what local ones would get.
 */
const local: DeviceConfig[] = [
  { id: 'printer-1', kind: 'ticketPrinter', protocol: 'escpos', transport: { type: 'sim' }, options: { kiosk: 'kiosk-1' } },
];
// as the primary's config lists them under satellites[].devices: no protocol, no transport
const remote = [
  { id: 'printer-k', kind: 'ticketPrinter' as const, options: { kiosk: 'kiosk-2', paperWidth: 80 as const } },
  { id: 'led-3', kind: 'counterDisplay' as const, counter: '3' },
  { id: 'keypad-3', kind: 'keypad' as const, counter: '3' },
];

const sent: { deviceId: string; command: DeviceCommand }[] = [];
const channel: CommandChannel = {
  timeout: () => ({
    emit(_ev, msg, cb) {
      sent.push(msg as (typeof sent)[number]);
      setImmediate(() => cb(null, { ok: true }));
    },
  }),
};

const bus = new HallBus();
const seen = recorder(bus);
const sat = new RemoteHost('sat-2', remote);
let manager: DeviceManagerImpl;

beforeAll(async () => {
  manager = createDeviceManager({
    host: new CompositeHost([new LocalDeviceHost(local, { printer: { pollMs: 50 } }), sat]),
    devices: [...local, ...remote],
    bus,
    hall,
    services,
    logger,
  });
  await manager.start();
  sat.connected(channel, [
    { id: 'printer-k', kind: 'ticketPrinter', protocol: 'escpos', transport: 'serial /dev/ttyUSB0', status: 'online', since: 1 },
    { id: 'led-3', kind: 'counterDisplay', protocol: 'led-framed', transport: 'serial /dev/ttyUSB1', status: 'online', since: 1, lines: 2 },
  ]);
});

afterAll(() => manager.stop());

describe('one device policy for local and satellite devices', () => {
  it("a kiosk's ticket prints on the printer beside that kiosk, on whichever PC it is, with that printer's paper width", async () => {
    const t2 = ticket();
    issue(bus, t2, { kiosk: 'kiosk-2' });
    const job = await waitFor(() => sent.find((s) => s.command.type === 'print'), 2000, 'the print on the satellite');
    expect(job.deviceId).toBe('printer-k');
    const blocks = (job.command as Extract<DeviceCommand, { type: 'print' }>).blocks;
    // 80 mm paper (the primary's config of the satellite printer): the larger number
    expect(blocks.find((b) => b.op === 'text' && b.text === t2.number)).toMatchObject({ size: 3 });
    await waitFor(() => seen.of('print.done').find((p) => p.ticketId === t2.id), 2000, 'print.done');

    const t1 = ticket();
    issue(bus, t1, { kiosk: 'kiosk-1' });
    const done = await waitFor(() => seen.of('print.done').find((p) => p.ticketId === t1.id), 5000, 'the local print');
    expect(done.deviceId).toBe('printer-1');
    expect(sent.filter((s) => s.command.type === 'print')).toHaveLength(1);
  });

  it("a call shows on the satellite's counter display and keypad; its key press reaches the bus at once, with the configured counter", () => {
    const t = ticket();
    call(bus, t, '3');
    expect(sent).toContainEqual({ deviceId: 'led-3', command: { type: 'show', lines: [t.number, '请到3号窗口'] } });
    expect(sent).toContainEqual({ deviceId: 'keypad-3', command: { type: 'keypadText', text: t.number } });

    // synchronous: the hub's intake wraps this in the transaction of the event's dedupe row
    sat.deliver({ type: 'key', deviceId: 'keypad-3', key: 'call' });
    expect(seen.of('device.key').at(-1)).toEqual({ deviceId: 'keypad-3', counter: '3', key: 'call' });
  });

  it('lists both PCs’ devices, the satellite ones with the states it reports', () => {
    const list = manager.list();
    expect(list.map((d) => d.id)).toEqual(['printer-1', 'printer-k', 'led-3', 'keypad-3']);
    expect(list.find((d) => d.id === 'keypad-3')).toMatchObject({ status: 'offline', counter: '3' });
    expect(list.find((d) => d.id === 'printer-k')).toMatchObject({ status: 'online', transport: 'satellite sat-2: serial /dev/ttyUSB0' });
  });
});
