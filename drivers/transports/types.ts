// A transport moves bytes and reports when its session ends. It knows no protocol.
// One open() starts a session; the session ends exactly once (close may be signalled twice by the
// underlying library — the base class swallows the repeat).

export interface Transport {
  /** for logs and the device list, e.g. "serial:/dev/ttyUSB0" */
  readonly describe: string;
  readonly kind: 'serial' | 'hid' | 'tcp' | 'sim';
  readonly isOpen: boolean;
  /** hardware flow control is on (RTS/CTS or XON/XOFF): the far end may hold a write for a long time */
  readonly flowControl?: boolean;
  /** rejects when the device is not there; the supervisor retries with backoff */
  open(): Promise<void>;
  /** resolves when the bytes left this process; rejects (and ends the session) on I/O error */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  onData(fn: (chunk: Uint8Array) => void): void;
  /** the session ended: unplug, I/O error, remote close or close() */
  onClose(fn: (err?: Error) => void): void;
}

export abstract class BaseTransport implements Transport {
  abstract readonly describe: string;
  abstract readonly kind: Transport['kind'];
  private dataFns: Array<(c: Uint8Array) => void> = [];
  private closeFns: Array<(e?: Error) => void> = [];
  protected session = 0;
  protected live = false;

  get isOpen(): boolean {
    return this.live;
  }
  onData(fn: (chunk: Uint8Array) => void): void {
    this.dataFns.push(fn);
  }
  onClose(fn: (err?: Error) => void): void {
    this.closeFns.push(fn);
  }
  protected beginSession(): number {
    this.live = true;
    return ++this.session;
  }
  protected emitData(session: number, chunk: Uint8Array): void {
    if (session !== this.session || !this.live) return;
    for (const fn of this.dataFns) {
      try {
        fn(chunk);
      } catch {
        // a protocol bug must not kill the transport; decoders are written not to throw
      }
    }
  }
  /** idempotent per session: a second 'close' from the library is ignored */
  protected endSession(session: number, err?: Error): void {
    if (session !== this.session || !this.live) return;
    this.live = false;
    for (const fn of this.closeFns) {
      try {
        fn(err);
      } catch {
        /* listeners must not break the close path */
      }
    }
  }
  abstract open(): Promise<void>;
  abstract write(bytes: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;
}
