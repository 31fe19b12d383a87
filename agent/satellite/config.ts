// A satellite PC's config file: `role: satellite`, where the primary is, this PC's id and token, and
// the devices wired to this PC. No hall, services or staff: the satellite runs no queue.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { checkDevices } from '../config/devices.js';
import { ConfigError } from '../config/load.js';
import { primaryLink, satelliteDeviceSpec } from '../config/schema.js';
import { formatIssue, type Issue, int, list, literal, obj, optional, str } from '../config/spec.js';

const satelliteSpec = obj({
  role: literal('satellite'),
  primary: primaryLink,
  server: optional(
    obj({
      host: optional(str({ max: 255 }), '127.0.0.1'),
      port: optional(int({ min: 0, max: 65535 }), 8091),
      dataDir: optional(str({ max: 500 }), 'data/satellite'),
    }),
    {},
  ),
  devices: list(satelliteDeviceSpec, { min: 1 }),
});

type Raw = ReturnType<typeof satelliteSpec.check>;

export interface SatelliteConfig {
  file: string;
  role: 'satellite';
  primary: { url: string; satellite: string; token: string; batchSize: number };
  server: { host: string; port: number; dataDir: string };
  devices: Raw['devices'];
}

/** true when the YAML file says `role: satellite` (main.ts then starts a satellite, not a hall) */
export function isSatelliteConfigText(text: string): boolean {
  try {
    const v = parseDocument(text).toJS() as { role?: unknown } | null;
    return typeof v === 'object' && v !== null && v.role === 'satellite';
  } catch {
    return false;
  }
}

export function loadSatelliteConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): SatelliteConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path given by --config`,
    ]);
  }
  return parseSatelliteConfig(text, file, env);
}

export function parseSatelliteConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): SatelliteConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      file,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  const issues: Issue[] = [];
  const raw = satelliteSpec.check(doc.toJS(), '', issues);
  // the same registry checks as the hall's devices[] (protocol per kind, transport, options, shared
  // ports); the counter a device serves is the primary's to say (its satellites[].devices)
  if (issues.length === 0) checkDevices(raw.devices, null, issues);
  if (issues.length > 0) throw new ConfigError(file, issues.map(formatIssue));
  return {
    file,
    role: 'satellite',
    primary: {
      url: raw.primary.url.replace(/\/$/, ''),
      satellite: raw.primary.satellite,
      // a real satellite keeps its token out of the file it shares: HALLQ_SATELLITE_TOKEN wins
      token: env.HALLQ_SATELLITE_TOKEN ?? raw.primary.token,
      batchSize: raw.primary.batchSize ?? 100,
    },
    server: {
      host: raw.server?.host ?? '127.0.0.1',
      port: raw.server?.port ?? 8091,
      dataDir: raw.server?.dataDir ?? 'data/satellite',
    },
    devices: raw.devices,
  };
}
