// Registry entries of LED display protocols. Every display vendor shares the same device (bus,
// ack, retry) and simulator; only the protocol object differs.
import { DisplayDevice } from '../devices/display.js';
import type { DisplayProtocol } from '../protocols/display.js';
import { DEFAULT_MODBUS_MAP, type ModbusRegisterMap, createModbusDisplayProtocol } from '../protocols/modbus-display.js';
import { VirtualDisplay } from '../sim/display.js';
import { intOpt, knownKeys, objOpt, oneOfOpt } from './options.js';
import type { BindContext, BoundDriver, OptionIssue, ProtocolEntry } from './types.js';

const DISPLAY_KINDS = ['counterDisplay', 'hallDisplay'] as const;

function bindDisplay(ctx: BindContext, protocol: DisplayProtocol, lines: number): BoundDriver {
  const d = new DisplayDevice(ctx.bus, protocol, ctx.cfg.address ?? 1, ctx.cfg.id, ctx.tuning.display);
  return {
    cell: d.cell,
    lines,
    driver: d,
    start: () => d.start(),
    stop: () => d.stop(),
    // resolves once queued: the display's own status tells whether it acknowledged
    async execute(cmd) {
      if (cmd.type !== 'show') return { ok: false, reason: `a display does not take "${cmd.type}"` };
      d.show(cmd.lines.slice(0, lines));
      return { ok: true };
    },
  };
}

/** A display vendor: its protocol object is all that differs. */
export function displayEntry(name: string, protocol: DisplayProtocol): ProtocolEntry {
  return {
    name,
    kinds: DISPLAY_KINDS,
    transports: ['serial', 'tcp', 'sim'],
    sharesPort: true,
    checkOptions(o, path, issues) {
      knownKeys(o, ['lines', 'columns'], path, issues);
      intOpt(o, 'lines', 1, 16, path, issues);
      intOpt(o, 'columns', 4, 64, path, issues);
    },
    bind: (ctx) => bindDisplay(ctx, protocol, Number(ctx.cfg.options?.lines ?? 2)),
    createSim: (cfg) => new VirtualDisplay(cfg.id, protocol),
    simActions: [],
  };
}

const MODEL_KEYS = [
  'textRegister',
  'lineStride',
  'lineRegisters',
  'lines',
  'brightnessRegister',
  'commandRegister',
  'clearValue',
  'encoding',
] as const;

/** The display model's register map: the default map with the configured fields over it. */
export function modbusMapOf(options: Record<string, unknown> | undefined): ModbusRegisterMap {
  const m = (options?.model ?? {}) as Partial<ModbusRegisterMap>;
  return { ...DEFAULT_MODBUS_MAP, ...m };
}

function checkModel(o: Record<string, unknown>, path: string, issues: OptionIssue[]): void {
  const m = objOpt(o, 'model', path, issues);
  if (!m) return;
  const p = `${path}.model`;
  knownKeys(m, MODEL_KEYS, p, issues);
  for (const k of ['textRegister', 'brightnessRegister', 'commandRegister', 'clearValue'] as const) intOpt(m, k, 0, 0xffff, p, issues);
  intOpt(m, 'lineStride', 1, 0x1000, p, issues);
  intOpt(m, 'lineRegisters', 1, 123, p, issues, ' (one write request carries at most 123 registers)');
  intOpt(m, 'lines', 1, 16, p, issues);
  oneOfOpt(m, 'encoding', ['gb18030', 'gbk', 'utf16be'] as const, p, issues);
  const stride = typeof m.lineStride === 'number' ? m.lineStride : DEFAULT_MODBUS_MAP.lineStride;
  const regs = typeof m.lineRegisters === 'number' ? m.lineRegisters : DEFAULT_MODBUS_MAP.lineRegisters;
  if (regs > stride)
    issues.push({ path: `${p}.lineRegisters`, expected: `at most lineStride (${stride}): lines would overlap`, got: regs });
}

export const modbusDisplayEntry: ProtocolEntry = {
  name: 'modbus-display',
  kinds: DISPLAY_KINDS,
  transports: ['serial', 'tcp', 'sim'],
  // Modbus over serial line v1.02 §2.5.1: even parity is the default
  line: { dataBits: 8, parity: 'even', stopBits: 1 },
  gapChars: 3.5,
  sharesPort: true,
  address: { min: 1, max: 247, label: 'Modbus', why: '0 is broadcast and never answers' },
  checkOptions(o, path, issues) {
    knownKeys(o, ['lines', 'columns', 'model'], path, issues);
    checkModel(o, path, issues);
    const map = modbusMapOf(o);
    intOpt(o, 'lines', 1, map.lines, path, issues, ` (the display model has ${map.lines} lines; set options.model.lines if it has more)`);
    intOpt(o, 'columns', 4, 64, path, issues);
  },
  bind(ctx) {
    const map = modbusMapOf(ctx.cfg.options);
    const lines = Number(ctx.cfg.options?.lines ?? 2);
    return bindDisplay(ctx, createModbusDisplayProtocol(map, lines), lines);
  },
  createSim: (cfg) => new VirtualDisplay(cfg.id, createModbusDisplayProtocol(modbusMapOf(cfg.options), Number(cfg.options?.lines ?? 2))),
  simActions: [],
};
