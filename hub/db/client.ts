// A client taken out of the pool has no 'error' listener of its own (pg-pool removes its idle one), and
// pg emits 'error' when the server goes away under it — with no listener that is an uncaught exception
// and the hub process dies on a PostgreSQL restart. Every checkout goes through here: the error is kept,
// the work's own query fails as usual, and a broken client is destroyed instead of returned to the pool.
import type pg from 'pg';

export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (err) {
    // a connection that failed mid-transaction is not put back in the pool
    broken ??= err as Error;
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** BEGIN … COMMIT around `work`, ROLLBACK when it throws */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
