// The command surface: help in both languages, exit codes (0 ok, 1 failed, 2 usage/config), config
// check, PIN hashing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPin } from '../../agent/security/pins.js';
import { startTestAgent } from '../helpers/agent.js';
import { hallq, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hallq', () => {
  it('prints help in Chinese and English and exits 0', async () => {
    const r = await hallq(['help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'check-config', 'devices', 'print-test', 'backup', 'restore', 'migrate', 'hash-pin'])
      expect(r.out).toContain(cmd);
    expect(r.out).toContain('退出码 exit codes');
    expect(r.out).toContain('打印测试页');
    expect(r.out).toContain('print a test page');
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    const a = await hallq(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('未知命令 unknown command "frobnicate"');
    const b = await hallq(['backup', '--bogus']);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/Unknown option '--bogus'/);
  });

  it('check-config accepts the demo hall and names file, key path and fix for a bad one (exit 2)', async () => {
    const ok = await hallq(['check-config', join(ROOT, 'config/demo-hall.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/config ok: .*demo-hall\.yaml/);
    expect(ok.out).toMatch(/7 services, 8 counters/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8').replace('port: 8080', 'port: eighty'));
    const r = await hallq(['check-config', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: server.port`);
    expect((await hallq(['check-config'])).code).toBe(2);
  });

  it('hash-pin reads the PIN from stdin and prints a scrypt hash that verifies', async () => {
    const r = await hallq(['hash-pin'], { input: '482913\n' });
    expect(r.code).toBe(0);
    const hash = r.out.trim();
    expect(hash).toMatch(/^scrypt\$16384\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('482913');
    expect(await verifyPin('482913', hash)).toBe(true);
    expect(await verifyPin('482914', hash)).toBe(false);
    const again = await hallq(['hash-pin', '482913']);
    expect(again.out.trim()).not.toBe(hash); // salted
    expect((await hallq(['hash-pin', '12ab'])).code).toBe(2);

    // The config takes the hash where it takes a PIN: the manager signs in with the PIN itself.
    const demo = readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8');
    expect(demo).toContain('managerPin: "9999"');
    const agent = await startTestAgent({ configText: demo.replace('managerPin: "9999"', `managerPin: "${hash}"`) });
    try {
      const login = (pin: string) =>
        fetch(`${agent.baseUrl}/api/v1/auth/manager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pin }),
        });
      expect((await login('482913')).status).toBe(200);
      expect((await login('9999')).status).toBe(401);
    } finally {
      await agent.stop();
    }
  });
});
