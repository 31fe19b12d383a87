// Registry entry of second-generation ID-card readers on the SAM protocol (GA 467, docs/protocols/
// idcard-sam.md). The reader never talks unasked: the device polls it (find → select → read) every
// periodMs. The keyboard-wedge readers stay as idcard-serial / idcard-hid (inputs.ts).
import { SamReader } from '../devices/sam-reader.js';
import { VirtualSamReader } from '../sim/sam-reader.js';
import { intOpt, knownKeys } from './options.js';
import type { ProtocolEntry } from './types.js';

export const idcardSamEntry: ProtocolEntry = {
  name: 'idcard-sam',
  kinds: ['idReader'],
  transports: ['serial', 'sim'],
  // the readers' factory setting; USB-serial models enumerate as a plain serial port at this rate
  line: { baudRate: 115200 },
  sharesPort: false,
  checkOptions(o, path, issues) {
    knownKeys(o, ['periodMs'], path, issues);
    intOpt(o, 'periodMs', 100, 5000, path, issues, ' (ms between find-card commands; the reader answers one in a few ms)');
  },
  bind(ctx) {
    const periodMs = typeof ctx.cfg.options?.periodMs === 'number' ? ctx.cfg.options.periodMs : undefined;
    const reader = new SamReader(ctx.link, ctx.cfg.id, { periodMs, onLog: ctx.log });
    // the host turns the status cell into status events itself; forward only the card events
    reader.onEvent((e) => {
      if (e.type !== 'status') ctx.emit(e);
    });
    return {
      cell: reader.cell,
      driver: reader,
      start: () => reader.start(),
      stop: () => reader.stop(),
    };
  },
  createSim: (cfg) => new VirtualSamReader(cfg.id, { readDelayMs: 300 }),
  simActions: [
    { type: 'idcard', label: '放卡 present card' },
    { type: 'remove', label: '取走 remove card' },
    { type: 'readError', label: '读卡失败 read error' },
  ],
};
