// Crash-test child: issues and calls under load against a real DB file and prints every returned
// ticket with a synchronous write, so whatever the parent read was acknowledged before SIGKILL.
// Usage: node --import tsx tests/crash/worker.ts <db path> (crash.test.ts runs an esbuild bundle of it)
import { writeSync } from 'node:fs';
import { QueueEngine, QueueError } from '../../agent/queue/engine.js';
import { DEFAULT_RULES } from '../../agent/queue/rules.js';
import { openHallStore } from '../../agent/store/index.js';
import { bareCounter, bareService } from '../helpers/hall-defs.js';

const path = process.argv[2];
if (!path) throw new Error('usage: worker.ts <db path>');

const out = (line: string) => writeSync(1, `${line}\n`);
const engine = new QueueEngine({
  store: openHallStore(path),
  services: [bareService('idcard', 'A'), bareService('move', 'B'), bareService('birth', 'C')],
  counters: [
    bareCounter('1', ['idcard', 'move']),
    bareCounter('2', ['move']),
    bareCounter('3', ['idcard'], { senior: true }),
    bareCounter('4', ['birth', 'idcard']),
  ],
  rules: { ...DEFAULT_RULES, numberWidth: 5 },
  clock: { now: () => Date.now() },
  secret: 'crash-secret',
});

for (const c of ['1', '2', '3', '4']) {
  try {
    engine.open(c);
  } catch (e) {
    if (!(e instanceof QueueError)) throw e; // already open after a previous run
  }
}
out('READY');

const services = ['idcard', 'move', 'birth'] as const;
const channels = ['normal', 'normal', 'senior', 'green'] as const;
for (let i = 0; ; i++) {
  const r = engine.issue({ service: services[i % 3]!, channel: channels[i % 4]!, issuedBy: 'guide' });
  out(`ISSUED ${r.ticket.id} ${r.ticket.number}`);
  const c = String((i % 4) + 1);
  try {
    const t = engine.callNext(c);
    if (t) out(`CALLED ${t.id} ${c}`);
  } catch (e) {
    if (!(e instanceof QueueError) || e.code !== 'COUNTER_BUSY') throw e;
    const done = engine.finish(c);
    out(`FINISHED ${done.id} ${c}`);
  }
}
