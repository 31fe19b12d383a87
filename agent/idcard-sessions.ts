import { randomBytes } from 'node:crypto';
import type { HallBus } from './bus.js';
import { maskIdNumber, maskName } from './queue/idnumber.js';

const TTL_MS = 2 * 60_000;

/**
 * A 身份证 read at the kiosk's card reader is held here for two minutes behind an opaque token; the
 * kiosk page only ever sees the token and the masked number, and sends the token back with the
 * ticket request. The clear number never crosses a socket, a log or the browser.
 */
export class IdCardSessions {
  private readonly held = new Map<string, { idNumber: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  hold(idNumber: string): { token: string; masked: string } {
    this.sweep();
    const token = randomBytes(16).toString('base64url');
    this.held.set(token, { idNumber, expiresAt: this.now() + TTL_MS });
    return { token, masked: maskIdNumber(idNumber) };
  }

  /** The number behind a token, once: a second ticket needs a second read. */
  take(token: string): string | undefined {
    this.sweep();
    const entry = this.held.get(token);
    this.held.delete(token);
    return entry?.idNumber;
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

/** Card reads become `idcard` messages for the kiosk screens: masked number and name, never the clear ones. */
export function bindIdCardReaders(bus: HallBus, sessions: IdCardSessions, toKiosks: (msg: KioskIdCardMessage) => void): () => void {
  return bus.on('device.idcard', ({ deviceId, idNumber, name }) => {
    const { token, masked } = sessions.hold(idNumber);
    const msg: KioskIdCardMessage = { deviceId, token, masked };
    const maskedName = name ? maskName(name) : '';
    if (maskedName) msg.maskedName = maskedName;
    toKiosks(msg);
  });
}
