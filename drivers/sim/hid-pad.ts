// Virtual HID keypad / rating pad: sends the keymap's report then the all-zero release report.
import { DEFAULT_KEYMAP, encodeHidReport, type HidPadEvent, type Keymap } from '../protocols/hid-keymap.js';
import { VirtualDevice } from './base.js';

export class VirtualHidPad extends VirtualDevice {
  presses = 0;
  constructor(
    name: string,
    private readonly keymap: Keymap = DEFAULT_KEYMAP,
  ) {
    super(name);
  }
  emit(event: HidPadEvent): void {
    const report = encodeHidReport(this.keymap, event);
    this.presses++;
    this.send(report);
    this.send(new Uint8Array(report.length));
  }
  protected receive(): void {
    // pads have no output reports we use
  }
  state() {
    return { powered: this.powered, presses: this.presses };
  }
}
