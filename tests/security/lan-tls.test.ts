// HTTPS on the hall LAN: deploy/install.sh --tls makes the hall CA and the agent's certificate (and
// imports the CA into the screens' NSS store); the agent started with them answers https and wss to
// clients that trust the hall CA alone, and nothing of the hall over plain http.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../agent/config/load.js';
import { serverTls } from '../../agent/config/tls.js';
import { parseSatelliteConfig } from '../../agent/satellite/config.js';
import { type RunningSatellite, startSatellite } from '../../agent/satellite/satellite.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { freePort } from '../satellite/support.js';
import { demoYaml } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'hallq-lan-tls-'));
const tlsDir = join(root, 'etc/hallq/tls');
const pem = (f: string) => readFileSync(join(tlsDir, f), 'utf8');
const SATELLITE_TOKEN = 'satellite-token-for-the-tls-test';

function install(): { code: number | null; out: string; err: string } {
  const r = spawnSync(
    'bash',
    [join(ROOT, 'deploy/install.sh'), '--root', root, '--node', process.execPath, '--tls', '--tls-name', 'hall-pc.example'],
    {
      encoding: 'utf8',
    },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** GET over https trusting only `ca` (undefined: Node's public store), from `name` */
function httpsGet(url: string, ca: string | undefined, path = '/api/v1/queue'): Promise<{ status: number } | { error: string }> {
  const u = new URL(url);
  return new Promise((done) => {
    const req = httpsRequest(
      { host: u.hostname, port: u.port, path, ca, servername: u.hostname === '127.0.0.1' ? undefined : u.hostname },
      (res) => {
        res.resume();
        done({ status: res.statusCode ?? 0 });
      },
    );
    req.on('error', (err) => done({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end();
  });
}

function plain(port: number, opts: { method?: string; path: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; location?: string; body: string } | { error: string }>((done) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', (err) => done({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end();
  });
}

let agent: TestAgent;
let httpPort: number;
let installRun: ReturnType<typeof install>;
beforeAll(async () => {
  installRun = install();
  httpPort = await freePort();
  const yaml = demoYaml((t) =>
    t.replace(
      '  dataDir: data\n',
      `  dataDir: data\n  tls: { key: ${join(tlsDir, 'agent.key')}, cert: ${join(tlsDir, 'agent.pem')}, httpPort: ${httpPort} }\n`,
    ),
  ).concat(
    `\nsatellites:\n  - id: tls-pc\n    token: ${SATELLITE_TOKEN}\n    devices:\n      - { id: hall-display-9, kind: hallDisplay }\n`,
  );
  agent = await startTestAgent({ configText: yaml });
}, 60_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('install.sh --tls', () => {
  it('makes a hall CA and an agent certificate for this PC, keys readable by their owner only; a re-run keeps both', () => {
    expect(installRun.err).toBe('');
    expect(installRun.code).toBe(0);
    for (const key of ['hall-ca.key', 'agent.key']) expect(statSync(join(tlsDir, key)).mode & 0o777).toBe(0o600);
    const text = spawnSync('openssl', ['x509', '-in', join(tlsDir, 'agent.pem'), '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/DNS:localhost/);
    expect(text).toMatch(/IP Address:127\.0\.0\.1/);
    expect(text).toMatch(/DNS:hall-pc\.example/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(spawnSync('openssl', ['verify', '-CAfile', join(tlsDir, 'hall-ca.pem'), join(tlsDir, 'agent.pem')]).status).toBe(0);
    // the screen unit and the health probe trust the hall CA; the first config serves https
    expect(readFileSync(join(root, 'etc/hallq/hall.yaml'), 'utf8')).toMatch(/^ {2}tls: \{ key: \/etc\/hallq\/tls\/agent\.key/m);
    expect(installRun.out).toMatch(/would run: apt-get install .*libnss3-tools/);
    const before = [pem('hall-ca.pem'), pem('agent.pem'), pem('agent.key')];
    const again = install();
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/kept {6}\/etc\/hallq\/tls\/hall-ca\.pem/);
    expect([pem('hall-ca.pem'), pem('agent.pem'), pem('agent.key')]).toEqual(before);
  });
});

describe('an agent with the hall certificate', () => {
  it('answers https to a client trusting the hall CA only; a client without it is refused', async () => {
    expect(agent.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(agent.baseUrl).port;
    expect(await httpsGet(agent.baseUrl, pem('hall-ca.pem'))).toEqual({ status: 200 });
    expect(await httpsGet(`https://localhost:${port}`, pem('hall-ca.pem'))).toEqual({ status: 200 });
    // Node's public CA store, and a CA that is not the hall's
    const untrusted = await httpsGet(agent.baseUrl, undefined);
    expect(untrusted).toHaveProperty('error');
    expect((untrusted as { error: string }).error).toMatch(/CERT|SIGNATURE|ISSUER/);
    // plain http on the https port gets no hall answer
    const clear = await plain(Number(port), { path: '/api/v1/queue' });
    expect('status' in clear && clear.status === 200).toBe(false);
  });

  it('socket.io connects over wss with the hall CA (public screen and the board), and not without it', async () => {
    const connect = (ns: string, ca: string | undefined, auth?: Record<string, string>) =>
      new Promise<string>((done) => {
        const s = io(agent.baseUrl + ns, { transports: ['websocket'], reconnection: false, forceNew: true, ca, auth } as never);
        s.once('snapshot', () => {
          s.close();
          done('snapshot');
        });
        s.once('connect_error', (err) => {
          s.close();
          done(`error: ${err.message}`);
        });
      });
    expect(await connect('/display', pem('hall-ca.pem'))).toBe('snapshot');
    const manager = await new Promise<string>((done) => {
      const req = httpsRequest(
        `${agent.baseUrl}/api/v1/auth/manager`,
        { method: 'POST', ca: pem('hall-ca.pem'), headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => done(JSON.parse(body).token));
        },
      );
      req.end(JSON.stringify({ pin: '9999' }));
    });
    expect(await connect('/board', pem('hall-ca.pem'), { token: manager })).toBe('snapshot');
    expect(await connect('/display', undefined)).toMatch(/^error/);
  });

  it('the plain-http port only redirects browsers; API calls, tokens and socket.io are refused there', async () => {
    const port = new URL(agent.baseUrl).port;
    const page = await plain(httpPort, { path: '/board?x=1' });
    expect(page).toMatchObject({ status: 308, location: `https://127.0.0.1:${port}/board?x=1` });
    for (const r of [
      await plain(httpPort, { method: 'POST', path: '/api/v1/auth/manager', headers: { 'content-type': 'application/json' } }),
      await plain(httpPort, { path: '/api/v1/queue' }),
      await plain(httpPort, { path: '/display', headers: { 'x-hallq-terminal': 'a-terminal-token' } }),
      await plain(httpPort, { path: '/board', headers: { authorization: 'Bearer x' } }),
    ]) {
      expect(r).toMatchObject({ status: 403 });
      expect(JSON.parse((r as { body: string }).body).error.code).toBe('https_required');
    }
    expect(await plain(httpPort, { path: '/', headers: { host: 'evil.example' } })).toMatchObject({ status: 421 });
    const ws = await new Promise<string>((done) => {
      const s = io(`http://127.0.0.1:${httpPort}/display`, { transports: ['websocket'], reconnection: false, forceNew: true });
      s.once('snapshot', () => done('snapshot'));
      s.once('connect_error', () => {
        s.close();
        done('refused');
      });
    });
    expect(ws).toBe('refused');
  });

  it('a satellite connects over wss trusting the hall CA, and not with another CA', async () => {
    const otherCa = join(root, 'other-ca.pem');
    spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=not the hall',
      '-keyout',
      join(root, 'other-ca.key'),
      '-out',
      otherCa,
    ]);
    const run = async (ca: string): Promise<{ sat: RunningSatellite; warnings: string[] }> => {
      const warnings: string[] = [];
      const log = {
        debug() {},
        info() {},
        warn: (o: object) => warnings.push(JSON.stringify(o)),
        error: (o: object) => warnings.push(JSON.stringify(o)),
      };
      const cfg = parseSatelliteConfig(
        `role: satellite\nprimary: { url: "${agent.baseUrl}", satellite: tls-pc, token: ${SATELLITE_TOKEN}, ca: ${ca} }\ndevices:\n  - { id: hall-display-9, kind: hallDisplay, protocol: led-framed, address: 0, transport: { type: sim }, options: { lines: 4, columns: 32 } }\n`,
        join(root, 'satellite.yaml'),
        {},
      );
      const sat = await startSatellite(cfg, { logger: log, dataDir: mkdtempSync(join(root, 'sat-')), port: 0 });
      return { sat, warnings };
    };
    const good = await run(join(tlsDir, 'hall-ca.pem'));
    try {
      const end = Date.now() + 10_000;
      while (!good.sat.state().connected && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(good.sat.state().connected).toBe(true);
    } finally {
      await good.sat.close();
    }
    const bad = await run(otherCa);
    try {
      const end = Date.now() + 10_000;
      while (bad.warnings.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(bad.sat.state().connected).toBe(false);
      expect(bad.warnings.join('\n')).toMatch(/certificate|CERT|signature/i);
    } finally {
      await bad.sat.close();
    }
  });

  it('Chromium with the NSS store install.sh wrote opens the screen over https', async () => {
    const nssHome = join(root, 'var/lib/hallq');
    expect(existsSync(join(nssHome, '.pki/nssdb/cert9.db'))).toBe(true);
    // the process's HOME is the screen user's: Chromium reads $HOME/.pki/nssdb (a Node client without the
    // hall CA is refused above; one Chromium is enough to show the store install.sh wrote is the one it reads)
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, HOME: nssHome },
    });
    try {
      const page = await (await browser.newContext()).newPage();
      const res = await page.goto(`${agent.baseUrl}/display`);
      expect(res?.status()).toBe(200);
      expect(await page.evaluate(() => location.protocol)).toBe('https:');
    } finally {
      await browser.close();
    }
  });
});

describe('TLS config errors name the file, the key and the fix', () => {
  const yaml = (tls: string, extra = '') => demoYaml((t) => t.replace('  dataDir: data\n', `  dataDir: data\n  tls: ${tls}\n${extra}`));
  const problem = (text: string): string => {
    try {
      parseConfig(text, '/etc/hallq/hall.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('a missing file, a key of another certificate, an expired certificate, an http publicUrl, a satellite without the CA', () => {
    const key = join(tlsDir, 'agent.key');
    const cert = join(tlsDir, 'agent.pem');
    const missing = problem(yaml(`{ key: /nowhere/agent.key, cert: ${cert} }`));
    expect(missing).toContain('/etc/hallq/hall.yaml: server.tls.key: cannot read /nowhere/agent.key (ENOENT)');
    expect(missing).toContain('install.sh --tls');
    expect(problem(yaml(`{ key: ${join(tlsDir, 'hall-ca.key')}, cert: ${cert} }`))).toMatch(
      /server\.tls\.key: .*hall-ca\.key is not the key of .*agent\.pem/,
    );
    expect(problem(yaml(`{ key: ${cert}, cert: ${cert} }`))).toMatch(/server\.tls\.key: .*is not the agent's private key in PEM form/);
    expect(problem(yaml(`{ key: ${key} }`))).toMatch(/server\.tls\.cert: expected the path of the agent's certificate/);
    expect(problem(yaml(`{ key: ${key}, cert: ${cert} }`, '  publicUrl: http://hall-pc:8080\n'))).toMatch(
      /server\.publicUrl: .*plain http while server\.tls is set/,
    );
    const later = Date.now() + 900 * 24 * 3600_000;
    expect(serverTls('/etc/hallq/hall.yaml', { key, cert }, 8080, later).problems[0]).toMatch(
      /^server\.tls\.cert: .* expired on .*install\.sh --tls/,
    );
    expect(serverTls('/etc/hallq/hall.yaml', { key, cert, httpPort: 8080 }, 8080).problems[0]).toMatch(
      /^server\.tls\.httpPort: 8080 is also server\.port/,
    );
    const sat = (primary: string) => () =>
      parseSatelliteConfig(
        `role: satellite\nprimary: ${primary}\ndevices:\n  - { id: d1, kind: hallDisplay, protocol: led-framed, address: 0, transport: { type: sim } }\n`,
        '/etc/hallq/satellite.yaml',
        {},
      );
    expect(sat(`{ url: "https://hall-pc:8080", satellite: s1, token: ${SATELLITE_TOKEN} }`)).toThrow(
      /primary\.ca: missing for an https:\/\/ primary/,
    );
    expect(sat(`{ url: "https://hall-pc:8080", satellite: s1, token: ${SATELLITE_TOKEN}, ca: /nowhere/ca.pem }`)).toThrow(
      /satellite\.yaml: primary\.ca: cannot read \/nowhere\/ca\.pem/,
    );
    writeFileSync(join(root, 'not-a-cert.pem'), 'hello');
    expect(sat(`{ url: "https://hall-pc:8080", satellite: s1, token: ${SATELLITE_TOKEN}, ca: ${join(root, 'not-a-cert.pem')} }`)).toThrow(
      /primary\.ca: .* is not the hall CA certificate in PEM form/,
    );
  });
});
