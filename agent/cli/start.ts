// `hallq start`: validate the config, back up before a schema upgrade, run the hall, print the URLs.
import { existsSync } from 'node:fs';
import { DEMO_SECRET } from '../config/load.js';
import type { RunningHall } from '../hall.js';
import { loadForCli } from './common.js';
import { CliFailure, parse, showHelp, UsageError } from './index.js';
import { UI_BUILD } from './paths.js';
import { createLogger } from './logger.js';

export async function start(argv: string[]): Promise<number> {
  const args = parse(argv, { host: { type: 'string' }, port: { type: 'string' } });
  if (args.values.help) return showHelp();
  if (args.positionals.length > 0) throw new UsageError(`start takes no arguments, got "${args.positionals.join(' ')}"`);
  const rawPort = args.values.port as string | undefined;
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new UsageError(`--port: expected a whole number from 0 to 65535, got "${rawPort}"`);
  const host = args.values.host as string | undefined;

  // A satellite PC runs the same command with a `role: satellite` file: its own small loader and runtime.
  const satFile = (args.values.config as string | undefined) ?? process.env.HALLQ_CONFIG;
  if (satFile) {
    const { isSatelliteConfigFile, runSatelliteMain } = await import('../satellite/main.js');
    if (isSatelliteConfigFile(satFile))
      return runSatelliteMain(satFile, { host, port, data: args.values.data as string | undefined });
  }

  // Validation happens before anything opens the database: a bad config writes nothing.
  const { file, config, dataDir, dbPath, isDemo } = loadForCli(args);

  const logger = createLogger();
  if (config.hall.secret === DEMO_SECRET && !isDemo) {
    logger.warn('hall.secret is not set: using the demo secret. Set HALLQ_SECRET for a real hall.');
  }
  // Forward-only upgrades: refuse a database from a newer hallq, back up before applying migrations.
  if (existsSync(dbPath)) {
    const { prepareUpgrade, SchemaTooNewError } = await import('../store/backup.js');
    const r = await prepareUpgrade(dbPath, dataDir).catch((err: unknown) => {
      throw err instanceof SchemaTooNewError ? new CliFailure(`${dbPath}: ${err.message}`) : err;
    });
    if (r.backup) logger.info({ backup: r.backup, pending: r.pending }, 'database backed up before the schema upgrade');
  }
  // Loaded only after the config is valid: a bad config touches no database, driver or native module.
  const { startHall } = await import('../hall.js');
  const { SCREENS } = await import('../api/server.js');
  let hall: RunningHall;
  try {
    hall = await startHall(config, { host, port, dataDir, logger, uiDir: UI_BUILD });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      console.error(
        `hallq: cannot listen on ${host ?? config.server.host}:${port ?? config.server.port} (${e.code}); choose another with --port or server.port in ${file}`,
      );
      return 1;
    }
    throw err;
  }

  const lines = [
    `hallq — ${config.hall.name}`,
    `config: ${file}`,
    `data:   ${dbPath}`,
    '',
    ...SCREENS.map((s) => `  ${s.zh.padEnd(6, '　')} ${s.en.padEnd(18)} ${hall.url}${s.path}`),
    `  API                        ${hall.url}/openapi.json`,
    '',
    isDemo ? 'Demo PINs: staff A1001…A1008 / 1234, guide 8888, manager 9999. Ctrl-C stops.' : 'Ctrl-C stops.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await hall.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return -1;
}
