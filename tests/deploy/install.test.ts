// deploy/install.sh --root: every file a hall PC gets, written under a temp dir; a second run with
// the same options changes nothing (same tree hash, the secret kept), and a bad option writes nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const INSTALL = join(ROOT, 'deploy/install.sh');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hallq-install-'));
  dirs.push(d);
  return d;
}

function install(root: string, extra: string[]) {
  const r = spawnSync('bash', [INSTALL, '--root', root, '--node', '/usr/bin/node', ...extra], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function treeHash(root: string): { hash: string; files: string[] } {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(root);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    const st = statSync(f);
    h.update(`${relative(root, f)}\0${(st.mode & 0o777).toString(8)}\0${st.mtimeMs}\0`);
    h.update(readFileSync(f));
  }
  return { hash: h.digest('hex'), files: files.map((f) => relative(root, f)) };
}

// a hall config with one HID rating pad: its vendor:product must reach the udev rules
const hallConfig = readFileSync(join(ROOT, 'config/demo-hall.yaml'), 'utf8').replace(
  /^devices:\n/m,
  'devices:\n  - { id: pad-9, kind: ratingPad, protocol: hid-keymap, counter: "1", transport: { type: hid, vendorId: 0x0483, productId: 0x5750 } }\n',
);

describe('deploy/install.sh --root', () => {
  const root = tmp();
  const cfg = join(tmp(), 'hall.yaml');
  writeFileSync(cfg, hallConfig);
  const opts = [
    '--config',
    cfg,
    '--serial',
    '1a86:7523=printer',
    '--hid',
    '1A86:E010',
    '--screen',
    'hall=/display,:0',
    '--screen',
    'pad3=/pad?counter=3,:0.1,1920,0',
    '--keep-days',
    '10',
  ];
  const first = install(root, opts);
  const read = (p: string) => readFileSync(join(root, p), 'utf8');

  it('runs without touching the system: apt, useradd and systemctl are only printed', () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/would run: apt-get install -y .*fonts-noto-cjk.* espeak-ng .*chromium.* libusb-1\.0-0/);
    expect(first.out).not.toMatch(/socat/);
    expect(first.out).toMatch(/would run: useradd --system .* hallq/);
    expect(first.out).toMatch(/would run: usermod -a -G dialout,plugdev hallq/);
    expect(first.out).toMatch(
      /would run: systemctl enable --now hallq\.service hallq-health\.timer hallq-backup\.timer hallq-screen-hall\.service hallq-screen-pad3\.service/,
    );
  });

  it('writes the agent unit: hallq user with serial and HID groups, restart on failure, the config and the secret', () => {
    const unit = read('etc/systemd/system/hallq.service');
    expect(unit).toMatch(/^User=hallq$/m);
    expect(unit).toMatch(/^SupplementaryGroups=dialout plugdev$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/hallq\/hallq\.env$/m);
    // the process the runtime bench measures: small young generation, big blocks returned to the system
    expect(unit).toContain(`ExecStart=/usr/bin/node --max-semi-space-size=2 ${ROOT}/bin/hallq.mjs start --config /etc/hallq/hall.yaml`);
    expect(unit).toMatch(/^Environment=MALLOC_MMAP_THRESHOLD_=4194304$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    // the health probe restarts a hung agent; it asks the port from the hall config
    expect(read('etc/systemd/system/hallq-health.service')).toMatch(
      /curl -fsS --max-time 5 http:\/\/127\.0\.0\.1:8080\/healthz.*systemctl restart hallq\.service/,
    );
    expect(read('etc/systemd/system/hallq-health.timer')).toMatch(/^OnUnitActiveSec=1min$/m);
    expect(read('etc/systemd/system/hallq-backup.service')).toContain(
      'bin/hallq.mjs backup --config /etc/hallq/hall.yaml --out /var/lib/hallq/backups --keep-days 10',
    );
    expect(read('etc/systemd/system/hallq-backup.timer')).toMatch(/^OnCalendar=\*-\*-\* 02:30:00$/m);
    expect(read('etc/systemd/journald.conf.d/hallq.conf')).toMatch(/^SystemMaxUse=/m);
    expect(readlinkSync(join(root, 'usr/local/bin/hallq'))).toBe(join(ROOT, 'bin/hallq.mjs'));
  });

  it('writes udev rules for the serial adapter, the flagged HID pad and the pad from the config', () => {
    const rules = read('etc/udev/rules.d/70-hallq.rules');
    expect(rules).toContain(
      'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", GROUP="dialout", MODE="0660", SYMLINK+="hallq-printer"',
    );
    expect(rules).toContain('SUBSYSTEM=="hidraw", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="e010", GROUP="plugdev", MODE="0660"');
    expect(rules).toContain('SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0483", ATTRS{idProduct}=="5750", GROUP="plugdev", MODE="0660"');
  });

  it('writes one kiosk unit per screen: its URL, display, position, autoplay, restart when it exits', () => {
    const hall = read('etc/systemd/system/hallq-screen-hall.service');
    expect(hall).toContain(`ExecStart=${ROOT}/deploy/kiosk/hallq-screen.sh hall 'http://127.0.0.1:8080/display' 0,0`);
    expect(hall).toMatch(/^Environment=DISPLAY=:0$/m);
    expect(hall).toMatch(/^Restart=always$/m);
    const pad = read('etc/systemd/system/hallq-screen-pad3.service');
    expect(pad).toContain("hallq-screen.sh pad3 'http://127.0.0.1:8080/pad?counter=3' 1920,0");
    expect(pad).toMatch(/^Environment=DISPLAY=:0\.1$/m);
    const launcher = readFileSync(join(ROOT, 'deploy/kiosk/hallq-screen.sh'), 'utf8');
    expect(launcher).toContain('--autoplay-policy=no-user-gesture-required');
    expect(launcher).toMatch(/--kiosk "\$url"/);
    expect(launcher).toMatch(/xset -dpms/);
    expect(launcher).toMatch(/xset s off/);
    expect(spawnSync('sh', ['-n', join(ROOT, 'deploy/kiosk/hallq-screen.sh')]).status).toBe(0);
  });

  it('writes a config skeleton the validator accepts and a generated secret readable by root only', () => {
    const yaml = read('etc/hallq/hall.yaml');
    expect(yaml).toMatch(/^ {2}dataDir: \/var\/lib\/hallq$/m);
    const env = read('etc/hallq/hallq.env');
    const secret = /^HALLQ_SECRET=([A-Za-z0-9]+)$/m.exec(env)?.[1];
    // the unit passes hallq.env; a real hall refuses to start without it
    expect(() => parseConfig(yaml, '/etc/hallq/hall.yaml', {})).toThrow(/HALLQ_SECRET/);
    const cfg = parseConfig(yaml, '/etc/hallq/hall.yaml', { HALLQ_SECRET: secret });
    expect(cfg.server.dataDir).toBe('/var/lib/hallq');
    // not the demo: its own 6-digit PINs, no public demo PIN, no demo upstream secret
    expect(cfg.demo).toBe(false);
    expect(cfg.auth.managerPin).toMatch(/^\d{6}$/);
    expect(cfg.auth.guidePin).toMatch(/^\d{6}$/);
    expect(cfg.staff.every((s) => s.pin !== '1234')).toBe(true);
    expect(yaml).not.toContain('demo-upstream-secret');
    expect(secret?.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(root, 'etc/hallq/hallq.env')).mode & 0o777).toBe(0o600);
  });

  it('a second run with the same options changes nothing, and keeps the secret', () => {
    const before = treeHash(root);
    const secret = read('etc/hallq/hallq.env');
    const again = install(root, opts);
    expect(again.code).toBe(0);
    expect(again.out).not.toMatch(/^wrote/m);
    expect(again.out).toMatch(/kept {6}\/etc\/hallq\/hallq\.env/);
    const after = treeHash(root);
    expect(after.files).toEqual(before.files);
    expect(after.hash).toBe(before.hash);
    expect(read('etc/hallq/hallq.env')).toBe(secret);
  });

  it('an edited config is kept; a fresh root gets a different secret', () => {
    writeFileSync(join(root, 'etc/hallq/hall.yaml'), `${read('etc/hallq/hall.yaml')}\n# edited by the hall\n`);
    expect(install(root, opts).code).toBe(0);
    expect(read('etc/hallq/hall.yaml')).toMatch(/# edited by the hall\n$/);
    const other = tmp();
    expect(install(other, []).code).toBe(0);
    expect(readFileSync(join(other, 'etc/hallq/hallq.env'), 'utf8')).not.toBe(read('etc/hallq/hallq.env'));
  });

  it('a bad option is refused with exit 2 before anything is written', () => {
    for (const bad of [
      ['--hid', '1a86'],
      ['--screen', 'Hall=/display'],
      ['--screen', 'hall=/dis play'],
      ['--serial', '1a86:7523=a b'],
      ['--bogus'],
    ]) {
      const d = tmp();
      const r = install(d, bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err).toMatch(/install\.sh: /);
      expect(readdirSync(d)).toEqual([]);
    }
  });
});
