// A SIGKILL in the middle of a day close (inside its one transaction) loses nothing and leaves nothing
// half done: the next start closes the same day again, exactly once, and the file stays intact.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'hallq-dayclose-crash-'));
const dbPath = join(dir, 'hall.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = join(import.meta.dirname, '../../node_modules/.cache/hallq-day-close-worker.mjs');
beforeAll(async () => {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'day-close-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile: bundle,
    logLevel: 'error',
  });
});

/** Runs the worker; with `killOn`, SIGKILLs it as soon as that line appears. */
function run(args: string[], killOn?: string): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killOn && out.includes(`${killOn}\n`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (code !== 0 && signal === null) reject(new Error(err || `worker exited ${code}`));
      else resolve({ out, signal });
    });
  });
}

const count = (sql: string) => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('day close killed in the middle', () => {
  it('resumes on the next start: every ticket of the day ends once, one hall.dayClosed event', async () => {
    expect((await run(['fill', dbPath, '2026-12-01'])).out).toContain('FILLED');
    const seq = count('SELECT MAX(seq) AS n FROM events');
    const killed = await run(['close', dbPath, '2026-12-02', 'stall'], 'IN_CLOSE');
    expect(killed.signal).toBe('SIGKILL');
    // nothing of the close was committed
    expect(count('SELECT MAX(seq) AS n FROM events')).toBe(seq);
    expect(count(`SELECT COUNT(*) AS n FROM tickets WHERE state IN ('waiting', 'called', 'serving')`)).toBe(400);

    const again = await run(['close', dbPath, '2026-12-02']);
    const summary = JSON.parse(again.out.trim().replace(/^CLOSED /, ''));
    expect(summary).toMatchObject({
      day: '2026-12-01',
      trigger: 'startup',
      ended: { waiting: 398, called: 1, serving: 1 },
      countersClosed: ['1', '2'],
    });
    expect(count(`SELECT COUNT(*) AS n FROM tickets WHERE state IN ('waiting', 'called', 'serving', 'noShow')`)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM events WHERE type = 'ticket.expired'`)).toBe(400);
    expect(count(`SELECT COUNT(*) AS n FROM events WHERE type = 'hall.dayClosed'`)).toBe(1);
    // a third start the same day has nothing to do
    expect((await run(['close', dbPath, '2026-12-02'])).out).toContain('CLOSED null');
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const gaps = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS top FROM events').get() as { n: number; top: number };
      expect(gaps.n).toBe(gaps.top);
    } finally {
      db.close();
    }
  }, 60_000);
});
