// Transport from config. The HID module is only touched when an HID device is configured.
import { type LineSettings, type TransportConfig, lineSettings } from './config.js';
import type { VirtualDevice } from './sim/base.js';
import { HidTransport } from './transports/hid.js';
import { type SerialPortFactory, SerialTransport } from './transports/serial.js';
import { SimTransport } from './transports/sim.js';
import { TcpTransport } from './transports/tcp.js';
import type { Transport } from './transports/types.js';

export interface TransportDeps {
  /** the virtual device behind a { type: 'sim' } transport */
  sim?: VirtualDevice;
  serialFactory?: SerialPortFactory;
}

/** `lineDefault`: the protocol's framing where the config leaves it open (Modbus RTU: 8E1). */
export function createTransport(cfg: TransportConfig, deps: TransportDeps = {}, lineDefault: Partial<LineSettings> = {}): Transport {
  switch (cfg.type) {
    case 'serial': {
      const l = lineSettings(cfg, lineDefault);
      return new SerialTransport({ path: cfg.path, ...l, factory: deps.serialFactory });
    }
    case 'tcp':
      return new TcpTransport(cfg.host, cfg.port);
    case 'hid':
      return new HidTransport(cfg.vendorId, cfg.productId);
    case 'sim':
      if (!deps.sim) throw new Error('sim transport needs a virtual device');
      return new SimTransport(deps.sim);
  }
}
