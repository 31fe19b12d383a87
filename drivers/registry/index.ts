// The protocol registry: one entry per protocol. Adding a vendor = its protocol file + one line in
// PROTOCOLS below (display vendors: `displayEntry(name, protocol)`).
import type { DeviceKind } from '../config.js';
import { ledCrc16 } from '../protocols/led-crc16.js';
import { ledFramed } from '../protocols/led-framed.js';
import { displayEntry, modbusDisplayEntry } from './displays.js';
import { escposEntry } from './escpos.js';
import { idcardSamEntry } from './idcard-sam.js';
import { hidKeymapEntry, idcardHidEntry, idcardSerialEntry, rs485KeypadEntry, rs485KeypadShortEntry } from './inputs.js';
import type { ProtocolEntry } from './types.js';

export const PROTOCOLS: readonly ProtocolEntry[] = [
  escposEntry,
  rs485KeypadEntry,
  rs485KeypadShortEntry,
  displayEntry('led-framed', ledFramed),
  displayEntry('led-crc16', ledCrc16),
  modbusDisplayEntry,
  hidKeymapEntry,
  idcardSerialEntry,
  idcardHidEntry,
  idcardSamEntry,
];

export function protocolEntry(name: string): ProtocolEntry | undefined {
  return PROTOCOLS.find((p) => p.name === name);
}

export function protocolsForKind(kind: DeviceKind): string[] {
  return PROTOCOLS.filter((p) => p.kinds.includes(kind)).map((p) => p.name);
}

export type { ProtocolEntry } from './types.js';
