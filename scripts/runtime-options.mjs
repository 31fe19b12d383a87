// How a hall runs the agent's Node process. One list, used by the systemd unit (deploy/install.sh
// asks this file), `npm start` (package.json repeats it; tests/deploy/runtime-options.test.ts checks
// the two agree) and the runtime bench, so the bench measures the process a hall runs.
//
// Why (measured with bench/runtime.ts on the demo hall, docs/bench.md):
// - --max-semi-space-size=2: V8's young generation grows to 2 × 16 MB while the devices' polling
//   allocates, and stays there. 2 MB semi-spaces cut idle RSS from ~122 to ~106 MiB; restarts
//   stay near 1 s (1 MB made them 1.4 s).
// - MALLOC_MMAP_THRESHOLD_: each PIN check is a scrypt of 16 MB, run on a libuv thread. glibc's
//   dynamic threshold then serves the next 16 MB from that thread's arena and keeps it after free:
//   +35–40 MiB after the first few sign-ins, for good. A fixed threshold of 4 MB sends such blocks to
//   mmap, so they are returned (under load: 147 → 113 MiB).
export const NODE_FLAGS = ['--max-semi-space-size=2'];
export const RUNTIME_ENV = { MALLOC_MMAP_THRESHOLD_: '4194304' };

// deploy/install.sh asks: `--systemd-env` prints the unit's Environment= lines, `--node-flags` the flags
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  if (process.argv[2] === '--systemd-env') for (const [k, v] of Object.entries(RUNTIME_ENV)) console.log(`Environment=${k}=${v}`);
  else if (process.argv[2] === '--node-flags') console.log(NODE_FLAGS.join(' '));
  else {
    console.error('usage: node scripts/runtime-options.mjs --systemd-env | --node-flags');
    process.exit(2);
  }
}
