// deploy/kiosk/hallq-screen.sh with stand-ins for xset, curl and chromium on PATH (a unit test of the
// script: the real ones need an X session): blanking and DPMS go off, it waits for the agent, a
// "crashed" profile is marked clean, and Chromium gets kiosk mode, the URL and autoplay.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = resolve(import.meta.dirname, '../../deploy/kiosk/hallq-screen.sh');
const dir = mkdtempSync(join(tmpdir(), 'hallq-screen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stub(bin: string, name: string, body: string) {
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${join(dir, 'calls.log')}"\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

describe('hallq-screen.sh', () => {
  it('turns blanking off, waits for /healthz, cleans a crashed profile and execs Chromium in kiosk mode', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    stub(bin, 'xset', 'exit 0');
    // the agent answers on the third try
    stub(bin, 'curl', `n=$(grep -c '^curl' "${join(dir, 'calls.log')}"); [ "$n" -ge 3 ]`);
    stub(bin, 'sleep', 'exit 0');
    stub(bin, 'chromium', 'exit 0');
    const profiles = join(dir, 'profiles');
    mkdirSync(join(profiles, 'hall/Default'), { recursive: true });
    writeFileSync(join(profiles, 'hall/Default/Preferences'), '{"profile":{"exit_type":"Crashed","exited_cleanly":false}}');

    const r = spawnSync('sh', [LAUNCHER, 'hall', 'http://127.0.0.1:8080/display', '1920,0'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, HALLQ_SCREEN_PROFILES: profiles },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
    expect(calls.slice(0, 3)).toEqual(['xset s off', 'xset s noblank', 'xset -dpms']);
    expect(calls.filter((c) => c.startsWith('curl'))).toHaveLength(3);
    expect(calls).toContain('curl -fs --max-time 2 http://127.0.0.1:8080/healthz');
    const chromium = calls.at(-1)!;
    expect(chromium).toMatch(/^chromium --kiosk http:\/\/127\.0\.0\.1:8080\/display /);
    expect(chromium).toContain('--autoplay-policy=no-user-gesture-required');
    expect(chromium).toContain(`--user-data-dir=${join(profiles, 'hall')}`);
    expect(chromium).toContain('--window-position=1920,0');
    expect(readFileSync(join(profiles, 'hall/Default/Preferences'), 'utf8')).toBe(
      '{"profile":{"exit_type":"Normal","exited_cleanly":true}}',
    );
  });

  it('says so and fails when no Chromium is installed (systemd retries)', () => {
    const bin = join(dir, 'empty-bin');
    mkdirSync(bin);
    stub(bin, 'curl', 'exit 0');
    const r = spawnSync('/bin/sh', [LAUNCHER, 'x', 'http://127.0.0.1:8080/kiosk'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/nonexistent`, HOME: dir, HALLQ_SCREEN_PROFILES: join(dir, 'p2') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('chromium not found');
  });
});
