// Device status as the supervisor sees it. Same strings as the agent's DeviceStatus.
export type DriverStatus = 'online' | 'offline' | 'paperOut' | 'paperNearEnd' | 'coverOpen' | 'cutterError' | 'degraded';

/** Holds one status and tells listeners only about real changes. */
export class StatusCell {
  status: DriverStatus = 'offline';
  detail?: string = 'not connected yet';
  since = Date.now();
  private readonly fns: Array<(s: DriverStatus, detail?: string) => void> = [];

  onChange(fn: (s: DriverStatus, detail?: string) => void): void {
    this.fns.push(fn);
  }

  set(s: DriverStatus, detail?: string): void {
    if (s === this.status && detail === this.detail) return;
    this.status = s;
    this.detail = detail;
    this.since = Date.now();
    for (const fn of this.fns) {
      try {
        fn(s, detail);
      } catch {
        /* a listener must not stop the driver */
      }
    }
  }
}
