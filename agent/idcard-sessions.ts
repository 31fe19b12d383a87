import { randomBytes } from 'node:crypto';
import type { HallBus } from './bus.js';
import { maskIdNumber, maskName } from './queue/idnumber.js';

const TTL_MS = 2 * 60_000;

/**
 * A 身份证 read at a kiosk's card reader is held here for two minutes behind an opaque token bound to
 * the kiosk terminal that owns the reader; only that kiosk receives the token and only that kiosk can
 * redeem it. The clear number never crosses a socket, a log or the browser.
 */
export class IdCardSessions {
  private readonly held = new Map<string, { idNumber: string; kiosk?: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  hold(idNumber: string, kiosk?: string): { token: string; masked: string } {
    this.sweep();
    const token = randomBytes(16).toString('base64url');
    this.held.set(token, { idNumber, kiosk, expiresAt: this.now() + TTL_MS });
    return { token, masked: maskIdNumber(idNumber) };
  }

  /** The number behind a token, once, and only for the kiosk it was read at. */
  take(token: string, kiosk?: string): string | undefined {
    this.sweep();
    const entry = this.held.get(token);
    if (!entry || entry.kiosk === undefined || entry.kiosk !== kiosk) return undefined;
    this.held.delete(token);
    return entry.idNumber;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.held) if (entry.expiresAt <= now) this.held.delete(token);
  }
}

export interface KioskIdCardMessage {
  deviceId: string;
  token: string;
  masked: string;
  /** 王* — only when the reader gives a name (SAM readers do, keyboard-wedge readers do not) */
  maskedName?: string;
}

/** Card reads become `idcard` messages for the kiosk that owns the reader (masked number and name, never the
 * clear ones); a reader no kiosk owns is dropped. */
export function bindIdCardReaders(
  bus: HallBus,
  sessions: IdCardSessions,
  toKiosk: (msg: KioskIdCardMessage) => void,
  ownerOf: (deviceId: string) => string | undefined,
): () => void {
  return bus.on('device.idcard', ({ deviceId, idNumber, name }) => {
    const kiosk = ownerOf(deviceId);
    if (!kiosk) return;
    const { token, masked } = sessions.hold(idNumber, kiosk);
    const msg: KioskIdCardMessage = { deviceId, token, masked };
    const maskedName = name ? maskName(name) : '';
    if (maskedName) msg.maskedName = maskedName;
    toKiosk(msg);
  });
}
