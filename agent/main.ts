import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, DEMO_SECRET, type HallConfig, loadConfigFile } from './config/load.js';
import type { RunningHall } from './hall.js';

const DEMO_CONFIG = resolve(import.meta.dirname, '../config/demo-hall.yaml');

function usage(): string {
  return `usage: npm start -- [--config hall.yaml] [--host 127.0.0.1] [--port 8080] [--data data]
  HALLQ_CONFIG=path selects the hall config as well; without either the demo hall runs.`;
}

async function main(): Promise<number> {
  let args: { config?: string; host?: string; port?: string; data?: string; help?: boolean };
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`hallq: ${(err as Error).message}\n${usage()}`);
    return 2;
  }
  if (args.help) {
    console.log(usage());
    return 0;
  }
  const file = args.config ?? process.env.HALLQ_CONFIG ?? DEMO_CONFIG;
  const port = args.port === undefined ? undefined : Number(args.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`hallq: --port: expected a whole number from 0 to 65535, got "${args.port}"`);
    return 2;
  }

  let config: HallConfig;
  try {
    // Validation happens before anything opens the database: a bad config writes nothing.
    config = loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }

  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  for (const w of config.warnings) logger.warn({ file }, w);
  if (config.hall.secret === DEMO_SECRET && file !== DEMO_CONFIG) {
    logger.warn('hall.secret is not set: using the demo secret. Set HALLQ_SECRET for a real hall.');
  }
  // Loaded only after the config is valid: a bad config touches no database, driver or native module.
  const { startHall } = await import('./hall.js');
  const { SCREENS } = await import('./api/server.js');
  let hall: RunningHall;
  try {
    hall = await startHall(config, { host: args.host, port, dataDir: args.data, logger });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      console.error(
        `hallq: cannot listen on ${args.host ?? config.server.host}:${port ?? config.server.port} (${e.code}); choose another with --port or server.port in ${file}`,
      );
      return 1;
    }
    throw err;
  }

  const lines = [
    `hallq — ${config.hall.name}`,
    `config: ${file}`,
    `data:   ${resolve(args.data ?? config.server.dataDir, 'hall.db')}`,
    '',
    ...SCREENS.map((s) => `  ${s.zh.padEnd(6, '　')} ${s.en.padEnd(18)} ${hall.url}${s.path}`),
    `  API                        ${hall.url}/openapi.json`,
    '',
    file === DEMO_CONFIG ? 'Demo PINs: staff A1001…A1008 / 1234, guide 8888, manager 9999. Ctrl-C stops.' : 'Ctrl-C stops.',
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

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error('hallq: failed to start:', err);
    process.exit(1);
  },
);
