// One interface for LED counter and hall displays. A vendor is one file implementing it
// (led-framed.ts, led-crc16.ts, modbus-display.ts) plus one registry entry; the display device,
// the bus and the simulator only see this.

export interface DisplayCommand {
  type: 'show' | 'clear' | 'brightness';
  lines?: string[];
  /** 0..100 % */
  level?: number;
}

/** A display's answer to one frame. */
export interface DisplayAck {
  addr: number;
  ok: boolean;
  /** not ok: the display is busy, try again later (Modbus exception 06) */
  busy?: boolean;
  /** not ok: the request itself is wrong and will fail again (Modbus 01/02/03): show the detail on the board */
  fatal?: boolean;
  /** e.g. "Modbus exception 02: illegal data address" */
  detail?: string;
  /** the answer's bytes, for protocols that match an answer to its request (DisplayProtocol.answers) */
  raw?: Uint8Array;
}

export interface DisplayProtocol {
  readonly name: string;
  encode(addr: number, cmd: DisplayCommand): Uint8Array[];
  /** host side: decodes the display's answers; never throws */
  createAckDecoder(onAck: (ack: DisplayAck) => void): (chunk: ArrayLike<number>) => void;
  /**
   * does this answer belong to this request (beyond the address)? Absent: any answer of the address.
   * Modbus: the function (or its exception) and, for 06/16, the echoed register and value / quantity.
   */
  answers?(request: Uint8Array, ack: DisplayAck): boolean;
  /** replies carry no transaction id: hold the display's next frame this long after a timeout (Bus lateMs) */
  readonly lateMs?: number;
  /**
   * Display side (simulators): decodes the host's frames. `reply(ok)` gives the bytes the display
   * answers with (undefined: the protocol does not answer, e.g. a broadcast).
   */
  createDeviceDecoder(
    onRequest: (req: DisplayRequest | undefined, reply: (ok: boolean) => Uint8Array | undefined) => void,
  ): (chunk: ArrayLike<number>) => void;
}

/** What a display (real or virtual) understood from a frame. */
export type DisplayRequest =
  /** `from`: index of the first line written (a display written line by line); default 0 = the whole screen */
  | { addr: number; type: 'show'; lines: string[]; from?: number }
  | { addr: number; type: 'clear' }
  | { addr: number; type: 'brightness'; level: number };
