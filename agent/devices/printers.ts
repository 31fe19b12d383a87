// Which printer serves which kiosk: a printer names the kiosk it stands beside in its config
// (`options.kiosk`). A ticket from a kiosk goes to that kiosk's printer; a ticket or slip with no
// kiosk (counter, guide, notice slips) goes to the hall's default printer — the one that names no
// kiosk, or the only printer. Never "whichever printer came first".
import type { DeviceKind, HostDeviceInfo } from '../../drivers/host/contract.js';

/** What the policy reads of a configured device, wherever it is wired (this PC or a satellite). */
export interface PolicyDevice {
  id: string;
  kind: DeviceKind;
  counter?: string;
  /** printers: paperWidth (58 | 80), kiosk (the kiosk it stands beside) */
  options?: Record<string, unknown>;
}

export function printerForKiosk(
  printers: Pick<HostDeviceInfo, 'id'>[],
  configured: ReadonlyMap<string, PolicyDevice>,
  kiosk: string | undefined,
): { printer?: string; why: string } {
  if (printers.length === 0) return { why: 'no ticket printer configured' };
  const kioskOf = (p: Pick<HostDeviceInfo, 'id'>) => configured.get(p.id)?.options?.kiosk;
  if (kiosk !== undefined) {
    const mine = printers.find((p) => kioskOf(p) === kiosk);
    if (mine) return { printer: mine.id, why: '' };
  }
  const unassigned = printers.filter((p) => kioskOf(p) === undefined);
  if (unassigned.length >= 1) return { printer: unassigned[0]!.id, why: '' };
  if (printers.length === 1) return { printer: printers[0]!.id, why: '' };
  return {
    why:
      kiosk === undefined
        ? 'no default printer: every printer is assigned to a kiosk (leave options.kiosk off one printer)'
        : `no printer is assigned to kiosk "${kiosk}"`,
  };
}
