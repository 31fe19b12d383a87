// An HTTP proxy in front of the hub that misbehaves on purpose: answers 500 without forwarding,
// or forwards (so the hub stores the batch) and then drops the connection before the answer.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Chaos {
  url: string;
  stats: { forwarded: number; failed500: number; dropped: number; rejected400: number };
  set(o: Partial<ChaosOptions>): void;
  close(): Promise<void>;
}

export interface ChaosOptions {
  p500: number;
  pDrop: number;
  delayMs: number;
  /** answer 400 to any batch whose body contains this text (a hub that refuses one record wholesale) */
  reject400If?: string;
  random: () => number;
}

export async function startChaosProxy(target: string, opts: Partial<ChaosOptions> = {}): Promise<Chaos> {
  const o: ChaosOptions = { p500: 0, pDrop: 0, delayMs: 0, random: Math.random, ...opts };
  const t = new URL(target);
  const stats = { forwarded: 0, failed500: 0, dropped: 0, rejected400: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      if (o.reject400If && body.includes(o.reject400If)) {
        stats.rejected400++;
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'refused', message: 'refused by policy' } }));
        return;
      }
      if (o.random() < o.p500) {
        stats.failed500++;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"boom","message":"chaos"}}');
        return;
      }
      const drop = o.random() < o.pDrop;
      const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
        const parts: Buffer[] = [];
        ur.on('data', (c) => parts.push(c));
        ur.on('end', () => {
          stats.forwarded++;
          if (drop) {
            // The hub has committed; the hall never hears so. Half the answer, then the line goes dead.
            stats.dropped++;
            res.writeHead(ur.statusCode ?? 200, {
              'content-type': 'application/json',
              'content-length': String(Buffer.concat(parts).length),
            });
            res.write(Buffer.concat(parts).subarray(0, 5));
            res.socket?.destroy();
            return;
          }
          res.writeHead(ur.statusCode ?? 502, ur.headers).end(Buffer.concat(parts));
        });
      });
      up.on('error', () => res.socket?.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    set(n) {
      Object.assign(o, n);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
