// `npm start`: build the screens if needed, then run the agent (demo hall without a config).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureUi } from './ensure-ui.mjs';

const root = resolve(import.meta.dirname, '..');
ensureUi();
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'agent/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
