export { QueueEngine, QueueError } from './engine.js';
export type { EngineOptions, IssueRequest } from './engine.js';
export { DEFAULT_RULES, resolveRules } from './rules.js';
export type { QueueRules } from './rules.js';
export type { QueueStore, StoredTicket, StoredCounter, ServiceStat, OutboxInput } from './store.js';
export { parseAppointmentsCsv } from './appointments.js';
export { isValidIdNumber, maskIdNumber } from './idnumber.js';
export * from './types.js';
