// `npm test`: make sure socat, Chromium, espeak-ng (the call voice), a CJK font (Chinese in the
// screens, not empty boxes) and PostgreSQL (the hub) exist — installing them as root with apt —
// build the screens, then run every vitest test (unit, pty integration, Chromium e2e, crash).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAgent, isAgentBuildCurrent } from './build-agent.mjs';
import { ensureUi } from './ensure-ui.mjs';

const root = resolve(import.meta.dirname, '..');
const APT_PACKAGES = ['chromium', 'socat', 'libusb-1.0-0', 'espeak-ng', 'fonts-wqy-microhei', 'postgresql', 'libnss3-tools'];
/** what each package leaves on disk: a fresh machine must test speech and glyphs, not skip them */
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const APT_LINE = `apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`;

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = () =>
  [
    !has('socat') && 'socat',
    !existsSync(process.env.HALLQ_CHROMIUM ?? '/usr/bin/chromium') && 'chromium',
    !has('espeak-ng') && 'espeak-ng',
    !existsSync(CJK_FONT) && 'fonts-wqy-microhei',
    // The hub's tests start a real PostgreSQL server (tests/helpers/postgres.ts).
    !existsSync('/usr/lib/postgresql') && 'postgresql',
    // certutil: install.sh --tls puts the hall CA into the screens' NSS store (tests/security/lan-tls.test.ts)
    !has('certutil') && 'libnss3-tools',
  ].filter(Boolean);

if (missing().length > 0) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.log(`hallq: installing ${missing().join(', ')} with apt…`);
    const r = spawnSync(
      'sh',
      ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${APT_PACKAGES.join(' ')}`],
      { stdio: 'inherit' },
    );
    if (r.status !== 0 || missing().length > 0) {
      console.error(`hallq: installing failed; run as root:\n  ${APT_LINE}`);
      process.exit(1);
    }
  } else {
    console.error(`hallq: the tests need ${missing().join(' and ')}. Run as root:\n  ${APT_LINE}`);
    process.exit(1);
  }
}

ensureUi();
// The CLI and runtime tests run the compiled agent; built once here, not by two test files at once.
if (!isAgentBuildCurrent() && !(await buildAgent({ strict: false }))) process.exit(1);
const summary = join(root, 'test-results/vitest.json');
rmSync(summary, { force: true });
const vitest = [
  join(root, 'node_modules/vitest/vitest.mjs'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${summary}`,
];
const r = spawnSync(process.execPath, [...vitest, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// One plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
if (existsSync(summary)) {
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  console.log(`tests: ${s.numPassedTests} passed, ${s.numFailedTests} failed, ${s.numPendingTests + s.numTodoTests} skipped`);
}
process.exit(r.status ?? 1);
