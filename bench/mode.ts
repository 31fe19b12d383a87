// `npm run bench -- --quick`: every bench at a size that runs the whole suite in under two minutes on two
// cores (CI runs it after `npm test`, so a bench that no longer runs fails the build). Its figures are
// printed as in the full run but from fewer samples: tails (p99) of a quick run are indicative only.
// bench/index.ts passes the mode to each bench's process in HALLQ_BENCH_QUICK.
export const QUICK = process.argv.includes('--quick') || process.env.HALLQ_BENCH_QUICK === '1';

/** `full` in a full run, `quick` in a quick one */
export const sized = (full: number, quick: number): number => (QUICK ? quick : full);
