import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import { codePageWarnings } from './codepage.js';
import { checkDevices } from './devices.js';
import type { CalendarData } from '../queue/calendar.js';
import type { CounterDef, ServiceDef } from '../queue/types.js';
import { checkCalendar } from './calendar-check.js';
import { hallConfigSpec, type RawHallConfig } from './schema.js';
import { formatIssue, type Issue } from './spec.js';
import { checkRatingReasons } from './rating-reasons.js';
import { hallTls, type ServerTls } from './tls.js';
import { upstreamCa } from './upstream-ca.js';
import { DEFAULT_RATING_REASONS, type RatingReasonDef } from '../../common/rating-reasons.js';

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
export type SatelliteConfigEntry = NonNullable<RawHallConfig['satellites']>[number];
export type RemoteDeviceConfig = SatelliteConfigEntry['devices'][number];

export type TerminalConfig = NonNullable<RawHallConfig['terminals']>[number];

export interface HallConfig {
  file: string;
  /** demo hall: demo secret and short PINs allowed, simulator routes, pairing links printed */
  demo: boolean;
  /** /api/v1/sim/* registered (demo, or simulator: true) */
  simulator: boolean;
  terminals: TerminalConfig[];
  hall: {
    name: string;
    code: string;
    timezone: string;
    phones: { consult: string; complaint: string; complaintLevels?: { province: string; city: string; county: string; station: string } };
    notices: { zh: string; en: string }[];
    secret: string;
  };
  server: { host: string; port: number; dataDir: string; publicUrl?: string; hostNames: string[]; tls?: ServerTls };
  queue: NonNullable<RawHallConfig['queue']>;
  voice: { repeat: number; chime: boolean; leadIn?: string; replayMaxAgeSeconds: number; checkMinutes: number };
  kiosk: { idleSeconds: number; printDeadlineSeconds: number; ticketsPerMinute: number };
  rating: { timeoutSeconds: number; reasons: readonly RatingReasonDef[] };
  board: { waitAlertMinutes: number };
  /** undefined: always open, due dates count Mon–Fri */
  calendar?: CalendarData;
  reports: { cycleEndDay: number };
  cases: { callbackSamplePercent: number; returnCodeDays: number; petitionWorkingDays: number; backupStaff: Record<string, string> };
  auth: { guidePin: string; managerPin: string };
  staff: StaffConfig[];
  services: ServiceDef[];
  counters: (CounterDef & { autoCall: boolean })[];
  devices: DeviceConfig[];
  /** satellite PCs and the devices each may act for (agent/satellite/) */
  satellites: (SatelliteConfigEntry & { revoked: boolean; maxClockSkewSeconds: number })[];
  /** upward sync; undefined when the hall sends nothing */
  upstream?: {
    url: string;
    hallId: string;
    secret: string;
    batchSize: number;
    timeoutSeconds: number;
    backoffMaxSeconds: number;
    /** the online-booking exchange with the hub (agent/sync/booking-sync.ts) */
    bookingsPollSeconds: number;
    /** PEM text of upstream.ca */
    ca?: string;
  };
  /** problems that do not stop the hall (text a printer cannot print); the caller logs them */
  warnings: string[];
}

/** Only the demo hall may run without a real secret; a real hall must set one. */
export const DEMO_SECRET = 'demo-hall-secret-not-for-production';
/** config/demo-hall.yaml's upstream.secret, published: only `demo: true` may use it */
export const DEMO_UPSTREAM_SECRET = 'demo-upstream-secret-not-for-production';

/** A real hall without a usable secret: one line saying how to set it (main.ts exits 2). */
export class MissingSecretError extends ConfigError {
  constructor(file: string, why: string) {
    super(file, []);
    this.message = `hallq: ${why}: 身份证 numbers are kept only as an HMAC with this secret. Set one of at least 16 characters, e.g. HALLQ_SECRET="$(openssl rand -hex 24)" npm start -- --config ${file} (or hall.secret in ${file})`;
  }
}

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
  const raw = hallConfigSpec.check(withBase(doc.toJS(), file), '', issues);
  if (issues.length === 0) crossCheck(raw, issues);
  if (issues.length === 0 && raw.upstream && !raw.upstream.secret && !env.HALLQ_UPSTREAM_SECRET) {
    issues.push({
      path: 'upstream.secret',
      expected: 'the secret registered for this hall at the hub (or set HALLQ_UPSTREAM_SECRET)',
      got: undefined,
    });
  }
  if (issues.length > 0) throw new ConfigError(file, issues.map(formatIssue));
  return resolve(raw, file, env);
}

/**
 * `extends: demo-hall.yaml` (relative to this file): this file's top-level keys replace the base's.
 * One level only; lets a config add a section (e.g. satellites) to a shared hall without copying it.
 */
