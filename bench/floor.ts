// The floor under the kiosk path, measured in the same run as it: a loopback HTTP POST to a fastify
// server that does nothing (its own process, as the agent is), and a durable SQLite commit (WAL,
// synchronous=FULL, one fsync per transaction) on the same disk. A kiosk press cannot beat
// POST + commit; bench/kiosk-print.ts prints its first-ticket-byte p99 beside 2 × that sum.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { percentile } from '../tests/helpers/agent-process.js';

const SERVER = `
const app = require('fastify')();
app.post('/t', async (req) => ({ ok: true, n: req.body?.n ?? 0 }));
app.listen({ host: '127.0.0.1', port: 0 }).then((a) => console.log('URL ' + a));
`;

export async function loopbackPostP99(n: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /URL (\S+)/.exec(out);
        if (m?.[1]) ok(m[1]);
      });
      child.once('exit', (code) => fail(new Error(`floor server exited ${code}`)));
    });
    const times: number[] = [];
    for (let i = 0; i < n + 20; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/t`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      });
      await res.text();
      if (i >= 20) times.push(performance.now() - t0);
    }
    return percentile(times, 99);
  } finally {
    child.kill('SIGKILL');
  }
}

export function commitP99(n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-floor-'));
  try {
    const db = new BetterSqlite3(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      db.transaction(() => ins.run(`ticket ${i}`))();
      times.push(performance.now() - t0);
    }
    db.close();
    return percentile(times, 99);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
