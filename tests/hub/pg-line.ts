// A TCP line between the hub and PostgreSQL that can go silent: the connections it carries stay open
// but nothing passes any more, as when the database host vanished or a NAT forgot the flow. The hub
// gets no FIN and no error, and PostgreSQL has no backend for those connections. New connections pass.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface PgLine {
  port: number;
  /** every connection open now stops carrying bytes, both ways, without being closed */
  silence(): number;
  close(): Promise<void>;
}

export async function startPgLine(targetPort: number): Promise<PgLine> {
  const pairs = new Set<{ a: Socket; b: Socket; silent: boolean }>();
  const server: Server = createServer((a) => {
    const b = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair = { a, b, silent: false };
    pairs.add(pair);
    a.on('data', (d) => {
      if (!pair.silent) b.write(d);
    });
    b.on('data', (d) => {
      if (!pair.silent) a.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('close', end);
    b.on('close', () => {
      // a silent line does not pass the server's FIN on either
      if (!pair.silent) end();
    });
    a.on('error', () => {});
    b.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    silence() {
      for (const p of pairs) p.silent = true;
      return pairs.size;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const p of pairs) {
          p.a.destroy();
          p.b.destroy();
        }
        server.close(() => r());
      }),
  };
}
