// A real PostgreSQL server for the hub's tests: Debian's binaries (apt package `postgresql`),
// initdb in a temp dir, run as the `postgres` user via runuser (initdb refuses root), on a free port.
// Missing binaries fail the run with the apt line: the hub is never tested against a stand-in.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalPostgres, startLocalPostgres } from '../../hub/db/local-server.js';

export const APT_LINE = 'apt-get update && apt-get install -y postgresql';

export function debianPgBin(): string {
  if (process.env.HALLQ_PG_BIN) return process.env.HALLQ_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`PostgreSQL server binaries not found under ${root}. Run as root:\n  ${APT_LINE}`);
  return join(root, versions[0]!, 'bin');
}

export interface TestPostgres extends LocalPostgres {
  /** stop the server and delete its data */
  destroy(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const binDir = debianPgBin();
  const dataDir = mkdtempSync(join(tmpdir(), 'hallq-pg-'));
  // Durable as in production (fsync on): the restart test relies on committed means kept.
  const pg = await startLocalPostgres({ binDir, dataDir, settings: { max_connections: 300, shared_buffers: '64MB' } });
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await pg.stop('immediate').catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  // A test file that dies between start and destroy must not leave a server behind.
  process.once('exit', () => {
    if (destroyed) return;
    pg.stopNow();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { ...pg, destroy };
}
