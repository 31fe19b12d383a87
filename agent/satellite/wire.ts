// What crosses the /device namespace between a satellite and the primary, and the checks both
// sides run on what they receive: a malformed message is refused with a reason, never thrown on.
//
//   satellite → primary  hello   { version, clock, stream, devices }            ack { ok, lastSeq, assigned, refused }
//                        events  { stream, items: [{ seq, at, event }] }         ack { ok, upTo, refused }
//                        live    { at, event }  (status, ID card reads: never buffered)
//                        clock   { at }         (every few seconds: last seen and clock skew)
//   primary → satellite  command { deviceId, command }                          ack CommandResult
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceStatus, HostDeviceInfo, PrintBlock } from '../../drivers/host/contract.js';

export const DEVICE_NAMESPACE = '/device';

export interface HelloMsg {
  version: string;
  /** the satellite's clock, ms epoch */
  clock: number;
  /** random id of the satellite's buffer file: sequences count within one stream */
  stream: string;
  devices: HostDeviceInfo[];
}

export interface HelloAck {
  ok: boolean;
  reason?: string;
  /** highest sequence of this stream the primary has already acted on */
  lastSeq: number;
  assigned: string[];
  refused: string[];
}

export interface BufferedEvent {
  seq: number;
  /** the satellite's time of the event */
  at: number;
  event: DeviceEvent;
}

export interface EventsMsg {
  stream: string;
  items: BufferedEvent[];
}

export interface EventsAck {
  ok: boolean;
  reason?: string;
  /** everything up to this sequence is done (acted on, refused, or a duplicate) */
  upTo: number;
}

