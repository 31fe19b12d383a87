// Shape of a configured device as the hall config schema produces it. The schema lives in config/;
// this file is the TypeScript contract both sides agree on.

export type BaudRate = 2400 | 4800 | 9600 | 19200 | 38400 | 57600 | 115200;

export type TransportConfig =
  | { type: 'serial'; path: string; baudRate: BaudRate }
  | { type: 'hid'; vendorId: number; productId: number }
  | { type: 'tcp'; host: string; port: number }
  | { type: 'sim' };

export type DeviceKind = 'ticketPrinter' | 'counterDisplay' | 'hallDisplay' | 'keypad' | 'ratingPad' | 'idReader';

export type ProtocolName = 'escpos' | 'rs485-keypad' | 'led-framed' | 'modbus-display' | 'hid-keymap' | 'idcard-serial' | 'idcard-hid';

/** Which protocols can drive which kind of device. */
export const PROTOCOLS_FOR_KIND: Record<DeviceKind, readonly ProtocolName[]> = {
  ticketPrinter: ['escpos'],
  counterDisplay: ['led-framed', 'modbus-display'],
  hallDisplay: ['led-framed', 'modbus-display'],
  keypad: ['rs485-keypad', 'hid-keymap'],
  ratingPad: ['rs485-keypad', 'hid-keymap'],
  idReader: ['idcard-serial', 'idcard-hid'],
};

export interface DeviceConfig {
  id: string;
  kind: DeviceKind;
  protocol: ProtocolName;
  transport: TransportConfig;
  /** counterDisplay, keypad, ratingPad */
  counter?: string;
  /** RS-485 / LED / Modbus bus address; devices sharing a serial path share one transport */
  address?: number;
  /** protocol options, e.g. { paperWidth: 58 | 80 } for escpos, { keymap: {...} } for hid-keymap */
  options?: Record<string, unknown>;
}

/** Devices with the same key share one transport (an RS-485 bus on one serial path). */
export function transportKey(t: TransportConfig, deviceId: string): string {
  switch (t.type) {
    case 'serial':
      return `serial:${t.path}`;
    case 'tcp':
      return `tcp:${t.host}:${t.port}`;
    case 'hid':
      return `hid:${t.vendorId.toString(16)}:${t.productId.toString(16)}`;
    case 'sim':
      // every simulated device is its own virtual wire
      return `sim:${deviceId}`;
  }
}
