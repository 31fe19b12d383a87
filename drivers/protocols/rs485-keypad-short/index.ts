// The short keypad framing as the keypad device and the simulator use it (docs/protocols/rs485-keypad-short.md).
import type { HostPadFraming, PadSideFraming } from '../pad-framing.js';
import { createShortHostFrameReader, createShortPollReader, createShortTextAckReader } from './parser.js';
import { encodeShortEvent, encodeShortIdle, encodeShortPoll, encodeShortText, encodeShortTextAck } from './writer.js';

export const shortHostFraming: HostPadFraming = {
  poll: encodeShortPoll,
  text: encodeShortText,
  pollReader: createShortPollReader,
  textAckReader: createShortTextAckReader,
};

export const shortPadFraming: PadSideFraming = {
  reader: createShortHostFrameReader,
  idle: encodeShortIdle,
  event: encodeShortEvent,
  textAck: encodeShortTextAck,
};

export * from './frame.js';
export * from './parser.js';
export * from './writer.js';
