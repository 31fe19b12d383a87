// The floor under the kiosk path: a loopback HTTP POST to a fastify server that does nothing (its own
// process, as the agent is), a durable SQLite commit (WAL, synchronous=FULL, one fsync per transaction)
// on the same disk, and the test rig's own pty hop (socat). A kiosk press cannot beat POST + commit.
// The probes are taken one of each beside every kiosk ticket (interleaved), so the floor and the path
// live through the same moments of a shared machine; measured one after the other, the p99s of the
// two came from different bursts of load and their ratio moved by 2× between runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { SerialPort } from 'serialport';
import { SocatPair } from '../drivers/sim/socat.js';

const SERVER = `
const app = require('fastify')();
app.post('/t', async (req) => ({ ok: true, n: req.body?.n ?? 0 }));
app.listen({ host: '127.0.0.1', port: 0 }).then((a) => console.log('URL ' + a));
`;

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
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /URL (\S+)/.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`floor server exited ${code}`)));
  });
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
