// `hallq backup`, `hallq restore`, `hallq migrate`: the database chores, each safe to repeat.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  backupDatabase,
  prepareUpgrade,
  pruneBackups,
  restoreDatabase,
  SchemaTooNewError,
  schemaState,
  stampName,
  tableCounts,
} from '../store/backup.js';
import { loadForCli } from './common.js';
import { CliFailure, parse, showHelp, UsageError } from './index.js';

function wrap<T>(fn: () => Promise<T> | T): Promise<T> {
  return Promise.resolve()
    .then(fn)
    .catch((err: unknown) => {
      if (err instanceof UsageError || err instanceof CliFailure) throw err;
      if (err instanceof SchemaTooNewError || err instanceof Error) throw new CliFailure(err.message);
      throw err;
    });
}

export async function backupCommand(argv: string[]): Promise<number> {
  const args = parse(argv, { out: { type: 'string' }, 'keep-days': { type: 'string' } });
  if (args.values.help) return showHelp();
  if (args.positionals.length > 0) throw new UsageError(`backup takes no arguments, got "${args.positionals.join(' ')}"`);
  const keepRaw = (args.values['keep-days'] as string | undefined) ?? '14';
  const keepDays = Number(keepRaw);
  if (!Number.isInteger(keepDays) || keepDays < 1)
    throw new UsageError(`--keep-days: expected a whole number of days ≥ 1, got "${keepRaw}"`);
  const { dataDir, dbPath } = loadForCli(args);
  if (!existsSync(dbPath)) throw new CliFailure(`没有数据库 no database at ${dbPath} (check --data or server.dataDir)`);
  const dir = resolve((args.values.out as string | undefined) ?? join(dataDir, 'backups'));
  const now = Date.now();
  const dest = join(dir, stampName(now));
  await wrap(() => backupDatabase(dbPath, dest));
  const removed = pruneBackups(dir, keepDays, now);
  const rows = Object.values(tableCounts(dest)).reduce((a, b) => a + b, 0);
  console.log(`备份完成 backup ok: ${dest} (integrity_check ok, ${rows} rows)`);
  if (removed.length > 0) console.log(`删除超过 ${keepDays} 天的备份 removed backups older than ${keepDays} days: ${removed.join(', ')}`);
  return 0;
}

export async function restoreCommand(argv: string[]): Promise<number> {
  const args = parse(argv, {});
  if (args.values.help) return showHelp();
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError('restore takes one backup file: hallq restore <backup.db>');
  const { config, dbPath } = loadForCli(args);
  // A running agent keeps its connection to the file being replaced: refuse rather than lose writes.
  const probeHost = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  // over https (server.tls) this tool does not hold the hall CA: a port that accepts a TLS handshake is the agent
  const running = config.server.tls
    ? await tlsAnswers(probeHost, config.server.port)
    : await fetch(`http://${probeHost}:${config.server.port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
  if (running)
    throw new CliFailure(
      `服务正在运行，请先停止 the agent answers on port ${config.server.port}: stop it first (systemctl stop hallq), then restore`,
    );
  const r = await wrap(() => restoreDatabase(resolve(file), dbPath));
  const counts = tableCounts(dbPath);
  console.log(`恢复完成 restored ${resolve(file)} → ${dbPath}`);
  console.log(
    `  ${Object.entries(counts)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  if (r.previous) console.log(`  原数据库保留在 the replaced database is kept at ${r.previous}`);
  const state = schemaState(dbPath);
  if (state.pending.length > 0)
    console.log(
      `  该备份较旧，启动时会先备份再升级 older schema: migrations ${state.pending.join(', ')} run at the next start (after a backup)`,
    );
  return 0;
}

export async function migrateCommand(argv: string[]): Promise<number> {
  const args = parse(argv, {});
  if (args.values.help) return showHelp();
  if (args.positionals.length > 0) throw new UsageError(`migrate takes no arguments, got "${args.positionals.join(' ')}"`);
  const { dataDir, dbPath } = loadForCli(args);
  if (!existsSync(dbPath)) throw new CliFailure(`没有数据库 no database at ${dbPath} (check --data or server.dataDir)`);
  const before = await wrap(() => prepareUpgrade(dbPath, dataDir));
  if (before.pending.length === 0) {
    console.log(`数据库已是最新 the database is up to date (schema ${Math.max(0, ...before.applied)})`);
    return 0;
  }
  if (before.backup) console.log(`升级前备份 backup before the upgrade: ${before.backup}`);
  const { openHallStore } = await import('../store/index.js');
  const store = openHallStore(dbPath);
  store.close();
  const after = schemaState(dbPath);
  if (after.pending.length > 0) throw new CliFailure(`migrations ${after.pending.join(', ')} were not applied`);
  console.log(`升级完成 applied migrations ${before.pending.join(', ')} (schema ${Math.max(...after.applied)})`);
  return 0;
}

function tlsAnswers(host: string, port: number): Promise<boolean> {
  return import('node:tls').then(
    ({ connect }) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port, rejectUnauthorized: false, timeout: 1000 }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('timeout', () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(false));
      }),
  );
}
