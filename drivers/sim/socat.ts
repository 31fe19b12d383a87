// A socat pty pair at fixed link= paths in a fresh temp dir. kill() and start() again recreate it at
// the same paths: that is how tests and the bench unplug and replug a serial device.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // never leave a socat behind, even when a test run dies
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

export class SocatPair {
  readonly dir: string;
  readonly a: string;
  readonly b: string;
  private proc?: ChildProcess;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'hallq-pty-'));
    this.a = join(this.dir, 'a');
    this.b = join(this.dir, 'b');
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(timeoutMs = 3000): Promise<void> {
    hookExit();
    if (this.running) return;
    const p = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.proc = p;
    live.add(p);
    p.on('exit', () => live.delete(p));
    const t0 = Date.now();
    while (!(existsSync(this.a) && existsSync(this.b))) {
      if (p.exitCode !== null) throw new Error(`socat exited with ${p.exitCode}`);
      if (Date.now() - t0 > timeoutMs) throw new Error('socat did not create the pty links');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** unplug: kill socat and wait until it is gone (its links vanish with it) */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await gone;
    // socat unlinks on SIGTERM; make sure for the next start()
    for (const f of [this.a, this.b]) rmSync(f, { force: true });
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
