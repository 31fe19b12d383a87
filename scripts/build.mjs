// `npm run build`: the compiled agent (dist/app) and the screens (dist/ui). Fails on type errors.
import { buildAgent } from './build-agent.mjs';
import { ensureUi } from './ensure-ui.mjs';

if (!(await buildAgent({ strict: true }))) process.exit(1);
ensureUi({ force: true });
