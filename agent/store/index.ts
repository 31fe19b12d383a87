import type { Database } from 'better-sqlite3';
import type { QueueStore } from '../queue/store.js';
import { SqliteHallStore } from './sqlite-store.js';

export { MIGRATIONS, migrate } from './migrations.js';
export { SqliteHallStore } from './sqlite-store.js';

/**
 * Opens (creating if needed) the hall's SQLite file: WAL, synchronous=FULL so a committed ticket
 * survives a power cut, busy_timeout, migrations applied.
 */
export function openHallStore(path: string, opts: { busyTimeoutMs?: number } = {}): QueueStore & { close(): void; db: Database } {
  return SqliteHallStore.open(path, opts);
}
