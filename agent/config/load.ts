import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { codePageWarnings } from './codepage.js';
import { checkDevices } from './devices.js';
import type { CounterDef, ServiceDef } from '../queue/types.js';
import { hallConfigSpec, type RawHallConfig } from './schema.js';
import { formatIssue, type Issue } from './spec.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid hall config\n${problems.map((p) => `  ${file}: ${p}`).join('\n')}`);
  }
}

export type DeviceConfig = NonNullable<RawHallConfig['devices']>[number];
export type StaffConfig = RawHallConfig['staff'][number];

export interface HallConfig {
  file: string;
  hall: {
    name: string;
    code: string;
    timezone: string;
    phones: { consult: string; complaint: string };
    notices: { zh: string; en: string }[];
    secret: string;
  };
  server: { host: string; port: number; dataDir: string; publicUrl?: string };
  queue: NonNullable<RawHallConfig['queue']>;
  voice: { repeat: number; chime: boolean; leadIn?: string };
  kiosk: { idleSeconds: number; printDeadlineSeconds: number };
  rating: { timeoutSeconds: number };
  board: { waitAlertMinutes: number };
  auth: { guidePin: string; managerPin: string };
  staff: StaffConfig[];
  services: ServiceDef[];
  counters: (CounterDef & { autoCall: boolean })[];
  devices: DeviceConfig[];
  /** problems that do not stop the hall (text a printer cannot print); the caller logs them */
  warnings: string[];
}

/** Only the demo hall may run without a real secret; a real hall must set one. */
export const DEMO_SECRET = 'demo-hall-secret-not-for-production';

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): HallConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path given by HALLQ_CONFIG or --config`,
    ]);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): HallConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const issues: Issue[] = [];
  const raw = hallConfigSpec.check(doc.toJS(), '', issues);
  if (issues.length === 0) crossCheck(raw, issues);
  if (issues.length > 0) throw new ConfigError(file, issues.map(formatIssue));
  return resolve(raw, file, env);
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const v of values) {
    if (seen.has(v)) repeated.push(v);
    seen.add(v);
  }
  return repeated;
}

function crossCheck(raw: RawHallConfig, issues: Issue[]): void {
  const serviceIds = new Set(raw.services.map((s) => s.id));
  const counterIds = new Set(raw.counters.map((c) => c.id));
  for (const dup of duplicates(raw.services.map((s) => s.id))) issues.push({ path: 'services', expected: 'unique service ids', got: dup });
  raw.services.forEach((s, i) => {
    const other = raw.services.findIndex((o) => o.prefix === s.prefix);
    if (other !== i) issues.push({ path: `services[${i}].prefix`, expected: `a prefix not used by services[${other}]`, got: s.prefix });
  });
  for (const dup of duplicates(raw.counters.map((c) => c.id))) issues.push({ path: 'counters', expected: 'unique counter ids', got: dup });
  raw.counters.forEach((c, i) => {
    c.services.forEach((s, j) => {
      if (!serviceIds.has(s))
        issues.push({
          path: `counters[${i}].services[${j}]`,
          expected: `a service id from services[] (${[...serviceIds].join(', ')})`,
          got: s,
        });
    });
    if (c.backupCounter !== undefined && (!counterIds.has(c.backupCounter) || c.backupCounter === c.id)) {
      issues.push({ path: `counters[${i}].backupCounter`, expected: 'another counter id from counters[]', got: c.backupCounter });
    }
  });
  for (const dup of duplicates(raw.staff.map((s) => s.id))) issues.push({ path: 'staff', expected: 'unique staff ids', got: dup });
  checkDevices(raw.devices ?? [], counterIds, issues);
  if (raw.hall.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: raw.hall.timezone });
    } catch {
      issues.push({ path: 'hall.timezone', expected: 'an IANA time zone such as "Asia/Shanghai"', got: raw.hall.timezone });
    }
  }
}

function resolve(raw: RawHallConfig, file: string, env: NodeJS.ProcessEnv): HallConfig {
  const secret = env.HALLQ_SECRET ?? raw.hall.secret ?? DEMO_SECRET;
  return {
    file,
    hall: {
      name: raw.hall.name,
      code: raw.hall.code,
      timezone: raw.hall.timezone ?? 'Asia/Shanghai',
      phones: raw.hall.phones,
      notices: raw.hall.notices ?? [],
      secret,
    },
    server: {
      host: raw.server?.host ?? '127.0.0.1',
      port: raw.server?.port ?? 8080,
      dataDir: raw.server?.dataDir ?? 'data',
      publicUrl: raw.server?.publicUrl,
    },
    queue: raw.queue ?? {},
    voice: { repeat: raw.voice?.repeat ?? 1, chime: raw.voice?.chime ?? true, leadIn: raw.voice?.leadIn },
    kiosk: { idleSeconds: raw.kiosk?.idleSeconds ?? 30, printDeadlineSeconds: raw.kiosk?.printDeadlineSeconds ?? 20 },
    rating: { timeoutSeconds: raw.rating?.timeoutSeconds ?? 30 },
    board: { waitAlertMinutes: raw.board?.waitAlertMinutes ?? 30 },
    auth: raw.auth,
    staff: raw.staff,
    services: raw.services.map((s) => ({
      ...s,
      materials: s.materials.map((m) => ({ ...m, required: m.required ?? true })),
      conditions: s.conditions ?? [],
      process: s.process ?? [],
    })),
    counters: raw.counters.map((c) => ({ ...c, senior: c.senior ?? false, green: c.green ?? false, autoCall: c.autoCall ?? false })),
    devices: raw.devices ?? [],
    warnings: codePageWarnings(raw, file),
  };
}
