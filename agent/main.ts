// Entry of the agent process and of the `hallq` command (bin/hallq.mjs runs the compiled copy of
// this file). The commands live in agent/cli/; with no command word it starts the hall, so
// `npm start -- --config hall.yaml` keeps working.
import { run } from './cli/index.js';

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error('hallq: failed to start:', err);
    process.exit(1);
  },
);
