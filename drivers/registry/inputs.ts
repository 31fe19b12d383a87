// Registry entries of input devices: RS-485 pads (polled on the bus), HID pads, ID-card readers.
import { InputDevice } from '../devices/input.js';
import { KeypadDevice } from '../devices/keypad.js';
import type { DeviceConfig } from '../config.js';
import { DEFAULT_KEYMAP, type Keymap, createHidKeymapDecoder, parseKeySpec } from '../protocols/hid-keymap.js';
import { createIdHidDecoder, createIdSerialDecoder, type IdReadEvent } from '../protocols/idcard.js';
import { VirtualHidPad } from '../sim/hid-pad.js';
import { VirtualIdReader } from '../sim/idreader.js';
import { VirtualKeypadBus } from '../sim/keypad.js';
import type { HostPadFraming, PadSideFraming } from '../protocols/pad-framing.js';
import { fullHostFraming, fullPadFraming } from '../protocols/rs485-keypad.js';
import { SHORT_ADDR, shortHostFraming, shortPadFraming } from '../protocols/rs485-keypad-short/index.js';
import { intOpt, knownKeys, objOpt } from './options.js';
import type { BindContext, BoundDriver, ProtocolEntry } from './types.js';

const PAD_KINDS = ['keypad', 'ratingPad'] as const;
const PAD_ACTIONS = [
  { type: 'press', label: '按键 key' },
  { type: 'rate', label: '评价 rate' },
];

/**
 * A polled RS-485 pad protocol: the FF 68 framing (rs485-keypad) or the short one (rs485-keypad-short).
 * Same device, same simulator; only the bytes, the address range and the reply timeout differ.
 */
function padEntry(
  name: string,
  host: HostPadFraming,
  pad: PadSideFraming,
  address: { min: number; max: number },
  replyTimeoutMs?: number,
): ProtocolEntry {
  return {
    name,
    kinds: PAD_KINDS,
    transports: ['serial', 'tcp', 'sim'],
    gapChars: 3.5,
    sharesPort: true,
    address,
    checkOptions(o, path, issues) {
      knownKeys(o, ['pollMs'], path, issues);
      intOpt(o, 'pollMs', 20, 5000, path, issues);
    },
    bind(ctx) {
      const pollMs = typeof ctx.cfg.options?.pollMs === 'number' ? ctx.cfg.options.pollMs : ctx.tuning.pad?.pollMs;
      const d = new KeypadDevice(
        ctx.bus,
        ctx.cfg.address ?? 1,
        ctx.cfg.id,
        (e) =>
          ctx.emit(
            e.type === 'key'
              ? { type: 'key', deviceId: ctx.cfg.id, key: e.key, ...(e.digits === undefined ? {} : { digits: e.digits }) }
              : { type: 'rating', deviceId: ctx.cfg.id, level: e.level },
          ),
        // a rating pad waits at a slow heartbeat until its counter awaits a rating (awaitRating)
        {
          ...ctx.tuning.pad,
          pollMs,
          timeoutMs: ctx.tuning.pad?.timeoutMs ?? replyTimeoutMs,
          restPollMs: ctx.cfg.kind === 'ratingPad' ? (ctx.tuning.pad?.restPollMs ?? 1000) : undefined,
        },
        host,
      );
      return {
        cell: d.cell,
        driver: d,
        start: () => d.start(),
        stop: () => d.stop(),
        async execute(cmd) {
          if (cmd.type === 'awaitRating' && ctx.cfg.kind === 'ratingPad') {
            d.awaitRating(cmd.awaiting);
            return { ok: true };
          }
          if (cmd.type !== 'keypadText') return { ok: false, reason: `a keypad does not take "${cmd.type}"` };
          d.showText(cmd.text);
          return { ok: true };
        },
      };
    },
    createSim: (cfg) => new VirtualKeypadBus(cfg.id, undefined, pad),
    simActions: PAD_ACTIONS,
  };
}

