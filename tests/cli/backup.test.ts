// Backup → wipe → restore through the `hallq` command on a real hall database (tickets issued,
// called, rated by the queue engine), with equal row counts; pruning; refusals that change nothing.
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts } from '../../agent/store/backup.js';
import { makeEngine } from '../agent/queue/fixtures.js';
import { hallq, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-backup-'));
const data = join(dir, 'data');
const db = join(data, 'hall.db');
const cfg = join(dir, 'hall.yaml');
let port = 0;

beforeAll(async () => {
  // a port nothing listens on (restore asks it whether the agent is running)
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const demo = readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8');
  writeFileSync(cfg, demo.replace('port: 8080', `port: ${port}`).replace('dataDir: data', `dataDir: ${data}`));

  mkdirSync(data, { recursive: true });
  const { engine, store, clock } = makeEngine({ path: db });
  engine.open('1', 'A1001');
  for (let i = 0; i < 12; i++) engine.issue({ service: i % 2 ? 'idcard' : 'move' });
  for (let i = 0; i < 4; i++) {
    const t = engine.callNext('1');
    engine.start('1');
    clock.t += 60_000;
    engine.finish('1');
    engine.rate({ counter: '1', ticketId: t!.id, level: i === 0 ? 1 : 5, reasons: i === 0 ? ['attitude'] : undefined, source: 'pad' });
  }
  engine.reportUnresolved({ description: '材料齐全却办不成' });
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hallq backup / restore', () => {
  let backup = '';
  let counts: Record<string, number> = {};

  it('backup writes a checked copy under data/backups and prunes old daily backups only', async () => {
    counts = tableCounts(db);
    expect(counts.tickets).toBe(12);
    expect(counts.ratings).toBe(4);
    expect(counts.rectifications).toBe(1);
    const old = join(data, 'backups', 'hall-2020-01-01T02-30-00Z.db');
    const keep = join(data, 'backups', 'pre-migrate-v1-2020-01-01T02-30-00Z.db');
    mkdirSync(join(data, 'backups'), { recursive: true });
    writeFileSync(old, 'old');
    writeFileSync(keep, 'old');
    const r = await hallq(['backup', '--config', cfg, '--keep-days', '7']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/backup ok: .*hall-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db \(integrity_check ok, \d+ rows\)/);
    expect(r.out).toContain('hall-2020-01-01T02-30-00Z.db');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(keep)).toBe(true);
    const made = readdirSync(join(data, 'backups')).filter((f) => /^hall-.*Z\.db$/.test(f));
    expect(made).toHaveLength(1);
    backup = join(data, 'backups', made[0]!);
    expect(tableCounts(backup)).toEqual(counts);
  });

  it('wipe → restore brings back every row', async () => {
    for (const f of readdirSync(data)) if (f.startsWith('hall.db')) rmSync(join(data, f));
    expect(existsSync(db)).toBe(false);
    const r = await hallq(['restore', backup, '--config', cfg]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(tableCounts(db)).toEqual(counts);
  });

  it('restoring over a database keeps the replaced file beside it', async () => {
    const { engine, store } = makeEngine({ path: db });
    engine.issue({ service: 'idcard' });
    store.close();
    const r = await hallq(['restore', backup, '--config', cfg]);
    expect(r.code).toBe(0);
    expect(tableCounts(db)).toEqual(counts);
    const aside = readdirSync(data).find((f) => f.startsWith('hall.db.before-restore-') && f.endsWith('Z'));
    expect(aside).toBeDefined();
    expect(tableCounts(join(data, aside!)).tickets).toBe(13);
  });

  it('refuses a damaged backup and a running agent, changing nothing (exit 1)', async () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, Buffer.alloc(8192, 7));
    const r = await hallq(['restore', bad, '--config', cfg]);
    expect(r.code).toBe(1);
    expect(tableCounts(db)).toEqual(counts);

    const agent = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((ok) => agent.listen(port, '127.0.0.1', ok));
    try {
      const busy = await hallq(['restore', backup, '--config', cfg]);
      expect(busy.code).toBe(1);
      expect(busy.err).toMatch(/stop it first/);
    } finally {
      await new Promise((ok) => agent.close(ok));
    }
    expect(tableCounts(db)).toEqual(counts);
  });

  it('backup without a database, or a bad --keep-days, says so', async () => {
    const empty = await hallq(['backup', '--config', cfg, '--data', join(dir, 'nowhere')]);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/no database at .*nowhere/);
    expect((await hallq(['backup', '--config', cfg, '--keep-days', '0'])).code).toBe(2);
  });
});
