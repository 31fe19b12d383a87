import type { HallConfig } from './config/load.js';
import { type QueueRules, resolveRules } from './queue/rules.js';

/** Hall config (minutes, friendly names) → the engine's rules (ms). Unset keys keep the defaults. */
export function rulesFromConfig(config: HallConfig): QueueRules {
  const q = config.queue;
  const partial: Partial<QueueRules> = { timezone: config.hall.timezone };
  if (q.numberWidth !== undefined) partial.numberWidth = q.numberWidth;
  if (q.perIdDailyLimit !== undefined) partial.idDailyLimitPerService = q.perIdDailyLimit;
  if (q.seniorPerNormal !== undefined) partial.seniorRatio = q.seniorPerNormal;
  if (q.starvationMinutes !== undefined) partial.starvationMs = q.starvationMinutes * 60_000;
  if (q.appointmentGraceMinutes !== undefined) partial.appointmentGraceMs = q.appointmentGraceMinutes * 60_000;
  if (q.rejoinBehind !== undefined) partial.rejoinBehind = q.rejoinBehind;
  if (q.maxRecalls !== undefined) partial.maxRecalls = q.maxRecalls;
  return resolveRules(partial);
}
