// `hallq hash-pin`: a PIN in the stored form the hall keeps (agent/security/pins.ts), for a config file
// that should not carry PINs in clear: `staff[].pin`, `auth.managerPin` and `auth.guidePin` take it as
// they take digits. The PIN is read from stdin when not given, so it stays out of the shell history:
// `read -s PIN; echo "$PIN" | hallq hash-pin`.
import { hashPin } from '../security/pins.js';
import { parse, showHelp, UsageError } from './index.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function hashPinCommand(argv: string[]): Promise<number> {
  const args = parse(argv, {});
  if (args.values.help) return showHelp();
  if (args.positionals.length > 1) throw new UsageError('hash-pin takes at most one PIN (or reads it from stdin)');
  const pin = (args.positionals[0] ?? (process.stdin.isTTY ? '' : await readStdin())).trim();
  if (!/^\d{4,12}$/.test(pin)) throw new UsageError('a PIN is 4–12 digits (given as the argument or on stdin)');
  console.log(await hashPin(pin));
  return 0;
}
