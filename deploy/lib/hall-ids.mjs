// For install.sh: what the udev rules and the health probe need from a hall config, read leniently
// (the operator may still be editing it; `hallq check-config` is the validator). Prints shell lines:
//   port=8080
//   hid=1a86:e010
//   tls=1          (server.tls is set: the agent answers https)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const hex4 = (v) => {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n.toString(16).padStart(4, '0') : undefined;
};

const file = process.argv[2];
let doc;
try {
  doc = parse(readFileSync(file, 'utf8')) ?? {};
} catch (err) {
  console.error(`install.sh: cannot read ${file}: ${err.message.split('\n')[0]}`);
  process.exit(2);
}
const port = Number(doc.server?.port ?? 8080);
console.log(`port=${Number.isInteger(port) ? port : 8080}`);
if (doc.server?.tls) console.log('tls=1');
const ids = new Set();
for (const d of Array.isArray(doc.devices) ? doc.devices : []) {
  const t = d?.transport;
  if (t?.type !== 'hid') continue;
  const v = hex4(t.vendorId);
  const p = hex4(t.productId);
  if (v && p) ids.add(`${v}:${p}`);
}
for (const id of [...ids].sort()) console.log(`hid=${id}`);
