// 网上预约 import: validation of JSON records and a small RFC 4180 CSV reader for the same shape.
import { appointmentCodeProblem } from '../../common/appointment-code.js';
import { dayOf, parseHallTime } from './time.js';
import type { Appointment, AppointmentInput, ServiceDef } from './types.js';

export const MAX_BATCH = 500;

export type Validated = { ok: true; appointment: Appointment } | { ok: false; code: string; reason: string };

export function validateAppointment(input: AppointmentInput, services: ReadonlyMap<string, ServiceDef>, tz: string): Validated {
  const code = typeof input.code === 'string' ? input.code.trim() : '';
  if (!code) return { ok: false, code: String(input.code ?? ''), reason: 'missing code' };
  const codeProblem = appointmentCodeProblem(code);
  if (codeProblem) return { ok: false, code, reason: codeProblem };
  if (!services.has(input.service)) return { ok: false, code, reason: `unknown service ${input.service}` };
  const start = parseHallTime(input.slotStart, tz);
  const end = parseHallTime(input.slotEnd, tz);
  if (start === undefined || end === undefined) return { ok: false, code, reason: 'invalid slot time' };
  if (end < start) return { ok: false, code, reason: 'slot ends before it starts' };
  const batch = input.batchSize ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) {
    return { ok: false, code, reason: `batchSize must be 1..${MAX_BATCH}` };
  }
  const appointment: Appointment = {
    code,
    service: input.service,
    day: dayOf(start, tz),
    slotStart: start,
    slotEnd: end,
    batchSize: batch,
    state: 'booked',
    ticketIds: [],
  };
  if (input.nameMasked) appointment.nameMasked = input.nameMasked;
  return { ok: true, appointment };
}

function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, ''); // Excel writes a BOM in UTF-8 CSV
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

// Header aliases so an export from the booking platform can be imported as is.
const HEADERS: Record<string, keyof AppointmentInput> = {
  code: 'code',
  预约码: 'code',
  service: 'service',
  业务: 'service',
  slotstart: 'slotStart',
  开始时间: 'slotStart',
  slotend: 'slotEnd',
  结束时间: 'slotEnd',
  namemasked: 'nameMasked',
  name: 'nameMasked',
  姓名: 'nameMasked',
  batchsize: 'batchSize',
  人数: 'batchSize',
};

/**
 * Parses a CSV with a header row (code, service, slotStart, slotEnd, nameMasked?, batchSize?).
 * Rows with a non-numeric batch size keep it as NaN so validation reports them instead of dropping them.
 */
export function parseAppointmentsCsv(text: string): AppointmentInput[] {
  const rows = parseCsvRows(text);
  const header = rows.shift();
  if (!header) return [];
  const keys = header.map((h) => HEADERS[h.trim().toLowerCase().replace(/[\s_]/g, '')]);
  for (const need of ['code', 'service', 'slotStart', 'slotEnd'] as const) {
    if (!keys.includes(need)) throw new Error(`CSV header is missing column "${need}"`);
  }
  return rows.map((r) => {
    const rec: Record<string, string> = {};
    keys.forEach((k, i) => {
      if (k) rec[k] = (r[i] ?? '').trim();
    });
    const out: AppointmentInput = {
      code: rec.code ?? '',
      service: rec.service ?? '',
      slotStart: rec.slotStart ?? '',
      slotEnd: rec.slotEnd ?? '',
    };
    if (rec.nameMasked) out.nameMasked = rec.nameMasked;
    if (rec.batchSize) out.batchSize = Number(rec.batchSize);
    return out;
  });
}
