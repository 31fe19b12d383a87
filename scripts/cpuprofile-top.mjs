// Reads a V8 .cpuprofile (node --cpu-prof; for a bench's agent: HALLQ_AGENT_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=DIR") and prints where the time went: self time and inclusive time per function, and
// with a third argument the call chains that lead to the functions it matches.
//   node scripts/cpuprofile-top.mjs FILE.cpuprofile [inclusiveFilterRegex] [callersOfRegex]
import { readFileSync } from 'node:fs';

const [file, filter, callersOf] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpuprofile-top.mjs FILE.cpuprofile [inclusiveFilterRegex] [callersOfRegex]');
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  hits.set(id, (hits.get(id) ?? 0) + dt);
  total += dt;
});
const name = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/(node_modules|chunks)\//, '')}:${n.callFrame.lineNumber + 1}`;
const chain = (id) => {
  const out = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) out.push(name(byId.get(cur)));
  return out;
};
const self = new Map();
const inclusive = new Map();
for (const [id, t] of hits) {
  const names = chain(id);
  self.set(names[0], (self.get(names[0]) ?? 0) + t);
  // a recursive function counts once per sample
  for (const k of new Set(names)) inclusive.set(k, (inclusive.get(k) ?? 0) + t);
}
const top = (m, k) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([n, t]) => `${(t / 1000).toFixed(1).padStart(9)} ms  ${n}`)
    .join('\n');
console.log(`${(total / 1000).toFixed(0)} ms sampled`);
console.log('--- self time');
console.log(top(self, 30));
const re = filter ? new RegExp(filter) : undefined;
console.log(`--- inclusive time${re ? ` (matching ${re})` : ''}`);
console.log(top(re ? new Map([...inclusive].filter(([n]) => re.test(n))) : inclusive, 50));
if (callersOf) {
  const target = new RegExp(callersOf);
  const paths = new Map();
  for (const [id, t] of hits) {
    const names = chain(id);
    const i = names.findIndex((n) => target.test(n));
    if (i >= 0) {
      const k = names.slice(i, i + 8).join('  <-  ');
      paths.set(k, (paths.get(k) ?? 0) + t);
    }
  }
  console.log(`--- call chains into ${target}`);
  console.log(top(paths, 25));
}
