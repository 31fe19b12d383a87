import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENTRY, isAgentBuildCurrent } from '../../scripts/build-agent.mjs';
import { NODE_FLAGS, RUNTIME_ENV } from '../../scripts/runtime-options.mjs';
import { terminalHeaders } from './auth.js';
import { seedVoicePack } from './voice-pack.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface AgentProcess {
  url: string;
  /** Date.now() when the agent said it listens */
  listeningAt: number;
  /** resident memory of the agent process in MiB (Linux /proc), undefined elsewhere */
  rssMiB(): number | undefined;
  /** kill -9, as a power cut would: no shutdown code runs */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * node arguments that run the agent: the compiled runtime a hall runs (npm test builds it before
 * vitest), else the sources through tsx (about 0.7 s more CPU per start).
 */
export function agentEntry(): string[] {
  return isAgentBuildCurrent() ? [ENTRY] : ['--import', 'tsx', join(ROOT, 'agent/main.ts')];
}

/** Runs the agent as its own process (as in a hall), so the bench's clients don't share its event loop. */
export async function startAgentProcess(configText?: string, opts: { dataDir?: string } = {}): Promise<AgentProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-proc-'));
  const dataDir = opts.dataDir ?? join(dir, 'data');
  // HALLQ_AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": profile the agent of a bench (docs/bench.md)
  const nodeArgs = process.env.HALLQ_AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // the flags and environment a hall's systemd unit gives the agent, so benches measure that process
  const args = [...NODE_FLAGS, ...nodeArgs, ...agentEntry(), '--port', '0', '--data', dataDir];
  await seedVoicePack(dataDir);
  // Load tests (bench, crash) drive one kiosk far harder than a hall does: raise its issuing limit
  // (kiosk.ticketsPerMinute) unless the YAML sets one.
  const yaml = (configText ?? readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8')).replace(
    'printDeadlineSeconds: 20 }',
    'printDeadlineSeconds: 20, ticketsPerMinute: 600 }',
  );
  writeFileSync(join(dir, 'hall.yaml'), yaml);
  args.push('--config', join(dir, 'hall.yaml'));
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...RUNTIME_ENV, LOG_LEVEL: 'warn' },
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`agent did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/kiosk/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`agent exited ${code}:\n${out}`)));
  });
  const listeningAt = Date.now();
  return {
    url,
    listeningAt,
    rssMiB() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        return Number.isFinite(kb) ? kb / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    async crash() {
      const exited = new Promise((r) => child.once('exit', r));
      kill();
      await exited;
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      kill();
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function post(url: string, body?: unknown, token?: string): Promise<any> {
  const u = new URL(url);
  const headers: Record<string, string> = await terminalHeaders(u.origin, 'POST', u.pathname);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${url} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;
