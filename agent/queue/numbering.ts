// Ticket numbers: service prefix + zero-padded daily sequence (A001). The sequence row is bumped in
// the same transaction as the ticket row, so a number that was ever returned is never reused.
import { QueueError } from './errors.js';
import type { ServiceDef } from './types.js';

export function formatNumber(prefix: string, seq: number, width: number): string {
  return `${prefix}${String(seq).padStart(width, '0')}`;
}

/** Largest sequence that still fits the configured width (A999 with width 3). */
export function maxSequence(width: number): number {
  return 10 ** width - 1;
}

export function capExceeded(service: ServiceDef, seq: number, width: number): QueueError | undefined {
  const cap = Math.min(service.dailyCap ?? Number.POSITIVE_INFINITY, maxSequence(width));
  if (seq <= cap) return undefined;
  return new QueueError(
    'DAILY_CAP_REACHED',
    409,
    `「${service.name.zh}」今日号源已发完（每日${cap}个），请改日再来或预约办理`,
    `Daily ticket cap reached for ${service.id} (${cap} per day)`,
  );
}

/** Ticket ids are deterministic: day + number, with a suffix for each transfer of the same number. */
export function ticketId(day: string, number: string, generation = 0): string {
  return generation === 0 ? `${day}-${number}` : `${day}-${number}.${generation}`;
}
