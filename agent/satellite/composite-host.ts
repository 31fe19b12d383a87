// One DeviceHost over several: each command goes to the host that lists the device (the primary's
// own PC or the satellite the config assigns it to); events of all of them come out of one onEvent.
import type { CommandResult, DeviceCommand, DeviceEvent, DeviceHost, HostDeviceInfo } from '../../drivers/host/contract.js';

export class CompositeHost implements DeviceHost {
  constructor(private readonly hosts: DeviceHost[]) {}

  async start(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.stop()));
  }

  list(): HostDeviceInfo[] {
    return this.hosts.flatMap((h) => h.list());
  }

  execute(deviceId: string, command: DeviceCommand): Promise<CommandResult> {
    // lists are short (tens of devices) and the owner never changes while running; a linear scan keeps
    // a host that adds devices later (a satellite registering) correct without a cache to invalidate
    const owner = this.hosts.find((h) => h.list().some((d) => d.id === deviceId));
    if (!owner) return Promise.resolve({ ok: false, reason: `no device ${deviceId} in this hall` });
    return owner.execute(deviceId, command);
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    const offs = this.hosts.map((h) => h.onEvent(listener));
    return () => {
      for (const off of offs) off();
    };
  }
}
