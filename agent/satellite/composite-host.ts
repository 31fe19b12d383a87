// One DeviceHost over several: each command goes to the host that lists the device (the primary's
// own PC or the satellite the config assigns it to); events of all of them come out of one onEvent.
// The hall's device policy (agent/devices/manager.ts) runs on it and so treats a satellite's display,
// keypad, pad or printer exactly like one on the primary's own PC.
import type { SimCapableHost } from '../devices/manager.js';
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceHost, HostDeviceInfo } from '../../drivers/host/contract.js';

export class CompositeHost implements SimCapableHost {
  constructor(private readonly hosts: SimCapableHost[]) {}

  async start(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.stop()));
  }

  list(): HostDeviceInfo[] {
    return this.hosts.flatMap((h) => h.list());
  }

  private owner(deviceId: string): DeviceHost | undefined {
    // lists are short (tens of devices) and the owner never changes while running; a linear scan keeps
    // a host that adds devices later (a satellite registering) correct without a cache to invalidate
    return this.hosts.find((h) => h.list().some((d) => d.id === deviceId));
  }

  execute(deviceId: string, command: DeviceCommand): Promise<CommandResult> {
    const owner = this.owner(deviceId);
    if (!owner) return Promise.resolve({ ok: false, reason: `no device ${deviceId} in this hall` });
    return owner.execute(deviceId, command);
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    const offs = this.hosts.map((h) => h.onEvent(listener));
    return () => {
      for (const off of offs) off();
    };
  }

  // ---- the /sim page and tests: only the primary's own simulated devices have these

  get bound(): readonly unknown[] {
    return this.hosts.flatMap((h) => h.bound ?? []);
  }

  simState(): unknown {
    return this.hosts.flatMap((h) => {
      const s = h.simState?.();
      return Array.isArray(s) ? s : [];
    });
  }

  simAction(deviceId: string, action: Record<string, unknown>): unknown {
    const sims = this.hosts.filter((h) => h.simAction);
    const owner = sims.find((h) => h.list().some((d) => d.id === deviceId));
    if (owner) return owner.simAction?.(deviceId, action);
    if (this.owner(deviceId)) throw new Error(`device "${deviceId}" is on a satellite PC: simulate it on that PC`);
    throw new Error(`no device "${deviceId}"`);
  }
}
