// `npm start -- --config satellite.yaml`: the same program started on a satellite PC.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { ConfigError } from '../config/load.js';
import { isSatelliteConfigText, loadSatelliteConfigFile, type SatelliteConfig } from './config.js';

export function isSatelliteConfigFile(file: string): boolean {
  try {
    return isSatelliteConfigText(readFileSync(file, 'utf8'));
  } catch {
    return false; // the hall loader reports the unreadable file
  }
}

/** returns an exit code, or -1 while running */
export async function runSatelliteMain(file: string, args: { host?: string; port?: number; data?: string }): Promise<number> {
  let config: SatelliteConfig;
  try {
    config = loadSatelliteConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const { startSatellite } = await import('./satellite.js');
  const sat = await startSatellite(config, { logger, host: args.host, port: args.port, dataDir: args.data });
  console.log(
    [
      `hallq satellite ${config.primary.satellite} — primary ${config.primary.url}`,
      `config: ${file}`,
      `buffer: ${resolve(args.data ?? config.server.dataDir, 'satellite.db')}`,
      `devices: ${sat.host
        .list()
        .map((d) => `${d.id} (${d.kind})`)
        .join(', ')}`,
      `health: ${sat.url}/healthz`,
      'No screens here: they are served by the primary. Ctrl-C stops.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await sat.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return -1;
}
