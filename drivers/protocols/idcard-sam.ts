// Second-generation ID-card reader (二代证阅读器) SAM protocol of GA 467, as spoken by 华视, 新中新, 神思 and
// other readers over serial / USB-serial (115200 Bd 8N1). Pure: frames in, frames out, no I/O.
//
// Frame (both directions): AA AA AA 96 69 | Len1 Len2 | body | CHK
//   - Len (big-endian) counts the body and the checksum byte;
//   - CHK = XOR of Len1, Len2 and every body byte;
//   - host → reader body: CMD PARA [data]; reader → host body: SW1 SW2 SW3 [data].
// Byte-level reference with the published frames it was checked against: docs/protocols/idcard-sam.md.
import { concat, RxBuffer, scanFrames } from '../bytes.js';

export const SAM_PREAMBLE = [0xaa, 0xaa, 0xaa, 0x96, 0x69] as const;
/** header = preamble + 2 length bytes */
const HEAD = 7;
/** longest reply a reader sends: text + photo + fingerprint (2,321 bytes); anything longer is noise */
export const SAM_MAX_FRAME = 2400;

export type SamCommand = 'find' | 'select' | 'read' | 'reset' | 'samStatus' | 'samId';

/** CMD, PARA of each host command */
export const SAM_COMMANDS: Record<SamCommand, readonly [number, number]> = {
  find: [0x20, 0x01], // 寻找证/卡
  select: [0x20, 0x02], // 选取证/卡
  read: [0x30, 0x01], // 读机读文字信息和相片信息
  reset: [0x10, 0xff], // 复位 SAM_V
  samStatus: [0x11, 0xff], // SAM_V 状态检测
  samId: [0x12, 0xff], // 读 SAM_V 管理信息 (the SAM's serial number)
};

export function samCommandOf(cmd: number, para: number): SamCommand | undefined {
  for (const [name, [c, p]] of Object.entries(SAM_COMMANDS)) if (c === cmd && p === para) return name as SamCommand;
  return undefined;
}

