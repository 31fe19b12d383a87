// kill -9 at random points, 20 times: no number is ever issued twice, every ticket whose issue
// returned (was printed) is in the database, and SQLite's integrity check passes.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KILLS = 20;
const dir = mkdtempSync(join(tmpdir(), 'hallq-crash-'));
const dbPath = join(dir, 'hall.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The worker is bundled from the current sources once, then started 20 times by plain node: through
// tsx each start cost ~0.7 s more CPU, enough to push the file past its timeout on a loaded machine.
// The bundle sits under node_modules so that it finds better-sqlite3 (left out of the bundle: native).
const workerBundle = join(import.meta.dirname, '../../node_modules/.cache/hallq-crash-worker.mjs');
beforeAll(async () => {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile: workerBundle,
    logLevel: 'error',
  });
});

function runAndKill(killAfterMs: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [workerBundle, dbPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!timer && buf.includes('READY\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      // A torn last line was not acknowledged as a whole: ignore it.
      const lines = buf.split('\n');
      lines.pop();
      resolve({ lines, signal, stderr });
    });
  });
}

describe('crash safety (SIGKILL × 20)', () => {
  it('never repeats a number, never loses an acknowledged ticket, keeps the file intact', async () => {
    const printed = new Map<string, string>(); // ticket id → number
    const printedNumbers = new Set<string>();
    let totalIssued = 0;
    for (let run = 0; run < KILLS; run++) {
      const { lines, signal, stderr } = await runAndKill(100 + Math.floor(Math.random() * 500));
      expect(signal, stderr).toBe('SIGKILL');
      expect(lines[0], stderr).toBe('READY');
      for (const line of lines) {
        const [kind, id, number] = line.split(' ');
        if (kind !== 'ISSUED' || !id || !number) continue;
        const dayNumber = `${id.slice(0, 10)} ${number}`;
        expect(printedNumbers.has(dayNumber), `number ${dayNumber} issued twice`).toBe(false);
        printedNumbers.add(dayNumber);
        printed.set(id, number);
        totalIssued++;
      }

      const db = new Database(dbPath);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare('SELECT id, number FROM tickets WHERE first_entry = 1').all() as { id: string; number: string }[];
        const inDb = new Map(rows.map((r) => [r.id, r.number]));
        for (const [id, number] of printed) expect(inDb.get(id), `acknowledged ticket ${id} missing after run ${run}`).toBe(number);
        const dup = db
          .prepare('SELECT day, number, COUNT(*) AS n FROM tickets WHERE first_entry = 1 GROUP BY day, number HAVING n > 1')
          .all();
        expect(dup).toEqual([]);
        // The sequence row is never behind the tickets it numbered.
        const behind = db
          .prepare(
            `SELECT t.day, t.service, MAX(CAST(substr(t.number, 2) AS INTEGER)) AS top, s.last FROM tickets t
             JOIN sequences s ON s.day = t.day AND s.service = t.service GROUP BY t.day, t.service HAVING top > s.last`,
          )
          .all();
        expect(behind).toEqual([]);
        // Events commit with the state: one "issued" event per ticket, seq gap-free.
        const issuedEvents = (db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'ticket.issued'`).get() as { n: number }).n;
        expect(issuedEvents).toBe(rows.length);
        const seq = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS top FROM events').get() as { n: number; top: number };
        expect(seq.n).toBe(seq.top);
      } finally {
        db.close();
      }
    }
    console.info(`crash test: ${KILLS} kills, ${totalIssued} acknowledged tickets, all present`);
    expect(totalIssued).toBeGreaterThan(KILLS); // the kills landed under load, not before the first issue
  }, 150_000);
});