function withBase(value: unknown, file: string): unknown {
  if (typeof value !== 'object' || value === null || !('extends' in value)) return value;
  const { extends: base, ...own } = value as Record<string, unknown>;
  const problem = (why: string) => new ConfigError(file, [`extends: ${why}`]);
  if (typeof base !== 'string' || !/\.ya?ml$/.test(base)) throw problem('expected the path of a .yaml hall config, relative to this file');
  const path = resolvePath(dirname(file), base);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw problem(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const parent = doc.toJS() as unknown;
  if (doc.errors.length > 0 || typeof parent !== 'object' || parent === null) throw problem(`${path} is not a valid YAML mapping`);
  if ('extends' in parent) throw problem(`${path} extends another file itself; only one level is supported`);
  return { ...(parent as Record<string, unknown>), ...own };
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
  crossCheckSatellites(raw, issues);
  const terminalIds = new Set<string>();
  const readers = new Set(
    [...(raw.devices ?? []), ...(raw.satellites ?? []).flatMap((s) => s.devices)].filter((d) => d.kind === 'idReader').map((d) => d.id),
  );
  (raw.terminals ?? []).forEach((t, i) => {
    if (terminalIds.has(t.id)) issues.push({ path: `terminals[${i}].id`, expected: 'a terminal id not used before', got: t.id });
    terminalIds.add(t.id);
    if ((t.kind === 'pad' || t.kind === 'counter') && t.counter === undefined)
      issues.push({ path: `terminals[${i}].counter`, expected: `the counter id this ${t.kind} terminal belongs to`, got: undefined });
    if (t.counter !== undefined && !counterIds.has(t.counter))
      issues.push({
        path: `terminals[${i}].counter`,
        expected: `a counter id from counters[] (${[...counterIds].join(', ')})`,
        got: t.counter,
      });
    (t.readers ?? []).forEach((r, j) => {
      if (!readers.has(r))
        issues.push({ path: `terminals[${i}].readers[${j}]`, expected: 'the id of an idReader device in devices[]', got: r });
      if (t.kind !== 'kiosk') issues.push({ path: `terminals[${i}].readers`, expected: 'readers only on a kiosk terminal', got: r });
    });
  });
  if (!raw.demo) {
    for (const key of ['guidePin', 'managerPin'] as const) {
      if (raw.auth[key].length < 6)
        issues.push({ path: `auth.${key}`, expected: 'at least 6 digits outside the demo hall', got: `${raw.auth[key].length} digits` });
    }
  }
  const staffIds = new Set(raw.staff.map((s) => s.id));
  for (const [a, b] of Object.entries(raw.cases?.backupStaff ?? {})) {
    if (!staffIds.has(a)) issues.push({ path: `cases.backupStaff.${a}`, expected: 'a key that is a staff id from staff[]', got: a });
    if (!staffIds.has(b) || b === a) issues.push({ path: `cases.backupStaff.${a}`, expected: 'another staff id from staff[]', got: b });
  }
  if (raw.calendar) checkCalendar(raw.calendar, counterIds, issues);
  checkRatingReasons(raw.rating?.reasons ?? [], issues);
  if (raw.hall.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: raw.hall.timezone });
    } catch {
      issues.push({ path: 'hall.timezone', expected: 'an IANA time zone such as "Asia/Shanghai"', got: raw.hall.timezone });
    }
  }
}

function crossCheckSatellites(raw: RawHallConfig, issues: Issue[]): void {
  const sats = raw.satellites ?? [];
  if (raw.role === 'satellite') {
    issues.push({
      path: 'role',
      expected: '"primary" in a hall config (a satellite config has only role, primary, server and devices)',
      got: raw.role,
    });
  }
  for (const dup of duplicates(sats.map((s) => s.id))) issues.push({ path: 'satellites', expected: 'unique satellite ids', got: dup });
  const counterIds = new Set(raw.counters.map((c) => c.id));
  const local = new Set((raw.devices ?? []).map((d) => d.id));
  const owner = new Map<string, string>();
  sats.forEach((s, i) => {
    if ((s.token === undefined) === (s.tokenSha256 === undefined))
      issues.push({
        path: `satellites[${i}]`,
        expected: 'exactly one of token or tokenSha256',
        got: s.token === undefined ? undefined : 'both',
      });
    s.devices.forEach((d, j) => {
      const path = `satellites[${i}].devices[${j}]`;
      if (local.has(d.id))
        issues.push({ path: `${path}.id`, expected: 'a device id not also in devices[] (a device has one owner)', got: d.id });
      const other = owner.get(d.id);
      if (other !== undefined)
        issues.push({ path: `${path}.id`, expected: `a device id not already assigned to satellite ${other}`, got: d.id });
      owner.set(d.id, s.id);
      const needsCounter = d.kind === 'counterDisplay' || d.kind === 'keypad' || d.kind === 'ratingPad';
      if (needsCounter && d.counter === undefined)
        issues.push({ path: `${path}.counter`, expected: `the counter id this ${d.kind} belongs to`, got: undefined });
      if (d.counter !== undefined && !counterIds.has(d.counter))
        issues.push({ path: `${path}.counter`, expected: `a counter id from counters[] (${[...counterIds].join(', ')})`, got: d.counter });
    });
  });
}

