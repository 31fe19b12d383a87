import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of alive) p.kill('SIGKILL');
});

export interface PtyPair {
  /** the end the agent opens */
  a: string;
  /** the end the test (the "device") opens */
  b: string;
  /** unplug: kill socat, both paths vanish */
  unplug(): Promise<void>;
  /** plug back in at the same paths */
  replug(): Promise<void>;
  close(): Promise<void>;
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A virtual serial cable: `socat pty,link=a pty,link=b`, re-creatable at the same paths. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-pty-'));
  const a = join(dir, 'agent');
  const b = join(dir, 'device');
  let proc: ChildProcess | undefined;

  const start = async () => {
    proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    alive.add(proc);
    const p = proc;
    p.once('exit', () => alive.delete(p));
    await waitFor(() => existsSync(a) && existsSync(b), 5000, 'socat pty links');
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    await waitFor(() => !existsSync(a) && !existsSync(b), 5000, 'socat links to vanish');
  };

  await start();
  return {
    a,
    b,
    unplug: stop,
    replug: start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
