// `hallq hash-pin`: a PIN as the config may carry it, never in clear:
//   scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>
// verifyPin() is the matching check (constant time). The PIN is read from stdin when not given, so it
// stays out of the shell history: `read -s PIN; echo "$PIN" | hallq hash-pin`.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { parse, showHelp, UsageError } from './index.js';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

export function hashPin(pin: string, salt = randomBytes(16)): string {
  const hash = scryptSync(pin, salt, KEYLEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPin(stored: string, pin: string): boolean {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const want = Buffer.from(m[5]!, 'base64');
  const got = scryptSync(pin, Buffer.from(m[4]!, 'base64'), want.length, { N: +m[1]!, r: +m[2]!, p: +m[3]!, maxmem: 64 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

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
  console.log(hashPin(pin));
  return 0;
}
