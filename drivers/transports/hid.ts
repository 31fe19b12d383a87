// HID transport via node-hid HIDAsync. node-hid is loaded lazily, only when an HID device is
// configured, so a hall (or the demo) without HID devices needs nothing from apt.
// No unplug event exists: a read error ends the session; open() polls HID.devices() for the return.
import { BaseTransport } from './types.js';

type NodeHid = typeof import('node-hid');
let loaded: Promise<NodeHid> | undefined;

export function loadNodeHid(): Promise<NodeHid> {
  loaded ??= import('node-hid')
    // CJS module: named exports when Node's lexer finds them, else everything on default
    .then((m) => (typeof (m as Partial<NodeHid>).devicesAsync === 'function' ? m : (m as unknown as { default: NodeHid }).default))
    .catch((err: unknown) => {
      loaded = undefined;
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `HID devices need node-hid, which failed to load (${why}). On Debian install libusb: apt-get install -y libusb-1.0-0`,
      );
    });
  return loaded;
}

export class HidTransport extends BaseTransport {
  readonly kind = 'hid' as const;
  readonly describe: string;
  private dev?: import('node-hid').HIDAsync;

  constructor(
    private readonly vendorId: number,
    private readonly productId: number,
  ) {
    super();
    const h = (n: number) => n.toString(16).padStart(4, '0');
    this.describe = `hid:${h(vendorId)}:${h(productId)}`;
  }

  async open(): Promise<void> {
    if (this.live) return;
    const HID = await loadNodeHid();
    const present = await HID.devicesAsync(this.vendorId, this.productId);
    if (present.length === 0) throw new Error(`${this.describe} not present`);
    const dev = await HID.HIDAsync.open(this.vendorId, this.productId);
    const s = this.beginSession();
    this.dev = dev;
    dev.on('data', (d: Buffer) => this.emitData(s, new Uint8Array(d)));
    dev.on('error', (e: Error) => {
      this.endSession(s, e);
      dev.close().catch(() => {});
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const dev = this.dev;
    if (!dev || !this.live) throw new Error(`${this.describe} is not open`);
    try {
      await dev.write(Array.from(bytes));
    } catch (err) {
      this.endSession(this.session, err as Error);
      throw err;
    }
  }

  async close(): Promise<void> {
    const dev = this.dev;
    this.dev = undefined;
    this.endSession(this.session);
    await dev?.close().catch(() => {});
  }
}
