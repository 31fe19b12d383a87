// `hallq check-config <file>`: the same validation the agent runs at start, without starting anything.
import { loadConfigFile } from '../config/load.js';
import { parse, showHelp, UsageError } from './index.js';

export async function checkConfig(argv: string[]): Promise<number> {
  const args = parse(argv, {});
  if (args.values.help) return showHelp();
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError('check-config takes one file: hallq check-config /etc/hallq/hall.yaml');
  // a ConfigError (file, key path, fix) goes to stderr with exit code 2 in run()
  const c = loadConfigFile(file);
  const kinds = new Map<string, number>();
  for (const d of c.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  console.log(`配置正确 config ok: ${file}`);
  console.log(`  ${c.hall.name} (${c.hall.code}) · listen ${c.server.host}:${c.server.port} · data ${c.server.dataDir}`);
  console.log(
    `  ${c.services.length} services, ${c.counters.length} counters, ${c.staff.length} staff, ${c.devices.length} devices${
      kinds.size ? ` (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})` : ''
    }`,
  );
  return 0;
}
