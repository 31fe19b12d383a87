// Shape of a configured device as the hall config schema produces it. The schema lives in
// agent/config/; this file is the TypeScript contract both sides agree on.

export type BaudRate = 2400 | 4800 | 9600 | 19200 | 38400 | 57600 | 115200;
export type Parity = 'none' | 'even' | 'odd';

/** Line settings of a serial port. Unset fields take the protocol's default (Modbus RTU: 8E1), then 8N1. */
export interface SerialSettings {
  /** unset: the protocol's default rate, else 9600 */
  baudRate?: BaudRate;
  dataBits?: 7 | 8;
  parity?: Parity;
  stopBits?: 1 | 2;
  /** hardware flow control (RTS/CTS) */
  rtscts?: boolean;
  /** software flow control (XON/XOFF) */
  xonxoff?: boolean;
}

export type TransportConfig =
  | ({ type: 'serial'; path: string } & SerialSettings)
  | { type: 'hid'; vendorId: number; productId: number }
  | { type: 'tcp'; host: string; port: number }
  | { type: 'sim' };

export type DeviceKind = 'ticketPrinter' | 'counterDisplay' | 'hallDisplay' | 'keypad' | 'ratingPad' | 'idReader';

/** A protocol name from the registry (drivers/registry.ts). */
export type ProtocolName = string;

export interface DeviceConfig {
  id: string;
  kind: DeviceKind;
  protocol: ProtocolName;
  transport: TransportConfig;
  /** counterDisplay, keypad, ratingPad */
  counter?: string;
  /** RS-485 / LED / Modbus bus address; devices sharing a serial path share one bus */
  address?: number;
  /** protocol options, validated by the protocol's registry entry */
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

/** Fully resolved line settings: explicit config, else the protocol's default framing, else 8N1. */
export interface LineSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
  rtscts: boolean;
  xonxoff: boolean;
}

export function lineSettings(t: TransportConfig, protocolDefault: Partial<LineSettings> = {}): LineSettings {
  const s = t.type === 'serial' ? t : undefined;
  return {
    baudRate: s?.baudRate ?? protocolDefault.baudRate ?? 9600,
    dataBits: s?.dataBits ?? protocolDefault.dataBits ?? 8,
    parity: s?.parity ?? protocolDefault.parity ?? 'none',
    stopBits: s?.stopBits ?? protocolDefault.stopBits ?? 1,
    rtscts: s?.rtscts ?? protocolDefault.rtscts ?? false,
    xonxoff: s?.xonxoff ?? protocolDefault.xonxoff ?? false,
  };
}

/** "9600 8E1", "115200 8N1 RTS/CTS" */
export function describeLine(l: LineSettings): string {
  const flow = l.rtscts ? ' RTS/CTS' : l.xonxoff ? ' XON/XOFF' : '';
  return `${l.baudRate} ${l.dataBits}${l.parity[0]!.toUpperCase()}${l.stopBits}${flow}`;
}

/** Time on the wire of one character: start bit + data bits + parity bit + stop bits. */
export function charTimeMs(l: LineSettings): number {
  const bits = 1 + l.dataBits + (l.parity === 'none' ? 0 : 1) + l.stopBits;
  return (bits * 1000) / l.baudRate;
}
