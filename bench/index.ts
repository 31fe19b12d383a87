// `npm run bench`: every benchmark in turn, each in its own process so one's warm-up can't flatter another.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const here = resolve(import.meta.dirname);
const benches = [
  'queue.ts',
  'hub-reports.ts',
  'day-close.ts',
  'drivers.ts',
  'kiosk-print.ts',
  'realtime.ts',
  'phone-ticket.ts',
  'screens.ts',
  'runtime.ts',
  'satellite.ts',
  'sync.ts',
  'forecast.ts',
  'forecast-month.ts',
  'planner.ts',
  'sign-in.ts',
  'booking-rate.ts',
];
// --quick: every bench at a small size (bench/mode.ts), for CI: it proves the suite runs, its figures are indicative
const quick = process.argv.includes('--quick');
const env = { ...process.env, HALLQ_BENCH_QUICK: quick ? '1' : '0' };
let failed = 0;
const t0 = performance.now();
for (const file of benches) {
  const path = join(here, file);
  if (!existsSync(path)) continue;
  console.log(`\n=== ${file}${quick ? ' (quick)' : ''} ===`);
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit', cwd: resolve(here, '..'), env });
  console.log(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) {
    failed++;
    console.log(`(${file} failed with exit code ${r.status ?? r.signal})`);
  }
}
console.log(
  `\nbench${quick ? ' --quick' : ''}: ${benches.length - failed} of ${benches.length} ran, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
process.exit(failed > 0 ? 1 : 0);
