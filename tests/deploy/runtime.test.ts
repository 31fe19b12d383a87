// The compiled runtime: `npm start` (scripts/start.mjs) compiles dist/app when it is missing or older
// than a source file, then runs the compiled agent — no tsx at run time — and does not compile again
// while the build is current.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY, isAgentBuildCurrent } from '../../scripts/build-agent.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'hallq-runtime-'));
const live = new Set<ChildProcess>();
afterAll(() => {
  for (const c of live) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function npmStart(): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--port', '0', '--data', join(dir, 'data')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  live.add(child);
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not come up:\n${out}`)), 150_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/kiosk/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`npm start exited ${code}:\n${out}`)));
  });
  return { child, url, out: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
  live.delete(child);
}

describe('npm start on the compiled runtime', () => {
  it('compiles a stale tree first, then runs dist/app as ES modules; a current build is not compiled again', {
    timeout: 300_000,
  }, async () => {
    // stale: a source file newer than the build stamp
    const src = join(ROOT, 'agent/hall.ts');
    const { atime, mtime } = statSync(src);
    utimesSync(src, atime, new Date(Date.now() + 1000));
    try {
      expect(isAgentBuildCurrent()).toBe(false);
    } finally {
      utimesSync(src, atime, mtime);
    }
    rmSync(join(ROOT, 'dist/app/.build-stamp'), { force: true });

    const first = await npmStart();
    expect(first.out()).toContain('hallq: compiling the agent');
    expect(await fetch(`${first.url}/healthz`).then((r) => r.json())).toMatchObject({ ok: true, db: 'writable' });
    // the running agent is the compiled one, an ES module, with tsx nowhere in the process
    const cmdline = readFileSync(`/proc/${first.child.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain('tsx');
    expect(readFileSync(ENTRY, 'utf8')).not.toMatch(/\bexports\b|require\(/);
    if (existsSync(join(ROOT, 'dist/ui/index.html'))) expect((await fetch(`${first.url}/display`)).status).toBe(200);
    await stop(first.child);
    expect(isAgentBuildCurrent()).toBe(true);

    const second = await npmStart();
    expect(second.out()).not.toContain('compiling');
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    await stop(second.child);
  });
});
