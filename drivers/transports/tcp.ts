// TCP transport: raw port-9100 printers and network LED controllers speak the same protocols.
import net from 'node:net';
import { BaseTransport } from './types.js';

export class TcpTransport extends BaseTransport {
  readonly kind = 'tcp' as const;
  readonly describe: string;
  private sock?: net.Socket;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs = 2000,
  ) {
    super();
    this.describe = `tcp:${host}:${port}`;
  }

  open(): Promise<void> {
    if (this.live) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host: this.host, port: this.port });
      sock.setTimeout(this.connectTimeoutMs, () => sock.destroy(new Error(`connect to ${this.describe} timed out`)));
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        sock.setTimeout(0);
        sock.setNoDelay(true);
        // a powered-off printer leaves a half-open socket: keepalive probes find it
        sock.setKeepAlive(true, 1000);
        const s = this.beginSession();
        this.sock = sock;
        sock.on('data', (d) => this.emitData(s, new Uint8Array(d.buffer, d.byteOffset, d.length)));
        sock.on('error', (e) => this.endSession(s, e));
        sock.on('close', () => this.endSession(s));
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const sock = this.sock;
    if (!sock || !this.live) return Promise.reject(new Error(`${this.describe} is not connected`));
    return new Promise((resolve, reject) => sock.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const s = this.session;
    this.sock?.destroy();
    this.sock = undefined;
    this.endSession(s);
  }
}
