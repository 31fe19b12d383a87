// A satellite PC's config file: `role: satellite`, where the primary is, this PC's id and token, and
// the devices wired to this PC. No hall, services or staff: the satellite runs no queue.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { checkDevices } from '../config/devices.js';
import { ConfigError } from '../config/load.js';
import { primaryLink, satelliteDeviceSpec } from '../config/schema.js';
import { caFile } from '../config/tls.js';
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
  /** ca: PEM text of the hall CA; the link is verified against it alone */
  primary: { url: string; satellite: string; token: string; batchSize: number; ca?: string };
  server: { host: string; port: number; dataDir: string };
  devices: Raw['devices'];
}

/** true when the YAML file says `role: satellite` (main.ts then starts a satellite, not a hall) */
export function isSatelliteConfigText(text: string): boolean {
  // A hall's file has no `role` key: it is not parsed here a first time, then again by the hall's loader
  // (≈ 0.1 s of each start). Only a key spelled with YAML escapes ("\x72ole") would slip past this check.
  if (!text.includes('role')) return false;
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
  const ca = primaryCa(file, raw.primary);
  return {
    file,
    role: 'satellite',
    primary: {
      url: raw.primary.url.replace(/\/$/, ''),
      satellite: raw.primary.satellite,
      // a real satellite keeps its token out of the file it shares: HALLQ_SATELLITE_TOKEN wins
      token: env.HALLQ_SATELLITE_TOKEN ?? raw.primary.token,
      batchSize: raw.primary.batchSize ?? 100,
      ca,
    },
    server: {
      host: raw.server?.host ?? '127.0.0.1',
      port: raw.server?.port ?? 8091,
      dataDir: raw.server?.dataDir ?? 'data/satellite',
    },
    devices: raw.devices,
  };
}

/**
 * The satellite's token goes to the primary in the socket.io handshake: over https it is verified
 * against the hall CA (install.sh --tls wrote it on the hall PC); plain http only to the same PC.
 */
function primaryCa(file: string, primary: Raw['primary']): string | undefined {
  const url = new URL(primary.url);
  if (url.protocol === 'http:') {
    if (primary.ca !== undefined)
      throw new ConfigError(file, [
        `primary.ca: set, but primary.url "${primary.url}" is plain http; use https://… (the primary serves HTTPS with server.tls)`,
      ]);
    return undefined;
  }
  if (primary.ca === undefined)
    throw new ConfigError(file, [
      'primary.ca: missing for an https:// primary; copy the hall CA (/etc/hallq/tls/hall-ca.pem on the hall PC) here and name it, e.g. ca: /etc/hallq/hall-ca.pem',
    ]);
  const r = caFile(file, 'primary.ca', primary.ca, 'the hall CA certificate');
  if (r.problem) throw new ConfigError(file, [r.problem]);
  return r.pem;
}
