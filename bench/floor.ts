// The floor under the kiosk path: a loopback HTTP POST to a fastify server that does nothing (its own
// process, as the agent is), a durable SQLite commit (WAL, synchronous=FULL, one fsync per transaction)
// on the same disk, and the test rig's own pty hop (socat). A kiosk press cannot beat POST + commit.
// The probes are taken one of each beside every kiosk ticket (interleaved), so the floor and the path
// live through the same moments of a shared machine; measured one after the other, the p99s of the
// two came from different bursts of load and their ratio moved by 2× between runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { SerialPort } from 'serialport';
import { SocatPair } from '../drivers/sim/socat.js';
import { startFanoutClients } from './fanout-clients.js';

const SERVER = `
const app = require('fastify')();
app.post('/t', async (req) => ({ ok: true, n: req.body?.n ?? 0 }));
app.listen({ host: '127.0.0.1', port: 0 }).then((a) => console.log('URL ' + a));
`;

/** a floor server in its own process (as the agent is), once it prints the URL it listens on */
async function serve(what: string, script: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', ...script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /URL (\S+)/.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`${what} exited ${code}`)));
  });
  return { child, url };
}

export interface FloorProbes {
  /** one loopback POST to the do-nothing server: ms */
  post(): Promise<number>;
  /** one fsync'd commit: ms */
  commit(): number;
  /**
   * bytes written to one end of a socat pty pair until serialport reads them at the other: ms. A hall's
   * printer hangs on the port itself, without socat: this hop is the rig's, not the agent's.
   */
  hop(): Promise<number>;
  close(): Promise<void>;
}

export async function startFloorProbes(): Promise<FloorProbes> {
  const { child, url } = await serve('floor server', [SERVER]);
  const dir = mkdtempSync(join(tmpdir(), 'hallq-floor-'));
  const db = new BetterSqlite3(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const pair = new SocatPair();
  await pair.start();
  const open = (path: string) =>
    new Promise<SerialPort>((ok, fail) => {
      const p: SerialPort = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? fail(err) : ok(p)));
    });
  const a = await open(pair.a);
  const b = await open(pair.b);
  let n = 0;
  const probes: FloorProbes = {
    async post() {
      const t0 = performance.now();
      const res = await fetch(`${url}/t`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: n++ }),
      });
      await res.text();
      return performance.now() - t0;
    },
    commit() {
      const t0 = performance.now();
      db.transaction(() => ins.run(`ticket ${n++}`))();
      return performance.now() - t0;
    },
    async hop() {
      const t0 = performance.now();
      const got = new Promise<number>((r) => b.once('data', () => r(performance.now() - t0)));
      a.write(Buffer.from([0x1b, 0x40]));
      return got;
    },
    async close() {
      child.kill('SIGKILL');
      db.close();
      rmSync(dir, { recursive: true, force: true });
      await new Promise((r) => a.close(r));
      await new Promise((r) => b.close(r));
      await pair.dispose();
    },
  };
  // warm-up: the first requests and commits pay for connections, JIT and file growth
  for (let i = 0; i < 20; i++) {
    await probes.post();
    probes.commit();
    await probes.hop();
  }
  return probes;
}

const FANOUT_SERVER = `
const http = require('node:http');
const { Server } = require('socket.io');
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)');
const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const n = JSON.parse(body || '{}').n;
    db.transaction(() => ins.run('call ' + n))();
    const msg = { seq: n, event: { type: 'ticket.called' }, ticket: { number: 'F' + n } };
    io.of('/board').emit('queue', msg);
    io.of('/display').emit('queue', msg);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
const io = new Server(server, { transports: ['websocket'] });
// namespaces exist before the clients connect (socket.io refuses an unknown one)
io.of('/board');
io.of('/display');
server.listen(0, '127.0.0.1', () => console.log('URL http://127.0.0.1:' + server.address().port));
`;

export interface FanoutFloor {
  /** one POST that commits (fsync) and broadcasts to every client: ms until the last client has it */
  call(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The floor under the call fan-out: a do-nothing socket.io server in its own process whose POST commits
 * one row (fsync) and broadcasts one `queue` message to `perNamespace` clients on /board and /display,
 * received by the same kind of client threads as the agent's (bench/fanout-clients.ts). The agent cannot beat it.
 */
export async function startFanoutFloor(perNamespace: number, threads: number): Promise<FanoutFloor> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-fanout-floor-'));
  const { child, url } = await serve('fan-out floor server', [FANOUT_SERVER, join(dir, 'floor.db')]);
  const clients = await startFanoutClients({ url, namespaces: ['/board', '/display'], perNamespace, threads });
  let n = 0;
  const floor: FanoutFloor = {
    async call() {
      const got = clients.receipts(`F${++n}`);
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${url}/call`, { method: 'POST', body: JSON.stringify({ n }) });
      await res.text();
      const times = await got;
      return Math.max(...times.map((t) => Number(t - t0) / 1e6));
    },
    async close() {
      await clients.close();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 20; i++) await floor.call();
  return floor;
}
