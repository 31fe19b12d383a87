// Virtual ID-card reader: a serial line reader or a keyboard-wedge HID reader. It sends whatever it
// is given (valid or not): validation is the host's job. It keeps no number in its state.
import { encodeIdHid, encodeIdSerial } from '../protocols/idcard.js';
import { VirtualDevice } from './base.js';

export class VirtualIdReader extends VirtualDevice {
  reads = 0;
  constructor(
    name: string,
    readonly mode: 'serial' | 'hid',
  ) {
    super(name);
  }
  read(idNumber: string): void {
    this.reads++;
    if (this.mode === 'serial') this.send(encodeIdSerial(idNumber));
    else for (const r of encodeIdHid(idNumber)) this.send(r);
  }
  protected receive(): void {}
  state() {
    return { powered: this.powered, mode: this.mode, reads: this.reads };
  }
}