const KEYS = new Set(['call', 'recall', 'skip', 'transfer', 'pause', 'resume', 'start', 'finish', 'confirm', 'digit']);
const STATUSES = new Set<DeviceStatus>(['online', 'offline', 'paperOut', 'paperNearEnd', 'coverOpen', 'cutterError', 'degraded']);
const KINDS = new Set(['ticketPrinter', 'counterDisplay', 'hallDisplay', 'keypad', 'ratingPad', 'idReader']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shortStr = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const optStr = (v: unknown, max = 200) => v === undefined || (typeof v === 'string' && v.length <= max);
export const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 8.64e15;

/** A device event from the wire, or the reason it is refused. */
export function checkEvent(v: unknown): DeviceEvent | string {
  if (!isObj(v) || !shortStr(v.deviceId, 40)) return 'event without a deviceId';
  switch (v.type) {
    case 'key':
      if (!KEYS.has(v.key as string)) return 'key event with an unknown key';
      if (!optStr(v.digits, 8) || (typeof v.digits === 'string' && !/^[0-9A-Za-z]*$/.test(v.digits))) return 'key event with bad digits';
      return v.digits === undefined
        ? { type: 'key', deviceId: v.deviceId, key: v.key as never }
        : { type: 'key', deviceId: v.deviceId, key: v.key as never, digits: v.digits as string };
    case 'rating':
      if (![1, 2, 3, 4, 5].includes(v.level as number)) return 'rating level must be 1..5';
      return { type: 'rating', deviceId: v.deviceId, level: v.level as 1 };
    case 'idcard':
      if (!shortStr(v.idNumber, 18) || !optStr(v.name, 60)) return 'ID card event without a number';
      return { type: 'idcard', deviceId: v.deviceId, idNumber: v.idNumber };
    case 'idcard.error':
      return { type: 'idcard.error', deviceId: v.deviceId, reason: shortStr(v.reason) ? v.reason : 'read failed' };
    case 'status': {
      if (!STATUSES.has(v.status as DeviceStatus)) return 'status event with an unknown status';
      const e: DeviceEvent = { type: 'status', deviceId: v.deviceId, status: v.status as DeviceStatus };
      if (shortStr(v.detail)) e.detail = v.detail;
      return e;
    }
    default:
      return 'unknown event type';
  }
}

export function checkDeviceInfo(v: unknown): HostDeviceInfo | undefined {
  if (!isObj(v) || !shortStr(v.id, 40) || !KINDS.has(v.kind as string) || !STATUSES.has(v.status as DeviceStatus)) return undefined;
  const info: HostDeviceInfo = {
    id: v.id,
    kind: v.kind as HostDeviceInfo['kind'],
    protocol: shortStr(v.protocol, 40) ? v.protocol : '?',
    transport: shortStr(v.transport) ? v.transport : '?',
    status: v.status as DeviceStatus,
    since: isTime(v.since) ? v.since : Date.now(),
  };
  if (shortStr(v.detail)) info.detail = v.detail;
  // a display's line count: the primary sizes what it shows on it
  if (Number.isInteger(v.lines) && (v.lines as number) >= 1 && (v.lines as number) <= 8) info.lines = v.lines as number;
  return info;
}

const SCALES = [1, 2, 3, 4];

/** a print block from the wire, rebuilt from its known fields only (nothing unchecked reaches the printer) */
function checkBlock(v: unknown): PrintBlock | undefined {
  if (!isObj(v)) return undefined;
  const align = v.align === 'left' || v.align === 'center' || v.align === 'right' ? v.align : undefined;
  if (v.align !== undefined && align === undefined) return undefined;
  switch (v.op) {
    case 'text': {
      if (typeof v.text !== 'string' || v.text.length > 500) return undefined;
      if (v.size !== undefined && !SCALES.includes(v.size as number)) return undefined;
      if (v.height !== undefined && !SCALES.includes(v.height as number)) return undefined;
      if (v.bold !== undefined && typeof v.bold !== 'boolean') return undefined;
      const b: PrintBlock = { op: 'text', text: v.text };
      if (v.size !== undefined) b.size = v.size as 1;
      if (v.height !== undefined) b.height = v.height as 1;
      if (v.bold !== undefined) b.bold = v.bold as boolean;
      if (align) b.align = align;
      return b;
    }
    case 'feed':
      return Number.isInteger(v.lines) && (v.lines as number) >= 0 && (v.lines as number) <= 20
        ? { op: 'feed', lines: v.lines as number }
        : undefined;
    case 'qr': {
      if (!shortStr(v.data, 500)) return undefined;
      const m = v.moduleSize;
      if (m !== undefined && !(Number.isInteger(m) && (m as number) >= 1 && (m as number) <= 16)) return undefined;
      const b: PrintBlock = { op: 'qr', data: v.data };
      if (m !== undefined) b.moduleSize = m as number;
      if (align) b.align = align;
      return b;
    }
    case 'rule':
      return { op: 'rule' };
    case 'cut':
      return { op: 'cut' };
    default:
      return undefined;
  }
}

/** A command from the wire, or the reason it is refused. */
export function checkCommand(v: unknown): DeviceCommand | string {
  if (!isObj(v)) return 'command is not an object';
  switch (v.type) {
    case 'print': {
      if (!shortStr(v.jobId, 80) || !Array.isArray(v.blocks) || v.blocks.length > 400) return 'print command needs a jobId and blocks';
      const blocks = v.blocks.map(checkBlock);
      if (blocks.some((b) => b === undefined)) return 'print command with a bad block';
      const deadline = typeof v.deadlineMs === 'number' && v.deadlineMs > 0 && v.deadlineMs <= 600_000 ? v.deadlineMs : undefined;
      return deadline === undefined
        ? { type: 'print', jobId: v.jobId, blocks: blocks as PrintBlock[] }
        : { type: 'print', jobId: v.jobId, blocks: blocks as PrintBlock[], deadlineMs: deadline };
    }
    case 'show':
      return Array.isArray(v.lines) && v.lines.length <= 8 && v.lines.every((l) => typeof l === 'string' && l.length <= 64)
        ? { type: 'show', lines: v.lines as string[] }
        : 'show command needs up to 8 short lines';
    case 'keypadText':
      return typeof v.text === 'string' && v.text.length <= 8
        ? { type: 'keypadText', text: v.text }
        : 'keypadText needs up to 8 characters';
    case 'awaitRating':
      return typeof v.awaiting === 'boolean' ? { type: 'awaitRating', awaiting: v.awaiting } : 'awaitRating needs awaiting: true or false';
    case 'beep':
      return { type: 'beep' };
    default:
      return 'unknown command type';
  }
}

export function checkResult(v: unknown): CommandResult {
  if (isObj(v) && v.ok === true) return { ok: true };
  if (isObj(v) && v.ok === false && shortStr(v.reason, 500)) return { ok: false, reason: v.reason };
  return { ok: false, reason: 'satellite gave no valid answer' };
}
