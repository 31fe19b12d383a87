// `npm run bench`: every benchmark in turn, each in its own process so one's warm-up can't flatter another.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const here = resolve(import.meta.dirname);
const benches = [
  'queue.ts',
  'hub-reports.ts',
  'drivers.ts',
  'kiosk-print.ts',
  'realtime.ts',
  'screens.ts',
  'runtime.ts',
  'satellite.ts',
  'sync.ts',
];
let failed = 0;
for (const file of benches) {
  const path = join(here, file);
  if (!existsSync(path)) continue;
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit', cwd: resolve(here, '..') });
  if (r.status !== 0) {
    failed++;
    console.log(`(${file} failed with exit code ${r.status})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
