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

/** pg's message when a query's read timeout fired: the connection is dead or stuck, never reuse it */
export const READ_TIMEOUT = 'Query read timeout';

/**
 * The same client with a read timeout on every query. A connection the network dropped without a FIN
 * (a database host gone, a NAT or firewall that forgot the flow) answers nothing and PostgreSQL has no
 * backend for it; without this a query on it waits for TCP to give up, a quarter of an hour. The
 * timed-out query stays active on the client, so the pool destroys the connection when it is released.
 */
export function withQueryTimeout(client: pg.PoolClient, ms: number): pg.PoolClient {
  const timed = Object.create(client) as pg.PoolClient;
  const query = (text: string | pg.QueryConfig, values?: unknown[]) => {
    const config = typeof text === 'string' ? { text, values } : { ...text, values: values ?? text.values };
    return client.query({ ...config, query_timeout: ms } as pg.QueryConfig);
  };
  timed.query = query as pg.PoolClient['query'];
  return timed;
}

/** BEGIN … COMMIT around `work`, ROLLBACK when it throws; with queryTimeoutMs every statement has a read timeout */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  opts: { queryTimeoutMs?: number } = {},
): Promise<T> {
  return withClient(pool, async (raw) => {
    const client = opts.queryTimeoutMs ? withQueryTimeout(raw, opts.queryTimeoutMs) : raw;
    await client.query('BEGIN');
    try {
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      // after a read timeout the connection is dropped, which rolls the transaction back on the server
      if ((err as Error).message !== READ_TIMEOUT) await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
