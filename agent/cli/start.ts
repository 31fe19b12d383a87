// `hallq start`: validate the config, back up before a schema upgrade, run the hall, print the URLs.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HallConfig } from '../config/load.js';
import { DEMO_SECRET } from '../config/load.js';
import type { RunningHall } from '../hall.js';
import { loadForCli } from './common.js';
import { CliFailure, parse, showHelp, UsageError } from './index.js';
import { UI_BUILD } from './paths.js';
import { createLogger } from './logger.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function start(argv: string[]): Promise<number> {
  const args = parse(argv, { host: { type: 'string' }, port: { type: 'string' }, 'allow-lan-demo': { type: 'boolean' } });
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
    if (isSatelliteConfigFile(satFile)) return runSatelliteMain(satFile, { host, port, data: args.values.data as string | undefined });
  }

  // Validation happens before anything opens the database: a bad config writes nothing.
  const { file, config, dataDir, dbPath, isDemo } = loadForCli(args);

  // the demo's PINs, pairing links and secrets are published: on the LAN only when asked for explicitly
  const bindHost = host ?? config.server.host;
  if (config.demo && !LOOPBACK.has(bindHost) && !args.values['allow-lan-demo']) {
    console.error(
      `hallq: ${file} is a demo hall (demo: true, published PINs and secrets): it listens only on 127.0.0.1, not ${bindHost}. Use --host 127.0.0.1, or --allow-lan-demo to show it on the LAN on purpose`,
    );
    return 2;
  }
  const logger = createLogger();
  for (const w of config.warnings) logger.warn(w);
  if (config.hall.secret === DEMO_SECRET && !isDemo) {
    logger.warn('hall.secret is not set: using the demo secret (demo: true). Set HALLQ_SECRET for a real hall.');
  }
  const unwritable = dataFolderProblem(dataDir);
  if (unwritable) {
    console.error(
      `hallq: the data folder ${dataDir} is not writable (${unwritable}); give the agent's user write access (e.g. chown -R hallq ${dataDir}) or choose another folder with --data or server.dataDir in ${file}`,
    );
    return 2;
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
      const which = config.server.tls?.httpPort !== undefined && (e as { port?: number }).port === config.server.tls.httpPort;
      console.error(
        which
          ? `hallq: cannot listen on ${host ?? config.server.host}:${config.server.tls?.httpPort} (${e.code}); choose another server.tls.httpPort in ${file} (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
          : `hallq: cannot listen on ${host ?? config.server.host}:${port ?? config.server.port} (${e.code}); choose another with --port or server.port in ${file}`,
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
    ...SCREENS.map((s) => `  ${s.zh.padEnd(6, '　')} ${s.en.padEnd(18)} ${hall.url}${s.path}${demoPairing(hall, config, s.path)}`),
    `  API                        ${hall.url}/openapi.json`,
    '',
    config.demo
      ? 'Demo PINs: staff A1001…A1008 / 1234, guide 8888, manager 9999. The kiosk, pad and display links pair that browser once\n(one-time codes, valid 24 h); pair more screens from the board’s 人员与设备 panel. Ctrl-C stops.'
      : 'Screens pair with one-time codes from the manager board (人员与设备). Ctrl-C stops.',
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

/** why the agent cannot write into its data folder, or undefined */
function dataFolderProblem(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = resolve(dir, `.hallq-write-test-${process.pid}`);
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/** the demo prints links that pair a browser once (kiosk-1, pad-1, display-1) */
function demoPairing(hall: RunningHall, config: HallConfig, path: string): string {
  if (!config.demo) return '';
  const terminal = ({ '/kiosk': 'kiosk-1', '/pad': 'pad-1', '/display': 'display-1' } as Record<string, string>)[path];
  if (!terminal || !hall.ctx.auth.store.terminal(terminal)) return '';
  const { code } = hall.ctx.auth.createPairCode(terminal, 'demo-start', { demo: true });
  return path === '/pad' ? `?counter=1&pair=${code}` : `?pair=${code}`;
}
