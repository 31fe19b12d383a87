// Scripts and service managers signal the PID they started: for `npm start` that is npm. npm forwards
// SIGTERM/SIGINT to its child and exits with the child's code, so the child must be the agent itself
// (package.json's `exec`), not a shell that dies of the signal and leaves the agent serving.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agent-process.js';
import { seedVoicePack } from '../helpers/voice-pack.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-start-signals-'));
const started: ChildProcess[] = [];
const agents: number[] = [];

afterAll(() => {
  // what a failed run would leave serving: the orphaned agent as well as npm
  for (const pid of agents) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** pids of every process below `pid` (Linux /proc) */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startNpm(name: string) {
  const data = join(dir, name);
  await seedVoicePack(data);
  const config = join(dir, `${name}.yaml`);
  // the demo hall, without its simulated devices (what is tested is the process, not the hall)
  writeFileSync(config, `extends: ${join(ROOT, 'config/demo-hall.yaml')}\ndevices: []\nterminals: []\n`);
  const npm = spawn('npm', ['start', '--', '--port', '0', '--data', data, '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  started.push(npm);
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/kiosk/.exec(out);
      if (m?.[1]) ok(m[1]);
    };
    npm.stdout?.on('data', onData);
    npm.stderr?.on('data', onData);
    npm.once('exit', (code) => fail(new Error(`npm start exited ${code}:\n${out}`)));
  });
  // bounded: before the fix npm could outlive its shell's death and never exit
  const exited = new Promise<number | null | 'still running'>((r) => {
    npm.once('exit', (code) => r(code));
    setTimeout(() => r('still running'), 20_000).unref();
  });
  return { npm, url, exited, output: () => out };
}

describe.concurrent('npm start and signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm start process stops the agent cleanly and npm exits with its code`, async () => {
      const { npm, url, exited, output } = await startNpm(signal);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const below = descendants(npm.pid!);
      agents.push(...below);
      expect(below.length).toBeGreaterThan(0);
      npm.kill(signal);
      // the agent's own stop handler ran (it closes the hall, then exits 0): npm passes that 0 on
      expect(await exited).toBe(0);
      expect(output()).toMatch(new RegExp(`"signal":"${signal}".*stopping|stopping.*${signal}`));
      for (const pid of below) expect(alive(pid), `process ${pid} under npm still running`).toBe(false);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    });
  }
});
