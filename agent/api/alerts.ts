// Alerts for the manager board (lockouts, storage faults, satellites): pushed on /board as `alert` and
// kept in hall.db (migration 40), so a restart does not erase the evidence.
import { EventEmitter } from 'node:events';
import type { SecurityStore } from '../security/store.js';

export interface SecurityAlert {
  kind: 'lockout' | 'storage' | 'satellite';
  at: number;
  message: string;
  messageEn: string;
  account?: string;
  source?: string;
  until?: number;
}

export class SecurityAlerts {
  readonly events = new EventEmitter();
  private loaded?: SecurityAlert[];

  constructor(
    private readonly store: SecurityStore,
    private readonly now: () => number,
  ) {}

  /** the last 50 alerts, newest first, as kept in hall.db (they survive a restart) */
  get recent(): SecurityAlert[] {
    if (!this.loaded) {
      try {
        this.loaded = this.store.alerts(50) as unknown as SecurityAlert[];
      } catch {
        this.loaded = [];
      }
    }
    return this.loaded;
  }

  raise(a: Omit<SecurityAlert, 'at'>): void {
    const full = { ...a, at: this.now() };
    const recent = this.recent;
    recent.unshift(full);
    if (recent.length > 50) recent.length = 50;
    try {
      this.store.addAlert(full.at, full);
    } catch {
      // a full disk must not turn a refused sign-in into an error; the alert still reaches the board
    }
    this.events.emit('alert', full);
  }
}
