// One interface for LED counter and hall displays. A vendor is one file implementing it
// (led-framed.ts, modbus-display.ts); the display device and the manager only see this.

export interface DisplayCommand {
  type: 'show' | 'clear' | 'brightness';
  lines?: string[];
  /** 0..100 % */
  level?: number;
}

export interface DisplayProtocol {
  readonly name: string;
  encode(addr: number, cmd: DisplayCommand): Uint8Array[];
  /** host side: decodes the display's acknowledgements; never throws */
  createAckDecoder(onAck: (ack: { addr: number; ok: boolean }) => void): (chunk: ArrayLike<number>) => void;
}

/** What a display (real or virtual) understood from a frame. */
export type DisplayRequest =
  | { addr: number; type: 'show'; lines: string[] }
  | { addr: number; type: 'clear' }
  | { addr: number; type: 'brightness'; level: number };
