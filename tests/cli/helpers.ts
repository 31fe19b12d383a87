import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { buildAgent, isAgentBuildCurrent } from '../../scripts/build-agent.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/hallq.mjs');

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

let built: Promise<void> | undefined;
/** bin/hallq.mjs runs dist/app when it is current, else the sources through tsx (about twice the CPU per
 * run): compile once (transpile only, from the sources under test) so the many short runs stay cheap. */
function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (!isAgentBuildCurrent() && !(await buildAgent({ strict: false, quiet: true }))) throw new Error('compiling dist/app failed');
  })();
  return built;
}

/** Runs the `hallq` command as a hall's IT contact would (its own process); async, so a virtual device in this process keeps answering. */
export async function hallq(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  await ensureBuilt();
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...o.env };
    delete env.HALLQ_CONFIG;
    if (o.env?.HALLQ_CONFIG) env.HALLQ_CONFIG = o.env.HALLQ_CONFIG;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`hallq ${args.join(' ')} did not finish:\n${out}\n${err}`));
    }, o.timeoutMs ?? 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
    child.stdin.end(o.input ?? '');
  });
}
