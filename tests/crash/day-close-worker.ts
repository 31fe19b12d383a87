// Crash-test child for the day close: `fill <db> <day>` issues tickets on a day and exits;
// `close <db> <day> [stall]` starts the engine on a later day, which closes the stored one. With
// `stall`, a day-close hook (running inside the close's transaction) prints IN_CLOSE and blocks, so
// the parent can SIGKILL the process in the middle of the close.
import { writeSync } from 'node:fs';
import { QueueEngine } from '../../agent/queue/engine.js';
import { DEFAULT_RULES } from '../../agent/queue/rules.js';
import { openHallStore } from '../../agent/store/index.js';
import { bareCounter, bareService } from '../helpers/hall-defs.js';

const [mode, path, day, stall] = process.argv.slice(2);
if (!path || !day || (mode !== 'fill' && mode !== 'close'))
  throw new Error('usage: day-close-worker.ts fill|close <db> <YYYY-MM-DD> [stall]');

const out = (line: string) => writeSync(1, `${line}\n`);
const now = Date.parse(`${day}T10:00:00+08:00`);
const engine = new QueueEngine({
  store: openHallStore(path),
  services: [bareService('idcard', 'A'), bareService('move', 'B')],
  counters: [bareCounter('1', ['idcard', 'move']), bareCounter('2', ['move'])],
  rules: { ...DEFAULT_RULES, numberWidth: 4 },
  clock: { now: () => now },
  secret: 'crash-secret',
});

if (mode === 'fill') {
  engine.open('1');
  engine.open('2');
  for (let i = 0; i < 400; i++) engine.issue({ service: i % 2 ? 'idcard' : 'move', issuedBy: 'guide' });
  engine.callNext('1');
  engine.callNext('2');
  engine.start('2');
  out('FILLED');
} else {
  if (stall) {
    engine.onDayClose(() => {
      out('IN_CLOSE');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
      return undefined;
    });
  }
  const s = engine.ensureDay('startup');
  out(`CLOSED ${JSON.stringify(s ?? null)}`);
}
