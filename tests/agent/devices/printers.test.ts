// Which printer serves which kiosk (agent/devices/printers.ts): the configured mapping, never "the first printer".
import { describe, expect, it } from 'vitest';
import { printerForKiosk } from '../../../agent/devices/printers.js';
import type { DeviceConfig } from '../../../drivers/config.js';
import type { HostDeviceInfo } from '../../../drivers/host/contract.js';

const info = (id: string): HostDeviceInfo => ({
  id,
  kind: 'ticketPrinter',
  protocol: 'escpos',
  transport: 'sim',
  status: 'online',
  since: 0,
});
const cfg = (id: string, kiosk?: string): DeviceConfig => ({
  id,
  kind: 'ticketPrinter',
  protocol: 'escpos',
  transport: { type: 'sim' },
  ...(kiosk ? { options: { kiosk } } : {}),
});

describe('printerForKiosk', () => {
  const all = [cfg('p-east', 'kiosk-east'), cfg('p-west', 'kiosk-west'), cfg('p-desk')];
  const map = new Map(all.map((c) => [c.id, c]));
  const printers = all.map((c) => info(c.id));

  it("a kiosk's ticket prints on its own printer, wherever it sits in the list", () => {
    expect(printerForKiosk(printers, map, 'kiosk-west').printer).toBe('p-west');
    expect(printerForKiosk([...printers].reverse(), map, 'kiosk-east').printer).toBe('p-east');
  });

  it('no kiosk (counter, guide, notice slip) or an unmapped kiosk: the printer that names no kiosk', () => {
    expect(printerForKiosk(printers, map, undefined).printer).toBe('p-desk');
    expect(printerForKiosk(printers, map, 'kiosk-north').printer).toBe('p-desk');
  });

  it('every printer assigned to a kiosk and none for this one: a clear reason, no guess', () => {
    const two = all.slice(0, 2);
    const r = printerForKiosk(
      two.map((c) => info(c.id)),
      new Map(two.map((c) => [c.id, c])),
      'kiosk-north',
    );
    expect(r).toEqual({ why: 'no printer is assigned to kiosk "kiosk-north"' });
    expect(printerForKiosk([], map, undefined)).toEqual({ why: 'no ticket printer configured' });
  });
});
