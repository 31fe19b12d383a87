// Worker: opens a hall at the given instant and starts its closing-time day close; a hook inside the
// close's transaction SIGKILLs the process, as a power cut would in the middle of the close.
// argv: <sqlite path> <hall id> <epoch ms>
import pino from 'pino';
import { DayCloser } from '../../agent/day-closer.js';
import { openHall, TZ } from './hall-engine.js';

const [path, hallId, at] = process.argv.slice(2) as [string, string, string];
const clock = { now: () => Number(at) };
const { engine } = openHall(path, hallId, clock);
const closer = new DayCloser({
  engine,
  clock,
  timezone: TZ,
  logger: pino({ level: 'silent' }),
  hooks: [
    () => {
      process.kill(process.pid, 'SIGKILL');
      return undefined;
    },
  ],
});
closer.start();
// not reached: the close was killed before it could commit
console.log('closed without being killed');
process.exit(3);
