import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../agent/config/load.js';
import { postBatch } from '../../agent/sync/post.js';
import { addHall } from '../../hub/registry.js';
import { type RunningHub, startHub } from '../../hub/server.js';
import { DEMO_CONFIG } from '../helpers/agent.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { serviceRecord } from '../hub/harness.js';

// Finding: everything upward was plain HTTP (the hall's signed batches, the hub cookie). The hall now sends
// only over HTTPS outside the demo, verifying the hub against the CA its config names; the hub serves HTTPS.

const dir = mkdtempSync(join(tmpdir(), 'hallq-tls-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** a CA and a certificate for 127.0.0.1 signed by it, made here with openssl */
function makeCa(name: string): { ca: string; key: string; cert: string } {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} CA`,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', `${name}-hub.key`, '-out', `${name}-hub.csr`);
  writeFileSync(join(dir, `${name}-ext.cnf`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}-hub.csr`,
    '-CA',
    `${name}-ca.pem`,
    '-CAkey',
    `${name}-ca.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}-ext.cnf`,
    '-out',
    `${name}-hub.pem`,
  );
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read(`${name}-ca.pem`), key: read(`${name}-hub.key`), cert: read(`${name}-hub.pem`) };
}

let pg: TestPostgres;
let hub: RunningHub;
let city: ReturnType<typeof makeCa>;
let other: ReturnType<typeof makeCa>;
const SECRET = 'tls-hall-secret-0123456789';

beforeAll(async () => {
  city = makeCa('city');
  other = makeCa('other');
  pg = await startTestPostgres();
  hub = await startHub({ databaseUrl: pg.url, port: 0, tls: { key: city.key, cert: city.cert } });
  await addHall(hub.pool, { id: 'HALL-TLS', name: '加密大厅', city: '合肥市', secret: SECRET });
});
afterAll(async () => {
  await hub?.close().catch(() => {});
  await pg?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the upward link over HTTPS', () => {
  it('the hub serves HTTPS; the hall verifies it against its CA and its batch is stored', async () => {
    expect(hub.url).toMatch(/^https:\/\//);
    const up = { url: hub.url, hallId: 'HALL-TLS', secret: SECRET, timeoutMs: 10_000, ca: city.ca };
    const out = await postBatch(up, [serviceRecord('tls-1', '2026-11-10', Date.UTC(2026, 10, 10, 2))]);
    expect(out.kind, JSON.stringify(out)).toBe('ok');
    // a hub whose certificate another CA signed (a man in the middle) gets nothing
    const wrong = await postBatch({ ...up, ca: other.ca }, [serviceRecord('tls-2', '2026-11-10', Date.UTC(2026, 10, 10, 3))]);
    expect(wrong.kind).toBe('retry');
    expect(wrong.kind === 'retry' && wrong.error).toMatch(/network: .*(CERT|SIGNATURE|VERIFY|SELF_SIGNED)/i);
    const stored = await hub.pool.query(`SELECT count(*)::int AS n FROM records WHERE hall_id = 'HALL-TLS'`);
    expect(stored.rows[0].n).toBe(1);
  });

  it('outside the demo the config demands https and upstream.ca, naming file, path and fix', () => {
    const real = readFileSync(DEMO_CONFIG, 'utf8')
      .replace(/^demo: true\n/m, '')
      .replace(/\nupstream:[\s\S]*$/, '\n')
      .replace('  # secret: set HALLQ_SECRET', '  secret: "a-real-hall-secret-of-32-characters"\n  # secret: set HALLQ_SECRET')
      .replace('guidePin: "8888"', 'guidePin: "564738"')
      .replace('managerPin: "9999"', 'managerPin: "918273"');
    const file = join(dir, 'hall.yaml');
    const problems = (upstream: string) => {
      try {
        parseConfig(`${real}\nupstream:\n${upstream}`, file, {});
        return [];
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
    };
    expect(problems('  url: http://hub.example:8090\n  secret: a-real-upstream-secret-123\n').join()).toMatch(/upstream\.url.*HTTPS/);
    expect(problems('  url: https://hub.example:8090\n  secret: a-real-upstream-secret-123\n').join()).toMatch(/upstream\.ca: missing/);
    expect(problems('  url: https://hub.example:8090\n  secret: a-real-upstream-secret-123\n  ca: nowhere.pem\n').join()).toMatch(
      /upstream\.ca: cannot read .*nowhere\.pem/,
    );
    expect(
      problems('  url: https://hub.example:8090\n  secret: demo-upstream-secret-not-for-production\n  ca: city-ca.pem\n').join(),
    ).toMatch(/published secret/);
    const ok = parseConfig(
      `${real}\nupstream:\n  url: https://hub.example:8090\n  secret: a-real-upstream-secret-123\n  ca: city-ca.pem\n`,
      file,
      {},
    );
    expect(ok.upstream?.ca).toBe(city.ca);
  });
});
