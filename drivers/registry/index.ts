// The protocol registry: one entry per protocol. Adding a vendor = its protocol file + one line in
// PROTOCOLS below (display vendors: `displayEntry(name, protocol)`).
// Where devices2's SAM reader and the printer options land: add `samReaderEntry` to PROTOCOLS and
// extend `escposEntry`'s checkOptions — nothing else lists protocols.
import type { DeviceKind } from '../config.js';
import { ledCrc16 } from '../protocols/led-crc16.js';
import { ledFramed } from '../protocols/led-framed.js';
import { displayEntry, modbusDisplayEntry } from './displays.js';
import { escposEntry } from './escpos.js';
import { hidKeymapEntry, idcardHidEntry, idcardSerialEntry, rs485KeypadEntry } from './inputs.js';
import type { ProtocolEntry } from './types.js';

export const PROTOCOLS: readonly ProtocolEntry[] = [
  escposEntry,
  rs485KeypadEntry,
  displayEntry('led-framed', ledFramed),
  displayEntry('led-crc16', ledCrc16),
  modbusDisplayEntry,
  hidKeymapEntry,
  idcardSerialEntry,
  idcardHidEntry,
];

export function protocolEntry(name: string): ProtocolEntry | undefined {
  return PROTOCOLS.find((p) => p.name === name);
}

export function protocolsForKind(kind: DeviceKind): string[] {
  return PROTOCOLS.filter((p) => p.kinds.includes(kind)).map((p) => p.name);
}

export type { ProtocolEntry } from './types.js';
