// Day close benchmark: `npx tsx bench/day-close.ts` (also run by `npm run bench`).
// A hall day of 3,000 tickets on a real temp file (synchronous=FULL): 2,000 served (half never rated),
// the rest waiting or 过号, 12 counters open with a called or serving ticket each. The agent is stopped
// and started the next morning; printed: the start-up close (one transaction) and the start itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEngine } from '../agent/queue/engine.js';
import { DEFAULT_RULES } from '../agent/queue/rules.js';
import { openHallStore } from '../agent/store/index.js';
import { bareCounter, bareService } from '../tests/helpers/hall-defs.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-day-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'hall.db');

const SERVICES = ['A', 'B', 'C', 'D', 'E', 'F'].map((p, i) => bareService(`s${i}`, p, 8));
const COUNTERS = Array.from({ length: 12 }, (_, i) =>
  bareCounter(
    String(i + 1),
    SERVICES.map((s) => s.id),
    { name: { zh: `${i + 1}号窗口`, en: `Counter ${i + 1}` } },
  ),
);

let now = Date.parse('2026-12-01T08:30:00+08:00');
const engineOn = () =>
  new QueueEngine({
    store: openHallStore(path),
    services: SERVICES,
    counters: COUNTERS,
    rules: { ...DEFAULT_RULES, numberWidth: 4 },
    clock: { now: () => now },
    secret: 'bench-secret',
  });

const day1 = engineOn();
for (const c of COUNTERS) day1.open(c.id);
for (let i = 0; i < 3000; i++) {
  now += 5_000;
  day1.issue({ service: SERVICES[i % SERVICES.length]!.id, issuedBy: 'guide' });
}
let served = 0;
while (served < 2000) {
  for (const c of COUNTERS) {
    if (served >= 2000) break;
    now += 1_000;
    if (!day1.callNext(c.id)) continue;
    day1.start(c.id);
    day1.finish(c.id);
    if (served % 2 === 0) day1.rate({ counter: c.id, level: 5, source: 'pad' });
    served++;
  }
}
for (let i = 0; i < 50; i++) {
  day1.callNext('1');
  day1.skip('1');
}
for (const c of COUNTERS) {
  day1.callNext(c.id);
  if (Number(c.id) % 2 === 0) day1.start(c.id);
}
day1.core.store.transaction(() => undefined);
(day1.core.store as unknown as { close(): void }).close();

now = Date.parse('2026-12-02T08:00:00+08:00');
let t0 = performance.now();
const day2 = engineOn();
const startMs = performance.now() - t0;
t0 = performance.now();
const s = day2.ensureDay('startup');
const closeMs = performance.now() - t0;
console.log(
  `day close of 3,000 tickets: ${closeMs.toFixed(0)} ms (target < 1,000 ms) — ended ${JSON.stringify(s?.ended)}, ` +
    `未评价 ${s?.notRated}, counters ${s?.countersClosed.length}; engine start before it: ${startMs.toFixed(0)} ms`,
);
