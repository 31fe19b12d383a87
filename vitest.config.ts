import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Longest files first, so that the last file of each phase is a short one (a 40 s file started last
// held the timing phase 40 s alone). A fresh clone has no vitest cache to order by: the durations of a
// CI run are committed in tests/file-durations.json (re-measure when a file's time changes a lot);
// a file not listed there is taken as long and starts early.
const ROOT = import.meta.dirname;
const MEASURED: Record<string, number> = JSON.parse(readFileSync(resolve(ROOT, 'tests/file-durations.json'), 'utf8'));
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) => MEASURED[relative(ROOT, f.moduleId)] ?? 60;
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name < b.project.name ? -1 : a.project.name > b.project.name ? 1 : 0) ||
        seconds(b) - seconds(a),
    );
  }
}

// Files whose assertions are about timing: these run after everything else, two at a time at most (they
// are light), so their figures are not bent by a browser or a busy agent on the same 2 cores. (The crash tests assert what survives a
// SIGKILL, not how fast: they run with the rest, which only makes their load heavier.)
// tests/deploy/runtime.test.ts rebuilds dist/app, which the CLI tests run: it must not overlap them.
const SERIAL = [
  'tests/**/*pty*.test.ts',
  'tests/**/*replug*.test.ts',
  'tests/drivers/bus/**/*.test.ts',
  'tests/drivers/modbus-server.test.ts',
  'tests/drivers/protocols-bus.test.ts',
  'tests/drivers/hid.test.ts',
  'tests/satellite/hall.test.ts',
  'tests/satellite/hosts.test.ts',
  'tests/agent/devices/printer-confirm.test.ts',
  'tests/agent/devices/manager.sim.test.ts',
  'tests/agent/api/hall-flows.test.ts',
  // opens the printer cover in the ~500 ms between two status polls and presses within that window
  'tests/e2e/printer-fault.test.ts',
  'tests/deploy/runtime.test.ts',
  // replaces a module with vi.mock: it must not share a module cache with other files
  'tests/drivers/hid-missing.test.ts',
];

const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    reporters: ['default'],
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        // Most files wait on sockets, browsers and timers rather than the CPU (a full run keeps the two
        // cores about 60 % busy): three at a time (four measured no faster: 662 s against 681 s).
        // isolate: false — a worker keeps the modules it loaded for its next file (fastify, typebox, the
        // agent …): importing them afresh for each of ~90 files cost over 3 minutes of CPU per run.
        test: {
          ...shared,
          name: 'parallel',
          include: ['tests/**/*.test.ts'],
          exclude: SERIAL,
          maxWorkers: 3,
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: { ...shared, name: 'timing', include: SERIAL, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