export const rs485KeypadEntry = padEntry('rs485-keypad', fullHostFraming, fullPadFraming, { min: 1, max: 254 });

/**
 * docs/protocols/rs485-keypad-short.md: 4-byte poll, 1-byte idle answer. Addresses 1..127; a pad
 * answers within 3.5 characters: 100 ms covers a USB adapter's latency and a busy host's (50 ms gave
 * false timeouts, and polls sent over late answers, at load ≈ 14), and a dead pad still costs little.
 */
export const rs485KeypadShortEntry = padEntry('rs485-keypad-short', shortHostFraming, shortPadFraming, SHORT_ADDR, 100);

function keymapOf(cfg: DeviceConfig): Keymap {
  return (cfg.options?.keymap as Keymap | undefined) ?? DEFAULT_KEYMAP;
}

function input(ctx: BindContext, decode: (chunk: Uint8Array) => void): BoundDriver {
  const d = new InputDevice(ctx.link, decode);
  return { cell: d.cell, start: () => {}, stop: () => {} };
}

export const hidKeymapEntry: ProtocolEntry = {
  name: 'hid-keymap',
  kinds: PAD_KINDS,
  transports: ['hid', 'sim'],
  sharesPort: false,
  checkOptions(o, path, issues) {
    knownKeys(o, ['keymap'], path, issues);
    const km = objOpt(o, 'keymap', path, issues);
    if (!km) return;
    for (const [k, v] of Object.entries(km)) {
      if (!/^([0-9a-fA-F]{2})+$/.test(k))
        issues.push({ path: `${path}.keymap.${k}`, expected: 'a key that is an even-length hex report prefix such as "0101"', got: k });
      if (typeof v !== 'string' || !parseKeySpec(v))
        issues.push({
          path: `${path}.keymap.${k}`,
          expected: 'a key: call, recall, skip, transfer, pause, resume, start, finish, confirm, rate:1…rate:5 or digit:0…digit:9',
          got: v,
        });
    }
  },
  bind: (ctx) =>
    input(
      ctx,
      createHidKeymapDecoder(keymapOf(ctx.cfg), (e) =>
        ctx.emit(
          e.type === 'key'
            ? { type: 'key', deviceId: ctx.cfg.id, key: e.key, ...(e.digits === undefined ? {} : { digits: e.digits }) }
            : { type: 'rating', deviceId: ctx.cfg.id, level: e.level },
        ),
      ),
    ),
  createSim: (cfg) => new VirtualHidPad(cfg.id, keymapOf(cfg)),
  simActions: PAD_ACTIONS,
};

function idEvents(ctx: BindContext) {
  // the number is never logged; an invalid read carries only the reason
  return (e: IdReadEvent) =>
    ctx.emit(
      e.type === 'id'
        ? { type: 'idcard', deviceId: ctx.cfg.id, idNumber: e.idNumber }
        : { type: 'idcard.error', deviceId: ctx.cfg.id, reason: e.reason },
    );
}

export const idcardSerialEntry: ProtocolEntry = {
  name: 'idcard-serial',
  kinds: ['idReader'],
  transports: ['serial', 'tcp', 'sim'],
  sharesPort: false,
  checkOptions: (o, path, issues) => knownKeys(o, [], path, issues),
  bind: (ctx) => input(ctx, createIdSerialDecoder(idEvents(ctx))),
  createSim: (cfg) => new VirtualIdReader(cfg.id, 'serial'),
  simActions: [{ type: 'idcard', label: '读卡 read card' }],
};

export const idcardHidEntry: ProtocolEntry = {
  name: 'idcard-hid',
  kinds: ['idReader'],
  transports: ['hid', 'sim'],
  sharesPort: false,
  checkOptions: (o, path, issues) => knownKeys(o, [], path, issues),
  bind: (ctx) => input(ctx, createIdHidDecoder(idEvents(ctx))),
  createSim: (cfg) => new VirtualIdReader(cfg.id, 'hid'),
  simActions: [{ type: 'idcard', label: '读卡 read card' }],
};
