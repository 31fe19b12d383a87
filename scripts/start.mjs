// `npm start`: build what is missing or out of date (screens, compiled agent), then run the compiled
// agent in this same process (one Node process, not a launcher plus the agent). Without a config the
// demo hall runs. tsx is not used at run time. package.json starts this file with `exec`, so that npm's
// child is this process: npm forwards SIGTERM/SIGINT to it and exits with its code (a shell in between
// died of the signal and left the agent serving).
import { pathToFileURL } from 'node:url';
import { buildAgent, ENTRY, isAgentBuildCurrent } from './build-agent.mjs';
import { ensureUi } from './ensure-ui.mjs';

ensureUi();
if (!isAgentBuildCurrent() && !(await buildAgent({ strict: false }))) process.exit(1);
// agent/main.ts reads process.argv.slice(2): the arguments after `npm start --` are already there
await import(pathToFileURL(ENTRY).href);
