import { resolve } from 'node:path';
import { type HallConfig, loadConfigFile } from '../config/load.js';
import type { Args } from './index.js';
import { DEMO_CONFIG } from './paths.js';

export interface Loaded {
  file: string;
  config: HallConfig;
  /** absolute data directory: --data, else server.dataDir (relative to the working directory) */
  dataDir: string;
  dbPath: string;
  isDemo: boolean;
}

/** --config, else HALLQ_CONFIG, else the demo hall; throws ConfigError (exit 2) before touching anything. */
export function loadForCli(args: Args): Loaded {
  const file = (args.values.config as string | undefined) ?? process.env.HALLQ_CONFIG ?? DEMO_CONFIG;
  const config = loadConfigFile(file);
  const dataDir = resolve((args.values.data as string | undefined) ?? config.server.dataDir);
  return { file, config, dataDir, dbPath: resolve(dataDir, 'hall.db'), isDemo: file === DEMO_CONFIG };
}
