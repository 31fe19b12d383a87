// HID transport with node-hid mocked: no unplug event exists, so a read error ends the session and
// the link re-opens only once HID.devices() lists the pad again.
import type { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const hid = vi.hoisted(() => ({ present: true, opened: [] as Array<import('node:events').EventEmitter> }));

vi.mock('node-hid', async () => {
  const { EventEmitter: EE } = await import('node:events');
  class FakeHid extends EE {
    async write(_b: number[]) {
      return 1;
    }
    async close() {}
  }
  return {
    devicesAsync: async () => (hid.present ? [{ vendorId: 0x1234, productId: 0x5678 }] : []),
    HIDAsync: {
      open: async () => {
        const d = new FakeHid();
        hid.opened.push(d);
        return d;
      },
    },
  };
});

const { Link } = await import('../../drivers/link.js');
const { HidTransport } = await import('../../drivers/transports/hid.js');
const { InputDevice } = await import('../../drivers/devices/input.js');
const { createHidKeymapDecoder, DEFAULT_KEYMAP } = await import('../../drivers/protocols/hid-keymap.js');

async function waitFor(fn: () => boolean, ms = 2000) {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('hid transport (node-hid mocked)', () => {
  it('decodes reports, goes offline on a read error, re-opens when the device is listed again', async () => {
    const events: unknown[] = [];
    const link = new Link(new HidTransport(0x1234, 0x5678), { minBackoffMs: 20, maxBackoffMs: 100 });
    const dev = new InputDevice(
      link,
      createHidKeymapDecoder(DEFAULT_KEYMAP, (e) => events.push(e)),
    );
    link.start();
    await waitFor(() => dev.cell.status === 'online');
    const first = hid.opened[0] as EventEmitter;
    first.emit('data', Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]));
    first.emit('data', Buffer.from([1, 1, 0, 0, 0, 0, 0, 0])); // held key: no repeat
    first.emit('data', Buffer.alloc(8));
    first.emit('data', Buffer.from([2, 4, 0, 0, 0, 0, 0, 0]));
    expect(events).toEqual([
      { type: 'key', key: 'call' },
      { type: 'rating', level: 4 },
    ]);

    hid.present = false;
    first.emit('error', new Error('could not read from HID device'));
    expect(dev.cell.status).toBe('offline');
    await new Promise((r) => setTimeout(r, 200));
    expect(hid.opened.length).toBe(1); // not listed → not re-opened
    hid.present = true;
    const t0 = Date.now();
    await waitFor(() => dev.cell.status === 'online');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(hid.opened.length).toBe(2);
    await link.stop();
  });
});
