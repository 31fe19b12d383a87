// Input-only devices (HID pads, ID readers): a decoder on the link's bytes and a status that follows
// the link. For HID a read error ends the session; the link re-opens by polling HID.devices().
import type { Link } from '../link.js';
import { StatusCell } from './status.js';

export class InputDevice {
  readonly cell = new StatusCell();
  constructor(
    readonly link: Link,
    decode: (chunk: Uint8Array) => void,
  ) {
    link.onData(decode);
    link.onUp(() => this.cell.set('online'));
    link.onDown((err) => this.cell.set('offline', err?.message ?? 'connection lost'));
  }
}
