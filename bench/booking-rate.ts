// The hub's per-address booking limit (hub/rate-limit.ts): the cost of one check, and the memory of the
// buckets at their bound when a flood comes from more addresses than it keeps (the least recently used
// are dropped). docs/booking-sync.md quotes these figures.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { clientKey, TokenBuckets } from '../hub/rate-limit.js';
import { sized } from './mode.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const MAX = 50_000;
const addresses = sized(1_000_000, 200_000);
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const before = heap();
const buckets = new TokenBuckets({ burst: 10, perHour: 30, maxAddresses: MAX });
const t0 = process.hrtime.bigint();
for (let i = 0; i < addresses; i++) buckets.take(clientKey(ip(i)));
const ns = Number(process.hrtime.bigint() - t0);
const after = heap();
console.log(
  `${addresses.toLocaleString('en')} distinct IPv4 addresses: ${buckets.size.toLocaleString('en')} buckets kept (bound ${MAX.toLocaleString('en')}), ` +
    `${((after - before) / 1024 / 1024).toFixed(1)} MB of heap, ${(ns / addresses).toFixed(0)} ns per check (key + take)`,
);

const one = new TokenBuckets({ burst: 10, perHour: 30 });
const n = sized(2_000_000, 200_000);
const t1 = process.hrtime.bigint();
let refused = 0;
for (let i = 0; i < n; i++) if (!one.take('203.0.113.7').ok) refused++;
console.log(
  `one address, ${n.toLocaleString('en')} checks: ${refused.toLocaleString('en')} refused, ${(Number(process.hrtime.bigint() - t1) / n).toFixed(0)} ns per check`,
);