export function xor8(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

/** Wraps a body (CMD PARA data, or SW1 SW2 SW3 data) into a frame. */
export function encodeSamFrame(body: ArrayLike<number>): Uint8Array {
  const len = body.length + 1;
  const out = concat([SAM_PREAMBLE, [len >> 8, len & 0xff], body, [0]]);
  out[out.length - 1] = xor8(out, 5, out.length - 1);
  return out;
}

export function encodeSamCommand(c: SamCommand, data: ArrayLike<number> = []): Uint8Array {
  const [cmd, para] = SAM_COMMANDS[c];
  return encodeSamFrame(concat([[cmd, para], data]));
}

/** A reader's reply (used by the simulator and tests). SW1 SW2 are 00 00 on every reader seen. */
export function encodeSamReply(sw3: number, data: ArrayLike<number> = [], sw1 = 0, sw2 = 0): Uint8Array {
  return encodeSamFrame(concat([[sw1, sw2, sw3], data]));
}

// --- status codes (SW3) -------------------------------------------------------------------------

/** How the driver treats a status: card errors are per read, SAM faults degrade the reader. */
export type SamStatusKind = 'ok' | 'noCard' | 'cardError' | 'samFault' | 'hostError';

export interface SamStatusInfo {
  kind: SamStatusKind;
  zh: string;
  en: string;
}

export const SAM_STATUS: Readonly<Record<number, SamStatusInfo>> = {
  144: { kind: 'ok', zh: '操作成功', en: 'success' },
  159: { kind: 'ok', zh: '寻找证/卡成功', en: 'card found' },
  16: { kind: 'hostError', zh: '接收业务终端数据的校验和错', en: 'checksum error in the command' },
  17: { kind: 'hostError', zh: '接收业务终端数据的长度错', en: 'length error in the command' },
  33: { kind: 'hostError', zh: '接收业务终端的命令错误', en: 'command error' },
  35: { kind: 'hostError', zh: '越权操作', en: 'operation not permitted' },
  36: { kind: 'cardError', zh: '无法识别的错误', en: 'unrecognised error' },
  49: { kind: 'cardError', zh: '证/卡认证SAM_V失败', en: 'card failed to authenticate the SAM' },
  50: { kind: 'cardError', zh: 'SAM_V认证证/卡失败', en: 'SAM failed to authenticate the card' },
  51: { kind: 'cardError', zh: '信息验证错误', en: 'card data verification failed' },
  64: { kind: 'cardError', zh: '无法识别的证/卡类型', en: 'unrecognised card type' },
  65: { kind: 'cardError', zh: '读证/卡操作失败', en: 'card read failed' },
  71: { kind: 'samFault', zh: '取随机数失败', en: 'SAM random number failed' },
  96: { kind: 'samFault', zh: 'SAM_V自检失败，不能接收命令', en: 'SAM self-check failed' },
  102: { kind: 'samFault', zh: 'SAM_V没经过授权，无法使用', en: 'SAM not authorised' },
  128: { kind: 'noCard', zh: '寻找证/卡失败', en: 'no card' },
  129: { kind: 'noCard', zh: '选取证/卡失败', en: 'card select failed' },
  145: { kind: 'cardError', zh: '证/卡中此项无内容', en: 'item empty on the card' },
  255: { kind: 'samFault', zh: '通信故障', en: 'reader communication fault' },
};

export function samStatusInfo(sw3: number): SamStatusInfo {
  return SAM_STATUS[sw3] ?? { kind: 'cardError', zh: '未知状态', en: 'unknown status' };
}

/** "SW3 0x41 读证/卡操作失败 (card read failed)": what the board and the logs show. */
export function describeSamStatus(sw3: number): string {
  const s = samStatusInfo(sw3);
  return `SW3 0x${sw3.toString(16).padStart(2, '0')} ${s.zh} (${s.en})`;
}

// --- decoding -----------------------------------------------------------------------------------

export interface SamReply {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Uint8Array;
}

export function parseSamReply(body: Uint8Array): SamReply | undefined {
  if (body.length < 3) return undefined;
  return { sw1: body[0]!, sw2: body[1]!, sw3: body[2]!, data: body.subarray(3) };
}

export type SamDecoderEvent = { type: 'frame'; body: Uint8Array } | { type: 'corrupt'; reason: 'checksum' };

/**
 * Streaming frame decoder (either direction: the driver reads replies, the simulator commands).
 * Resynchronises on the preamble after garbage; a complete frame with a wrong checksum is reported
 * once as `corrupt` and skipped; never throws, memory bounded.
 */
export function createSamDecoder(onEvent: (e: SamDecoderEvent) => void): (chunk: ArrayLike<number>) => void {
  const rx = new RxBuffer(4 * SAM_MAX_FRAME);
  const parse = (at: number): number => {
    for (let i = 0; i < SAM_PREAMBLE.length; i++) {
      if (at + i >= rx.length) return 0;
      if (rx.at(at + i) !== SAM_PREAMBLE[i]) return -1;
    }
    if (at + HEAD > rx.length) return 0;
    const len = (rx.at(at + 5) << 8) | rx.at(at + 6);
    if (len < 3 || HEAD + len > SAM_MAX_FRAME) return -1;
    if (at + HEAD + len > rx.length) return 0;
    let x = 0;
    for (let i = at + 5; i < at + HEAD + len - 1; i++) x ^= rx.at(i);
    if (x !== rx.at(at + HEAD + len - 1)) {
      // reported only when it reaches the head, so a frame is reported once however often it is looked at
      if (at === 0) onEvent({ type: 'corrupt', reason: 'checksum' });
      return -1;
    }
    return HEAD + len;
  };
  return (chunk) => {
    rx.push(chunk);
    scanFrames(rx, parse, (raw) => onEvent({ type: 'frame', body: raw.subarray(HEAD, raw.length - 1) }));
  };
}
