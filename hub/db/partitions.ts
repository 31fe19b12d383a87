// Monthly partitions of `records`, created ahead of time. A record whose month has no partition yet
// lands in records_default; creating that month later moves such rows into the new partition in the
// same transaction, so a partition can always be added.
import type pg from 'pg';
import { inTransaction } from './client.js';

function monthStart(y: number, m: number): string {
  const d = new Date(Date.UTC(y, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

export function partitionName(y: number, m: number): string {
  return `records_${monthStart(y, m).slice(0, 7).replace('-', '_')}`;
}

/** Creates the partitions from `back` months before `now` to `ahead` months after it; returns those created. */
export async function ensurePartitions(pool: pg.Pool, now = new Date(), back = 1, ahead = 3): Promise<string[]> {
  const created: string[] = [];
  for (let i = -back; i <= ahead; i++) {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth() + i;
    const name = partitionName(y, m);
    const exists = await pool.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
    if (exists.rowCount) continue;
    // Boundaries in UTC+8 would split a Chinese month more exactly; UTC months only move a few
    // hours of records to the neighbouring partition, which pruning by range still finds.
    const from = `${monthStart(y, m)} 00:00:00+00`;
    const to = `${monthStart(y, m + 1)} 00:00:00+00`;
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(804212)');
      const again = await client.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
      if (!again.rowCount) {
        await client.query(`CREATE TABLE ${name} (LIKE records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        await client.query(
          `WITH moved AS (DELETE FROM records_default WHERE at >= $1 AND at < $2 RETURNING *)
                            INSERT INTO ${name} SELECT * FROM moved`,
          [from, to],
        );
        await client.query(`ALTER TABLE records ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
        created.push(name);
      }
    });
  }
  return created;
}