function resolve(raw: RawHallConfig, file: string, env: NodeJS.ProcessEnv): HallConfig {
  const given = env.HALLQ_SECRET ?? raw.hall.secret;
  const demo = raw.demo ?? false;
  if (!demo && given === undefined) throw new MissingSecretError(file, 'HALLQ_SECRET is not set');
  if (!demo && given !== undefined && (given.length < 16 || given === DEMO_SECRET))
    throw new MissingSecretError(file, 'HALLQ_SECRET is shorter than 16 characters or is the public demo secret');
  const secret = given ?? DEMO_SECRET;
  const upstreamSecret = env.HALLQ_UPSTREAM_SECRET ?? raw.upstream?.secret;
  if (!demo && raw.upstream && upstreamSecret === DEMO_UPSTREAM_SECRET)
    throw new ConfigError(file, [
      "upstream.secret: this is the demo hall's published secret (anyone could sign batches as this hall); set HALLQ_UPSTREAM_SECRET or upstream.secret to the secret `npm run hub -- add-hall` printed for this hall",
    ]);
  const port = raw.server?.port ?? 8080;
  const tls = hallTls(file, raw.server, port);
  if (tls.problems.length) throw new ConfigError(file, tls.problems);
  const upstream = upstreamCa(raw.upstream, file, demo);
  if (upstream.problem) throw new ConfigError(file, [upstream.problem]);
  return {
    file,
    demo,
    simulator: demo || (raw.simulator ?? false),
    terminals: raw.terminals ?? [],
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
      port,
      dataDir: raw.server?.dataDir ?? 'data',
      publicUrl: raw.server?.publicUrl,
      hostNames: raw.server?.hostNames ?? [],
      tls: tls.tls,
    },
    queue: raw.queue ?? {},
    voice: {
      repeat: raw.voice?.repeat ?? 1,
      chime: raw.voice?.chime ?? true,
      leadIn: raw.voice?.leadIn,
      replayMaxAgeSeconds: raw.voice?.replayMaxAgeSeconds ?? 120,
      checkMinutes: raw.voice?.checkMinutes ?? 5,
    },
    kiosk: {
      idleSeconds: raw.kiosk?.idleSeconds ?? 30,
      printDeadlineSeconds: raw.kiosk?.printDeadlineSeconds ?? 20,
      ticketsPerMinute: raw.kiosk?.ticketsPerMinute ?? 30,
    },
    rating: { timeoutSeconds: raw.rating?.timeoutSeconds ?? 30, reasons: raw.rating?.reasons ?? DEFAULT_RATING_REASONS },
    board: { waitAlertMinutes: raw.board?.waitAlertMinutes ?? 30 },
    calendar: raw.calendar
      ? {
          alwaysOpen: raw.calendar.alwaysOpen ?? false,
          graceMinutes: raw.calendar.graceMinutes ?? 0,
          hours: raw.calendar.hours ?? {},
          flexible: raw.calendar.flexible ?? [],
          weekendDuty: (raw.calendar.weekendDuty ?? []).map((d) => ({ ...d, weeks: d.weeks ?? 'all' })),
          holidays: (raw.calendar.holidays ?? []).map((h) => ({ ...h, workdays: h.workdays ?? [] })),
          makeUpHours: raw.calendar.makeUpHours,
          appointmentOnly: raw.calendar.appointmentOnly ?? [],
          idPickup: raw.calendar.idPickup,
        }
      : undefined,
    reports: { cycleEndDay: raw.reports?.cycleEndDay ?? 25 },
    cases: {
      callbackSamplePercent: raw.cases?.callbackSamplePercent ?? 0,
      returnCodeDays: raw.cases?.returnCodeDays ?? 30,
      petitionWorkingDays: raw.cases?.petitionWorkingDays ?? 15,
      backupStaff: raw.cases?.backupStaff ?? {},
    },
    auth: raw.auth,
    staff: raw.staff,
    services: raw.services.map((s) => ({
      ...s,
      materials: s.materials.map((m) => ({ ...m, required: m.required ?? true })),
      conditions: s.conditions ?? [],
      process: s.process ?? [],
    })),
    counters: raw.counters.map((c) => ({
      ...c,
      senior: c.senior ?? false,
      green: c.green ?? false,
      autoCall: c.autoCall ?? false,
      schoolBatch: c.schoolBatch ?? false,
    })),
    devices: raw.devices ?? [],
    satellites: (raw.satellites ?? []).map((s) => ({ ...s, revoked: s.revoked ?? false, maxClockSkewSeconds: s.maxClockSkewSeconds ?? 5 })),
    upstream: raw.upstream && {
      url: raw.upstream.url,
      hallId: raw.upstream.hallId ?? raw.hall.code,
      secret: env.HALLQ_UPSTREAM_SECRET ?? raw.upstream.secret ?? '',
      batchSize: raw.upstream.batchSize ?? 500,
      timeoutSeconds: raw.upstream.timeoutSeconds ?? 20,
      backoffMaxSeconds: raw.upstream.backoffMaxSeconds ?? 300,
      bookingsPollSeconds: raw.upstream.bookingsPollSeconds ?? 15,
      ca: upstream.ca,
    },
    warnings: codePageWarnings(raw, file),
  };
}
