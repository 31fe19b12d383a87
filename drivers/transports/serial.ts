// Serial transport over `serialport`. Unplug facts: no close event comes on unplug; the next write
// fails with EIO (then 'close' fires, sometimes twice). Devices that never write (a keypad that only
// talks) would never notice, so the port path is also watched: a USB-serial adapter's /dev node
// (or a socat link) disappears on unplug.
import { access } from 'node:fs/promises';
import { BaseTransport } from './types.js';

/** The part of SerialPort we use, so tests can pass serialport's own SerialPortMock. */
export interface SerialPortLike {
  open(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  close(cb?: (err: Error | null) => void): void;
  on(ev: 'data', fn: (d: Buffer) => void): unknown;
  on(ev: 'close' | 'error', fn: (e?: Error) => void): unknown;
  removeAllListeners(): unknown;
  readonly isOpen: boolean;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  autoOpen: false;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  rtscts?: boolean;
  xon?: boolean;
  xoff?: boolean;
}

export type SerialPortFactory = (o: SerialOpenOptions) => SerialPortLike;

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  rtscts?: boolean;
  xonxoff?: boolean;
  factory?: SerialPortFactory;
  /** ms between checks that the path still exists; 0 disables (mock ports have no path) */
  watchMs?: number;
}

export class SerialTransport extends BaseTransport {
  readonly kind = 'serial' as const;
  readonly describe: string;
  private port?: SerialPortLike;
  private watch?: NodeJS.Timeout;
  readonly flowControl: boolean;

  constructor(private readonly o: SerialTransportOptions) {
    super();
    this.flowControl = !!(o.rtscts || o.xonxoff);
    const p = o.parity ?? 'none';
    const framing = `${o.dataBits ?? 8}${p[0]!.toUpperCase()}${o.stopBits ?? 1}`;
    // 8N1 keeps the short form the board and logs always showed
    this.describe = `serial:${o.path}@${o.baudRate}${framing === '8N1' ? '' : ` ${framing}`}`;
  }

  async open(): Promise<void> {
    if (this.live) return;
    // serialport (and its native binding) loads on the first real open: a hall whose devices are all
    // simulated or on TCP starts without it.
    const factory: SerialPortFactory =
      this.o.factory ?? (await import('serialport').then((m) => (opts) => new m.SerialPort(opts) as unknown as SerialPortLike));
    const port = factory({
      path: this.o.path,
      baudRate: this.o.baudRate,
      autoOpen: false,
      dataBits: this.o.dataBits ?? 8,
      parity: this.o.parity ?? 'none',
      stopBits: this.o.stopBits ?? 1,
      rtscts: this.o.rtscts ?? false,
      xon: this.o.xonxoff ?? false,
      xoff: this.o.xonxoff ?? false,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const s = this.beginSession();
    this.port = port;
    port.on('data', (d: Buffer) => this.emitData(s, new Uint8Array(d.buffer, d.byteOffset, d.length)));
    port.on('error', (e?: Error) => this.finish(s, port, e));
    port.on('close', (e?: Error) => this.finish(s, port, e));
    // 100 ms: an unplugged adapter shows as offline at once, and access() is cheap
    const watchMs = this.o.watchMs ?? (this.o.factory ? 0 : 100);
    if (watchMs > 0) {
      this.watch = setInterval(() => {
        access(this.o.path).catch(() => this.finish(s, port, new Error(`${this.o.path} disappeared`)));
      }, watchMs);
      this.watch.unref();
    }
  }

  private finish(s: number, port: SerialPortLike, err?: Error): void {
    if (s !== this.session) return;
    clearInterval(this.watch);
    this.endSession(s, err);
    // release the fd of a dead port so the same path can be reopened when it comes back
    if (port.isOpen) port.close(() => {});
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    const s = this.session;
    if (!port || !this.live) return Promise.reject(new Error(`${this.describe} is not open`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) => {
        if (err) {
          this.finish(s, port, err);
          reject(err);
        } else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.finish(this.session, port);
    port.removeAllListeners();
    // a write still pending on the dead port fails later with EIO, and serialport reports it as
    // 'error' too: with no listener that would be an uncaught exception and the agent would exit
    port.on('error', () => {});
    this.port = undefined;
  }
}
