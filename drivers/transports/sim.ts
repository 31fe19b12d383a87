// In-process transport to a virtual device (demo hall, unit tests). Delivery is asynchronous in
// both directions, like real I/O, so nothing re-enters a caller's stack.
import type { VirtualDevice } from '../sim/base.js';
import { BaseTransport } from './types.js';

export class SimTransport extends BaseTransport {
  readonly kind = 'sim' as const;
  readonly describe: string;

  constructor(readonly device: VirtualDevice) {
    super();
    this.describe = `sim:${device.name}`;
  }

  async open(): Promise<void> {
    if (this.live) return;
    if (!this.device.powered) throw new Error(`${this.describe} is powered off`);
    const s = this.beginSession();
    this.device.attach({
      send: (bytes) => setImmediate(() => this.emitData(s, bytes)),
      unplug: () => this.endSession(s, new Error(`${this.describe} unplugged`)),
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.live || !this.device.powered) {
      const err = new Error(`${this.describe}: EIO`);
      this.endSession(this.session, err);
      throw err;
    }
    const copy = bytes.slice();
    setImmediate(() => this.device.input(copy));
  }

  async close(): Promise<void> {
    this.endSession(this.session);
    this.device.detach();
  }
}
