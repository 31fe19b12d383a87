// When node-hid cannot load (no libusb), configuring an HID device fails with a message naming the
// Debian package; nothing else needs node-hid.
import { describe, expect, it, vi } from 'vitest';

vi.mock('node-hid', () => {
  throw new Error('libusb-1.0.so.0: cannot open shared object file');
});

const { loadNodeHid, HidTransport } = await import('../../drivers/transports/hid.js');

describe('node-hid missing', () => {
  it('names libusb-1.0-0 and the apt-get command', async () => {
    await expect(loadNodeHid()).rejects.toThrow(/apt-get install -y libusb-1\.0-0/);
    await expect(new HidTransport(1, 2).open()).rejects.toThrow(/libusb-1\.0-0/);
  });
});
