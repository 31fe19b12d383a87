// `npm start` and the systemd unit must run the agent's process the same way the runtime bench measures
// it: package.json cannot import scripts/runtime-options.mjs, so this checks that it repeats it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, RUNTIME_ENV } from '../../scripts/runtime-options.mjs';
import { ROOT } from '../helpers/agent-process.js';

describe('runtime options', () => {
  it('npm start sets the same environment and Node flags as the hall unit', () => {
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const env = Object.entries(RUNTIME_ENV).map(([k, v]) => `${k}=${v}`);
    // `exec`: npm forwards SIGTERM/SIGINT to its child; without exec that child is sh, which dies and leaves
    // the agent running (tests/deploy/start-signals.test.ts)
    expect(start).toBe(`${env.join(' ')} exec node ${NODE_FLAGS.join(' ')} scripts/start.mjs`);
  });
});
